//! `aws_ilm_batch`: runs many lifecycle events at once (docs/batch.md).
//!
//! The pieces, one module each: [`input`] streams JSON lines or CSV (records from
//! [`csv_rows`]) on a reader thread;
//! [`schedule`] keeps events of one user (or one group) in input order and merges membership
//! changes of one group; [`rate`] paces requests under `--max-rps` and backs off on 429;
//! [`journal`] makes every finished event durable so a killed run can be resumed; [`report`]
//! writes result lines and the summary; [`breaker`] ends a run against a directory that does
//! not answer; [`client`] wires the SCIM client to both with the batch's retry policy;
//! [`engine`] ties them together. The engine is generic
//! over [`Executor`], implemented for the lifecycle engine in [`ilm`].
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod breaker;
pub mod client;
pub mod csv_rows;
pub mod engine;
pub mod error;
pub mod event;
pub mod executor;
pub mod ilm;
pub mod input;
pub mod journal;
pub mod progress;
pub mod rate;
pub mod report;
pub mod schedule;

pub use breaker::{Breaker, DEFAULT_MAX_NO_ANSWER};
pub use engine::{DEFAULT_GRACE, Io, Options, run};
pub use error::BatchError;
pub use event::{OnGroup, current_lines};
pub use executor::{Cost, EventStatus, ExecOutcome, ExecStats, Executor};
pub use ilm::IlmExecutor;
pub use input::{DEFAULT_MAX_RECORD_BYTES, Format, RawEvent, csv_commands, spawn_reader};
pub use journal::{Done, Journal, Target};
pub use progress::Progress;
pub use rate::RateLimiter;
pub use report::{Ending, INTERRUPTED, ResultLine, Summary};
