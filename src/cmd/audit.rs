//! `aws-ilm audit verify|head|show` (docs/audit.md): check the chain, print its head, read the
//! history. These read the log only; they need no directory settings, just where the log is
//! (FILE, else the `audit_log` setting) and `--output`: `json` prints a document (the head, or
//! the entries shown), `human` and `markdown` the same text for a person (docs/audit.md).

use std::path::PathBuf;

use aws_ilm_audit::{AuditError, Filter};
use aws_ilm_scim::text::neutralise;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::{CliError, Exit};
use crate::output;
use crate::settings;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the log's chain; name the first bad line (exit 1). With --head, also check that a
    /// head printed earlier by `audit head` is still in the chain (catches lines removed from
    /// the end and a rewritten file)
    Verify {
        /// The log [default: the audit_log setting]
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// A head recorded earlier (`aws-ilm audit head`), kept somewhere the log's writers
        /// cannot change
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
    /// Print the hash of the log's last line (after checking the chain), to keep elsewhere
    Head {
        /// The log [default: the audit_log setting]
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Print the history readably, oldest first
    Show {
        /// The log [default: the audit_log setting]
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Only writes to this user (userName or id, case-insensitive)
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Only writes to this group (displayName or id, case-insensitive)
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Only writes at or after this time: RFC 3339 (2026-03-01T09:00:00Z) or a date
        /// (2026-03-01, UTC)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
}

pub fn run(command: AuditCommand, global: &GlobalArgs) -> Result<Exit, CliError> {
    let json = settings::output_only(global, &settings::process_env) == OutputFormat::Json;
    let path = |file: Option<PathBuf>| -> Result<PathBuf, CliError> {
        if let Some(f) = file {
            return Ok(f);
        }
        settings::audit_log_only(global, &settings::process_env)
            .map_err(|e| CliError::config(e.to_string()))?
            .ok_or_else(|| {
                CliError::usage("the audit log is turned off (audit_log is empty): name a FILE")
            })
    };
    match command {
        AuditCommand::Verify { file, head } => {
            let path = path(file)?;
            match aws_ilm_audit::verify(&path, head.as_deref()) {
                Ok(h) => {
                    super::ilm::print(&if json {
                        head_document(&path, &h)
                    } else {
                        format!(
                            "{}: chain intact, {} lines, head {}\n",
                            shown(&path),
                            h.lines,
                            h.hash
                        )
                    })?;
                    Ok(Exit::Success)
                }
                Err(e @ (AuditError::BadLine { .. } | AuditError::HeadNotFound { .. })) => {
                    eprintln!("{}", neutralise(&e.to_string(), false));
                    Ok(Exit::Failed)
                }
                Err(e) => Err(CliError::config(e.to_string())),
            }
        }
        AuditCommand::Head { file } => {
            let path = path(file)?;
            match aws_ilm_audit::head(&path) {
                Ok(h) => {
                    super::ilm::print(&if json {
                        head_document(&path, &h)
                    } else {
                        format!("{}\n", h.hash)
                    })?;
                    Ok(Exit::Success)
                }
                Err(e @ AuditError::BadLine { .. }) => {
                    eprintln!("{}", neutralise(&e.to_string(), false));
                    Ok(Exit::Failed)
                }
                Err(e) => Err(CliError::config(e.to_string())),
            }
        }
        AuditCommand::Show {
            file,
            user,
            group,
            since,
        } => {
            let since = since
                .as_deref()
                .map(aws_ilm_audit::since)
                .transpose()
                .map_err(|e| CliError::usage(e.to_string()))?;
            let filter = Filter { user, group, since };
            let path = path(file)?;
            let failed = |e: AuditError| CliError::config(e.to_string());
            let out = if json {
                output::json(&aws_ilm_audit::entries(&path, &filter).map_err(failed)?, "")
            } else {
                let mut out = String::new();
                aws_ilm_audit::show(&path, &filter, &mut out).map_err(failed)?;
                out
            };
            super::ilm::print(&out)?;
            Ok(Exit::Success)
        }
    }
}

/// `verify` and `head` for a program: `{"file", "lines", "head"}`.
fn head_document(path: &std::path::Path, h: &aws_ilm_audit::Head) -> String {
    let doc = serde_json::json!({
        "file": path.display().to_string(),
        "lines": h.lines,
        "head": h.hash,
    });
    output::json(&doc, "")
}

fn shown(path: &std::path::Path) -> String {
    neutralise(&path.display().to_string(), false).into_owned()
}
