//! The safety rails: a plan that looks like a broken source rather than a real change is
//! refused, whole, before anything is sent (docs/reconcile.md, "Safety rails"). Each refusal
//! says what the plan would have done and the flag that allows it.

use crate::model::{Actual, Change, Counts, Desired};
use crate::options::{MASS_CHANGE_FLOOR, MASS_CHANGE_PERCENT, Options, Scope};

/// One rail a plan ran into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What the plan would have done and why it is refused.
    pub message: String,
    /// The flag that allows it.
    pub flag: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (to allow it: {})", self.message, self.flag)
    }
}

/// The rails a plan runs into; empty: it may be applied.
pub fn check(
    desired: &Desired,
    actual: &Actual,
    changes: &[Change],
    options: &Options,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    let counts = Counts::of(changes);
    if desired.users.is_empty() && !options.allow_mass_change {
        out.push(Refusal {
            message: "the source has no users: an empty export is far more likely than an empty organisation".into(),
            flag: "--allow-mass-change".into(),
        });
    }
    let caps = [
        (
            counts.users_disabled,
            options.max_disable,
            "disable",
            "users",
            "--max-disable",
        ),
        (
            counts.users_deleted,
            options.max_delete,
            "delete",
            "users",
            "--max-delete",
        ),
        (
            counts.members_removed,
            options.max_member_removals,
            "remove",
            "group memberships",
            "--max-member-removals",
        ),
    ];
    for (n, cap, verb, what, flag) in caps {
        if n > cap {
            out.push(Refusal {
                message: format!("the plan would {verb} {n} {what}, more than the cap of {cap}"),
                flag: format!("{flag} {n}"),
            });
        }
    }
    let scope = Scope::new(options);
    let managed = actual
        .users
        .iter()
        .filter(|u| scope.user_managed(&u.user_name))
        .count();
    let retired = counts.users_disabled + counts.users_deleted;
    if !options.allow_mass_change
        && retired > MASS_CHANGE_FLOOR
        && retired * 100 > managed * MASS_CHANGE_PERCENT
    {
        out.push(Refusal {
            message: format!(
                "the plan would disable or delete {retired} of the {managed} managed users, more than {MASS_CHANGE_PERCENT}%: \
                 a truncated source looks like this"
            ),
            flag: "--allow-mass-change".into(),
        });
    }
    out
}
