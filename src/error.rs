//! The binary's one error type: a message, an optional hint saying what to do, and the exit code
//! it stands for (PRODUCT.md §3: 2 bad input or usage, 3 configuration or connection failure;
//! 1 is not an error here but a command whose outcome is `success: false`).
//!
//! Errors print as one line, `error: <what went wrong> (hint: <what to do>)`, never with a stack
//! trace (xh's error reporting). The line goes through `crate::output::line`, as every printed
//! text does: the token is masked (a server may echo it in an error detail) and control
//! characters are made visible (docs/output.md).

use std::fmt;

use aws_ilm_client::ClientError;
use aws_ilm_lifecycle::IlmError;
use aws_ilm_lifecycle::text::mask;

use crate::output;
use crate::settings::SettingsError;

/// Exit status of a run that did what was asked (or skipped it as configured).
pub const EXIT_OK: u8 = 0;
/// The command ran and failed (`success: false`).
pub const EXIT_FAILED: u8 = 1;
/// Bad input or usage (clap's own usage errors exit 2 as well).
pub const EXIT_USAGE: u8 = 2;
/// Configuration or connection failure.
pub const EXIT_CONFIG: u8 = 3;

#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
            hint: None,
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_CONFIG,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with `secret` masked in its message and hint.
    pub fn masked(self, secret: &str) -> Self {
        CliError {
            code: self.code,
            message: mask(&self.message, secret).into_owned(),
            hint: self.hint.map(|h| mask(&h, secret).into_owned()),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The line printed on stderr, with `secret` (the token, when known) masked.
    pub fn render(&self, secret: Option<&str>) -> String {
        let line = match &self.hint {
            Some(h) => format!("error: {} (hint: {h})", self.message),
            None => format!("error: {}", self.message),
        };
        output::line(&line, secret.unwrap_or_default())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(None))
    }
}

impl From<SettingsError> for CliError {
    fn from(e: SettingsError) -> Self {
        let hint = match &e {
            SettingsError::Missing { .. } | SettingsError::MissingToken { .. } => {
                Some("see `aws-ilm --help` and docs/configuration.md")
            }
            _ => None,
        };
        let err = CliError::config(e.to_string());
        match hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

impl CliError {
    /// A failure to reach or be accepted by the directory, with the hint that fits it.
    pub fn from_client(e: &ClientError, base_url: &str) -> Self {
        let err = CliError::config(e.to_string());
        match e {
            ClientError::Http { status: 401, .. } => err.with_hint(
                "the server refused the token or tenant: check AWS_ILM_TOKEN / the token file \
                 and the tenant id (AWS tokens expire after a year)",
            ),
            ClientError::Http { status: 403, .. } => err.with_hint(
                "the token is not allowed to do this: check the tenant id and that the token \
                 belongs to this Identity Center instance",
            ),
            ClientError::Connect(_) => err.with_hint(format!(
                "is the server at {base_url} reachable? check --base-url (and --proxy if you \
                 need a proxy)"
            )),
            ClientError::Timeout(_) => err.with_hint(format!(
                "{base_url} did not answer in time; check the network or raise --timeout"
            )),
            // The client's TLS message already says "use insecure only for testing".
            _ => err,
        }
    }

    pub fn from_ilm(e: IlmError, base_url: &str) -> Self {
        match e {
            IlmError::Input(i) => CliError::usage(i.to_string()),
            IlmError::Connection(c) => CliError::from_client(&c, base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_is_one_line_and_masks_the_secret() {
        let e = CliError::config("HTTP 400: bad tok-123\nsecond line").with_hint("do this");
        let line = e.render(Some("tok-123"));
        assert_eq!(
            line,
            "error: HTTP 400: bad (redacted) second line (hint: do this)"
        );
    }

    /// Issue 9 item 2: a server detail's escape sequences reached the terminal raw in the
    /// `error:` line.
    #[test]
    fn render_makes_control_characters_visible() {
        let e = CliError::config("HTTP 500: \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31mred\u{7f}");
        assert_eq!(
            e.render(None),
            "error: HTTP 500: \\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}31mred\\u{7f}"
        );
    }

    #[test]
    fn unauthorized_gets_a_token_hint_and_exit_3() {
        let e = ClientError::Http {
            status: 401,
            detail: "unauthorized".into(),
            request_id: None,
            retry_after: None,
        };
        let c = CliError::from_client(&e, "http://x");
        assert_eq!(c.code, EXIT_CONFIG);
        assert!(c.render(None).contains("AWS_ILM_TOKEN"));
    }
}
