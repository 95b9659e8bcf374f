//! `apply`: a saved plan carried out through the batch engine (docs/reconcile.md, "Apply").
//!
//! The steps: the plan must be for this directory; the journal (if any) says which changes an
//! earlier run finished; the plan is recomputed from the state just re-read and compared with
//! what is left of the saved one ([`stale`]); then the remaining changes run phase by phase,
//! each phase one run of the batch engine, so a phase ends before the next starts.
//!
//! A change that fails does not stop its phase nor the later ones: the others are independent
//! of it, and a change that depends on it fails cleanly on its own (a member add naming a user
//! whose create failed reports that user as not added, and adds the rest). Failed changes are
//! journaled as failed, so a rerun does them again. A phase that was interrupted or stopped
//! (fatal error, breaker) ends the apply: the later phases would build on unfinished work.

pub mod exec;
pub mod file;
pub mod stale;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_ilm_batch::{
    BatchError, Breaker, DEFAULT_GRACE, Io, Journal, Progress, RateLimiter, Summary, Target,
    journal::Previous,
};
use aws_ilm_client::ScimClient;
use tokio::sync::{mpsc, watch};

use crate::diff::diff;
use crate::model::{Actual, Change, Phase, Problem};
use crate::plan::{Plan, PlanFileError};
use exec::{ReconcileExecutor, event, saved_hash};
use stale::{Ids, Stale, reconcile_saved};

/// How an apply runs; the knobs of `aws-ilm batch`.
pub struct ApplyOptions {
    pub concurrency: usize,
    /// Paces requests (`--max-rps`); it must be the limiter the client reports 429s to
    /// (`aws_ilm_batch::client::configure`).
    pub limiter: Arc<RateLimiter>,
    /// One bar for the whole apply (its length: the plan's changes); finished at the end.
    pub progress: Progress,
    /// Stops the apply gracefully once it holds `true` (Ctrl-C, SIGTERM).
    pub shutdown: Option<watch::Receiver<bool>>,
    pub grace: Duration,
    /// The breaker the client reports its attempts to.
    pub breaker: Option<Arc<Breaker>>,
    /// Where result lines go.
    pub results: Box<dyn Write + Send>,
    /// The results file this run appends to, when it is a file: a change journaled done but
    /// not reported there is run and reported again, so each change is reported once across
    /// runs (`Done::keep_reported`).
    pub reported: Option<PathBuf>,
    /// Synced with the journal once per group of finished changes, before they are reported
    /// (the binary's audit log, docs/audit.md); the running change's index is
    /// `aws_ilm_batch::current_lines`.
    pub on_group: Option<aws_ilm_batch::OnGroup>,
}

impl ApplyOptions {
    pub fn new(limiter: Arc<RateLimiter>, results: Box<dyn Write + Send>) -> ApplyOptions {
        ApplyOptions {
            concurrency: 8,
            limiter,
            progress: Progress::hidden(),
            shutdown: None,
            grace: DEFAULT_GRACE,
            breaker: None,
            results,
            reported: None,
            on_group: None,
        }
    }
}

/// What an apply did.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    /// The totals over every phase run. `already_done` counts the changes the journal had done;
    /// `exit_code()` is the apply's exit status (0, 1, 3, 130).
    pub summary: Summary,
    /// Changes of the saved plan (not journaled) that the recomputation found already in
    /// effect: reported and journaled as skipped, no request sent.
    pub found_done: usize,
    /// The journal had changes of this plan done.
    pub resumed: bool,
}

/// Why an apply did not run.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Made for another directory (exit 2).
    #[error(transparent)]
    Plan(#[from] PlanFileError),
    /// The journal could not be opened or read (exit 3; busy: another apply holds it).
    #[error(transparent)]
    Journal(BatchError),
    /// AWS changed since the plan was made (exit 6); nothing was changed.
    #[error("{0}")]
    Stale(Stale),
    /// The recomputation itself found conflicts between the source and AWS (exit 6: AWS
    /// changed in a way the plan cannot follow); nothing was changed.
    #[error("the plan is stale: recomputing it finds conflicts with AWS: {}", list(.0))]
    Conflicts(Vec<Problem>),
    /// The journal or the results could not be written during the run (exit 3).
    #[error(transparent)]
    Output(BatchError),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ApplyError {
    /// The binary's exit status for this error (docs/reconcile.md, "Exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            ApplyError::Plan(_) => 2,
            ApplyError::Journal(_) | ApplyError::Output(_) => 3,
            ApplyError::Stale(_) | ApplyError::Conflicts(_) => 6,
        }
    }
}

/// Applies `plan` with `client`, `actual` being the state just re-read (with the plan's compared
/// paths and managed groups' members, as `plan` reads them). `journal`: the resume journal.
pub async fn apply(
    client: &ScimClient,
    plan: &Plan,
    actual: &Actual,
    journal: Option<&Path>,
    mut options: ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    // The bar comes down however the apply ends.
    let _bar = Finish(options.progress.clone());
    let target = Target::of(client.endpoint());
    plan.check_target(&target)?;

    let mut done_lines = HashSet::new();
    // Held (and locked) for the whole apply; each phase's run writes through a clone.
    let mut held = None;
    if let Some(path) = journal {
        let (j, mut done) = Journal::open(path, &target).map_err(ApplyError::Journal)?;
        if let Some(results) = &options.reported {
            done.keep_reported(results).map_err(ApplyError::Journal)?;
        }
        held = Some(j);
        for (i, c) in plan.changes.iter().enumerate() {
            let line = i as u64 + 1;
            if done.check(line, saved_hash(c)) == Previous::Done {
                done_lines.insert(line);
            }
        }
    }

    let recomputed = diff(&plan.desired, actual, &plan.options).map_err(ApplyError::Conflicts)?;
    let ids = Ids::of(actual);
    let todo = reconcile_saved(&plan.changes, &done_lines, &recomputed.changes, &ids)
        .map_err(ApplyError::Stale)?;
    let found_done = plan.changes.len() - done_lines.len() - todo.len();
    // Every saved change not journaled runs: for real, or as "already in effect".
    let mut run: Vec<(u64, &Change, bool)> = Vec::with_capacity(plan.changes.len());
    let mut next = todo.iter().peekable();
    for (i, saved) in plan.changes.iter().enumerate() {
        let line = i as u64 + 1;
        if done_lines.contains(&line) {
            continue;
        }
        match next.peek() {
            Some((l, c)) if *l == line => {
                run.push((line, c, false));
                next.next();
            }
            _ => run.push((line, saved, true)),
        }
    }

    let exec = Arc::new(ReconcileExecutor::new(client.clone(), ids));
    let results = Arc::new(Mutex::new(std::mem::replace(
        &mut options.results,
        Box::new(std::io::sink()),
    )));
    let mut total = Summary {
        already_done: done_lines.len() as u64,
        journaled: journal.is_some(),
        ..Summary::default()
    };
    for phase in Phase::ALL {
        let events: Vec<_> = run
            .iter()
            .filter(|(_, c, _)| c.phase() == phase)
            .filter_map(|&(line, c, in_effect)| {
                let saved = plan.changes.get(line as usize - 1)?;
                Some(event(line, saved, c, in_effect))
            })
            .collect();
        if events.is_empty() {
            continue;
        }
        // The done lines are left out above, so the run needs no `Done` of its own.
        let journal = match &held {
            Some(j) => Some((
                j.try_clone().map_err(ApplyError::Journal)?,
                aws_ilm_batch::Done::default(),
            )),
            None => None,
        };
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            for ev in events {
                if tx.send(Ok(ev)).await.is_err() {
                    break;
                }
            }
        });
        let io = Io {
            input: rx,
            journal,
            results: Box::new(Shared(Arc::clone(&results))),
        };
        let mut o = aws_ilm_batch::Options::new(options.concurrency);
        o.progress = options.progress.unfinished();
        o.shutdown = options.shutdown.clone();
        o.grace = options.grace;
        o.breaker = options.breaker.clone();
        o.on_group = options.on_group.clone();
        let s = aws_ilm_batch::run(Arc::clone(&exec), Arc::clone(&options.limiter), io, o)
            .await
            .map_err(ApplyError::Output)?;
        add(&mut total, &s);
        if s.aborted.is_some() || s.interrupted {
            // The later phases are not run: counted as such, not journaled.
            total.not_run += run.iter().filter(|(_, c, _)| c.phase() > phase).count() as u64;
            break;
        }
    }
    Ok(ApplyReport {
        summary: total,
        found_done,
        resumed: !done_lines.is_empty(),
    })
}

/// Adds one phase's totals to the apply's.
fn add(t: &mut Summary, s: &Summary) {
    t.events += s.events;
    t.succeeded += s.succeeded;
    t.skipped += s.skipped;
    t.failed += s.failed;
    t.invalid += s.invalid;
    t.already_done += s.already_done;
    t.changed += s.changed;
    t.not_run += s.not_run;
    t.coalesced += s.coalesced;
    t.held += s.held;
    t.requests += s.requests;
    t.retried += s.retried;
    t.throttled += s.throttled;
    t.elapsed += s.elapsed;
    if t.aborted.is_none() && s.aborted.is_some() {
        t.aborted = s.aborted.clone();
        t.abort_code = s.abort_code;
    }
    t.interrupted |= s.interrupted;
    t.grace_expired |= s.grace_expired;
}

struct Finish(Progress);

impl Drop for Finish {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// The one results writer, handed to each phase's run in turn.
struct Shared(Arc<Mutex<Box<dyn Write + Send>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("results writer poisoned"))?
            .write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("results writer poisoned"))?
            .flush()
    }
}
