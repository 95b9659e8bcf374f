//! The diff: desired state + actual state + options → the changes that make AWS equal to the
//! source within scope. Pure (no I/O), deterministic (the same inputs give the same changes in
//! the same order, whatever order AWS listed things in), so `apply` can recompute a saved plan
//! and compare (docs/reconcile.md, "The model").
//!
//! Matching survives renames: a user is matched on externalId first (when the source gives
//! one), then on userName folded as AWS's uniqueness folds it; a matched user whose userName or
//! email changed is updated in place. Groups likewise, on externalId then displayName.

use std::collections::{BTreeSet, HashMap, HashSet};

use aws_ilm_lifecycle::table::is_empty;
use aws_ilm_lifecycle::users::patch::same;
use aws_ilm_scim::{ci, patch::MAX_MEMBER_CHANGES, urn};
use serde_json::{Map, Value};

use crate::model::{
    Actual, ActualGroup, ActualUser, AttrChange, AttrPath, Change, Desired, DesiredGroup,
    DesiredUser, MemberRef, Problem,
};
use crate::options::{Absent, AbsentGroups, Options, Scope};

/// The changes, in apply order, and what the plan leaves alone on purpose.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
}

/// The attribute paths reconcile compares: those some desired user provides. The reader keeps
/// only these of each AWS user.
pub fn compared_paths(desired: &Desired) -> BTreeSet<AttrPath> {
    desired
        .users
        .iter()
        .flat_map(|u| u.attributes.keys())
        .collect()
}

/// The AWS groups whose members the diff needs (managed groups that exist): the source's groups
/// matched in AWS and in scope, plus with `--absent-groups delete` the groups in scope the
/// source does not name. Ids, in `groups` order.
pub fn managed_groups(desired: &Desired, groups: &[ActualGroup], options: &Options) -> Vec<String> {
    let scope = Scope::new(options);
    let index = GroupIndex::new(groups);
    let mut matched = vec![false; groups.len()];
    for g in &desired.groups {
        if let Ok(Some(i)) = index.find(g) {
            matched[i] = true;
        }
    }
    groups
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            scope.group_managed(&a.display_name)
                && (matched[*i] || options.absent_groups == AbsentGroups::Delete)
        })
        .map(|(_, a)| a.id.clone())
        .collect()
}

/// Computes the plan's changes. `Err` lists every conflict between the source and AWS (a
/// source user whose externalId and userName match two different AWS users, two source
/// entries matching one AWS resource); then no plan is made.
pub fn diff(desired: &Desired, actual: &Actual, options: &Options) -> Result<Diff, Vec<Problem>> {
    let scope = Scope::new(options);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut out = Out::default();

    // Users.
    let users = UserIndex::new(&actual.users);
    let mut user_match: Vec<Option<usize>> = Vec::with_capacity(desired.users.len());
    // The source user that matched each AWS user, by the AWS user's index.
    let mut claimed: Vec<Option<&str>> = vec![None; actual.users.len()];
    for d in &desired.users {
        let m = match users.find(d) {
            Ok(m) => m,
            Err(p) => {
                problems.push(p);
                None
            }
        };
        if let Some(i) = m
            && let Some(other) = claimed[i].replace(&d.origin)
        {
            problems.push(Problem::new(
                &d.origin,
                format!(
                    "matches the same AWS user ({}) as {other}",
                    actual.users[i].user_name
                ),
            ));
        }
        user_match.push(m);
    }
    // A name → id map of the users the groups name (new users: no id yet); only those, since a
    // source of 100,000 users may name a few of them in groups (docs/reconcile.md, "Benchmark").
    let named: HashSet<String> = desired
        .groups
        .iter()
        .flat_map(|g| g.members.iter().map(|m| ci::fold(m)))
        .collect();
    let mut member_ids: HashMap<String, Option<String>> = HashMap::new();
    for (d, m) in desired.users.iter().zip(&user_match) {
        let a = m.map(|i| &actual.users[i]);
        let managed =
            scope.user_managed(&d.user_name) && a.is_none_or(|a| scope.user_managed(&a.user_name));
        let id = a.map(|a| a.id.clone());
        match (a, managed) {
            (Some(a), true) => user_changes(d, a, options, &mut out, &mut notes),
            (Some(a), false) => notes.push(format!(
                "user {}: protected or out of scope; left as it is",
                a.user_name
            )),
            (None, true) => out.users.push(Change::CreateUser {
                user_name: d.user_name.clone(),
                user: user_document(d),
            }),
            (None, false) => {
                notes.push(format!(
                    "user {}: protected or out of scope; not created",
                    d.user_name
                ));
                continue;
            }
        }
        let folded = ci::fold(&d.user_name);
        if named.contains(&folded) {
            member_ids.insert(folded, id);
        }
    }
    for (a, claim) in actual.users.iter().zip(&claimed) {
        if claim.is_some() || !scope.user_managed(&a.user_name) {
            continue;
        }
        let (id, user_name) = (a.id.clone(), a.user_name.clone());
        match options.absent {
            Absent::Ignore => {}
            Absent::Disable if a.active => out.retire.push(Change::DisableUser { id, user_name }),
            Absent::Disable => {}
            Absent::Delete => out.retire.push(Change::DeleteUser { id, user_name }),
        }
    }

    // Groups.
    let groups = GroupIndex::new(&actual.groups);
    let names_by_id: HashMap<&str, &str> = if desired.groups.is_empty() {
        HashMap::new()
    } else {
        actual
            .users
            .iter()
            .map(|u| (u.id.as_str(), u.user_name.as_str()))
            .collect()
    };
    let mut claimed_groups: HashMap<usize, &str> = HashMap::new();
    let mut matched_groups = BTreeSet::new();
    for g in &desired.groups {
        let m = match groups.find(g) {
            Ok(m) => m,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if let Some(i) = m {
            matched_groups.insert(i);
            if let Some(other) = claimed_groups.insert(i, &g.origin) {
                problems.push(Problem::new(
                    &g.origin,
                    format!(
                        "matches the same AWS group ({}) as {other}",
                        actual.groups[i].display_name
                    ),
                ));
                continue;
            }
        }
        let a = m.map(|i| &actual.groups[i]);
        let managed = scope.group_managed(&g.display_name)
            && a.is_none_or(|a| scope.group_managed(&a.display_name));
        if !managed {
            notes.push(format!(
                "group {}: protected or out of scope; left as it is",
                a.map_or(&g.display_name, |a| &a.display_name)
            ));
            continue;
        }
        let wanted = wanted_members(g, &member_ids, &mut notes);
        match a {
            None => {
                out.groups.push(Change::CreateGroup {
                    display_name: g.display_name.clone(),
                    external_id: g.external_id.clone(),
                });
                let adds = wanted.into_iter().collect();
                push_chunks(&mut out.adds, adds, |members| Change::AddMembers {
                    group: g.display_name.clone(),
                    group_id: None,
                    members,
                });
            }
            Some(a) => {
                group_update(g, a, &mut out);
                let Some(have) = &a.members else {
                    problems.push(Problem::new(
                        &g.origin,
                        format!("the members of group {} were not read", a.display_name),
                    ));
                    continue;
                };
                member_changes(g, a, have, wanted, &names_by_id, &scope, &mut out);
            }
        }
    }
    if options.absent_groups == AbsentGroups::Delete {
        for (i, a) in actual.groups.iter().enumerate() {
            if !matched_groups.contains(&i) && scope.group_managed(&a.display_name) {
                out.delete_groups.push(Change::DeleteGroup {
                    id: a.id.clone(),
                    display_name: a.display_name.clone(),
                    members: a.members.as_ref().map_or(0, Vec::len),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Diff {
        changes: out.into_changes(),
        notes,
    })
}

/// The changes of each phase, gathered apart and sorted once at the end.
#[derive(Default)]
struct Out {
    groups: Vec<Change>,
    users: Vec<Change>,
    adds: Vec<Change>,
    removes: Vec<Change>,
    retire: Vec<Change>,
    delete_groups: Vec<Change>,
}

impl Out {
    fn into_changes(self) -> Vec<Change> {
        let mut all = Vec::new();
        for mut phase in [
            self.groups,
            self.users,
            self.adds,
            self.removes,
            self.retire,
            self.delete_groups,
        ] {
            phase.sort_by_cached_key(sort_key);
            all.extend(phase);
        }
        all
    }
}

/// A change's place within its phase: by kind, then by folded name, then by id (AWS lists in no
/// promised order; the plan must not depend on it).
fn sort_key(c: &Change) -> (u8, String, String) {
    let (rank, name, id) = match c {
        Change::CreateGroup { display_name, .. } => (0, display_name, ""),
        Change::UpdateGroup {
            display_name, id, ..
        } => (1, display_name, id.as_str()),
        Change::CreateUser { user_name, .. } => (0, user_name, ""),
        Change::UpdateUser { user_name, id, .. } => (1, user_name, id.as_str()),
        Change::AddMembers { group, members, .. }
        | Change::RemoveMembers { group, members, .. } => {
            let first = members.first().map_or("", |m| m.user_name.as_str());
            return (0, ci::fold(group), ci::fold(first));
        }
        Change::DisableUser { user_name, id } => (0, user_name, id.as_str()),
        Change::DeleteUser { user_name, id } => (1, user_name, id.as_str()),
        Change::DeleteGroup {
            display_name, id, ..
        } => (0, display_name, id.as_str()),
    };
    (rank, ci::fold(name), id.to_owned())
}

/// AWS users by externalId and by folded userName.
struct UserIndex<'a> {
    users: &'a [ActualUser],
    by_external_id: HashMap<&'a str, usize>,
    by_name: HashMap<String, usize>,
}

impl<'a> UserIndex<'a> {
    fn new(users: &'a [ActualUser]) -> UserIndex<'a> {
        let mut by_external_id = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, u) in users.iter().enumerate() {
            if let Some(e) = &u.external_id {
                by_external_id.insert(e.as_str(), i);
            }
            by_name.insert(ci::fold(&u.user_name), i);
        }
        UserIndex {
            users,
            by_external_id,
            by_name,
        }
    }

    fn find(&self, d: &DesiredUser) -> Result<Option<usize>, Problem> {
        let by_ext = d
            .external_id
            .as_deref()
            .and_then(|e| self.by_external_id.get(e).copied());
        let by_name = self.by_name.get(&ci::fold(&d.user_name)).copied();
        match (by_ext, by_name) {
            (Some(e), Some(n)) if e != n => Err(Problem::new(
                &d.origin,
                format!(
                    "externalId {:?} is AWS user {} (id {}) but userName {:?} is another AWS user (id {}); \
                     fix the source or rename one of them in AWS",
                    d.external_id.as_deref().unwrap_or_default(),
                    self.users[e].user_name,
                    self.users[e].id,
                    d.user_name,
                    self.users[n].id,
                ),
            )),
            (Some(e), _) => Ok(Some(e)),
            (None, n) => Ok(n),
        }
    }
}

/// AWS groups by externalId and by folded displayName.
struct GroupIndex<'a> {
    groups: &'a [ActualGroup],
    by_external_id: HashMap<&'a str, usize>,
    by_name: HashMap<String, usize>,
}

impl<'a> GroupIndex<'a> {
    fn new(groups: &'a [ActualGroup]) -> GroupIndex<'a> {
        let mut by_external_id = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            if let Some(e) = &g.external_id {
                by_external_id.insert(e.as_str(), i);
            }
            by_name.insert(ci::fold(&g.display_name), i);
        }
        GroupIndex {
            groups,
            by_external_id,
            by_name,
        }
    }

    fn find(&self, g: &DesiredGroup) -> Result<Option<usize>, Problem> {
        let by_ext = g
            .external_id
            .as_deref()
            .and_then(|e| self.by_external_id.get(e).copied());
        let by_name = self.by_name.get(&ci::fold(&g.display_name)).copied();
        match (by_ext, by_name) {
            (Some(e), Some(n)) if e != n => Err(Problem::new(
                &g.origin,
                format!(
                    "externalId {:?} is AWS group {} but displayName {:?} is another AWS group (id {})",
                    g.external_id.as_deref().unwrap_or_default(),
                    self.groups[e].display_name,
                    g.display_name,
                    self.groups[n].id,
                ),
            )),
            (Some(e), _) => Ok(Some(e)),
            (None, n) => Ok(n),
        }
    }
}

/// The attribute changes (and re-enable, or disable) of a matched, managed user.
fn user_changes(
    d: &DesiredUser,
    a: &ActualUser,
    options: &Options,
    out: &mut Out,
    notes: &mut Vec<String>,
) {
    let mut set = Vec::new();
    // Both sides' values are parsed here, once, and dropped with this user (docs/reconcile.md,
    // "Benchmark": kept as text in between).
    let have_all: HashMap<String, Value> = a.attributes.to_vec().into_iter().collect();
    for (path, want) in d.attributes.to_vec() {
        if path == "active" {
            continue;
        }
        let have = have_all.get(&path).filter(|v| !is_empty(v));
        let differs = match (have, &want) {
            (None, None) => false,
            (Some(h), Some(w)) => !same(h, w),
            _ => true,
        };
        if differs {
            set.push(AttrChange {
                path,
                old: have.cloned(),
                new: want,
            });
        }
    }
    if d.active && !a.active {
        if options.allow_enable {
            set.push(AttrChange {
                path: "active".into(),
                old: Some(Value::Bool(false)),
                new: Some(Value::Bool(true)),
            });
        } else {
            notes.push(format!(
                "user {}: disabled in AWS, active in the source; not re-enabled (allow_enable is off)",
                a.user_name
            ));
        }
    }
    if !set.is_empty() {
        out.users.push(Change::UpdateUser {
            id: a.id.clone(),
            user_name: a.user_name.clone(),
            set,
        });
    }
    if !d.active && a.active {
        out.retire.push(Change::DisableUser {
            id: a.id.clone(),
            user_name: a.user_name.clone(),
        });
    }
}

/// The SCIM document that creates a desired user: its provided attributes (cleared ones left
/// out), `active` as the source says.
pub fn user_document(d: &DesiredUser) -> Map<String, Value> {
    let mut doc = Map::new();
    let mut schemas = vec![Value::from(urn::USER)];
    for (path, value) in &d.attributes {
        let Some(value) = value else { continue };
        if path == "active" {
            continue;
        }
        let split = [("name", '.'), (urn::ENTERPRISE_USER, ':')]
            .into_iter()
            .find_map(|(key, sep)| {
                let sub = path.strip_prefix(key)?.strip_prefix(sep)?;
                Some((key, sub))
            });
        if let Some((key, sub)) = split {
            let slot = doc
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = slot {
                m.insert(sub.to_owned(), value);
            }
        } else {
            doc.insert(path, value);
        }
    }
    if doc.contains_key(urn::ENTERPRISE_USER) {
        schemas.push(Value::from(urn::ENTERPRISE_USER));
    }
    doc.insert("active".into(), Value::Bool(d.active));
    doc.insert("schemas".into(), Value::Array(schemas));
    doc
}

/// The members a managed group should have: each the source's user with its AWS id, or no id
/// when this plan creates it. A member this plan neither finds nor creates (out of scope or
/// protected, and absent from AWS) is noted and left out.
fn wanted_members(
    g: &DesiredGroup,
    ids: &HashMap<String, Option<String>>,
    notes: &mut Vec<String>,
) -> BTreeSet<MemberRef> {
    let mut out = BTreeSet::new();
    for name in &g.members {
        match ids.get(&ci::fold(name)) {
            Some(id) => {
                out.insert(MemberRef {
                    user_name: name.clone(),
                    id: id.clone(),
                    out_of_scope: false,
                });
            }
            None => notes.push(format!(
                "group {}: member {name} is not in AWS and is not created (protected or out of scope); not added",
                g.display_name
            )),
        }
    }
    out
}

/// A rename or a new externalId of a matched group.
fn group_update(g: &DesiredGroup, a: &ActualGroup, out: &mut Out) {
    let mut set = Vec::new();
    if g.display_name != a.display_name {
        set.push(AttrChange {
            path: "displayName".into(),
            old: Some(Value::from(a.display_name.clone())),
            new: Some(Value::from(g.display_name.clone())),
        });
    }
    if let Some(e) = &g.external_id
        && a.external_id.as_ref() != Some(e)
    {
        set.push(AttrChange {
            path: "externalId".into(),
            old: a.external_id.clone().map(Value::from),
            new: Some(Value::from(e.clone())),
        });
    }
    if !set.is_empty() {
        out.groups.push(Change::UpdateGroup {
            id: a.id.clone(),
            display_name: a.display_name.clone(),
            set,
        });
    }
}

/// Additions and removals that give an existing managed group exactly the wanted members.
fn member_changes(
    g: &DesiredGroup,
    a: &ActualGroup,
    have: &[String],
    wanted: BTreeSet<MemberRef>,
    names_by_id: &HashMap<&str, &str>,
    scope: &Scope,
    out: &mut Out,
) {
    let have: BTreeSet<&str> = have.iter().map(String::as_str).collect();
    let wanted_ids: BTreeSet<&str> = wanted.iter().filter_map(|m| m.id.as_deref()).collect();
    let adds: Vec<MemberRef> = wanted
        .iter()
        .filter(|m| m.id.as_deref().is_none_or(|id| !have.contains(id)))
        .cloned()
        .collect();
    let removes: Vec<MemberRef> = have
        .iter()
        .filter(|id| !wanted_ids.contains(*id))
        .map(|id| {
            let name = names_by_id.get(id).copied().unwrap_or(id);
            MemberRef {
                user_name: name.to_owned(),
                id: Some((*id).to_owned()),
                out_of_scope: !scope.user_in_scope(name),
            }
        })
        .collect();
    let group = if g.display_name == a.display_name {
        &g.display_name
    } else {
        &a.display_name
    };
    push_chunks(&mut out.adds, adds, |members| Change::AddMembers {
        group: group.clone(),
        group_id: Some(a.id.clone()),
        members,
    });
    push_chunks(&mut out.removes, removes, |members| Change::RemoveMembers {
        group: group.clone(),
        group_id: a.id.clone(),
        members,
    });
}

/// Members sorted by folded userName (then id), in PATCHes of at most
/// [`MAX_MEMBER_CHANGES`]: the same members always chunk the same way.
fn push_chunks(
    out: &mut Vec<Change>,
    mut members: Vec<MemberRef>,
    make: impl Fn(Vec<MemberRef>) -> Change,
) {
    members.sort_by_cached_key(|m| (ci::fold(&m.user_name), m.id.clone()));
    for chunk in members.chunks(MAX_MEMBER_CHANGES) {
        out.push(make(chunk.to_vec()));
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
