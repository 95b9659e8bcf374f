//! `aws_ilm_audit`: the audit trail (docs/audit.md). Every write aws-ilm sends becomes one JSON
//! line ([`Record`]) appended to a log whose lines are chained: each carries `prev`, the SHA-256
//! of the exact bytes of the line before it, so an edited, deleted or reordered line in the
//! middle breaks the chain where it happened ([`verify`]). What the chain cannot show alone —
//! lines removed from the end, a whole file rewritten — shows against a head recorded elsewhere
//! ([`head`], `verify(.., Some(head))`).
//!
//! The log is shared by every aws-ilm process of a user: [`AuditLog`] appends under an
//! exclusive file lock and reads the chain's last hash under that same lock, so concurrent
//! processes interleave whole lines and keep one chain.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod chain;
pub mod error;
pub mod log;
pub mod record;
pub mod show;
pub mod who;

pub use chain::{GENESIS, Head, hash_line, head, verify};
pub use error::AuditError;
pub use log::{AuditLog, Durability, Tail, tail};
pub use record::{Origin, Outcome, Record, Target};
pub use show::{Filter, entries, show, since};
