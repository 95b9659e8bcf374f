//! Errors that stop a batch run as a whole. Per-event failures are results, not errors.

/// Why a batch could not run (or could not go on).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input as a whole is unusable (e.g. a CSV header without field names): exit 2.
    #[error("bad input: {0}")]
    Input(String),
    /// The input could not be read: exit 2.
    #[error("cannot read the input: {0}")]
    Read(String),
    /// The journal could not be opened, read or written: exit 3. A journal that cannot be
    /// made durable must stop the run, or a rerun could repeat or lose events.
    #[error("journal {path}: {detail}")]
    Journal { path: String, detail: String },
    /// The journal belongs to another directory (endpoint or tenant), or was written by an
    /// aws-ilm that did not record one: exit 2, the user must choose.
    #[error("journal {path}: {detail}")]
    JournalMismatch { path: String, detail: String },
    /// Another run holds the journal's lock: exit 3 at once, rather than run every event twice.
    #[error(
        "journal {path} is in use by another aws-ilm batch run (it holds the file's lock); \
         wait for that run to end, or give this one another --journal"
    )]
    JournalBusy { path: String },
    /// What must be durable before a result is reported (the audit log) could not be made so:
    /// exit 3.
    #[error("{0}")]
    Durability(String),
    /// The results could not be written: exit 3.
    #[error("cannot write results: {0}")]
    Results(String),
}
