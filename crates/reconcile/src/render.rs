//! The text of a plan, Terraform style: one block per change, notes, and a summary line
//! (docs/reconcile.md, "The plan text"). It is a review document: member lists are shown in
//! full, values as compact JSON, and every name and value that came from the source or from AWS
//! is neutralised so that no control character reaches the terminal.

use std::fmt::Write;

use aws_ilm_lifecycle::text::{escape_json, one_line};
use aws_ilm_lifecycle::users::patch::paths;
use serde_json::Value;

use crate::model::{AttrChange, Change, Counts, MemberRef, is_enable};
use crate::plan::Plan;

/// What an empty plan says.
pub const NO_CHANGES: &str = "No changes. IAM Identity Center matches the source.";

/// How many characters of an id the text shows: enough to tell users apart when reviewing; the
/// plan file (`--output json`, `--out`) has them whole.
const ID_SHOWN: usize = 8;

/// The whole plan as text, ending with a newline.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.changes.is_empty() {
        out.push_str(NO_CHANGES);
        out.push('\n');
    }
    for c in &plan.changes {
        change(&mut out, c);
    }
    if !plan.notes.is_empty() {
        out.push_str("Notes:\n");
        for n in &plan.notes {
            let _ = writeln!(out, "  - {}", one_line(n));
        }
    }
    if !plan.changes.is_empty() {
        out.push_str(&summary(&plan.summary));
        out.push('\n');
    }
    out
}

/// The summary line.
pub fn summary(c: &Counts) -> String {
    format!(
        "Plan: {} to create, {} to update, {} to enable, {} to disable, {} to delete; \
         groups: {} to create, {} to update, {} to delete; members: {} to add, {} to remove.",
        c.users_created,
        c.users_updated,
        c.users_enabled,
        c.users_disabled,
        c.users_deleted,
        c.groups_created,
        c.groups_updated,
        c.groups_deleted,
        c.members_added,
        c.members_removed,
    )
}

/// One change's block.
pub fn change(out: &mut String, c: &Change) {
    match c {
        Change::CreateUser { user_name, user } => {
            let _ = writeln!(out, "+ user {} (create)", name(user_name));
            for (path, v) in paths(user) {
                let _ = writeln!(out, "    {}: {}", name(&path), json(v));
            }
        }
        Change::UpdateUser { id, user_name, set } => {
            let _ = writeln!(out, "~ user {} (id {})", name(user_name), short(id));
            attr_lines(out, set);
        }
        Change::DisableUser { id, user_name } | Change::DeleteUser { id, user_name } => {
            let verb = if matches!(c, Change::DisableUser { .. }) {
                "disable"
            } else {
                "delete"
            };
            let _ = writeln!(
                out,
                "- user {} (id {}) ({verb})",
                name(user_name),
                short(id)
            );
        }
        Change::CreateGroup {
            display_name,
            external_id,
        } => {
            let _ = writeln!(out, "+ group {} (create)", name(display_name));
            if let Some(x) = external_id {
                let _ = writeln!(out, "    externalId: {}", json(&Value::from(x.as_str())));
            }
        }
        Change::UpdateGroup {
            id,
            display_name,
            set,
        } => {
            let _ = writeln!(out, "~ group {} (id {})", name(display_name), short(id));
            attr_lines(out, set);
        }
        Change::AddMembers {
            group,
            group_id,
            members,
        } => member_line(out, '+', group, group_id.as_deref(), members),
        Change::RemoveMembers {
            group,
            group_id,
            members,
        } => member_line(out, '-', group, Some(group_id), members),
        Change::DeleteGroup {
            id,
            display_name,
            members,
        } => {
            let _ = writeln!(
                out,
                "- group {} (id {}) (delete, {})",
                name(display_name),
                short(id),
                count(*members),
            );
        }
    }
}

/// `    path: old → new`, a re-enable marked as such.
fn attr_lines(out: &mut String, set: &[AttrChange]) {
    for a in set {
        let _ = write!(
            out,
            "    {}: {} → {}",
            name(&a.path),
            opt_json(a.old.as_ref()),
            opt_json(a.new.as_ref())
        );
        if is_enable(a) {
            out.push_str("   (re-enable)");
        }
        out.push('\n');
    }
}

/// A name from the source or AWS, on one line and inert.
fn name(s: &str) -> String {
    one_line(s).into_owned()
}

/// A value as compact JSON, DEL and C1 controls escaped too (serde_json escapes C0).
fn json(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    escape_json(&text).into_owned()
}

/// `(none)` where AWS has no value, or the attribute is cleared.
fn opt_json(v: Option<&Value>) -> String {
    v.map_or_else(|| "(none)".to_owned(), json)
}

/// The first [`ID_SHOWN`] characters of an id, `…` when cut.
fn short(id: &str) -> String {
    let cut: String = id.chars().take(ID_SHOWN).collect();
    if cut.len() < id.len() {
        format!("{}…", one_line(&cut))
    } else {
        one_line(&cut).into_owned()
    }
}

/// `~ group NAME (id …): + 3 members: a, b, c` (`-` for removals); no id for a group the plan
/// creates.
fn member_line(out: &mut String, sign: char, group: &str, id: Option<&str>, members: &[MemberRef]) {
    let _ = writeln!(
        out,
        "~ group {}{}: {sign} {}: {}",
        name(group),
        id.map(id_note).unwrap_or_default(),
        count(members.len()),
        member_list(members),
    );
}

fn id_note(id: &str) -> String {
    format!(" (id {})", short(id))
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 member".to_owned()
    } else {
        format!("{n} members")
    }
}

/// Members by userName, each marked when the plan creates it or when it is outside the user
/// scope (a managed group gets exactly the source's members, whoever they are).
fn member_list(members: &[MemberRef]) -> String {
    members
        .iter()
        .map(|m| {
            let mut s = name(&m.user_name);
            if m.id.is_none() {
                s.push_str(" (new)");
            }
            if m.out_of_scope {
                s.push_str(" (out of user scope)");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
