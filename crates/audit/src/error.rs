//! What can go wrong with the audit log.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The log could not be opened, locked, read, written or synced.
    #[error("audit log {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    /// The chain is broken at this line (1-based): the first line that does not follow from
    /// the ones before it.
    #[error("audit log {path}: line {line}: {why}")]
    BadLine {
        path: PathBuf,
        line: u64,
        why: String,
    },
    /// The chain is whole but does not contain the head recorded elsewhere: lines were removed
    /// from the end, or the whole file was rewritten.
    #[error(
        "audit log {path}: the recorded head {head} is not the hash of any of its {lines} lines \
         (last: {last}): lines were removed from the end, or the file was rewritten"
    )]
    HeadNotFound {
        path: PathBuf,
        head: String,
        lines: u64,
        last: String,
    },
    /// A `--since` value that is neither an RFC 3339 time nor a date.
    #[error("{0}")]
    Since(String),
}

impl AuditError {
    pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> AuditError {
        AuditError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}
