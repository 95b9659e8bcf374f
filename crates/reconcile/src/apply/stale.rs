//! Is a saved plan still the plan? (docs/reconcile.md, "Apply" and "Resuming a killed apply".)
//! Pure: the saved changes, the lines the journal has done and the changes recomputed from the
//! re-read state go in; the changes still to run, or the difference, come out.
//!
//! Plans are compared item by item, not change by change: one user created, one attribute of
//! one user with its old and new value, one member added to or removed from one group, one
//! disable, delete, group create or rename. That is the unit a half-done apply leaves done or
//! not done (a member PATCH of 100 either landed or not, but its chunk boundaries move when a
//! recomputation has fewer members).
//!
//! Identity must not depend on what the apply itself did: a user or group this plan creates
//! has no id in the saved plan but has one once created. So users and groups named without an
//! id are resolved through [`Ids`] (from the re-read state) on both sides; what is still not
//! found is known by its folded name. Members are named by id when known, else by folded
//! userName.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use aws_ilm_scim::ci;
use aws_ilm_scim::text::neutralise;
use serde_json::Value;

use crate::model::{Actual, AttrChange, Change, MemberRef};

/// Ids of users (by folded userName) and groups (by folded displayName): seeded from the
/// re-read state, filled by the creates of the apply.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub users: HashMap<String, String>,
    pub groups: HashMap<String, String>,
}

impl Ids {
    pub fn of(actual: &Actual) -> Ids {
        Ids {
            users: actual
                .users
                .iter()
                .map(|u| (ci::fold(&u.user_name), u.id.clone()))
                .collect(),
            groups: actual
                .groups
                .iter()
                .map(|g| (ci::fold(&g.display_name), g.id.clone()))
                .collect(),
        }
    }

    /// A member's id: its own, or that of the user of its name.
    pub fn user(&self, m: &MemberRef) -> Option<String> {
        m.id.clone()
            .or_else(|| self.users.get(&ci::fold(&m.user_name)).cloned())
    }

    /// A group's id: its own, or that of the group of its name.
    pub fn group(&self, name: &str, id: Option<&str>) -> Option<String> {
        id.map(str::to_owned)
            .or_else(|| self.groups.get(&ci::fold(name)).cloned())
    }
}

/// What an item is about, for comparison; values as canonical JSON text (JSON values have no
/// order of their own).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    CreateGroup(String, Option<String>),
    GroupAttr {
        id: String,
        path: String,
        old: String,
        new: String,
    },
    CreateUser(String, String),
    UserAttr {
        id: String,
        path: String,
        old: String,
        new: String,
    },
    AddMember(String, String),
    RemoveMember(String, String),
    Disable(String),
    DeleteUser(String),
    DeleteGroup(String),
}

/// One item of a plan: its identity and how to say it.
#[derive(Debug, Clone)]
pub struct Item {
    key: Key,
    label: String,
}

impl PartialEq for Item {
    fn eq(&self, o: &Item) -> bool {
        self.key == o.key
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Item) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Item) -> std::cmp::Ordering {
        self.key.cmp(&o.key)
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

fn text(v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_owned(), Value::to_string)
}

fn show(s: &str) -> String {
    neutralise(s, false).into_owned()
}

fn attr(id: &str, a: &AttrChange, group: bool, name: &str) -> Item {
    let (old, new) = (text(&a.old), text(&a.new));
    let label = format!(
        "{} {}: {} {} → {}",
        if group { "group" } else { "user" },
        show(name),
        show(&a.path),
        show(&old),
        show(&new)
    );
    let (id, path) = (id.to_owned(), a.path.clone());
    let key = if group {
        Key::GroupAttr { id, path, old, new }
    } else {
        Key::UserAttr { id, path, old, new }
    };
    Item { key, label }
}

fn member_key(ids: &Ids, m: &MemberRef) -> String {
    ids.user(m)
        .unwrap_or_else(|| format!("new:{}", ci::fold(&m.user_name)))
}

/// The items of one change, in its own order.
pub fn change_items(c: &Change, ids: &Ids) -> Vec<Item> {
    let one = |key, label: String| vec![Item { key, label }];
    match c {
        Change::CreateGroup {
            display_name,
            external_id,
        } => one(
            Key::CreateGroup(ci::fold(display_name), external_id.clone()),
            format!("create group {}", show(display_name)),
        ),
        Change::UpdateGroup {
            id,
            display_name,
            set,
        } => set
            .iter()
            .map(|a| attr(id, a, true, display_name))
            .collect(),
        Change::CreateUser { user_name, user } => one(
            Key::CreateUser(ci::fold(user_name), Value::Object(user.clone()).to_string()),
            format!("create user {}", show(user_name)),
        ),
        Change::UpdateUser { id, user_name, set } => {
            set.iter().map(|a| attr(id, a, false, user_name)).collect()
        }
        Change::AddMembers {
            group,
            group_id,
            members,
        } => {
            let g = ids
                .group(group, group_id.as_deref())
                .unwrap_or_else(|| format!("new:{}", ci::fold(group)));
            members
                .iter()
                .map(|m| Item {
                    key: Key::AddMember(g.clone(), member_key(ids, m)),
                    label: format!("add {} to group {}", show(&m.user_name), show(group)),
                })
                .collect()
        }
        Change::RemoveMembers {
            group,
            group_id,
            members,
        } => members
            .iter()
            .map(|m| Item {
                key: Key::RemoveMember(group_id.clone(), member_key(ids, m)),
                label: format!("remove {} from group {}", show(&m.user_name), show(group)),
            })
            .collect(),
        Change::DisableUser { id, user_name } => one(
            Key::Disable(id.clone()),
            format!("disable user {}", show(user_name)),
        ),
        Change::DeleteUser { id, user_name } => one(
            Key::DeleteUser(id.clone()),
            format!("delete user {}", show(user_name)),
        ),
        // Not the member count: deleting a user (an earlier phase) takes it out of its groups.
        Change::DeleteGroup {
            id, display_name, ..
        } => one(
            Key::DeleteGroup(id.clone()),
            format!("delete group {}", show(display_name)),
        ),
    }
}

/// Every item of a list of changes.
pub fn items(changes: &[Change], ids: &Ids) -> BTreeSet<Item> {
    changes.iter().flat_map(|c| change_items(c, ids)).collect()
}

/// A saved plan that no longer matches AWS: the differences, one readable line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub lines: Vec<String>,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the plan is stale: AWS changed since it was made")?;
        for l in &self.lines {
            write!(f, "\n  {l}")?;
        }
        Ok(())
    }
}

/// The saved changes still to run, each as `(line, change)` with `line` its 1-based index in
/// the plan, filtered to the items the recomputation still finds needed (a change none of whose
/// items is needed any more is left out). `done` are the lines the journal has done.
///
/// A fresh apply (nothing done) requires the recomputed items to equal the saved ones; a
/// resumed apply requires them to be a subset of the saved items not yet done, because the
/// change in flight when an earlier run was killed is in effect without being journaled.
pub fn reconcile_saved(
    saved: &[Change],
    done: &HashSet<u64>,
    recomputed: &[Change],
    ids: &Ids,
) -> Result<Vec<(u64, Change)>, Stale> {
    let pending: Vec<(u64, &Change)> = saved
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u64 + 1, c))
        .filter(|(line, _)| !done.contains(line))
        .collect();
    let wanted: BTreeSet<Item> = pending
        .iter()
        .flat_map(|(_, c)| change_items(c, ids))
        .collect();
    let now = items(recomputed, ids);
    let extra: Vec<&Item> = now.difference(&wanted).collect();
    let gone: Vec<&Item> = wanted.difference(&now).collect();
    let fresh = done.is_empty();
    if !extra.is_empty() || (fresh && !gone.is_empty()) {
        return Err(Stale {
            lines: difference(&extra, &gone, fresh),
        });
    }
    let mut out = Vec::new();
    for (line, c) in pending {
        if let Some(kept) = filtered(c, ids, &now) {
            out.push((line, kept));
        }
    }
    Ok(out)
}

/// `+`, `-` and `~` lines: an attribute on both sides with other values is one `~` line. A
/// resumed apply lists no `-` lines: what is gone may be its own earlier work.
fn difference(extra: &[&Item], gone: &[&Item], fresh: bool) -> Vec<String> {
    let slot = |k: &Key| match k {
        Key::GroupAttr { id, path, .. } | Key::UserAttr { id, path, .. } => {
            Some((id.clone(), path.clone(), matches!(k, Key::GroupAttr { .. })))
        }
        _ => None,
    };
    let gone_slots: HashMap<_, &Item> = gone
        .iter()
        .filter_map(|i| slot(&i.key).map(|s| (s, *i)))
        .collect();
    let mut changed = HashSet::new();
    let mut lines = Vec::new();
    for i in extra {
        match slot(&i.key).and_then(|s| gone_slots.get(&s).map(|g| (s, g))) {
            Some((s, g)) => {
                lines.push(format!("~ old value changed: planned {g}; now {i}"));
                changed.insert(s);
            }
            None => lines.push(format!("+ would now also {i}")),
        }
    }
    for g in gone.iter().filter(|_| fresh) {
        if slot(&g.key).is_none_or(|s| !changed.contains(&s)) {
            lines.push(format!("- no longer {g}"));
        }
    }
    lines
}

/// `c` keeping only the items in `keep`; `None` when none is left.
fn filtered(c: &Change, ids: &Ids, keep: &BTreeSet<Item>) -> Option<Change> {
    let items = change_items(c, ids);
    let mask: Vec<bool> = items.iter().map(|i| keep.contains(i)).collect();
    if !mask.iter().any(|&k| k) {
        return None;
    }
    if mask.iter().all(|&k| k) {
        return Some(c.clone());
    }
    let mut c = c.clone();
    match &mut c {
        Change::UpdateGroup { set, .. } | Change::UpdateUser { set, .. } => *set = pick(set, &mask),
        Change::AddMembers { members, .. } | Change::RemoveMembers { members, .. } => {
            *members = pick(members, &mask)
        }
        // One item each: kept whole or dropped above.
        _ => {}
    }
    Some(c)
}

fn pick<T: Clone>(v: &[T], mask: &[bool]) -> Vec<T> {
    v.iter()
        .zip(mask)
        .filter(|(_, k)| **k)
        .map(|(x, _)| x.clone())
        .collect()
}

#[cfg(test)]
#[path = "stale_tests.rs"]
mod tests;
