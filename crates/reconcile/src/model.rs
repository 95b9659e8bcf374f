//! The three states reconcile works with: what the source wants ([`Desired`]), what AWS has
//! ([`Actual`]) and what would change between them ([`Change`]). All plain data, so the diff
//! between them is a pure function (docs/reconcile.md, "The model").
//!
//! Users carry their attributes as *paths* ([`AttrPath`]): a top-level attribute by name
//! (`displayName`, `emails` as a whole, since AWS keeps one value per list), `name` and the
//! enterprise extension per sub-attribute (`name.givenName`, `urn:…:User:department`). These are
//! the paths the lifecycle's own PATCH uses, so an update changes one sub-attribute and leaves
//! its siblings alone.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::attrs::Attrs;

/// An attribute path of a user, as a PATCH operation names it (see the module doc).
pub type AttrPath = String;

/// A user as the source wants it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredUser {
    /// Where the source says it: `line 12` of a CSV, `users[3]` of a document.
    pub origin: String,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// `false` only when the source says so (an `active` column or key).
    pub active: bool,
    /// The attributes the source provides, mapped to SCIM: path → wanted value, `None` to clear
    /// it (an empty cell of a provided column). Paths the source never mentions are absent and
    /// left as they are in AWS. Includes `userName` (and `externalId` when provided).
    pub attributes: Attrs<Option<Value>>,
}

/// A group as the source wants it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredGroup {
    /// `groups[2]` of a document, or `column groups` for a group named in a CSV's column.
    pub origin: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Its members, each the `userName` of a [`DesiredUser`] (a document's references by
    /// externalId are resolved to it when the source is read). Sorted, without repeats.
    pub members: Vec<String>,
}

/// The whole source, normalised: what a plan file embeds and `apply` recomputes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    pub users: Vec<DesiredUser>,
    pub groups: Vec<DesiredGroup>,
}

/// A user as AWS has it: the identity, and the attribute paths that matter to this plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActualUser {
    pub id: String,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub active: bool,
    /// Only the paths some desired user provides (keeps memory to what is compared).
    pub attributes: Attrs<Value>,
}

/// A group as AWS has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActualGroup {
    pub id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Member user ids, read for managed groups only (`None`: not read). Sorted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

/// What AWS has, as far as reconcile reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub users: Vec<ActualUser>,
    pub groups: Vec<ActualGroup>,
}

/// One attribute set, cleared or changed: what the plan shows as `old → new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    pub path: AttrPath,
    /// `None`: AWS has no value.
    pub old: Option<Value>,
    /// `None`: the attribute is cleared.
    pub new: Option<Value>,
}

/// A user named in a membership change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    pub user_name: String,
    /// `None`: a user this plan creates; its id is known once it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A member removed although the user is outside the user scope (a managed group gets
    /// exactly the source's members); the plan says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_scope: bool,
}

/// One change of a plan: one request when applied (a PATCH, a POST or a DELETE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    #[serde(rename_all = "camelCase")]
    CreateGroup {
        display_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
    },
    /// A rename (displayName) or a new externalId: one PATCH.
    #[serde(rename_all = "camelCase")]
    UpdateGroup {
        id: String,
        display_name: String,
        set: Vec<AttrChange>,
    },
    /// `user` is the SCIM document POSTed.
    #[serde(rename_all = "camelCase")]
    CreateUser {
        user_name: String,
        user: Map<String, Value>,
    },
    /// Attribute changes of one user, a re-enable (`active` false → true) among them: one
    /// PATCH. `user_name` is the name AWS has now.
    #[serde(rename_all = "camelCase")]
    UpdateUser {
        id: String,
        user_name: String,
        set: Vec<AttrChange>,
    },
    /// At most [`aws_ilm_scim::patch::MAX_MEMBER_CHANGES`] members, one PATCH. `group_id` is
    /// `None` for a group this plan creates.
    #[serde(rename_all = "camelCase")]
    AddMembers {
        group: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_id: Option<String>,
        members: Vec<MemberRef>,
    },
    #[serde(rename_all = "camelCase")]
    RemoveMembers {
        group: String,
        group_id: String,
        members: Vec<MemberRef>,
    },
    #[serde(rename_all = "camelCase")]
    DisableUser { id: String, user_name: String },
    #[serde(rename_all = "camelCase")]
    DeleteUser { id: String, user_name: String },
    /// `members`: how many members it had (they go with it).
    #[serde(rename_all = "camelCase")]
    DeleteGroup {
        id: String,
        display_name: String,
        members: usize,
    },
}

/// The order changes are applied in: each phase ends before the next starts (docs/reconcile.md,
/// "Apply"), so a member is added only once its user and group exist, and a user is disabled or
/// deleted only after the memberships are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    CreateGroups,
    Users,
    AddMembers,
    RemoveMembers,
    RetireUsers,
    DeleteGroups,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::CreateGroups,
        Phase::Users,
        Phase::AddMembers,
        Phase::RemoveMembers,
        Phase::RetireUsers,
        Phase::DeleteGroups,
    ];
}

impl Change {
    pub fn phase(&self) -> Phase {
        match self {
            Change::CreateGroup { .. } | Change::UpdateGroup { .. } => Phase::CreateGroups,
            Change::CreateUser { .. } | Change::UpdateUser { .. } => Phase::Users,
            Change::AddMembers { .. } => Phase::AddMembers,
            Change::RemoveMembers { .. } => Phase::RemoveMembers,
            Change::DisableUser { .. } | Change::DeleteUser { .. } => Phase::RetireUsers,
            Change::DeleteGroup { .. } => Phase::DeleteGroups,
        }
    }
}

/// Counts of a plan, for its summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub users_created: usize,
    pub users_updated: usize,
    pub users_enabled: usize,
    pub users_disabled: usize,
    pub users_deleted: usize,
    pub groups_created: usize,
    pub groups_updated: usize,
    pub groups_deleted: usize,
    pub members_added: usize,
    pub members_removed: usize,
}

impl Counts {
    pub fn of(changes: &[Change]) -> Counts {
        let mut c = Counts::default();
        for ch in changes {
            match ch {
                Change::CreateGroup { .. } => c.groups_created += 1,
                Change::UpdateGroup { .. } => c.groups_updated += 1,
                Change::CreateUser { .. } => c.users_created += 1,
                Change::UpdateUser { set, .. } => {
                    if set.iter().any(is_enable) {
                        c.users_enabled += 1;
                    }
                    if set.iter().any(|a| !is_enable(a)) {
                        c.users_updated += 1;
                    }
                }
                Change::AddMembers { members, .. } => c.members_added += members.len(),
                Change::RemoveMembers { members, .. } => c.members_removed += members.len(),
                Change::DisableUser { .. } => c.users_disabled += 1,
                Change::DeleteUser { .. } => c.users_deleted += 1,
                Change::DeleteGroup { .. } => c.groups_deleted += 1,
            }
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

/// Whether an attribute change is a re-enable.
pub fn is_enable(a: &AttrChange) -> bool {
    a.path == "active" && a.new == Some(Value::Bool(true))
}

/// Something wrong with the source (or, for a rename conflict, with the source against AWS):
/// reported in full, and no plan is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where: `line 12`, `users[3].userName`, `groups[0].members[4]`.
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}
