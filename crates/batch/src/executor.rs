//! The seam between the batch engine and whatever runs one event.
//!
//! The scheduler, rate limiter, journal and input streaming only need to know, for each event,
//! which keys order it (one user, one group), roughly how many requests it costs, whether two
//! events may share one request (group membership coalescing), and how to run it. `Ilm` is the
//! production implementation (`crate::ilm`); unit tests use small in-process executors.

use std::future::Future;

use serde_json::{Map, Value};

/// The three outcomes a lifecycle command reports (docs/commands.md: success, skipped, failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Success,
    Skipped,
    Failed,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Success => "success",
            EventStatus::Skipped => "skipped",
            EventStatus::Failed => "failed",
        }
    }
}

/// What running one (possibly merged) command produced.
#[derive(Debug, Clone)]
pub enum ExecOutcome {
    /// The command ran to an answer: its status and the context document the single command
    /// prints with `--output json`. `held_by` names the instance setting (e.g. `allow-create`)
    /// when the event was skipped only because that setting is off: it is reported but not
    /// journaled, so a rerun with the setting on does it (docs/batch.md, "Resume").
    Done {
        status: EventStatus,
        context: Value,
        held_by: Option<&'static str>,
    },
    /// The directory could not be reached or refused our credentials (transport failure after
    /// the client's retries, TLS, 401, 403). Every later event would fail the same way, so the
    /// engine stops admitting events; this one is not journaled and a rerun will do it.
    /// The message never carries the token (the client's errors are redacted).
    Fatal(String),
}

/// Estimated HTTP requests of one event, split the way AWS splits its quotas
/// (UG:limits: 25 TPS per write API, 40 TPS per read API).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cost {
    pub reads: f64,
    pub writes: f64,
}

/// Request counters of the executor's HTTP client, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExecStats {
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
}

impl ExecStats {
    /// The client's counters, with the executor's own re-runs of an event (after a 429 or 5xx
    /// that outlasted the client's retries) counted as retries.
    pub fn of(client: aws_ilm_client::ClientStats, reruns: u64) -> ExecStats {
        ExecStats {
            requests: client.requests,
            retries: client.retries + reruns,
            throttled: client.throttled,
        }
    }
}

/// Runs events. Implementations must be cheap to share (`Arc<E>` across tasks).
pub trait Executor: Send + Sync + 'static {
    /// A parsed, validated command.
    type Command: Send + Sync + 'static;

    /// Parses one event in the CLI's vocabulary (`{"command": NAME, "args": {...}}`).
    /// The error is shown to the user with the line number.
    fn parse(&self, name: &str, args: &Map<String, Value>) -> Result<Self::Command, String>;

    /// Keys that order events: two events sharing a key run in input order; events with
    /// disjoint keys may run in parallel. An event with no key orders against nothing.
    fn keys(&self, cmd: &Self::Command) -> Vec<String>;

    /// Estimated requests, charged against `--max-rps` before the event starts.
    fn cost(&self, cmd: &Self::Command) -> Cost;

    /// Merges `next` into `acc` when running both as one command gives exactly the result of
    /// running them one after the other (e.g. membership changes of one group that commute).
    /// Returns `None` when they must run separately. Default: never merge.
    fn merge(&self, _acc: &Self::Command, _next: &Self::Command) -> Option<Self::Command> {
        None
    }

    /// Whether `cmd` is a candidate for merging at all (cheap pre-check). Default: no.
    fn mergeable(&self, _cmd: &Self::Command) -> bool {
        false
    }

    /// Runs one command.
    fn execute(&self, cmd: &Self::Command) -> impl Future<Output = ExecOutcome> + Send;

    /// Request counters so far (requests, retries, 429s). Default: none known.
    fn stats(&self) -> ExecStats {
        ExecStats::default()
    }
}
