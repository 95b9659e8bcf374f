//! The bearer token as a type that cannot leak by accident, for both ends of the wire: the
//! client's configured token and the emulator's accepted ones.
//!
//! The token never appears in output, logs, errors or panics (docs/output.md, "The token is
//! never printed"). `Debug` and `Display` print `(redacted)`, so a `{:?}` of a config or an
//! error can never show it; the raw value is reached only through [`SecretToken::expose`]:
//! where the client builds the (sensitive-marked) `Authorization` header, and where the
//! emulator compares a request's token with it.

use std::borrow::Cow;
use std::fmt;

use memchr::memmem;

/// What a secret is shown as wherever it would appear.
pub const REDACTED: &str = "(redacted)";

/// A bearer token. Cloning is cheap enough (one small string) and keeps the redaction.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    pub fn new(token: String) -> Self {
        SecretToken(token)
    }

    /// The raw token. Only for building the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// `bytes` from a server with every copy of the token (as sent: trimmed) replaced by
    /// [`REDACTED`]. A server has the token and may echo it in a body or a header; scrubbed as
    /// it arrives, the token is gone before any of that text is cut short for a message, where
    /// a cut through the token would leave a piece that a later mask of the whole token misses
    /// (docs/output.md, "The token is never printed"). Linear in `bytes` (memchr's two-way
    /// search), so an 8 MiB hostile body costs one pass.
    pub fn scrub<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let token = self.0.trim().as_bytes();
        if token.is_empty() {
            return Cow::Borrowed(bytes);
        }
        let finder = memmem::Finder::new(token);
        let mut hits = finder.find_iter(bytes).peekable();
        if hits.peek().is_none() {
            return Cow::Borrowed(bytes);
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut from = 0;
        for at in hits {
            // find_iter yields non-overlapping matches, left to right.
            out.extend_from_slice(&bytes[from..at]);
            out.extend_from_slice(REDACTED.as_bytes());
            from = at + token.len();
        }
        out.extend_from_slice(&bytes[from..]);
        Cow::Owned(out)
    }

    /// [`SecretToken::scrub`] of an owned buffer, which is handed back untouched (no copy)
    /// when it holds no copy of the token.
    pub fn scrub_owned(&self, bytes: Vec<u8>) -> Vec<u8> {
        let scrubbed = match self.scrub(&bytes) {
            Cow::Owned(v) => Some(v),
            Cow::Borrowed(_) => None,
        };
        scrubbed.unwrap_or(bytes)
    }
}

impl From<String> for SecretToken {
    fn from(s: String) -> Self {
        SecretToken(s)
    }
}

impl From<&str> for SecretToken {
    fn from(s: &str) -> Self {
        SecretToken(s.to_owned())
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_token() {
        let t = SecretToken::new("s3cr3t-value".into());
        assert_eq!(format!("{t}"), "(redacted)");
        assert_eq!(format!("{t:?}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(t.clone())), "Some((redacted))");
        assert_eq!(t.expose(), "s3cr3t-value");
    }

    #[test]
    fn scrub_replaces_every_copy_of_the_token_as_sent() {
        let t = SecretToken::new(" tok-123 \n".into());
        assert_eq!(
            t.scrub(b"a tok-123 b tok-123tok-123 tok-12"),
            &b"a (redacted) b (redacted)(redacted) tok-12"[..]
        );
        assert!(matches!(t.scrub(b"nothing here"), Cow::Borrowed(_)));
        assert_eq!(t.scrub(b""), &b""[..]);
        let none = SecretToken::new("  ".into());
        assert_eq!(none.scrub(b"  x  "), &b"  x  "[..]);
        // Long hostile input: one pass, every copy gone.
        let big = "tok-123x".repeat(100_000);
        let out = t.scrub(big.as_bytes());
        assert!(memmem::find(&out, b"tok-123").is_none());
        assert_eq!(out.len(), 100_000 * ("(redacted)x".len()));
    }
}
