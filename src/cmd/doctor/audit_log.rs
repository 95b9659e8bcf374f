//! The audit log check (docs/doctor.md): can the next write be recorded? A run that cannot open
//! its log stops before it sends anything (docs/audit.md), so doctor finds that first.
//!
//! The log is opened exactly as a run opens it (`AuditLog::open`: the folder created 0700 and
//! the file 0600 when missing), rather than guessed at from permission bits: only the real open
//! answers for ACLs, read-only mounts, a directory at the path or a root-owned file. A log that
//! did not exist is therefore created, empty, as the first write would create it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use aws_ilm_audit::{AuditError, AuditLog, Durability, Tail};

use super::Check;

const NAME: &str = "audit log";

/// What to do when the log cannot be opened.
const FIX: &str = "set audit_log to a file in a folder you can write (--audit-log, \
                   AWS_ILM_AUDIT_LOG, or the config file); an empty value turns the audit log off";

/// The checks of the `audit_log` setting: one line for whether it can be appended to, then one
/// warning each for a file others can read and a last line that is not whole.
pub fn checks(setting: &Result<Option<PathBuf>, String>) -> Vec<Check> {
    let path = match setting {
        Ok(Some(path)) => path,
        Ok(None) => {
            return vec![Check::pass(
                NAME,
                "audit log off (audit_log is empty): writes are not recorded",
            )];
        }
        Err(why) => return vec![Check::fail(NAME, why.clone()).hint(FIX)],
    };
    let shown = path.display();
    if path.is_dir() {
        return vec![Check::fail(NAME, format!("{shown} is a directory")).hint(FIX)];
    }
    let existed = path.exists();
    if let Err(e) = AuditLog::open(path, Durability::OnSync) {
        let why = match e {
            AuditError::Io { reason, .. } => reason,
            other => other.to_string(),
        };
        let message = format!("{shown} cannot be opened for appending: {why}");
        return vec![Check::fail(NAME, message).hint(FIX)];
    }
    if !existed {
        return vec![Check::pass(
            NAME,
            format!("{shown}: created (empty, mode 0600), as the first write would"),
        )];
    }
    let mut out = vec![Check::pass(NAME, format!("{shown} can be appended to"))];
    out.extend(mode(path));
    out.extend(tail(path));
    out
}

/// A log group or others can read or write: it holds user data, and others could rewrite it.
fn mode(path: &Path) -> Option<Check> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        Check::warn(
            NAME,
            format!(
                "{} has mode {mode:04o}: group or others on this machine can open it, and it \
                 holds user data",
                path.display()
            ),
        )
        .hint(format!("chmod 600 {}", path.display()))
    })
}

/// The last line, read cheaply (the whole chain is `aws-ilm audit verify`'s).
fn tail(path: &Path) -> Option<Check> {
    let verify = format!("run `aws-ilm audit verify {}`", path.display());
    let warn = |what: String| Some(Check::warn(NAME, what).hint(verify.clone()));
    match aws_ilm_audit::tail(path) {
        Ok(Tail::Empty | Tail::Whole) => None,
        Ok(Tail::Torn) => warn(
            "its last line has no newline: a write was cut short (crash or full disk); the \
             next write starts a new line after it"
                .into(),
        ),
        Ok(Tail::NotARecord) => {
            warn("its last line is not an audit record: edited, or not an audit log".into())
        }
        Err(e) => warn(format!("its last line cannot be read: {e}")),
    }
}
