//! A server's answer, and what it means: the success body as JSON or as a checked resource, or
//! the [`ClientError`] an error status stands for.
//!
//! Everything here is server text on its way to a person: error details are cut to
//! [`MAX_DETAIL_CHARS`], and a redirect's `Location` has its control characters escaped
//! (docs/client.md).

use std::time::Duration;

use aws_ilm_scim::ErrorBody;
use aws_ilm_scim::text::neutralise;
use serde::Deserialize;
use serde_json::Value;

use crate::ResponseInfo;
use crate::error::ClientError;

/// Error details longer than this are cut (a proxy's HTML error page is not a useful message).
const MAX_DETAIL_CHARS: usize = 500;

/// A server answer of any status.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// The `Location` header of a 3xx, sanitised (it is server text shown to a person).
    pub(crate) location: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the body holds anything but whitespace (non-AWS servers answer PATCH with 204,
    /// some with 200 and an empty body).
    pub(crate) fn has_body(&self) -> bool {
        self.body.iter().any(|b| !b.is_ascii_whitespace())
    }

    pub(crate) fn info(&self) -> ResponseInfo {
        ResponseInfo {
            status: self.status,
            request_id: self.request_id.clone(),
            date: self.date.clone(),
        }
    }

    pub(crate) fn json(&self) -> Result<Value, ClientError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ClientError::Decode(format!(
                "HTTP {} body is not JSON ({e}): {}",
                self.status,
                snippet(&self.body)
            ))
        })
    }

    /// The user or group this success answer carries, checked as [`crate::resource::checked`]
    /// checks every resource.
    pub(crate) fn resource(&self) -> Result<Value, ClientError> {
        crate::resource::checked(self.json()?)
    }

    /// The user or group this success answer to a request for `resource/id` carries, checked
    /// to be that one ([`crate::resource::checked_as`]).
    pub(crate) fn resource_as(&self, resource: &str, id: &str) -> Result<Value, ClientError> {
        crate::resource::checked_as(self.json()?, resource, id)
    }

    /// The error this answer stands for. Reads the SCIM error body leniently (AWS's string
    /// `status`, other servers' numeric one, or none), then a gateway's `{"message": ..}` (AWS API
    /// Gateway and load balancers answer that way); anything else becomes a cut-down text detail.
    pub(crate) fn into_error(self) -> ClientError {
        let parsed: Option<Value> = serde_json::from_slice(&self.body).ok();
        let obj = parsed.as_ref().and_then(Value::as_object);
        let scim = parsed.as_ref().and_then(|v| ErrorBody::deserialize(v).ok());
        let nonempty = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        let body_rid = scim
            .as_ref()
            .and_then(|b| b.exception_request_id.as_deref().and_then(nonempty));
        let gateway_message = || {
            obj.and_then(|o| o.get("message"))
                .and_then(Value::as_str)
                .and_then(nonempty)
        };
        let only_boilerplate = obj.is_some_and(|o| {
            o.keys()
                .all(|k| matches!(k.as_str(), "schemas" | "schema" | "status" | "timeStamp"))
        });
        let detail = if (300..400).contains(&self.status) {
            // Not followed (see the module docs); the body of a redirect says nothing useful.
            match &self.location {
                Some(to) => format!(
                    "the server redirects to {to}; aws-ilm follows no redirects (AWS does not \
                     redirect SCIM calls): check base_url"
                ),
                None => format!(
                    "{} without a Location; aws-ilm follows no redirects",
                    reason(self.status)
                ),
            }
        } else if let Some(d) = scim
            .as_ref()
            .and_then(|b| nonempty(&b.detail))
            .or_else(gateway_message)
        {
            truncate(&d)
        } else if !self.has_body() || only_boilerplate {
            reason(self.status)
        } else {
            snippet(&self.body)
        };
        ClientError::Http {
            status: self.status,
            detail,
            request_id: self.request_id.or(body_rid),
            retry_after: self.retry_after,
        }
    }
}

fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_owned()
}

fn snippet(body: &[u8]) -> String {
    truncate(String::from_utf8_lossy(body).trim())
}

/// Server text made safe to show: control characters (C0, DEL, C1) written as `\u{..}`
/// escapes ([`aws_ilm_scim::text::neutralise`]), cut to [`MAX_DETAIL_CHARS`].
pub(crate) fn sanitize(raw: &[u8]) -> String {
    truncate(&neutralise(&String::from_utf8_lossy(raw), false))
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((i, _)) => format!("{}… ({} bytes in all)", &s[..i], s.len()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str, rid: Option<&str>) -> Reply {
        Reply {
            status,
            request_id: rid.map(str::to_owned),
            date: None,
            retry_after: None,
            location: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn aws_error_body() {
        let e = reply(
            409,
            r#"{"schema":["urn:ietf:params:scim:api:messages:2.0:Error"],"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Refused to create a new, duplicate resource.","status":"409","exceptionRequestId":"body-rid","timeStamp":"2023-01-03 11:50:22.856"}"#,
            Some("hdr-rid"),
        )
        .into_error();
        assert_eq!(
            e,
            ClientError::Http {
                status: 409,
                detail: "Refused to create a new, duplicate resource.".into(),
                request_id: Some("hdr-rid".into()),
                retry_after: None
            }
        );
    }

    #[test]
    fn numeric_status_and_body_request_id() {
        let e = reply(
            404,
            r#"{"detail":"User not found","status":404,"exceptionRequestId":"b"}"#,
            None,
        )
        .into_error();
        assert_eq!(e.to_string(), "HTTP 404: User not found (request id b)");
    }

    #[test]
    fn non_json_and_empty_bodies() {
        let big = format!("<html>{}</html>", "x".repeat(5000));
        let e = reply(502, &big, None).into_error();
        let ClientError::Http { detail, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(
            detail.starts_with("<html>xxx") && detail.contains("bytes in all"),
            "{detail}"
        );
        assert!(detail.chars().count() < 600);
        assert_eq!(
            reply(503, "", None).into_error().to_string(),
            "HTTP 503: Service Unavailable"
        );
        assert_eq!(
            reply(400, "{}", None).into_error().to_string(),
            "HTTP 400: Bad Request"
        );
        assert_eq!(
            reply(403, r#"{"message":"Forbidden"}"#, None)
                .into_error()
                .to_string(),
            "HTTP 403: Forbidden"
        );
        assert_eq!(
            reply(400, r#"{"error":"nope"}"#, None)
                .into_error()
                .to_string(),
            r#"HTTP 400: {"error":"nope"}"#
        );
    }

    #[test]
    fn redirects_name_their_location_with_controls_escaped() {
        let raw = "https://other.example/\u{1b}]0;x\u{7}\u{7f}\u{9b}é".as_bytes();
        assert_eq!(
            sanitize(raw),
            r"https://other.example/\u{1b}]0;x\u{7}\u{7f}\u{9b}é"
        );
        let mut r = reply(308, r#"{"detail":"moved"}"#, None);
        r.location = Some(sanitize(b"https://other.example/x"));
        let msg = r.into_error().to_string();
        assert!(
            msg.starts_with("HTTP 308: the server redirects to https://other.example/x;"),
            "{msg}"
        );
        let msg = reply(301, "", None).into_error().to_string();
        assert!(
            msg.contains("Moved Permanently without a Location"),
            "{msg}"
        );
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let s = "é".repeat(MAX_DETAIL_CHARS + 10);
        let t = truncate(&s);
        assert!(t.starts_with(&"é".repeat(MAX_DETAIL_CHARS)));
    }

    #[test]
    fn success_body_decoding() {
        assert!(reply(200, "{\"id\":\"1\"}", None).json().is_ok());
        let e = reply(200, "not json", None).json().unwrap_err();
        assert!(
            matches!(e, ClientError::Decode(ref m) if m.contains("not json")),
            "{e:?}"
        );
        assert!(!reply(204, " \n", None).has_body());
    }
}
