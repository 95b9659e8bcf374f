//! What a [`crate::ScimClient`] is built from: endpoint, token, transport switches and the retry
//! policy.
//!
//! The binary turns flags, environment and the config file into one [`ClientConfig`]
//! (docs/configuration.md); the endpoint arrives parsed ([`Endpoint`]), the client checks the rest. `Debug` is hand-written so the token stays redacted and the
//! throttle hook (a closure) does not need to be printable.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::error::ClientError;
use aws_ilm_scim::secret::SecretToken;

/// The largest response body read whole: 8 MiB. A full page of 100 users carrying every
/// attribute AWS keeps measured about 100 KiB, so this is far above any real answer and far
/// below what hurts (docs/client.md).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

/// The most pages one list call reads: 10,000 pages of 100 are a million resources, five times
/// AWS's largest documented tenant (200,000 users, 100,000 groups; docs/client.md).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Called on every 429 with the server's `Retry-After`, if it sent one. The batch engine uses it to
/// lower its request rate (docs/batch.md).
pub type OnThrottle = Arc<dyn Fn(Option<Duration>) + Send + Sync>;

/// Called after every attempt with the answer's HTTP status, or the error when there is no
/// usable answer (connection refused or lost, timeout, TLS, a body over `max_response_bytes`).
/// The batch engine's circuit breaker counts the attempts in a row that got no answer at all
/// (docs/batch.md, "A server that does not answer").
pub type OnAttempt = Arc<dyn Fn(Result<u16, &ClientError>) + Send + Sync>;

/// One write request's final result, as [`OnWrite`] sees it.
#[derive(Debug)]
pub struct WriteEvent<'a> {
    /// The AWS operation: `CreateUser`, `PatchUser`, `PutUser`, `DeleteUser`, `CreateGroup`,
    /// `PatchGroup`, `DeleteGroup`.
    pub operation: &'static str,
    /// The resource's id: from the path, or for a create from the resource it returned.
    pub id: Option<&'a str>,
    /// The JSON body as sent (empty for a DELETE).
    pub sent: &'a [u8],
    /// The final answer (any status the call ends with, success or not), or the error when
    /// the last attempt got no answer.
    pub outcome: Result<&'a crate::ResponseInfo, &'a ClientError>,
}

/// Called once per write request (POST, PUT, PATCH, DELETE) after its final answer or failure,
/// before the call returns, whatever its retries; reads are not reported. The binary's audit
/// log records each one (docs/audit.md).
pub type OnWrite = Arc<dyn Fn(&WriteEvent<'_>) + Send + Sync>;

/// Everything the client needs to reach one IAM Identity Center tenant.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL and tenant, parsed once.
    pub endpoint: Endpoint,
    pub token: SecretToken,
    /// Accept any server certificate (docs/configuration.md, "Warnings"). The binary prints
    /// the warning; the client only obeys.
    pub insecure: bool,
    /// true: honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lower-case forms); false:
    /// connect directly whatever the environment says.
    pub proxy: bool,
    pub connect_timeout: Duration,
    /// Whole-exchange timeout for one attempt (connect, send, read the body).
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    pub on_throttle: Option<OnThrottle>,
    /// A response body longer than this (declared or streamed) is not read further and fails
    /// with [`crate::ClientError::ResponseTooLarge`]. 0 is treated as 1.
    pub max_response_bytes: u64,
    /// A list call that still has more pages after this many fails with
    /// [`crate::ClientError::Protocol`]. 0 is treated as 1.
    pub max_pages: usize,
    pub on_attempt: Option<OnAttempt>,
    pub on_write: Option<OnWrite>,
}

impl ClientConfig {
    /// A config with the defaults: verify certificates, no proxy, 10 s connect / 30 s request
    /// timeouts, [`RetryPolicy::default`], [`DEFAULT_MAX_RESPONSE_BYTES`], [`DEFAULT_MAX_PAGES`].
    pub fn new(endpoint: Endpoint, token: SecretToken) -> Self {
        ClientConfig {
            endpoint,
            token,
            insecure: false,
            proxy: false,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            on_throttle: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            on_attempt: None,
            on_write: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token)
            .field("insecure", &self.insecure)
            .field("proxy", &self.proxy)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("on_throttle", &self.on_throttle.as_ref().map(|_| "Fn"))
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_pages", &self.max_pages)
            .field("on_attempt", &self.on_attempt.as_ref().map(|_| "Fn"))
            .field("on_write", &self.on_write.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// How hard to try before giving up. Both bounds apply: whichever is hit first ends the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first; 1 disables retries. 0 is treated as 1.
    pub max_attempts: u32,
    /// The backoff cap for the first retry; doubles per retry ("full jitter": the actual sleep is
    /// uniform in `0..=cap`).
    pub base_delay: Duration,
    /// Upper bound of one backoff sleep. A server `Retry-After` is honoured even above it (plus
    /// up to `base_delay` of jitter), as long as it fits in `max_elapsed`.
    pub max_delay: Duration,
    /// No retry starts (and no sleep is begun) that would end after this much time since the
    /// first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, 250 ms doubling to at most 10 s, 60 s in all: enough to ride out AWS's
    /// per-second throttling (25 write / 40 read TPS) and a short service blip, short enough
    /// that a person at a terminal is not left waiting.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let endpoint = Endpoint::parse("https://x", "t").unwrap();
        let mut c = ClientConfig::new(endpoint, SecretToken::new("tok-123".into()));
        c.on_throttle = Some(Arc::new(|_| {}));
        let s = format!("{c:?}");
        assert!(!s.contains("tok-123"), "{s}");
        assert!(s.contains("(redacted)"));
    }
}
