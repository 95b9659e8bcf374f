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
//! Each attempt logs one `tracing` info line (what `aws-ilm -v` shows, docs/configuration.md):
//! method, path (the query is left out: filter values are user names and e-mail addresses),
//! status, duration, `x-amzn-RequestId` and attempt number. The token is never logged.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_ilm_scim::secret::SecretToken;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, Url};
use tokio::time::Instant;

use crate::config::{ClientConfig, OnAttempt, OnThrottle, OnWrite, RetryPolicy, WriteEvent};
use crate::endpoint::Endpoint;
use crate::error::{ClientError, is_retryable_status};
use crate::reply::{Reply, sanitize};
use crate::retry::{Budget, parse_retry_after};

/// The shared state behind every clone of a [`crate::ScimClient`].
pub(crate) struct Inner {
    http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    auth: HeaderValue,
    /// Only to scrub server text as it arrives ([`SecretToken::scrub`]).
    token: SecretToken,
    pub(crate) retry: RetryPolicy,
    on_throttle: Option<OnThrottle>,
    on_attempt: Option<OnAttempt>,
    on_write: Option<OnWrite>,
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
        let endpoint = config.endpoint;
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
        if endpoint.base().is_plain_http() {
            builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Config(format!("cannot build HTTP client: {}", chain(&e))))?;
        Ok(Inner {
            http,
            endpoint,
            auth,
            token: config.token,
            retry: config.retry,
            on_throttle: config.on_throttle,
            on_attempt: config.on_attempt,
            on_write: config.on_write,
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
            let body = self.token.scrub_owned(read_body(&mut resp, limit).await?);
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
                if let Some(hook) = &self.on_attempt {
                    hook(Err(&error));
                }
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
                        .filter(|v| v.to_str().is_ok())
                        .map(|v| self.token.scrub_owned(v.as_bytes().to_vec()))
                        .and_then(|v| String::from_utf8(v).ok())
                };
                let reply = Reply {
                    status,
                    request_id: header("x-amzn-requestid"),
                    date: header("date"),
                    retry_after: header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v)),
                    location: headers
                        .get(LOCATION)
                        .map(|v| sanitize(&self.token.scrub(v.as_bytes()))),
                    body,
                };
                tracing::info!(
                    method = %call.method, path = %path, status, elapsed_ms,
                    request_id = %reply.request_id.as_deref().unwrap_or("-"), attempt,
                    "scim request"
                );
                if let Some(hook) = &self.on_attempt {
                    hook(Ok(status));
                }
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
                tracing::info!(
                    method = %call.method, path = %path, elapsed_ms, attempt, error = %err.error,
                    "scim request failed"
                );
                if let Some(hook) = &self.on_attempt {
                    hook(Err(&err.error));
                }
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

    /// Reports a write's final result to the `on_write` hook, if there is one.
    pub(crate) fn report_write(
        &self,
        operation: &'static str,
        id: Option<&str>,
        call: &Call,
        outcome: Result<&crate::ResponseInfo, &ClientError>,
    ) {
        if let Some(hook) = &self.on_write {
            hook(&WriteEvent {
                operation,
                id,
                sent: call.body.as_deref().unwrap_or_default(),
                outcome,
            });
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
    let tls = find_tls(&e).map(plain_tls_reason);
    let msg = format!("{method} {path}: {}", chain(&e.without_url()));
    let error = if let Some(reason) = tls {
        ClientError::Tls(match reason {
            Some(reason) => format!("{reason}; {msg}"),
            None => msg,
        })
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

/// The rustls error anywhere in the chain. tokio-rustls wraps it in an `io::Error`, whose
/// `source()` skips the wrapped error, so look inside each `io::Error` too.
fn find_tls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = find_tls(inner)
        {
            return Some(tls);
        }
        cur = err.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    None
}

/// What a certificate failure means, in words a person facing it can act on (`doctor` and
/// every command's error line show it); `None` for TLS failures that are not about the
/// certificate.
fn plain_tls_reason(e: &rustls::Error) -> Option<&'static str> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(c) = e else {
        return None;
    };
    Some(match c {
        C::Expired | C::ExpiredContext { .. } => "the server's certificate has expired",
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet (or this machine's clock is wrong)"
        }
        C::UnknownIssuer => {
            "the server's certificate is issued by an authority this machine does not trust \
             (self-signed, a private CA, or a TLS-intercepting proxy)"
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "the server's certificate is not valid for the host name in base_url"
        }
        C::Revoked => "the server's certificate has been revoked",
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "the server's certificate is not meant for a TLS server"
        }
        _ => "the server's certificate was refused",
    })
}
