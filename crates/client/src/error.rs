//! The client's error type: what went wrong, whether trying again can help, and the AWS request id
//! to quote to AWS support.
//!
//! Messages are built only from the server's answer and from transport errors whose URL has been
//! stripped; the bearer token is never part of either (docs/configuration.md, "The token"). TLS
//! failures are their own variant whose message says "TLS/certificate" and points at `insecure`,
//! because "connection failed" is useless to someone facing a corporate TLS-intercepting proxy.

use std::time::Duration;

/// Everything a SCIM call can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status (after any retries).
    #[error("HTTP {status}: {detail}{}", rid_suffix(request_id))]
    Http {
        status: u16,
        /// The SCIM `detail`, or a cut-down copy of a non-SCIM body.
        detail: String,
        /// `x-amzn-RequestId` (or the body's `exceptionRequestId`).
        request_id: Option<String>,
        /// The `Retry-After` of a 429/503, when the server sent one.
        retry_after: Option<Duration>,
    },
    /// Could not open a connection (refused, DNS, unreachable). The request was never sent.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The connection failed after the request may have been sent (reset, closed mid-response):
    /// its outcome is unknown.
    #[error("connection lost: {0}")]
    Disconnected(String),
    /// Connect or request timeout.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The TLS handshake failed, typically an untrusted or mismatched certificate.
    #[error(
        "TLS/certificate error: {0} (if this server's certificate cannot be trusted otherwise, \
         `insecure` disables verification; never use it against production)"
    )]
    Tls(String),
    /// The answer's body is longer than `max_response_bytes` (as declared by Content-Length, or
    /// as streamed): it was not read further. Not retryable: a server that does it once will do
    /// it again.
    #[error(
        "{request}: the response body is larger than {limit} bytes (max_response_bytes); \
         not read further"
    )]
    ResponseTooLarge {
        /// Method and path (never the query: it holds filter values).
        request: String,
        limit: u64,
    },
    /// A success answer whose body is not what SCIM promises.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// The server broke the protocol in a way retrying cannot fix (e.g. paging that never ends).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The client configuration is unusable (bad URL, empty token, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The caller's request cannot be sent as asked (e.g. an empty resource id, or a create body
    /// without the attribute needed to make the create safe to retry).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

fn rid_suffix(rid: &Option<String>) -> String {
    match rid {
        Some(r) => format!(" (request id {r})"),
        None => String::new(),
    }
}

impl ClientError {
    /// The HTTP status for [`ClientError::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The AWS request id of the failing response, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ClientError::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the same request may succeed later: AWS throttling (429), the 5xx that mean "try
    /// again" (500, 502, 503, 504) and transport failures other than TLS.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Http { status, .. } => is_retryable_status(*status),
            ClientError::Connect(_) | ClientError::Disconnected(_) | ClientError::Timeout(_) => {
                true
            }
            ClientError::Tls(_)
            | ClientError::ResponseTooLarge { .. }
            | ClientError::Decode(_)
            | ClientError::Protocol(_)
            | ClientError::Config(_)
            | ClientError::InvalidRequest(_) => false,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ClientError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the server could not be talked to at all: connect, lost connection, timeout, TLS.
    /// (401/403 are answers, not connection failures; callers decide what they mean.)
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            ClientError::Connect(_)
                | ClientError::Disconnected(_)
                | ClientError::Timeout(_)
                | ClientError::Tls(_)
        )
    }
}

/// What a 401 most likely means, said by every place that reports one (single commands,
/// batch, plan/apply): AWS SCIM tokens stop working one year after they are generated, and an
/// expired token is the usual reason a working setup starts getting 401s.
pub const UNAUTHORIZED_HINT: &str = "the server refused the token: it is wrong or it has \
     expired (AWS SCIM tokens expire one year after they are generated); generate a new one in \
     the IAM Identity Center console (Settings, Automatic provisioning, Generate token) and \
     check the tenant id";

impl ClientError {
    /// [`UNAUTHORIZED_HINT`] for a 401; `None` for every other error.
    pub fn unauthorized_hint(&self) -> Option<&'static str> {
        (self.status() == Some(401)).then_some(UNAUTHORIZED_HINT)
    }
}

/// 429 and the 5xx AWS documents as transient (InternalServerException) plus the gateway ones.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_error_display_carries_detail_and_request_id() {
        let e = ClientError::Http {
            status: 409,
            detail: "Refused to create a new, duplicate resource.".into(),
            request_id: Some("rid-1".into()),
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 409: Refused to create a new, duplicate resource. (request id rid-1)"
        );
        assert!(!e.is_retryable());
        assert_eq!(e.status(), Some(409));
        assert_eq!(e.request_id(), Some("rid-1"));
    }

    #[test]
    fn classification() {
        let http = |status| ClientError::Http {
            status,
            detail: String::new(),
            request_id: None,
            retry_after: Some(Duration::from_secs(2)),
        };
        for s in [429, 500, 502, 503, 504] {
            assert!(http(s).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 501] {
            assert!(!http(s).is_retryable(), "{s}");
        }
        assert_eq!(http(429).retry_after(), Some(Duration::from_secs(2)));
        assert!(!http(503).is_connection());
        assert!(ClientError::Connect("x".into()).is_retryable());
        assert!(ClientError::Timeout("x".into()).is_connection());
        let tls = ClientError::Tls("invalid peer certificate: UnknownIssuer".into());
        assert!(tls.is_connection() && !tls.is_retryable());
        let msg = tls.to_string();
        assert!(
            msg.contains("TLS/certificate") && msg.contains("insecure"),
            "{msg}"
        );
    }
}
