//! One audit line: who sent which write, from where, to which directory, and what came of it
//! (docs/audit.md, "A line").

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One write, as recorded. Field order is the line's key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// When the answer came (UTC, RFC 3339).
    pub time: String,
    /// The aws-ilm version that sent it.
    pub version: String,
    /// The OS user and host aws-ilm ran as and on.
    pub user: String,
    pub host: String,
    /// The instance name (`instance_name`), the tenant, and the endpoint's host.
    pub instance: String,
    pub tenant: String,
    pub endpoint: String,
    pub origin: Origin,
    /// The AWS operation: CreateUser, PatchUser, PutUser, DeleteUser, CreateGroup,
    /// PatchGroup, DeleteGroup.
    pub operation: String,
    pub target: Target,
    /// The body sent (PATCH operations, created or replaced attributes); `null` for a delete,
    /// whose identifiers are in `target`.
    pub sent: Value,
    pub outcome: Outcome,
    /// SHA-256 (hex) of the exact bytes of the previous line, or [`crate::GENESIS`].
    #[serde(default)]
    pub prev: String,
}

/// What made aws-ilm send the write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Origin {
    /// A single command (`iam-create-user`, …).
    Command { command: String },
    /// A batch file's event; `lines` has more than one entry when events were run as one
    /// request (membership changes of one group coalesced).
    Batch {
        file: String,
        lines: Vec<u64>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        command: Option<String>,
    },
    /// A reconcile plan's changes (1-based indexes into the plan's changes).
    Plan {
        file: String,
        changes: Vec<u64>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        command: Option<String>,
    },
}

/// The user or group written to, by the identifiers aws-ilm had at hand (no extra read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub display_name: Option<String>,
}

/// How the write ended: `ok` when the directory did it; the final answer's status and request
/// id when there was one; the error otherwise (masked, cut).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

impl Record {
    /// Whether the operation writes a user (else a group).
    pub fn is_user(&self) -> bool {
        self.operation.ends_with("User")
    }
}
