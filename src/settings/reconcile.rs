//! The settings of `plan` and `apply` (docs/reconcile.md, "Scope and ownership" and "Safety
//! rails"): flags, `AWS_ILM_*` variables and the `[reconcile]` table of the config file
//! (`[instances.NAME.reconcile]` over the top level's), layered as every setting is.
//! Only `plan` and `apply` build them, so a bad `AWS_ILM_ABSENT` cannot break `iam-get-user`.

use aws_ilm_reconcile::options::{
    DEFAULT_MAX_DELETE, DEFAULT_MAX_DISABLE, DEFAULT_MAX_MEMBER_REMOVALS, DEFAULT_PROTECT,
};
use aws_ilm_reconcile::{Absent, AbsentGroups, Options};

use super::SettingsError;
use super::layer::{Globs, Key, Layers};
use crate::cli::ReconcileArgs;
use crate::config::ReconcileValues;

/// The keys of the `[reconcile]` table, which are also the names of its flags and variables.
pub const KEYS: [&str; 8] = [
    "scope_users",
    "scope_groups",
    "protect",
    "absent",
    "absent_groups",
    "max_disable",
    "max_delete",
    "max_member_removals",
];

/// The layered reconcile settings of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconcile {
    pub scope_users: Vec<String>,
    pub scope_groups: Vec<String>,
    /// Replaces [`DEFAULT_PROTECT`] when any source gives a list.
    pub protect: Vec<String>,
    pub absent: Absent,
    pub absent_groups: AbsentGroups,
    pub max_disable: usize,
    pub max_delete: usize,
    pub max_member_removals: usize,
}

impl Reconcile {
    /// The options of a plan: these settings, `--allow-mass-change` (a per-run decision, never
    /// a setting: a config file that allowed mass changes for good would defeat the rail), and
    /// the instance's `allow_enable`.
    pub fn options(&self, allow_mass_change: bool, allow_enable: bool) -> Options {
        Options {
            scope_users: self.scope_users.clone(),
            scope_groups: self.scope_groups.clone(),
            protect: self.protect.clone(),
            absent: self.absent,
            absent_groups: self.absent_groups,
            max_disable: self.max_disable,
            max_delete: self.max_delete,
            max_member_removals: self.max_member_removals,
            allow_mass_change,
            allow_enable,
        }
    }
}

/// A repeatable flag not given is `None`, so a variable or the file may set the list.
fn given(flag: &[String]) -> Option<Globs> {
    (!flag.is_empty()).then(|| Globs(flag.to_vec()))
}

fn table<T>(
    get: impl Fn(&ReconcileValues) -> Option<T>,
) -> impl Fn(&crate::config::FileValues) -> Option<T> {
    move |f| f.reconcile.as_ref().and_then(&get)
}

pub fn build(l: &mut Layers, args: &ReconcileArgs) -> Result<Reconcile, SettingsError> {
    let globs =
        |l: &mut Layers, key, flag: &[String], get: fn(&ReconcileValues) -> Option<Globs>| {
            l.get(Key(key), given(flag), table(get), Globs::default())
                .map(|g| g.0)
        };
    let scope_users = globs(l, "scope_users", &args.scope_users, |r| {
        r.scope_users.clone()
    })?;
    let scope_groups = globs(l, "scope_groups", &args.scope_groups, |r| {
        r.scope_groups.clone()
    })?;
    let protect = l
        .optional(
            Key("protect"),
            given(&args.protect),
            table(|r| r.protect.clone()),
        )?
        .map_or_else(
            || DEFAULT_PROTECT.iter().map(|s| (*s).to_owned()).collect(),
            |g| g.0,
        );
    Ok(Reconcile {
        scope_users,
        scope_groups,
        protect,
        absent: l.get(
            Key("absent"),
            args.absent,
            table(|r| r.absent),
            Absent::default(),
        )?,
        absent_groups: l.get(
            Key("absent_groups"),
            args.absent_groups,
            table(|r| r.absent_groups),
            AbsentGroups::default(),
        )?,
        max_disable: l.get(
            Key("max_disable"),
            args.max_disable,
            table(|r| r.max_disable),
            DEFAULT_MAX_DISABLE,
        )?,
        max_delete: l.get(
            Key("max_delete"),
            args.max_delete,
            table(|r| r.max_delete),
            DEFAULT_MAX_DELETE,
        )?,
        max_member_removals: l.get(
            Key("max_member_removals"),
            args.max_member_removals,
            table(|r| r.max_member_removals),
            DEFAULT_MAX_MEMBER_REMOVALS,
        )?,
    })
}
