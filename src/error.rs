//! The binary's one error channel: every command returns how the run ended ([`Exit`]) or a
//! [`CliError`] (a message, an optional hint saying what to do, and the exit status it stands
//! for: 2 bad input or usage, 3 configuration or connection failure). `plan` and `apply` add
//! 4 changes pending, 5 refused by a safety rail and 6 stale plan (docs/reconcile.md). `main` prints the error,
//! in one place ([`CliError::report`]).
//!
//! Errors print as one line, `error: <what went wrong> (hint: <what to do>)`, never with a stack
//! trace (xh's error reporting). The token is masked where a library error becomes a
//! `CliError` ([`CliError::from_client`], [`CliError::from_ilm`]: a server may echo the token in
//! an error detail), and the line goes through `crate::output::line`, as every printed text
//! does, so control characters are made visible (docs/output.md).

use std::fmt;
use std::process::ExitCode;

use aws_ilm_client::ClientError;
use aws_ilm_lifecycle::IlmError;
use aws_ilm_lifecycle::text::mask;

use crate::output;
use crate::settings::{Settings, SettingsError};

/// How a run ended: every command returns one (or a [`CliError`], which stands for
/// [`Exit::Usage`] or [`Exit::Config`]), and `main` turns it into the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, or skipped as configured.
    Success,
    /// 1: the command ran and failed (`success: false`; in a batch, some event failed).
    Failed,
    /// 2: bad input or usage (clap's own usage errors exit 2 as well).
    Usage,
    /// 3: configuration or connection failure.
    Config,
    /// 4: `plan` found changes to make (docs/reconcile.md, "Exit codes"), so a script can tell
    /// "in sync" from "needs an apply" without parsing the text.
    ChangesPending,
    /// 5: a safety rail refused the plan; nothing was changed.
    Refused,
    /// 6: `apply`: AWS changed since the plan was made; nothing was changed.
    Stale,
    /// Stopped by a signal before the end (a batch finishes the events in flight first).
    Interrupted(Signal),
}

/// The signals a run stops on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Int,
    Term,
}

impl Exit {
    /// The exit status: 128 + the signal number for a signal, as a shell reports it.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::ChangesPending => 4,
            Exit::Refused => 5,
            Exit::Stale => 6,
            Exit::Interrupted(Signal::Int) => 130,
            Exit::Interrupted(Signal::Term) => 143,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// Why a run could not do what was asked: printed by `main` as one line, in one place.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Config,
            message: message.into(),
            hint: None,
        }
    }

    /// A safety rail refused the plan (exit 5).
    pub fn refused(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Refused,
            message: message.into(),
            hint: None,
        }
    }

    /// The saved plan no longer holds (exit 6).
    pub fn stale(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Stale,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with `secret` masked in its message and hint.
    fn masked(self, secret: &str) -> Self {
        CliError {
            exit: self.exit,
            message: mask(&self.message, secret).into_owned(),
            hint: self.hint.map(|h| mask(&h, secret).into_owned()),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The line printed on stderr: one line, control characters made visible.
    pub fn render(&self) -> String {
        let line = match &self.hint {
            Some(h) => format!("error: {} (hint: {h})", self.message),
            None => format!("error: {}", self.message),
        };
        output::line(&line, "")
    }

    /// Prints [`CliError::render`] on stderr and gives the exit status: the end of every run
    /// that failed.
    pub fn report(&self) -> ExitCode {
        eprintln!("{}", self.render());
        self.exit.into()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
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
    /// A failure to reach or be accepted by the directory, with the hint that fits it. The
    /// token is masked here, where server text (which may echo it) becomes a message.
    pub fn from_client(e: &ClientError, settings: &Settings) -> Self {
        let base_url = settings.endpoint.base();
        let err = CliError::config(e.to_string());
        let err = match e {
            ClientError::Http { status: 401, .. } => err.with_hint(unauthorized_hint(settings)),
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
        };
        err.masked(settings.token.expose())
    }

    pub fn from_ilm(e: IlmError, settings: &Settings) -> Self {
        match e {
            IlmError::Input(i) => CliError::usage(i.to_string()).masked(settings.token.expose()),
            IlmError::Connection(c) => CliError::from_client(&c, settings),
        }
    }
}

/// What a 401 means ([`aws_ilm_client::error::UNAUTHORIZED_HINT`]), with where the token
/// comes from and, when `token_issued` is set, where it stands (docs/configuration.md,
/// "Token expiry").
pub fn unauthorized_hint(settings: &Settings) -> String {
    let source = match &settings.token_file {
        Some(path) => format!(" (the token was read from {})", path.display()),
        None => settings
            .origins
            .iter()
            .find(|(k, _)| *k == "token")
            .map(|(_, s)| format!(" (the token comes from {s})"))
            .unwrap_or_default(),
    };
    let mut hint = format!("{}{source}", aws_ilm_client::error::UNAUTHORIZED_HINT);
    if let Some(issued) = settings.token_issued {
        let state = crate::expiry::expiry(issued, crate::expiry::today());
        hint.push_str(&format!("; token_issued {issued}: {}", state.describe()));
    }
    hint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_is_one_line_and_masks_the_secret() {
        let e = CliError::config("HTTP 400: bad tok-123\nsecond line").with_hint("do this");
        let line = e.masked("tok-123").render();
        assert_eq!(
            line,
            "error: HTTP 400: bad (redacted) second line (hint: do this)"
        );
    }

    /// Was: a server detail's escape sequences reached the terminal raw in the
    /// `error:` line.
    #[test]
    fn render_makes_control_characters_visible() {
        let e = CliError::config("HTTP 500: \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31mred\u{7f}");
        assert_eq!(
            e.render(),
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
        let c = CliError::from_client(&e, &settings());
        assert_eq!(c.exit, Exit::Config);
        assert!(c.render().contains("AWS_ILM_TOKEN"));
        assert!(c.render().contains("expired"), "{}", c.render());
        let mut s = settings();
        s.token_issued = Some(crate::expiry::Day(time::macros::date!(2020 - 01 - 01)));
        let line = CliError::from_client(&e, &s).render();
        assert!(
            line.contains("token_issued 2020-01-01: the token expired on 2020-12-31"),
            "{line}"
        );
    }

    fn settings() -> Settings {
        let env = |k: &str| match k {
            "AWS_ILM_BASE_URL" => Some("http://x".to_owned()),
            "AWS_ILM_TENANT_ID" => Some("t".to_owned()),
            "AWS_ILM_TOKEN" => Some("tok-123".to_owned()),
            _ => None,
        };
        Settings::build(&crate::cli::GlobalArgs::default(), &env).unwrap()
    }

    /// A library error becomes a `CliError` with the configured token masked, hint included.
    #[test]
    fn client_errors_are_masked_where_they_become_cli_errors() {
        let e = ClientError::Connect("refused by tok-123".into());
        let line = CliError::from_client(&e, &settings()).render();
        assert!(
            !line.contains("tok-123") && line.contains("(redacted)"),
            "{line}"
        );
        assert!(line.contains("http://x reachable"), "{line}");
    }
}
