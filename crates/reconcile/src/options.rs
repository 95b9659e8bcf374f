//! What a plan is allowed to touch and how far it may go: scope, protection, what happens to
//! what the source leaves out, and the safety rails' limits (docs/reconcile.md, "Scope" and
//! "Safety rails"). A plan file embeds its options, so `apply` recomputes with the same ones.

use aws_ilm_scim::ci;
use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

/// What happens to users in scope that the source does not list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Absent {
    /// Left as they are (the default: a source need not list everyone).
    #[default]
    Ignore,
    /// Disabled: the usual leaver.
    Disable,
    Delete,
}

/// What happens to groups in scope that the source does not name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AbsentGroups {
    #[default]
    Ignore,
    Delete,
}

/// Groups AWS services create and manage themselves; never touched unless a `--protect` list
/// is given explicitly (docs/reconcile.md, "Protected by default").
pub const DEFAULT_PROTECT: &[&str] = &[
    "AWSControlTower*",
    "AWSSecurityAuditors",
    "AWSSecurityAuditPowerUsers",
    "AWSLogArchiveAdmins",
    "AWSLogArchiveViewers",
    "AWSServiceCatalogAdmins",
    "AWSAccountFactory",
    "AWSAuditAccountAdmins",
];

/// Default caps (docs/reconcile.md, "Safety rails"): a day's leavers in a large organisation
/// stay under them; a broken export does not.
pub const DEFAULT_MAX_DISABLE: usize = 50;
pub const DEFAULT_MAX_DELETE: usize = 25;
pub const DEFAULT_MAX_MEMBER_REMOVALS: usize = 500;
/// A plan that disables or deletes more than this share of the managed users is a mass change.
pub const MASS_CHANGE_PERCENT: usize = 20;
/// ... unless it touches this many users or fewer (one leaver in a team of four is 25%).
pub const MASS_CHANGE_FLOOR: usize = 3;

/// The options of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// Globs on userName (`*`, `?`, case-insensitive); empty: every user.
    pub scope_users: Vec<String>,
    /// Globs on displayName; empty: every group.
    pub scope_groups: Vec<String>,
    /// Globs on userName and displayName never touched, whatever the source says.
    pub protect: Vec<String>,
    pub absent: Absent,
    pub absent_groups: AbsentGroups,
    pub max_disable: usize,
    pub max_delete: usize,
    pub max_member_removals: usize,
    pub allow_mass_change: bool,
    /// The instance's `allow_enable`: off, a disabled user in the source stays disabled (the plan
    /// notes it).
    pub allow_enable: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            scope_users: Vec::new(),
            scope_groups: Vec::new(),
            protect: DEFAULT_PROTECT.iter().map(|s| (*s).to_owned()).collect(),
            absent: Absent::Ignore,
            absent_groups: AbsentGroups::Ignore,
            max_disable: DEFAULT_MAX_DISABLE,
            max_delete: DEFAULT_MAX_DELETE,
            max_member_removals: DEFAULT_MAX_MEMBER_REMOVALS,
            allow_mass_change: false,
            allow_enable: true,
        }
    }
}

/// The options' globs, compiled once (names are folded as `aws_ilm_scim::ci::fold` folds them,
/// the same folding AWS's uniqueness uses, so `ADA*` and `ada*` mean the same).
#[derive(Debug)]
pub struct Scope {
    users: Vec<WildMatch>,
    groups: Vec<WildMatch>,
    protect: Vec<WildMatch>,
}

fn compile(globs: &[String]) -> Vec<WildMatch> {
    globs.iter().map(|g| WildMatch::new(&ci::fold(g))).collect()
}

fn any(globs: &[WildMatch], folded: &str) -> bool {
    globs.iter().any(|g| g.matches(folded))
}

impl Scope {
    pub fn new(options: &Options) -> Scope {
        Scope {
            users: compile(&options.scope_users),
            groups: compile(&options.scope_groups),
            protect: compile(&options.protect),
        }
    }

    pub fn is_protected(&self, name: &str) -> bool {
        any(&self.protect, &ci::fold(name))
    }

    /// In the user scope and not protected: reconcile may change it.
    pub fn user_managed(&self, user_name: &str) -> bool {
        let f = ci::fold(user_name);
        (self.users.is_empty() || any(&self.users, &f)) && !any(&self.protect, &f)
    }

    /// In the group scope and not protected.
    pub fn group_managed(&self, display_name: &str) -> bool {
        let f = ci::fold(display_name);
        (self.groups.is_empty() || any(&self.groups, &f)) && !any(&self.protect, &f)
    }

    /// In the user scope (protected or not): out-of-scope members removed from a managed group
    /// are flagged in the plan.
    pub fn user_in_scope(&self, user_name: &str) -> bool {
        self.users.is_empty() || any(&self.users, &ci::fold(user_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_case_insensitively_and_protect_wins() {
        let o = Options {
            scope_users: vec!["*@Example.com".into()],
            scope_groups: vec!["eng-?".into()],
            protect: vec!["root@*".into(), "AWSControlTower*".into()],
            ..Options::default()
        };
        let s = Scope::new(&o);
        assert!(s.user_managed("ADA@EXAMPLE.COM"));
        assert!(!s.user_managed("ada@example.org"));
        assert!(!s.user_managed("root@example.com"));
        assert!(s.user_in_scope("root@example.com"));
        assert!(s.group_managed("ENG-1"));
        assert!(!s.group_managed("eng-12"));
        assert!(!s.group_managed("awscontroltowerAdmins"));
    }

    #[test]
    fn no_scope_means_everything_but_the_default_protect_list() {
        let s = Scope::new(&Options::default());
        assert!(s.user_managed("anyone"));
        assert!(s.group_managed("Engineering"));
        assert!(!s.group_managed("AWSControlTowerAdmins"));
        assert!(!s.group_managed("AWSSecurityAuditors"));
    }
}
