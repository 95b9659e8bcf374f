//! What the operator chooses when starting the emulator. The defaults are the quiet ones: every
//! test knob off, so that a plain run answers exactly like AWS on a good day.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use aws_ilm_scim::secret::SecretToken;
use aws_ilm_scim::tenant;
use rand::Rng;

use crate::EmulatorError;

/// AWS allows at most two SCIM access tokens per directory at a time (docs/emulator.md, "Running
/// it": `--token`).
pub const MAX_TOKENS: usize = 2;

/// Time from a connection's start (or, on HTTP/1, from the first byte of a later request) to a
/// complete request head. Generous for any real client, short for a slowloris.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time from the start of reading a request body to its last byte: 1 MiB, the largest body
/// accepted, takes well under a second on any working link, so only a stalled or trickling
/// client reaches it (docs/emulator.md, "Connection limits").
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection with no request in flight and no traffic for this long is closed: AWS's load
/// balancers default to 60 s as well.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Open connections at most (lowered to fit the open-file limit at start; docs/emulator.md).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

#[derive(Clone)]
pub struct Config {
    /// SQLite path, or `:memory:` for a throwaway store.
    pub db: String,
    pub tenant_id: String,
    /// 1..=2 accepted bearer tokens.
    pub tokens: Vec<SecretToken>,
    /// AWS's per-API quotas; `None` serves without throttling.
    pub throttle: Option<Throttle>,
    /// Fraction (0.0..=1.0) of operation requests answered 500 or dropped.
    pub fault_rate: f64,
    /// Added before every operation.
    pub latency: Duration,
    /// Serve HTTPS with these PEM files.
    pub tls: Option<TlsFiles>,
    /// Connection limits (docs/emulator.md, "Connection limits").
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Requests per second per API (AWS: 25 per write API, 40 per read API; docs/emulator.md, "Running
/// it").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub write_per_sec: u32,
    pub read_per_sec: u32,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            write_per_sec: 25,
            read_per_sec: 40,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

// Hand-written to show how many tokens there are; each one is `(redacted)` anyway.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("db", &self.db)
            .field("tenant_id", &self.tenant_id)
            .field("tokens", &format_args!("({} redacted)", self.tokens.len()))
            .field("throttle", &self.throttle)
            .field("fault_rate", &self.fault_rate)
            .field("latency", &self.latency)
            .field("tls", &self.tls)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl Config {
    /// A throwaway emulator: `:memory:`, a random tenant and token, every knob off, the
    /// default connection limits. What tests and `aws-ilm demo` start.
    pub fn ephemeral() -> Config {
        Config {
            db: ":memory:".to_owned(),
            tenant_id: random_tenant_id(),
            tokens: vec![SecretToken::new(random_token())],
            throttle: None,
            fault_rate: 0.0,
            latency: Duration::ZERO,
            tls: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// Refuses what cannot be served: no token or more than AWS's two, a token no request can
    /// carry, a tenant the tenant rule refuses, a fault rate outside 0..=1, zero limits.
    pub fn validate(&self) -> Result<(), EmulatorError> {
        if self.tokens.is_empty() || self.tokens.len() > MAX_TOKENS {
            return Err(EmulatorError::Config(format!(
                "between 1 and {MAX_TOKENS} tokens are required (AWS allows at most two)"
            )));
        }
        if let Some(n) = self
            .tokens
            .iter()
            .position(|t| !can_authenticate(t.expose()))
        {
            // Which one, never what it is: the message reaches the terminal and logs.
            return Err(EmulatorError::Config(format!(
                "token {} of {} can never authenticate: a bearer token must be one or more \
                 visible ASCII characters (no spaces, control characters or non-ASCII letters)",
                n + 1,
                self.tokens.len()
            )));
        }
        if let Err(e) = tenant::check(&self.tenant_id) {
            return Err(EmulatorError::Config(format!("the tenant id {e}")));
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(EmulatorError::Config(
                "the fault rate must be between 0 and 1".into(),
            ));
        }
        if let Some(t) = self.throttle
            && (t.read_per_sec == 0 || t.write_per_sec == 0)
        {
            return Err(EmulatorError::Config(
                "throttle rates must be at least 1 request per second".into(),
            ));
        }
        if self.header_read_timeout.is_zero()
            || self.body_read_timeout.is_zero()
            || self.idle_timeout.is_zero()
        {
            return Err(EmulatorError::Config(
                "the header-read, body-read and idle timeouts must be longer than zero".into(),
            ));
        }
        if self.max_connections == 0 {
            return Err(EmulatorError::Config(
                "the connection cap must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// Whether a client could ever present `token`: the request's `Authorization` header is read as
/// visible ASCII and its token is trimmed, so an empty token, whitespace, control characters or
/// anything beyond ASCII can never match (docs/emulator.md, "Running it").
fn can_authenticate(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// A tenant id of the form seen in AWS logs: 11 hex characters, then the last four groups of a UUID
/// (`xxxxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, docs/emulator.md, "Running it").
pub fn random_tenant_id() -> String {
    let u = uuid::Uuid::new_v4().simple().to_string();
    let mut rng = rand::rng();
    let head: String = (0..11)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect();
    format!(
        "{head}-{}-{}-{}-{}",
        &u[8..12],
        &u[12..16],
        &u[16..20],
        &u[20..32]
    )
}

/// 48 random bytes, URL-safe base64: long and opaque like AWS's tokens.
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 48];
    rand::rng().fill(&mut bytes[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_tokens() {
        let c = Config::ephemeral();
        let shown = format!("{c:?}");
        assert!(!shown.contains(c.tokens[0].expose()));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn validation() {
        let mut c = Config::ephemeral();
        assert!(c.validate().is_ok());
        c.tokens = vec!["a".into(), "b".into(), "c".into()];
        assert!(c.validate().is_err());
        let mut c = Config::ephemeral();
        c.tenant_id = "../x".into();
        assert!(c.validate().is_err());
        // docs/emulator.md, "Running it" (`--token`): tokens no request can carry are refused, and
        // not echoed.
        for bad in [
            "",
            " ",
            "\t",
            "sec ret",
            "tök-secret",
            "\u{1b}]0;secret\u{7}",
            "secret\u{7f}",
            "secret\u{85}",
            "secret\n",
        ] {
            let mut c = Config::ephemeral();
            c.tokens = vec!["good".into(), bad.into()];
            let e = c.validate().expect_err(bad).to_string();
            assert!(e.contains("token 2 of 2"), "{e}");
            assert!(!e.contains("secret") && !e.contains("ret"), "{e}");
        }
        let mut c = Config::ephemeral();
        c.fault_rate = 1.5;
        assert!(c.validate().is_err());
        let mut c = Config::ephemeral();
        c.idle_timeout = Duration::ZERO;
        assert!(c.validate().is_err());
        let mut c = Config::ephemeral();
        c.body_read_timeout = Duration::ZERO;
        assert!(c.validate().is_err());
        let mut c = Config::ephemeral();
        c.max_connections = 0;
        assert!(c.validate().is_err());
        assert_eq!(random_tenant_id().len(), 39);
    }
}
