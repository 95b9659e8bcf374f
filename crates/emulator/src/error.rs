//! Errors a handler answers with, rendered as AWS's error body (docs/emulator.md, "Errors").
//!
//! A handler does not know its request id, so an [`ApiError`] becomes a bodiless response that
//! carries the error as an extension; [`crate::frame`] then writes the body with the request id
//! and the time stamp. The same path renders axum's own 404s and 405s, so every error leaves in
//! AWS's shape.

use aws_ilm_scim::error::detail;
use aws_ilm_scim::rules::RuleError;
use aws_ilm_scim::{ErrorBody, FilterError, PathError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// An error answer: status and the `detail` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    /// Seconds for `Retry-After` (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// ValidationException (400): the body breaks the schema, or the operation is unsupported.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// ResourceNotFoundException (404).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// ConflictException (409) with AWS's observed detail, verbatim, so clients can match on it.
    pub fn conflict() -> Self {
        Self::new(StatusCode::CONFLICT, detail::DUPLICATE)
    }

    /// UnauthorizedException (401). The detail never echoes what was sent.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "The Authorization header is missing or invalid, or the tenant does not exist.",
        )
    }

    /// ThrottlingException (429) with `Retry-After`.
    pub fn throttled(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "Rate exceeded.")
        }
    }

    /// InternalServerException (500).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    pub fn user_not_found(id: &str) -> Self {
        Self::not_found(format!("User {} does not exist.", printable(id)))
    }

    pub fn group_not_found(id: &str) -> Self {
        Self::not_found(format!("Group {} does not exist.", printable(id)))
    }

    /// The finished body, once the request id is known.
    pub fn body(&self, request_id: &str) -> ErrorBody {
        ErrorBody::aws(
            self.status.as_u16(),
            self.detail.clone(),
            request_id,
            &crate::clock::error_time_stamp(),
        )
    }
}

/// An id or value fit to quote in a detail: control characters escaped, length bounded.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_debug).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res.extensions_mut().insert(self);
        res
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        Self::bad_request(format!("{} {e}", detail::UNPARSABLE))
    }
}

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        Self::bad_request(format!("Invalid Filter format: {e}"))
    }
}

impl From<PathError> for ApiError {
    fn from(e: PathError) -> Self {
        Self::bad_request(format!("{} {e}", detail::UNPARSABLE))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => Self::conflict(),
            other => {
                tracing::error!(error = %other, "store failure");
                Self::internal("An internal error occurred. Please try again.")
            }
        }
    }
}
