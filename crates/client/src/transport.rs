//! One HTTP exchange, and the retrying loop for requests that are safe to repeat.
//!
//! Every request carries `Authorization: Bearer` (header marked sensitive so no HTTP-layer debug
//! output prints it), `User-Agent: aws-ilm/<version>`, `Accept: application/scim+json,
//! application/json` and, with a body, `Content-Type: application/json`: AWS's own examples send
//! no Content-Type and answer `application/json`, so plain JSON is the most compatible choice
//! (RFC 7644 §3.1 servers must accept it too).
//!
//! Answers are read defensively (docs/client.md): no redirect is followed (AWS never redirects a
//! SCIM call, and following a 307/308 would re-send the body, token included, to whatever host
//! the `Location` names), and a body is read in chunks up to `max_response_bytes`, refused at
//! once when its Content-Length already says it is larger.
//!
//! Each attempt logs one `tracing` debug line: method, path (the query is left out: filter values
//! are user names and e-mail addresses), status, duration, `x-amzn-RequestId` and attempt number.
//! The token is never logged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, Url};
use serde_json::Value;
use tokio::time::Instant;

use crate::ResponseInfo;
use crate::config::{ClientConfig, OnThrottle, RetryPolicy};
use crate::endpoint::Endpoint;
use crate::error::{ClientError, is_retryable_status};
use crate::retry::{Budget, parse_retry_after};

/// Error details longer than this are cut (a proxy's HTML error page is not a useful message).
const MAX_DETAIL_CHARS: usize = 500;

/// The shared state behind every clone of a [`crate::ScimClient`].
pub(crate) struct Inner {
    http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    auth: HeaderValue,
    pub(crate) retry: RetryPolicy,
    on_throttle: Option<OnThrottle>,
    pub(crate) stats: Stats,
    max_response_bytes: u64,
    pub(crate) max_pages: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) throttled: AtomicU64,
}

/// One request to make (possibly several times).
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

impl Call {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Call {
            method,
            url,
            query: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, ClientError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ClientError::InvalidRequest(format!("cannot encode body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }
}

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

    /// The error this answer stands for. Reads the SCIM error body leniently (AWS's string
    /// `status`, other servers' numeric one, or none), then a gateway's `{"message": ..}` (AWS API
    /// Gateway and load balancers answer that way); anything else becomes a cut-down text detail.
    pub(crate) fn into_error(self) -> ClientError {
        let parsed: Option<Value> = serde_json::from_slice(&self.body).ok();
        let obj = parsed.as_ref().and_then(Value::as_object);
        let text = |key: &str| {
            obj.and_then(|o| o.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let body_rid = text("exceptionRequestId").map(str::to_owned);
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
        } else if let Some(d) = text("detail").or_else(|| text("message")) {
            truncate(d)
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
/// escapes, cut to [`MAX_DETAIL_CHARS`].
fn sanitize(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    truncate(&out)
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((i, _)) => format!("{}… ({} bytes in all)", &s[..i], s.len()),
        None => s.to_owned(),
    }
}

/// What a transport failure means for a retry decision.
#[derive(Debug)]
pub(crate) struct TransportError {
    pub(crate) error: ClientError,
    /// False when the request certainly never reached the server (connect failed), so even a
    /// POST may be re-sent as is.
    pub(crate) maybe_sent: bool,
}

/// The outcome of a retried exchange.
#[derive(Debug)]
pub(crate) struct Retried {
    pub(crate) reply: Reply,
    /// An earlier attempt failed in a way that leaves its effect unknown (5xx, timeout, lost
    /// connection): the final answer may be about a state our own earlier attempt created.
    pub(crate) after_unknown_outcome: bool,
}

impl Inner {
    pub(crate) fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let endpoint = Endpoint::new(&config.base_url, &config.tenant_id)?;
        if config.token.is_empty() {
            return Err(ClientError::Config("the bearer token is empty".into()));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose().trim()))
            .map_err(|_| {
            ClientError::Config(
                "the bearer token contains characters not allowed in an HTTP header".into(),
            )
        })?;
        auth.set_sensitive(true);

        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/scim+json, application/json"),
        );
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("aws-ilm/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .tls_danger_accept_invalid_certs(config.insecure);
        if !config.proxy {
            builder = builder.no_proxy();
        }
        // Start-up cost (one CLI command = one process): the platform verifier reads every
        // system root certificate, most of a command's CPU time. A plain-http endpoint (the
        // local emulator) never uses them, so give it an empty root store instead.
        let plain_http = config
            .base_url
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("http://");
        if plain_http {
            builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Config(format!("cannot build HTTP client: {}", chain(&e))))?;
        Ok(Inner {
            http,
            endpoint,
            auth,
            retry: config.retry,
            on_throttle: config.on_throttle,
            stats: Stats::default(),
            max_response_bytes: config.max_response_bytes.max(1),
            max_pages: config.max_pages.max(1),
        })
    }

    /// Sends `call` once. Any HTTP status is an `Ok`; `Err` is a transport failure.
    pub(crate) async fn send_once(
        &self,
        call: &Call,
        attempt: u32,
    ) -> Result<Reply, TransportError> {
        let mut req = self
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, self.auth.clone());
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let limit = self.max_response_bytes;
        let result = async {
            let mut resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = read_body(&mut resp, limit).await?;
            Ok::<_, ReadError>((status, headers, body))
        }
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let path = call.url.path();
        match result {
            Err(ReadError::TooLarge) => {
                let error = ClientError::ResponseTooLarge {
                    request: format!("{} {path}", call.method),
                    limit,
                };
                tracing::debug!(
                    method = %call.method, path = %path, elapsed_ms, attempt, error = %error,
                    "scim request failed"
                );
                // The request was sent and answered: for a POST the outcome is unknown.
                Err(TransportError {
                    error,
                    maybe_sent: true,
                })
            }
            Ok((status, headers, body)) => {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let reply = Reply {
                    status,
                    request_id: header("x-amzn-requestid"),
                    date: header("date"),
                    retry_after: header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v)),
                    location: headers.get(LOCATION).map(|v| sanitize(v.as_bytes())),
                    body,
                };
                tracing::debug!(
                    method = %call.method, path = %path, status, elapsed_ms,
                    request_id = %reply.request_id.as_deref().unwrap_or("-"), attempt,
                    "scim request"
                );
                if status == 429 {
                    self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                    if let Some(hook) = &self.on_throttle {
                        hook(reply.retry_after);
                    }
                }
                Ok(reply)
            }
            Err(ReadError::Http(e)) => {
                let err = classify(&call.method, path, e);
                tracing::debug!(
                    method = %call.method, path = %path, elapsed_ms, attempt, error = %err.error,
                    "scim request failed"
                );
                Err(err)
            }
        }
    }

    /// Sends a request that is safe to repeat (GET, PUT, PATCH, DELETE), retrying 429, 500, 502,
    /// 503, 504 and transport failures other than TLS within the retry budget. Returns the last
    /// answer whatever its status; `Err` only when the last attempt got no answer at all.
    pub(crate) async fn send_retrying(&self, call: &Call) -> Result<Retried, ClientError> {
        let mut budget = Budget::new(&self.retry);
        let mut unknown = false;
        loop {
            let attempt = budget.start_attempt();
            if attempt > 1 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            }
            match self.send_once(call, attempt).await {
                Ok(reply) => {
                    if !is_retryable_status(reply.status)
                        || !budget.pause_before_retry(reply.retry_after).await
                    {
                        return Ok(Retried {
                            reply,
                            after_unknown_outcome: unknown,
                        });
                    }
                    // 429 means AWS refused before acting; 5xx may have acted.
                    unknown |= reply.status != 429;
                }
                Err(t) => {
                    if !t.error.is_retryable() || !budget.pause_before_retry(None).await {
                        return Err(t.error);
                    }
                    unknown |= t.maybe_sent;
                }
            }
        }
    }

    pub(crate) fn budget(&self) -> Budget<'_> {
        Budget::new(&self.retry)
    }

    pub(crate) fn count_retry(&self) {
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
    }
}

/// Why reading an answer stopped.
enum ReadError {
    Http(reqwest::Error),
    /// The body is longer than the limit (declared or streamed).
    TooLarge,
}

impl From<reqwest::Error> for ReadError {
    fn from(e: reqwest::Error) -> Self {
        ReadError::Http(e)
    }
}

/// The whole body, chunk by chunk, never more than `limit` bytes in memory. A Content-Length
/// above the limit is refused before anything is read.
async fn read_body(resp: &mut reqwest::Response, limit: u64) -> Result<Vec<u8>, ReadError> {
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge);
    }
    // Capacity from the declaration, which is at most `limit` by now; a lie only costs that.
    let mut body = Vec::with_capacity(usize::try_from(declared.unwrap_or(0)).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await? {
        let total = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a reqwest failure onto our variants, stripping the URL (its query holds filter values).
fn classify(method: &Method, path: &str, e: reqwest::Error) -> TransportError {
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let tls = is_tls(&e);
    let msg = format!("{method} {path}: {}", chain(&e.without_url()));
    let error = if tls {
        ClientError::Tls(msg)
    } else if timeout {
        ClientError::Timeout(msg)
    } else if connect {
        ClientError::Connect(msg)
    } else {
        ClientError::Disconnected(msg)
    };
    TransportError {
        error,
        maybe_sent: !connect,
    }
}

/// The error and its sources, joined; the top-level reqwest message alone ("error sending
/// request") says nothing.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    let mut depth = 0;
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    out
}

/// Whether a rustls error sits anywhere in the chain. tokio-rustls wraps it in an `io::Error`,
/// whose `source()` skips the wrapped error, so look inside each `io::Error` too.
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(err) = cur {
        if err.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && (inner.is::<rustls::Error>() || is_tls(inner))
        {
            return true;
        }
        cur = err.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    false
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
