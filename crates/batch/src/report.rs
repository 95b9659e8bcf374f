//! What a batch run tells: one JSON result line per event, and the summary at the end.
//!
//! Result lines go to `--results FILE` (default stdout), in completion order, not input order:
//! each carries its `line`, so `sort`/`jq` can restore input order when wanted, while a
//! reader of a live run sees results as soon as they are durable. Every line is written only
//! after its journal record is synced (see `journal`), so a result seen is a result kept.

use std::fmt;
use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::error::BatchError;
use crate::executor::EventStatus;
use crate::journal::Journal;

/// One result line: `{"line": N, "command": "...", "status": "...", "result": {...}}`.
/// `invalid` lines carry `error` instead of `result`; events run together with others in one
/// request (membership coalescing) list all their lines in `coalesced`.
#[derive(Debug, Clone, Serialize)]
pub struct ResultLine {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coalesced: Option<Vec<u64>>,
}

/// A finished event on its way to the journal and the results.
#[derive(Debug)]
pub struct Finished {
    /// `(line, hash, status)` to journal; `None` for invalid lines.
    pub journal: Option<(u64, u64, EventStatus)>,
    pub result: ResultLine,
}

/// Totals of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Events read (blank lines are not events).
    pub events: u64,
    pub succeeded: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Malformed lines and commands that did not parse.
    pub invalid: u64,
    /// Done by a previous run according to the journal: not run, not reported.
    pub already_done: u64,
    /// Journaled as done but with other content now: run again.
    pub changed: u64,
    /// Admitted or left unread when a fatal error stopped the run.
    pub not_run: u64,
    /// Events that shared a PATCH with an earlier event of the same group.
    pub coalesced: u64,
    /// Events skipped only because an instance setting was off: counted in `skipped`,
    /// reported, not journaled (a rerun with the setting on does them).
    pub held: u64,
    /// Those settings, each once.
    pub held_by: Vec<&'static str>,
    pub requests: u64,
    pub retried: u64,
    pub throttled: u64,
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    /// Why the run stopped early, if it did.
    pub aborted: Option<String>,
    /// Stopped by a shutdown request (Ctrl-C, SIGTERM) before the end of the input.
    pub interrupted: bool,
    /// After the interruption, events were still running at the end of the grace period and
    /// were abandoned (not journaled, not reported, counted in `not_run`).
    pub grace_expired: bool,
    /// The run kept a journal (`--journal`): a rerun with it does only what is left.
    pub journaled: bool,
    /// The exit status the early stop calls for (2 unreadable input, 3 otherwise).
    #[serde(skip)]
    pub abort_code: u8,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The exit status of an interrupted run (128 + SIGINT, as a shell reports it).
pub const INTERRUPTED: u8 = 130;

impl Summary {
    /// Counts an event skipped only because `setting` is off.
    pub fn hold(&mut self, setting: &'static str) {
        self.held += 1;
        if !self.held_by.contains(&setting) {
            self.held_by.push(setting);
        }
    }

    /// Events this run finished (success, skipped, failed) per second of wall time.
    pub fn rate(&self) -> f64 {
        let n = (self.succeeded + self.skipped + self.failed) as f64;
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { n / s } else { 0.0 }
    }

    /// How the run ended. An interrupted run is not finished, whatever its events did; a fatal
    /// stop that came first is reported as that stop.
    pub fn ending(&self) -> Ending {
        if self.aborted.is_some() {
            Ending::Stopped {
                bad_input: self.abort_code <= 2,
            }
        } else if self.interrupted {
            Ending::Interrupted
        } else if self.invalid > 0 {
            Ending::SomeInvalid
        } else if self.failed > 0 {
            Ending::SomeFailed
        } else {
            Ending::AllDone
        }
    }

    /// The exit status of [`Summary::ending`] (docs/batch.md): 0 when every event succeeded or
    /// was skipped, 1 when any failed, 2 for bad input (it wins over 1: the file needs fixing),
    /// and when the run stopped early 2 for unreadable input or 3 for a connection, credential
    /// or journal failure; [`INTERRUPTED`] (130, the shell's code for a command stopped by
    /// SIGINT) for an interrupted run. The binary answers 143 instead when the stop was SIGTERM.
    pub fn exit_code(&self) -> u8 {
        match self.ending() {
            Ending::AllDone => 0,
            Ending::SomeFailed => 1,
            Ending::SomeInvalid | Ending::Stopped { bad_input: true } => 2,
            Ending::Stopped { bad_input: false } => 3,
            Ending::Interrupted => INTERRUPTED,
        }
    }
}

/// How a batch run ended, as [`Summary::ending`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every event succeeded or was skipped.
    AllDone,
    /// Some event failed.
    SomeFailed,
    /// Some input lines were invalid.
    SomeInvalid,
    /// Stopped by a shutdown request before the end of the input.
    Interrupted,
    /// Stopped early by a fatal error: unreadable input (`bad_input`), or a connection,
    /// credential or journal failure.
    Stopped { bad_input: bool },
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "batch: {} events: {} succeeded, {} skipped, {} failed, {} invalid, {} already done",
            self.events, self.succeeded, self.skipped, self.failed, self.invalid, self.already_done
        )?;
        write!(
            f,
            "batch: {} requests, {} retried, {} throttled (429), {} coalesced, {:.1} s, {:.1} events/s",
            self.requests,
            self.retried,
            self.throttled,
            self.coalesced,
            self.elapsed.as_secs_f64(),
            self.rate()
        )?;
        if self.changed > 0 {
            write!(
                f,
                "\nbatch: {} journaled lines changed since and were run again",
                self.changed
            )?;
        }
        if self.held > 0 {
            write!(
                f,
                "\nbatch: {} events were skipped because a setting was off ({}); {}",
                self.held,
                self.held_by.join(", "),
                if self.journaled {
                    "they are not journaled as done: rerun with the setting on to do them"
                } else {
                    "rerun them with the setting on"
                }
            )?;
        }
        if self.interrupted {
            write!(
                f,
                "\nbatch: interrupted: no event started after the stop, {}; {} events read were not \
                 run, nor any line after them",
                if self.grace_expired {
                    "those still in flight at the end of the grace period were abandoned"
                } else {
                    "those in flight were finished"
                },
                self.not_run
            )?;
            if self.journaled {
                write!(
                    f,
                    "; run the same command again, with the same --journal, to do the rest"
                )?;
            } else {
                write!(
                    f,
                    "; without --journal a rerun starts from the first line (safe: every \
                     command looks up before it writes)"
                )?;
            }
        }
        if let Some(why) = &self.aborted {
            write!(
                f,
                "\nbatch: stopped early ({} events not run): {why}",
                self.not_run
            )?;
        }
        Ok(())
    }
}

/// Most finished events handled per journal sync.
const GROUP: usize = 512;

/// The output thread: journals each group of finished events, syncs, then writes their result
/// lines. Returns when the channel closes, or at the first write error.
pub fn spawn_output(
    mut journal: Option<Journal>,
    results: Box<dyn Write + Send>,
    capacity: usize,
    on_group: Option<crate::event::OnGroup>,
) -> (
    mpsc::Sender<Finished>,
    std::thread::JoinHandle<Result<(), BatchError>>,
) {
    let (tx, mut rx) = mpsc::channel::<Finished>(capacity.max(1));
    let handle = std::thread::spawn(move || {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, results);
        let mut group = Vec::with_capacity(GROUP);
        while let Some(first) = rx.blocking_recv() {
            group.push(first);
            while group.len() < GROUP {
                match rx.try_recv() {
                    Ok(f) => group.push(f),
                    Err(_) => break,
                }
            }
            if let Some(j) = journal.as_mut() {
                for f in &group {
                    if let Some((line, hash, status)) = f.journal {
                        j.record(line, hash, status);
                    }
                }
                j.commit()?;
            }
            if let Some(hook) = &on_group {
                (hook.0)().map_err(BatchError::Durability)?;
            }
            for f in group.drain(..) {
                serde_json::to_writer(&mut out, &f.result)
                    .map_err(|e| BatchError::Results(e.to_string()))?;
                out.write_all(b"\n")
                    .map_err(|e| BatchError::Results(e.to_string()))?;
            }
            out.flush()
                .map_err(|e| BatchError::Results(e.to_string()))?;
        }
        Ok(())
    });
    (tx, handle)
}
