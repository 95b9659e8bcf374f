//! `aws_ilm_reconcile`: makes IAM Identity Center equal to a source of truth, Terraform style
//! (docs/reconcile.md).
//!
//! The pieces, one module each: [`model`] (the desired and actual states and the changes
//! between them), [`options`] (scope, protection, absent handling, caps), [`diff`] (the pure
//! function from desired + actual + options to changes), [`rails`] (the safety rails that
//! refuse a dangerous plan), [`plan`] (the saved plan file), [`source`] (reading a source into the
//! desired state), [`render`] (the Terraform-style text of a plan), [`apply`] (the plan file on
//! disk, the staleness check and the run through the batch engine), [`read`] (the actual state, in as
//! few requests as AWS's listing allows).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod apply;
pub mod attrs;
pub mod diff;
pub mod model;
pub mod options;
pub mod plan;
pub mod rails;
pub mod read;
pub mod render;
pub mod source;

pub use apply::stale::{Ids, Stale};
pub use apply::{ApplyError, ApplyOptions, ApplyReport, apply};
pub use diff::{Diff, diff};
pub use model::{
    Actual, ActualGroup, ActualUser, AttrChange, AttrPath, Attrs, Change, Counts, Desired,
    DesiredGroup, DesiredUser, MemberRef, Phase, Problem,
};
pub use options::{Absent, AbsentGroups, Options, Scope};
pub use plan::{Plan, PlanFileError};
pub use rails::{Refusal, check};
pub use read::{read_actual, read_cost};
pub use render::render;
pub use source::{SourceError, SourceFormat, SourceLimits, read_source};
