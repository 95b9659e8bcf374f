//! The batch run: admits events from the input stream into a bounded window, starts ready ones
//! up to `--concurrency` behind the rate limiter, and hands every finished event to the output
//! thread (journal, then results).
//!
//! One task (this loop) owns all scheduling state, so there are no locks on the hot path; each
//! running job is a tokio task in a `JoinSet`. Memory is bounded by the window (admitted,
//! unfinished events), the input channel and the output channel, whatever the input's length.
//!
//! A fatal outcome (directory unreachable, credentials refused) or an unreadable input stops
//! admission; running jobs finish and are reported; what was never run is simply not
//! journaled, so a rerun with the journal picks it up.
//!
//! When the directory stops answering, the circuit breaker ([`Options::breaker`]) stops the run
//! the same way, with exit 3: nothing starts after it trips, and the events in flight get the
//! request timeout to be answered before they are abandoned.
//!
//! A graceful stop ([`Options::shutdown`], Ctrl-C or SIGTERM in the binary) does the same
//! without an error: no event is admitted or started after it (a job still waiting for the
//! rate limiter gives its events back unrun), the jobs already sending requests get
//! [`Options::grace`] to finish and be journaled, and what is left is aborted — safe to redo,
//! because every command looks up before it writes. The summary says the run was interrupted.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::breaker::Breaker;
use crate::error::BatchError;
use crate::executor::{EventStatus, ExecOutcome, Executor};
use crate::input::{Body, RawEvent};
use crate::journal::{Done, Journal, Previous};
use crate::progress::Progress;
use crate::rate::RateLimiter;
use crate::report::{Finished, ResultLine, Summary, spawn_output};
use crate::schedule::{Job, Scheduler};

/// Knobs of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Jobs running at once (`--concurrency`, default 8).
    pub concurrency: usize,
    /// Events admitted but unfinished at most; bounds memory and the reach of coalescing.
    pub window: usize,
    pub progress: Progress,
    /// Stops the run gracefully once it holds `true` (see the module doc). `None`: the run
    /// only stops at the end of its input or on a fatal error.
    pub shutdown: Option<watch::Receiver<bool>>,
    /// After a shutdown, how long the jobs in flight may take before they are aborted
    /// (default 30 s: long enough for a request and its retries to end on a healthy
    /// directory, short enough for someone waiting at a terminal; an aborted event is not
    /// journaled and simply runs again).
    pub grace: Duration,
    /// Stops the run (exit 3) when the directory stops answering (see [`crate::breaker`]);
    /// it must be the breaker the executor's client reports its attempts to. `None`: a dead
    /// directory ends the run only through the client's retry budget.
    pub breaker: Option<Arc<Breaker>>,
    /// Synced with the journal once per group of finished events (see [`crate::event::OnGroup`]).
    pub on_group: Option<crate::event::OnGroup>,
}

/// The default [`Options::grace`].
pub const DEFAULT_GRACE: Duration = Duration::from_secs(30);

impl Options {
    pub fn new(concurrency: usize) -> Options {
        let concurrency = concurrency.max(1);
        Options {
            concurrency,
            window: (concurrency * 16).max(1024),
            progress: Progress::hidden(),
            shutdown: None,
            grace: DEFAULT_GRACE,
            breaker: None,
            on_group: None,
        }
    }
}

/// Everything a run reads and writes.
pub struct Io {
    pub input: mpsc::Receiver<Result<RawEvent, BatchError>>,
    pub journal: Option<(Journal, Done)>,
    pub results: Box<dyn Write + Send>,
}

/// Runs the batch to its end (or to a fatal stop) and returns the totals.
/// `Err` only when the journal or the results could not be written.
pub async fn run<E: Executor>(
    exec: Arc<E>,
    limiter: Arc<RateLimiter>,
    io: Io,
    options: Options,
) -> Result<Summary, BatchError> {
    let start = Instant::now();
    let stats0 = exec.stats();
    let throttles0 = limiter.throttles();
    let Io {
        mut input,
        journal,
        results,
    } = io;
    let (journal, done) = match journal {
        Some((j, d)) => (Some(j), d),
        None => (None, Done::default()),
    };
    if done.unreadable > 0 {
        tracing::warn!(
            records = done.unreadable,
            "journal has unreadable records (a torn write at a kill?); their events run again"
        );
    }
    let journal_on = journal.is_some();
    let (out, out_thread) =
        spawn_output(journal, results, options.window, options.on_group.clone());
    let progress = options.progress.clone();

    let mut sched: Scheduler<E::Command> = Scheduler::default();
    let mut tasks: JoinSet<Vec<Ran>> = JoinSet::new();
    let mut summary = Summary::default();
    let mut input_open = true;
    let mut abort_code = 0u8;
    let mut output_failed = false;
    summary.journaled = journal_on;
    let mut shutdown = options.shutdown.clone();
    // Set once the shutdown is seen: the moment the jobs in flight must be done by.
    let mut deadline: Option<Instant> = None;
    let mut grace_over = false;
    let mut breaker_seen = options.breaker.is_none();

    loop {
        if summary.aborted.is_none() && deadline.is_none() {
            while tasks.len() < options.concurrency {
                let Some(job) = sched.next_job(&*exec) else {
                    break;
                };
                tasks.spawn(run_job(
                    Arc::clone(&exec),
                    Arc::clone(&limiter),
                    job,
                    shutdown.clone(),
                ));
            }
        }
        let can_read = input_open
            && summary.aborted.is_none()
            && deadline.is_none()
            && sched.len() < options.window;
        if tasks.is_empty() && !can_read {
            break;
        }
        tokio::select! {
            biased;
            why = tripped(options.breaker.as_deref()), if !breaker_seen => {
                // Like a graceful stop, with the breaker's grace and exit 3: nothing starts
                // after this, the events in flight may still be answered, the rest are
                // abandoned (not journaled: a rerun does them).
                breaker_seen = true;
                stop(&mut summary, &mut abort_code, 3, why);
                let grace = options.breaker.as_ref().map_or(Duration::ZERO, |b| b.grace());
                let end = Instant::now() + grace;
                deadline = Some(deadline.map_or(end, |d| d.min(end)));
            }
            () = stop_requested(&mut shutdown), if deadline.is_none() && shutdown.is_some() => {
                deadline = Some(Instant::now() + options.grace);
                summary.interrupted = true;
                tracing::info!(
                    in_flight = tasks.len(),
                    "batch interrupted: finishing the events in flight"
                );
            }
            () = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)),
                if deadline.is_some() && !grace_over && !tasks.is_empty() => {
                // Their events stay unfinished in the scheduler: counted as not run, not
                // journaled, run again by a rerun.
                grace_over = true;
                summary.grace_expired = true;
                tracing::warn!(
                    jobs = tasks.len(),
                    "grace period over: aborting the events still in flight"
                );
                tasks.abort_all();
            }
            joined = tasks.join_next(), if !tasks.is_empty() => {
                let Some(joined) = joined else { continue };
                let ran = match joined {
                    Ok(v) => v,
                    Err(e) if grace_over && e.is_cancelled() => continue,
                    Err(e) => {
                        // A job that panicked or was cancelled: its events are lost to this
                        // run but not journaled, so a rerun does them.
                        stop(&mut summary, &mut abort_code, 3, format!("internal error: {e}"));
                        continue;
                    }
                };
                let lines: Vec<u64> = ran.iter().map(|r| r.line).collect();
                let mut finished = sched.finish(&lines).into_iter();
                if let Some(c) = ran.first().and_then(|r| r.coalesced.as_ref()) {
                    summary.coalesced += c.len() as u64 - 1;
                }
                for r in ran {
                    let Some((_, p)) = finished.next() else { break };
                    match r.outcome {
                        Some(ExecOutcome::Done { status, context, held_by }) => {
                            match status {
                                EventStatus::Success => summary.succeeded += 1,
                                EventStatus::Skipped => summary.skipped += 1,
                                EventStatus::Failed => summary.failed += 1,
                            }
                            if let Some(setting) = held_by {
                                summary.hold(setting);
                            }
                            progress.inc(1);
                            let f = Finished {
                                // A skip held by a setting is not done: not journaled.
                                journal: held_by
                                    .is_none()
                                    .then_some((r.line, p.hash, status)),
                                result: ResultLine {
                                    line: r.line,
                                    command: Some(p.name),
                                    status: status.as_str(),
                                    result: Some(context),
                                    error: None,
                                    coalesced: r.coalesced,
                                },
                            };
                            if out.send(f).await.is_err() {
                                output_failed = true;
                            }
                        }
                        Some(ExecOutcome::Fatal(msg)) => {
                            summary.not_run += 1;
                            stop(&mut summary, &mut abort_code, 3, msg);
                        }
                        None => summary.not_run += 1,
                    }
                }
                if output_failed {
                    stop(&mut summary, &mut abort_code, 3, "the output thread stopped".into());
                }
            }
            item = input.recv(), if can_read => {
                match item {
                    None => input_open = false,
                    Some(Err(e)) => {
                        input_open = false;
                        stop(&mut summary, &mut abort_code, 2, e.to_string());
                    }
                    Some(Ok(ev)) => {
                        if let Some(f) = admit(&*exec, &mut sched, &done, &mut summary, ev) {
                            progress.inc(1);
                            if out.send(f).await.is_err() {
                                output_failed = true;
                                stop(&mut summary, &mut abort_code, 3,
                                     "the output thread stopped".into());
                            }
                        }
                    }
                }
            }
        }
        // Only for a visible bar: the limiter's lock and a string per loop turn otherwise.
        if progress.is_visible()
            && let Some(r) = limiter.rate()
        {
            progress.message(format!("≤ {r:.0} writes/s"));
        }
    }
    summary.not_run += sched.len() as u64;
    drop(out);
    drop(input);
    progress.finish();
    let written = out_thread
        .join()
        .unwrap_or_else(|_| Err(BatchError::Results("the output thread panicked".into())));
    let stats = exec.stats();
    summary.requests = stats.requests.saturating_sub(stats0.requests);
    summary.retried = stats.retries.saturating_sub(stats0.retries);
    summary.throttled = stats
        .throttled
        .saturating_sub(stats0.throttled)
        .max(limiter.throttles().saturating_sub(throttles0));
    summary.elapsed = start.elapsed();
    summary.abort_code = abort_code;
    written?;
    Ok(summary)
}

/// How one event of a job ended; `outcome` is `None` when a fatal error stopped its job first.
struct Ran {
    line: u64,
    outcome: Option<ExecOutcome>,
    coalesced: Option<Vec<u64>>,
}

/// Runs one job behind the rate limiter. A merged job whose request failed is run again event
/// by event, in order, so one bad change cannot fail the others it was merged with (membership
/// changes are idempotent: adding a member twice or removing a non-member leaves the same
/// group).
async fn run_job<E: Executor>(
    exec: Arc<E>,
    limiter: Arc<RateLimiter>,
    job: Job<E::Command>,
    mut shutdown: Option<watch::Receiver<bool>>,
) -> Vec<Ran> {
    if !admitted_by(&limiter, exec.cost(&job.cmd), &mut shutdown).await {
        return job
            .lines
            .iter()
            .map(|&line| Ran {
                line,
                outcome: None,
                coalesced: None,
            })
            .collect();
    }
    let outcome = crate::event::within(&job.lines, exec.execute(&job.cmd)).await;
    let merged_failed = !job.parts.is_empty()
        && matches!(
            outcome,
            ExecOutcome::Done {
                status: EventStatus::Failed,
                ..
            }
        );
    if !merged_failed {
        let coalesced = (job.lines.len() > 1).then(|| job.lines.clone());
        // Each coalesced event carries the shared document; the last one (for a lone event,
        // the only one) takes it without a copy.
        let mut out = Vec::with_capacity(job.lines.len());
        let mut outcome = Some(outcome);
        for (i, &line) in job.lines.iter().enumerate() {
            let mine = if i + 1 == job.lines.len() {
                outcome.take()
            } else {
                outcome.clone()
            };
            out.push(Ran {
                line,
                outcome: mine,
                coalesced: coalesced.clone(),
            });
        }
        return out;
    }
    tracing::debug!(
        events = job.lines.len(),
        "merged membership change failed; one by one"
    );
    let mut out = Vec::with_capacity(job.lines.len());
    let mut stopped = false;
    for (&line, part) in job.lines.iter().zip(&job.parts) {
        if !stopped {
            stopped = !admitted_by(&limiter, exec.cost(part), &mut shutdown).await;
        }
        if stopped {
            out.push(Ran {
                line,
                outcome: None,
                coalesced: None,
            });
            continue;
        }
        let o = crate::event::within(&[line], exec.execute(part)).await;
        stopped = matches!(o, ExecOutcome::Fatal(_));
        out.push(Ran {
            line,
            outcome: Some(o),
            coalesced: None,
        });
    }
    out
}

/// Waits for the rate limiter; `false` when a shutdown came first (or had come already), so
/// that no request starts after it.
async fn admitted_by(
    limiter: &RateLimiter,
    cost: crate::executor::Cost,
    shutdown: &mut Option<watch::Receiver<bool>>,
) -> bool {
    let Some(rx) = shutdown.as_mut() else {
        limiter.acquire(cost).await;
        return true;
    };
    if *rx.borrow() {
        return false;
    }
    tokio::select! {
        biased;
        () = stop_requested_on(rx) => false,
        () = limiter.acquire(cost) => !*rx.borrow(),
    }
}

/// Resolves with the reason once the breaker trips; never without one.
async fn tripped(breaker: Option<&Breaker>) -> String {
    match breaker {
        Some(b) => b.wait().await,
        None => std::future::pending().await,
    }
}

/// Resolves once a shutdown is requested; never when there is no shutdown signal, or its
/// sender went away without requesting one.
async fn stop_requested(shutdown: &mut Option<watch::Receiver<bool>>) {
    match shutdown.as_mut() {
        Some(rx) => stop_requested_on(rx).await,
        None => std::future::pending().await,
    }
}

async fn stop_requested_on(rx: &mut watch::Receiver<bool>) {
    if rx.wait_for(|&stop| stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn stop(summary: &mut Summary, code: &mut u8, c: u8, why: String) {
    if summary.aborted.is_none() {
        tracing::error!("batch stops: {why}");
        summary.aborted = Some(why);
        *code = c;
    }
}

/// Takes one event in: counts it, reports it at once when it is invalid, skips it when the
/// journal has it done, else queues it. Returns a result to report now, if any.
fn admit<E: Executor>(
    exec: &E,
    sched: &mut Scheduler<E::Command>,
    done: &Done,
    summary: &mut Summary,
    ev: RawEvent,
) -> Option<Finished> {
    summary.events += 1;
    let invalid = |summary: &mut Summary, command: Option<String>, error: String| {
        summary.invalid += 1;
        Some(Finished {
            journal: None,
            result: ResultLine {
                line: ev.line,
                command,
                status: "invalid",
                result: None,
                error: Some(error),
                coalesced: None,
            },
        })
    };
    match ev.body {
        Body::Invalid(msg) => invalid(summary, None, msg),
        Body::Command { name, args } => {
            match done.check(ev.line, ev.hash) {
                Previous::Done => {
                    summary.already_done += 1;
                    return None;
                }
                Previous::Changed => summary.changed += 1,
                Previous::NotDone => {}
            }
            match exec.parse(&name, &args) {
                Err(msg) => invalid(summary, Some(name), msg),
                Ok(cmd) => {
                    let keys = exec.keys(&cmd);
                    sched.admit(ev.line, ev.hash, name, cmd, keys);
                    None
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
