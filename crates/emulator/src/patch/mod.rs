//! PATCH semantics (RFC 7644 §3.5.2) with AWS's constraints: for users in [`user`], for
//! groups in [`group`] (docs/emulator.md, "PATCH" and decisions 5 and 6).

pub mod group;
pub mod user;

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::error::detail::UNPARSABLE;
use aws_ilm_scim::{PatchOp, urn};
use serde_json::Value;

use crate::body::typed;
use crate::error::ApiError;

/// A PatchOp body: `schemas` must name the PatchOp message, and there must be at least one
/// operation.
pub fn parse(body: Value) -> Result<PatchOp, ApiError> {
    let op: PatchOp = typed(body)?;
    if !op.schemas.iter().any(|s| CiStr(s) == CiStr(urn::PATCH_OP)) {
        return Err(ApiError::bad_request(format!(
            "{UNPARSABLE} schemas must be [\"{}\"].",
            urn::PATCH_OP
        )));
    }
    if op.operations.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{UNPARSABLE} Operations must not be empty."
        )));
    }
    Ok(op)
}

pub(crate) fn invalid(why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("{UNPARSABLE} {why}"))
}
