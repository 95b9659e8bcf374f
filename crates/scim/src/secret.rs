//! The bearer token as a type that cannot leak by accident, for both ends of the wire: the
//! client's configured token and the emulator's accepted ones.
//!
//! The token never appears in output, logs, errors or panics (docs/output.md, "The token is
//! never printed"). `Debug` and `Display` print `(redacted)`, so a `{:?}` of a config or an
//! error can never show it; the raw value is reached only through [`SecretToken::expose`]:
//! where the client builds the (sensitive-marked) `Authorization` header, and where the
//! emulator compares a request's token with it.

use std::fmt;

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
        f.write_str("(redacted)")
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
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
}
