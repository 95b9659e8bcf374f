//! Reading a request body as JSON, with AWS's answers for everything that can be wrong with it.
//!
//! Bodies are capped at 1 MiB (AWS's `maxPayloadSize`; docs/emulator.md, "Bodies"). A larger body
//! is answered 400 ValidationException, like every other unacceptable body: AWS's catalog has no
//! 413, and a client must not retry it either way. The rest of an oversized body is read and
//! discarded (up to [`DRAIN_CAP`]) so that the client, still sending, receives the answer instead
//! of a reset connection.
//!
//! The whole body must arrive within the body-read timeout (docs/emulator.md, "Connection
//! limits"): a client that sends its head and then trickles the body, or stops, would otherwise
//! hold its connection and a request slot for ever — the idle timeout never cuts a request in
//! flight. Past it the request is answered 408 in AWS's error shape; the unread rest of the body
//! makes hyper close the connection after that answer.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::App;

/// AWS: `maxPayloadSize` 1048576.
pub const MAX_BODY: usize = 1024 * 1024;
/// How much of an oversized body is drained before answering.
pub const DRAIN_CAP: usize = 32 * 1024 * 1024;

/// A request body that is a JSON object.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<App> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &App) -> Result<Self, ApiError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > DRAIN_CAP) {
            return Err(too_large());
        }
        let limit = app.body_read_timeout;
        let Ok(bytes) = tokio::time::timeout(limit, read_capped(req.into_body())).await else {
            app.conns.body_timed_out();
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "The request body did not arrive within {} seconds.",
                    limit.as_secs_f64()
                ),
            ));
        };
        parse(&bytes?).map(JsonBody)
    }
}

fn too_large() -> ApiError {
    ApiError::bad_request(format!(
        "Request body exceeds the maximum payload size of {MAX_BODY} bytes."
    ))
}

async fn read_capped(body: Body) -> Result<Vec<u8>, ApiError> {
    let mut body = body;
    let mut buf = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::bad_request(format!("Cannot read the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen <= MAX_BODY {
                buf.extend_from_slice(&data);
            } else if seen > DRAIN_CAP {
                return Err(too_large());
            }
        }
    }
    if seen > MAX_BODY {
        return Err(too_large());
    }
    Ok(buf)
}

/// Bytes → a JSON object, or the 400 that names what is wrong.
pub fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Invalid JSON from RequestBody: the body is empty.",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Invalid JSON from RequestBody: the body is not valid UTF-8 (byte {}).",
            e.valid_up_to()
        ))
    })?;
    let v: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON from RequestBody: {e}.")))?;
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "Invalid JSON from RequestBody: expected a JSON object.",
        ));
    }
    Ok(v)
}

/// Reads `v` into `T`, naming the attribute whose type is wrong.
pub fn typed<T: DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        ApiError::bad_request(format!(
            "{} Attribute '{path}': {}.",
            aws_ilm_scim::error::detail::UNPARSABLE,
            e.inner()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_problem() {
        assert!(parse(b"").unwrap_err().detail.contains("empty"));
        assert!(parse(b"{\"a\":\xff}").unwrap_err().detail.contains("UTF-8"));
        assert!(
            parse(b"{\"a\":")
                .unwrap_err()
                .detail
                .contains("Invalid JSON")
        );
        assert!(parse(b"[1]").unwrap_err().detail.contains("object"));
        assert!(parse(b"{}").is_ok());
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[allow(dead_code)]
            a: String,
        }
        let e = typed::<T>(serde_json::json!({"a": 5})).unwrap_err();
        assert!(e.detail.contains("'a'"), "{}", e.detail);
    }
}
