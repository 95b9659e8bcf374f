//! What every source format shares once its records are read: the mapping to SCIM, the paths
//! the source provides, the users' and groups' checks, and the resolution of group members.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_ilm_lifecycle::users::patch::paths;
use aws_ilm_lifecycle::{Mapper, Purpose};
use aws_ilm_scim::schema::{self, Type};
use aws_ilm_scim::user::User;
use aws_ilm_scim::{ci, rules};
use serde_json::{Map, Value};

use super::{GroupRecord, GroupSource, Records, SourceError, problem, quote};
use crate::model::{Attrs, Desired, DesiredGroup, DesiredUser, Problem};

/// The value each provided key gets in the probe that finds the provided paths: non-empty,
/// and valid both as text and as JSON (a number), so a `ParseJSON` transform, alone or around
/// a concatenation, maps it as it maps real values.
const PROBE: &str = "1";

/// Where a CSV's `groups` column puts its groups.
const COLUMN_ORIGIN: &str = "column groups";

pub(super) fn build(records: Records, mapper: &Mapper) -> Result<Desired, SourceError> {
    let Records {
        mut users,
        keys,
        groups,
        mut problems,
    } = records;
    let mut provided = probe(mapper, &keys);
    let mut mapped = Vec::with_capacity(users.len());
    for r in &mut users {
        // Each profile is dropped once mapped: at 100,000 rows, holding every profile and every
        // mapped user at once is most of the peak (docs/reconcile.md, "Benchmark").
        let profile = r.profile.take();
        match mapper.map_out_for(&profile, Purpose::Create) {
            Ok(doc) => {
                check_rules(&r.at, &doc, &mut problems);
                let p = path_values(&doc);
                for k in p.keys() {
                    if !provided.contains(&k) {
                        provided.insert(k);
                    }
                }
                mapped.push(Some(p));
            }
            Err(e) => {
                problems.push(problem(
                    &r.at,
                    format!("the mapper ({}) cannot map this user: {e}", mapper.origin()),
                ));
                mapped.push(None);
            }
        }
    }
    // `active` is the user's state, not an attribute (DesiredUser::active).
    provided.remove("active");
    let required = required_paths();
    let mut out = Desired::default();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut external_ids: HashMap<String, String> = HashMap::new();
    // Index in `out.users` of each record that made a user, for the groups column.
    let mut made = Vec::with_capacity(users.len());
    for (r, m) in users.iter().zip(mapped) {
        made.push(None);
        let Some(p) = m else { continue };
        let p: BTreeMap<String, Value> = p.into_iter().collect();
        for req in &required {
            if p.contains_key(req) {
                continue;
            }
            problems.push(problem(
                &r.at,
                if provided.contains(req) {
                    format!("{req} is empty, and AWS requires it (an empty value clears it)")
                } else {
                    format!("{req} is required by AWS, and the source gives none")
                },
            ));
        }
        let Some(user_name) = p.get("userName").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if let Some(first) = names.insert(ci::fold(&user_name), r.at.clone()) {
            problems.push(problem(
                &r.at,
                format!(
                    "duplicate userName {} (also at {first}; userNames are compared ignoring case)",
                    quote(&user_name)
                ),
            ));
        }
        let external_id = p
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(x) = &external_id
            && let Some(first) = external_ids.insert(x.clone(), r.at.clone())
        {
            problems.push(problem(
                &r.at,
                format!("duplicate externalId {} (also at {first})", quote(x)),
            ));
        }
        let attributes: Attrs<Option<Value>> = provided
            .iter()
            .map(|path| (path, p.get(path).cloned()))
            .collect();
        if let Some(slot) = made.last_mut() {
            *slot = Some(out.users.len());
        }
        out.users.push(DesiredUser {
            origin: r.at.clone(),
            user_name,
            external_id,
            active: r.active,
            attributes,
        });
    }
    out.groups = match groups {
        GroupSource::None => Vec::new(),
        GroupSource::Column => {
            let named = users.iter().zip(&made).filter_map(|(r, i)| {
                let u = &out.users[(*i)?];
                Some((r.at.as_str(), u.user_name.as_str(), r.groups.as_slice()))
            });
            column_groups(named, &mut problems)
        }
        GroupSource::Document(list) => document_groups(&list, &out.users, &mut problems),
    };
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(SourceError::Problems(problems))
    }
}

/// The PATCH paths of a mapped user with their values (`schemas` left out by `paths`).
fn path_values(doc: &Map<String, Value>) -> Attrs<Value> {
    paths(doc)
        .into_iter()
        .map(|(p, v)| (p, v.clone()))
        .collect()
}

/// The SCIM paths the source provides: those of a probe profile in which every provided key
/// has a value. Should the mapper refuse the probe as a whole (a transform the dummy value does
/// not suit), each key is probed alone and those that map count; the caller adds the paths of
/// every real user as well, so a provided path a real value reaches is never missed.
fn probe(mapper: &Mapper, keys: &[String]) -> BTreeSet<String> {
    let profile = |ks: &[String]| -> Map<String, Value> {
        ks.iter().map(|k| (k.clone(), Value::from(PROBE))).collect()
    };
    if let Ok(doc) = mapper.map_out_for(&profile(keys), Purpose::Create) {
        return path_values(&doc).keys().into_iter().collect();
    }
    keys.iter()
        .filter_map(|k| {
            mapper
                .map_out_for(&profile(std::slice::from_ref(k)), Purpose::Create)
                .ok()
        })
        .flat_map(|doc| path_values(&doc).into_iter().map(|(k, _)| k))
        .collect()
}

/// The paths AWS requires of a new user, from the attribute table: each required single-valued
/// attribute, and for a required complex one its required sub-attributes (`name.givenName`).
/// Required sub-attributes of lists (`emails.value`) bind only once the element exists, which
/// [`check_rules`] checks.
fn required_paths() -> Vec<String> {
    let mut out = Vec::new();
    for a in schema::USER
        .attributes
        .iter()
        .filter(|a| a.required && !a.multi_valued)
    {
        if a.kind == Type::Complex {
            out.extend(
                a.sub_attributes
                    .iter()
                    .filter(|s| s.required)
                    .map(|s| format!("{}.{}", a.name, s.name)),
            );
        } else {
            out.push(a.name.to_owned());
        }
    }
    out
}

/// The rules AWS applies to what is present (keys, lengths, characters, one value per list, a
/// primary email), through the same functions the emulator refuses with.
fn check_rules(at: &str, doc: &Map<String, Value>, problems: &mut Vec<Problem>) {
    let mut v = Value::Object(doc.clone());
    rules::canonicalize_user(&mut v);
    if let Err(e) = rules::check_user_keys(&v) {
        problems.push(problem(at, format!("AWS would refuse this user: {e}")));
        return;
    }
    let checked = serde_json::from_value::<User>(v)
        .map_err(|e| e.to_string())
        .and_then(|u| rules::validate_optional(&u).map_err(|e| e.to_string()));
    if let Err(e) = checked {
        problems.push(problem(at, format!("AWS would refuse this user: {e}")));
    }
}

/// Groups named in a CSV's `groups` column: every one is managed, with the users naming it as
/// members; its spelling is the first one met.
fn column_groups<'a>(
    named: impl Iterator<Item = (&'a str, &'a str, &'a [String])>,
    problems: &mut Vec<Problem>,
) -> Vec<DesiredGroup> {
    let mut groups: BTreeMap<String, DesiredGroup> = BTreeMap::new();
    for (at, user_name, names) in named {
        for name in names {
            let g = groups.entry(ci::fold(name)).or_insert_with(|| {
                if let Err(e) = rules::check_group_display_name(name) {
                    problems.push(problem(at, format!("group {}: {e}", quote(name))));
                }
                DesiredGroup {
                    origin: COLUMN_ORIGIN.to_owned(),
                    display_name: name.clone(),
                    external_id: None,
                    members: Vec::new(),
                }
            });
            g.members.push(user_name.to_owned());
        }
    }
    groups
        .into_values()
        .map(|mut g| {
            g.members = sorted_members(g.members);
            g
        })
        .collect()
}

/// A document's groups, members resolved to userNames: by userName first (ignoring case, as
/// AWS compares them), then by externalId (exactly, as AWS stores it).
fn document_groups(
    list: &[GroupRecord],
    users: &[DesiredUser],
    problems: &mut Vec<Problem>,
) -> Vec<DesiredGroup> {
    let mut by_name: HashMap<String, &str> = HashMap::new();
    let mut by_external_id: HashMap<&str, &str> = HashMap::new();
    for u in users {
        by_name
            .entry(ci::fold(&u.user_name))
            .or_insert(&u.user_name);
        if let Some(x) = &u.external_id {
            by_external_id.entry(x).or_insert(&u.user_name);
        }
    }
    let mut names: HashMap<String, &str> = HashMap::new();
    let mut external_ids: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for g in list {
        if !g.display_name.is_empty() {
            if let Err(e) = rules::check_group_display_name(&g.display_name) {
                problems.push(problem(&format!("{}.displayName", g.at), e.to_string()));
            }
            if let Some(first) = names.insert(ci::fold(&g.display_name), &g.at) {
                problems.push(problem(
                    &g.at,
                    format!(
                        "duplicate group displayName {} (also at {first}; compared ignoring case)",
                        quote(&g.display_name)
                    ),
                ));
            }
        }
        if let Some(x) = &g.external_id {
            if let Err(e) = rules::check_external_id(x) {
                problems.push(problem(&format!("{}.externalId", g.at), e.to_string()));
            }
            if let Some(first) = external_ids.insert(x, &g.at) {
                problems.push(problem(
                    &g.at,
                    format!("duplicate group externalId {} (also at {first})", quote(x)),
                ));
            }
        }
        let mut members = Vec::with_capacity(g.members.len());
        for (i, m) in g.members.iter().enumerate() {
            let found = by_name
                .get(&ci::fold(m))
                .or_else(|| by_external_id.get(m.as_str()));
            match found {
                Some(name) => members.push((*name).to_owned()),
                None => problems.push(problem(
                    &format!("{}.members[{i}]", g.at),
                    format!(
                        "{} names no user of the source (by userName or externalId)",
                        quote(m)
                    ),
                )),
            }
        }
        out.push(DesiredGroup {
            origin: g.at.clone(),
            display_name: g.display_name.clone(),
            external_id: g.external_id.clone(),
            members: sorted_members(members),
        });
    }
    out
}

/// Members sorted and without repeats, both by folded userName.
fn sorted_members(mut members: Vec<String>) -> Vec<String> {
    members.sort_by_cached_key(|m| ci::fold(m));
    members.dedup_by(|a, b| ci::fold(a) == ci::fold(b));
    members
}
