//! `aws-ilm doctor` (docs/doctor.md): checks a setup step by step and says what to fix. Each
//! check is one line, `✓` passed, `!` works but deserves attention, `✗` failed, `-` skipped
//! because a check it needs failed; `--output json` gives the same checks as a JSON array.
//! Only a `✗` makes the run fail (exit 1): a doctor that exits 3 on the very configuration
//! problem it is meant to explain would explain nothing, so unreadable settings are a failed
//! check here, not a configuration error.
//!
//! The checks: the settings and where each came from ([`setup`]), whether the audit log can be
//! written ([`audit_log`]), then the path to the server ([`net`]): DNS, TCP, TLS, one
//! authenticated request and the server's clock.

mod audit_log;
mod net;
mod setup;

use serde::Serialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::{CliError, Exit};
use crate::output;
use crate::settings::{self, Settings};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl Mark {
    /// The line's first character. The same on a terminal and in a pipe: doctor's output is
    /// read by people wherever it lands (a ticket, a chat), and every terminal and log viewer
    /// of today shows UTF-8; programs read `--output json`.
    fn symbol(self) -> &'static str {
        match self {
            Mark::Pass => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
            Mark::Skip => "-",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub check: String,
    pub status: Mark,
    pub message: String,
    /// What to do about a warning or a failure.
    pub hint: Option<String>,
}

impl Check {
    pub fn new(check: impl Into<String>, status: Mark, message: impl Into<String>) -> Check {
        Check {
            check: check.into(),
            status,
            message: message.into(),
            hint: None,
        }
    }

    pub fn pass(check: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(check, Mark::Pass, message)
    }

    pub fn warn(check: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(check, Mark::Warn, message)
    }

    pub fn fail(check: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(check, Mark::Fail, message)
    }

    /// Not run because `after` failed or does not apply.
    pub fn skip(check: impl Into<String>, why: impl Into<String>) -> Check {
        Check::new(check, Mark::Skip, format!("skipped: {}", why.into()))
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Check {
        self.hint = Some(hint.into());
        self
    }

    /// `✓ check: message (hint: ...)`, on one line, `secret` masked and controls visible.
    fn line(&self, secret: &str) -> String {
        let text = match &self.hint {
            Some(h) => format!(
                "{} {}: {} (hint: {h})",
                self.status.symbol(),
                self.check,
                self.message
            ),
            None => format!("{} {}: {}", self.status.symbol(), self.check, self.message),
        };
        output::line(&text, secret)
    }
}

/// The checks after the settings, in order: skipped all together when the settings cannot be
/// built.
const NETWORK_CHECKS: &[&str] = &["base_url", "dns", "tcp", "tls", "auth", "clock"];

/// `aws-ilm doctor`.
pub async fn run(global: &GlobalArgs) -> Result<Exit, CliError> {
    let built = Settings::build(global, &settings::process_env);
    let (checks, format, secret) = match built {
        Ok(settings) => {
            let mut checks = setup::checks(&settings, crate::expiry::today());
            checks.extend(audit_log::checks(&settings.audit_log));
            checks.extend(net::checks(&settings).await);
            (checks, settings.output, settings.token.expose().to_owned())
        }
        Err(e) => {
            let e = CliError::from(e);
            let mut failed = Check::fail("settings", e.message);
            failed.hint = e.hint.or(Some("see docs/configuration.md".into()));
            let mut checks = vec![failed];
            // The log's place needs none of what failed (audit_log alone, as `aws-ilm audit`
            // reads it), and a broken log is worth knowing about while fixing the rest.
            match settings::audit_log_only(global, &settings::process_env) {
                Ok(log) => checks.extend(audit_log::checks(&Ok(log))),
                Err(_) => checks.push(Check::skip("audit log", "the settings could not be read")),
            }
            checks.extend(
                NETWORK_CHECKS
                    .iter()
                    .map(|c| Check::skip(*c, "the settings could not be read")),
            );
            (
                checks,
                settings::output_only(global, &settings::process_env),
                String::new(),
            )
        }
    };
    crate::cmd::ilm::print(&render(format, &checks, &secret))?;
    Ok(if checks.iter().any(|c| c.status == Mark::Fail) {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// The checks as lines and a closing count, or as a JSON array.
fn render(format: OutputFormat, checks: &[Check], secret: &str) -> String {
    match format {
        OutputFormat::Json => {
            let doc = serde_json::to_value(checks).unwrap_or_default();
            output::json(&doc, secret)
        }
        OutputFormat::Human | OutputFormat::Markdown => {
            let mut out = String::new();
            for c in checks {
                out.push_str(&c.line(secret));
                out.push('\n');
            }
            let count = |m| checks.iter().filter(|c| c.status == m).count();
            out.push_str(&format!(
                "{} failed, {} to look at, {} passed, {} skipped\n",
                count(Mark::Fail),
                count(Mark::Warn),
                count(Mark::Pass),
                count(Mark::Skip)
            ));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_mask_the_secret_and_show_the_hint() {
        let c = Check::fail("auth", "HTTP 401: bad token tok-1\n").hint("rotate it");
        assert_eq!(
            c.line("tok-1"),
            "✗ auth: HTTP 401: bad token (redacted)  (hint: rotate it)"
        );
        let text = render(
            OutputFormat::Human,
            &[Check::pass("dns", "ok"), Check::skip("tcp", "no dns")],
            "",
        );
        assert_eq!(
            text,
            "✓ dns: ok\n- tcp: skipped: no dns\n0 failed, 0 to look at, 1 passed, 1 skipped\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(OutputFormat::Json, &[c], "tok-1")).unwrap();
        assert_eq!(json[0]["status"], "fail");
        assert_eq!(json[0]["check"], "auth");
        assert_eq!(json[0]["hint"], "rotate it");
        assert!(!json.to_string().contains("tok-1"));
    }
}
