//! A graceful stop part-way through a run against the real emulator: no event starts after
//! it, the events in flight finish and are journaled and reported, the summary says the run
//! was interrupted, and a rerun with the journal does exactly the rest, each event once.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_ilm_batch::{
    ExecOutcome, ExecStats, Executor, Format, INTERRUPTED, IlmExecutor, Io, Journal, Options,
    RateLimiter, Summary,
};
use aws_ilm_client::ScimClient;
use aws_ilm_emulator::{Config, Running};
use aws_ilm_lifecycle::{Ilm, IlmSettings};
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::common::*;

/// The production executor, counting the events it starts; when `stop_at` is given, the
/// event that is the `stop_at`-th to start requests the shutdown (and then runs: it is in
/// flight). Records any event that starts after the shutdown was requested.
struct Tripwire {
    inner: IlmExecutor,
    started: AtomicU64,
    started_after_stop: AtomicU64,
    stop_at: u64,
    stop: Option<watch::Sender<bool>>,
}

impl Executor for Tripwire {
    type Command = <IlmExecutor as Executor>::Command;

    fn parse(&self, name: &str, args: &Map<String, Value>) -> Result<Self::Command, String> {
        self.inner.parse(name, args)
    }
    fn keys(&self, cmd: &Self::Command) -> Vec<String> {
        self.inner.keys(cmd)
    }
    fn cost(&self, cmd: &Self::Command) -> aws_ilm_batch::Cost {
        self.inner.cost(cmd)
    }
    fn stats(&self) -> ExecStats {
        self.inner.stats()
    }
    async fn execute(&self, cmd: &Self::Command) -> ExecOutcome {
        if let Some(stop) = &self.stop {
            if *stop.borrow() {
                self.started_after_stop.fetch_add(1, Ordering::SeqCst);
            }
            if self.started.fetch_add(1, Ordering::SeqCst) + 1 == self.stop_at {
                stop.send(true).unwrap();
            }
        } else {
            self.started.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.execute(cmd).await
    }
}

/// Runs `creates(n)` with a journal at `journal`, 8 at a time, unpaced; a shutdown when the
/// `stop_at`-th event starts (0: none).
async fn run(
    emu: &Running,
    n: usize,
    journal: &std::path::Path,
    stop_at: u64,
) -> (Arc<Tripwire>, Summary, Vec<Value>) {
    let limiter = Arc::new(RateLimiter::new(0.0));
    let ilm = Ilm::new(
        ScimClient::new(client_config(emu)).unwrap(),
        IlmSettings::default(),
    );
    let (tx, rx) = watch::channel(false);
    let exec = Arc::new(Tripwire {
        inner: IlmExecutor::new(ilm),
        started: AtomicU64::new(0),
        started_after_stop: AtomicU64::new(0),
        stop_at,
        stop: (stop_at > 0).then_some(tx),
    });
    let buf = Buf::default();
    let io = Io {
        input: aws_ilm_batch::spawn_reader(
            std::io::Cursor::new(creates(n)),
            Format::JsonLines,
            256,
            aws_ilm_batch::DEFAULT_MAX_RECORD_BYTES,
        ),
        journal: Some(Journal::open(journal, &target(emu)).unwrap()),
        results: Box::new(buf.clone()),
    };
    let mut options = Options::new(8);
    options.shutdown = Some(rx);
    let summary = aws_ilm_batch::run(Arc::clone(&exec), limiter, io, options)
        .await
        .unwrap();
    (exec, summary, buf.lines())
}

// The engine runs on a current-thread runtime in the binary; so here, which also makes "no
// event starts after the stop" exact: the stop is sent from inside a running event.
#[tokio::test]
async fn a_stopped_run_finishes_its_events_in_flight_and_a_rerun_does_the_rest() {
    const N: usize = 400;
    let emu = emulator(Config::ephemeral()).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");

    let (exec, s, results) = run(&emu, N, &journal, 100).await;
    let started = exec.started.load(Ordering::SeqCst);
    assert_eq!(exec.started_after_stop.load(Ordering::SeqCst), 0, "{s}");
    assert!((100..N as u64).contains(&started), "{started} started");
    // Every event that started finished, succeeded, and was journaled and reported.
    assert!(s.interrupted, "{s}");
    assert_eq!(s.aborted, None);
    assert_eq!((s.succeeded, s.failed), (started, 0), "{s}");
    assert_eq!(s.not_run, s.events - started, "{s}");
    assert_eq!(s.exit_code(), INTERRUPTED);
    let text = s.to_string();
    assert!(
        text.contains("interrupted") && text.contains("same --journal"),
        "{text}"
    );
    let first: HashSet<u64> = journal_lines(&journal).into_iter().collect();
    assert_eq!(first.len() as u64, started);
    let reported: HashSet<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(reported, first, "reported = journaled");
    assert_eq!(users(&emu).await.len() as u64, started);

    // The rerun runs exactly the others, once each.
    let (exec, s, results) = run(&emu, N, &journal, 0).await;
    assert!(!s.interrupted);
    assert_eq!(s.exit_code(), 0, "{s}");
    assert_eq!(s.already_done, started, "{s}");
    assert_eq!(exec.started.load(Ordering::SeqCst), N as u64 - started);
    assert_eq!(s.succeeded, N as u64 - started);
    let second: HashSet<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(second.len(), results.len(), "each reported once");
    assert!(second.is_disjoint(&first));
    assert_eq!(first.len() + second.len(), N);
    let mut all = journal_lines(&journal);
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=N as u64).collect::<Vec<_>>(),
        "each journaled once"
    );
    assert_eq!(users(&emu).await.len(), N);
}
