//! The AWS SCIM error body.
//!
//! AWS sends both `schema` (misspelled) and `schemas`, `status` as a string, and adds
//! `exceptionRequestId` and `timeStamp`; it never sends `scimType` (docs/emulator.md, "Errors").
//! The emulator emits exactly this shape; the client reads it leniently, since other SCIM servers
//! send `status` as a number and omit the AWS extras.

use serde::{Deserialize, Deserializer, Serialize};

use crate::urn;

/// Details AWS has been seen to return, reused verbatim so clients can match on them.
pub mod detail {
    pub const UNPARSABLE: &str =
        "Request is unparsable, syntactically incorrect, or violates schema.";
    pub const DUPLICATE: &str = "Refused to create a new, duplicate resource.";
}

/// RFC 7644 §3.12 error response in AWS's dialect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema: Vec<String>,
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default)]
    pub detail: String,
    /// Empty when the server sent none (some gateways and proxies answer with a bare
    /// `detail`); a number or a string otherwise.
    #[serde(default, deserialize_with = "string_or_number")]
    pub status: String,
    #[serde(
        rename = "exceptionRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub exception_request_id: Option<String>,
    #[serde(rename = "timeStamp", default, skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<String>,
}

impl ErrorBody {
    /// An error body exactly as AWS shapes it. `time_stamp` is `YYYY-MM-DD HH:MM:SS.mmm` UTC,
    /// formatted by the caller, who owns the clock.
    pub fn aws(status: u16, detail: impl Into<String>, request_id: &str, time_stamp: &str) -> Self {
        ErrorBody {
            schema: vec![urn::ERROR.to_owned()],
            schemas: vec![urn::ERROR.to_owned()],
            detail: detail.into(),
            status: status.to_string(),
            exception_request_id: Some(request_id.to_owned()),
            time_stamp: Some(time_stamp.to_owned()),
        }
    }

    /// The numeric status, when the server sent a sensible one.
    pub fn status_code(&self) -> Option<u16> {
        self.status.trim().parse().ok()
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Either::deserialize(d)? {
        Either::S(s) => s,
        Either::N(n) => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_shape_has_both_schema_keys_and_string_status() {
        let body = ErrorBody::aws(409, detail::DUPLICATE, "rid", "2023-01-03 11:50:22.856");
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["schema"], v["schemas"]);
        assert_eq!(v["status"], "409");
        assert_eq!(v["exceptionRequestId"], "rid");
        assert!(v.get("scimType").is_none());
    }

    #[test]
    fn reads_numeric_status_from_other_servers() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"schemas":[],"detail":"x","status":404}"#).unwrap();
        assert_eq!(body.status_code(), Some(404));
        let body: ErrorBody = serde_json::from_str(r#"{"detail":"x"}"#).unwrap();
        assert_eq!((body.detail.as_str(), body.status_code()), ("x", None));
    }
}
