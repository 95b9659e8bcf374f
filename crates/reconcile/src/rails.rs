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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActualUser, Attrs, DesiredUser};

    fn actual(n: usize) -> Actual {
        Actual {
            users: (0..n)
                .map(|i| ActualUser {
                    id: format!("u{i}"),
                    user_name: format!("user{i}"),
                    external_id: None,
                    active: true,
                    attributes: Attrs::new(),
                })
                .collect(),
            groups: vec![],
        }
    }

    fn desired(n: usize) -> Desired {
        Desired {
            users: (0..n)
                .map(|i| DesiredUser {
                    origin: format!("line {}", i + 2),
                    user_name: format!("user{i}"),
                    external_id: None,
                    active: true,
                    attributes: Attrs::new(),
                })
                .collect(),
            groups: vec![],
        }
    }

    fn disables(n: usize) -> Vec<Change> {
        (0..n)
            .map(|i| Change::DisableUser {
                id: format!("u{i}"),
                user_name: format!("user{i}"),
            })
            .collect()
    }

    #[test]
    fn an_empty_source_is_refused_unless_mass_change_is_allowed() {
        let r = check(&desired(0), &actual(10), &[], &Options::default());
        assert_eq!(r.len(), 1);
        assert!(r[0].message.contains("no users"), "{r:?}");
        assert_eq!(r[0].flag, "--allow-mass-change");
        let allowed = Options {
            allow_mass_change: true,
            ..Options::default()
        };
        assert!(check(&desired(0), &actual(10), &[], &allowed).is_empty());
    }

    #[test]
    fn caps_name_the_count_and_the_flag_that_allows_it() {
        let opts = Options {
            max_disable: 2,
            allow_mass_change: true,
            ..Options::default()
        };
        let r = check(&desired(7), &actual(10), &disables(3), &opts);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].message.contains("disable 3 users"), "{r:?}");
        assert_eq!(r[0].flag, "--max-disable 3");
        assert!(check(&desired(8), &actual(10), &disables(2), &opts).is_empty());
    }

    #[test]
    fn retiring_more_than_the_share_of_managed_users_is_a_mass_change() {
        // 4 of 10 (40%): refused; 2 of 10: under the floor; 4 of 100: under the share.
        let r = check(&desired(6), &actual(10), &disables(4), &Options::default());
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].message.contains("4 of the 10 managed users"), "{r:?}");
        assert!(check(&desired(8), &actual(10), &disables(2), &Options::default()).is_empty());
        assert!(
            check(
                &desired(96),
                &actual(100),
                &disables(4),
                &Options::default()
            )
            .is_empty()
        );
    }
}
