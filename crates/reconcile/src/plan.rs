//! The plan document: what `plan --out` saves and `apply` reads (docs/reconcile.md, "The plan
//! file"). It embeds everything `apply` needs to recompute it: the normalised desired state, the
//! options and the directory, and every change with the old values it saw.

use serde::{Deserialize, Serialize};

use crate::model::{Change, Counts, Desired};
use crate::options::Options;

/// The key that marks a plan file, and the format this build writes and reads.
pub const MAGIC: &str = "aws-ilm-plan";
pub const FORMAT: u64 = 1;

/// A plan, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Always [`FORMAT`]; serialised under the key [`MAGIC`].
    #[serde(rename = "aws-ilm-plan")]
    pub format: u64,
    /// The directory it was made against: the normalised base URL and the tenant.
    pub endpoint: String,
    pub tenant: String,
    pub options: Options,
    /// Changes in apply order (see [`crate::model::Phase`]).
    pub changes: Vec<Change>,
    /// What the plan does not do and why: a protected or out-of-scope user the source names, a
    /// re-enable held by `allow_enable`, ...
    pub notes: Vec<String>,
    pub summary: Counts,
    pub desired: Desired,
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("{path}: cannot read the plan file: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: not an aws-ilm plan file: {reason}")]
    NotAPlan { path: String, reason: String },
    #[error("{path}: plan format {found} is not the one this aws-ilm reads ({FORMAT})")]
    Format { path: String, found: u64 },
    #[error("{path}: the plan file is larger than {limit} bytes; not read")]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: cannot write the plan file: {reason}")]
    Write { path: String, reason: String },
    /// The plan was made against another directory: applying it here would act on the wrong
    /// users. `differences` says which of endpoint and tenant differ.
    #[error("the plan was made for another directory: {}", differences.join("; "))]
    OtherDirectory { differences: Vec<String> },
}
