//! Engine tests with an in-process executor: ordering, reporting, resume, bad lines and
//! coalescing, without HTTP. The same properties are tested against the real emulator in
//! `tests/it`.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::*;
use crate::executor::Cost;
use crate::input::{Format, spawn_reader};

/// `{"command": "toy", "args": {"id": N, "key": K, "ms": M, "fail": bool, "merge": bool}}`
#[derive(Debug, Clone)]
struct Toy {
    ids: Vec<u64>,
    key: Option<String>,
    ms: u64,
    fail: bool,
    merge: bool,
    /// Hold this event until this many events have been parsed (admitted).
    wait_parsed: u64,
}

#[derive(Default)]
struct ToyExec {
    /// (key, id) in the order executions completed successfully.
    done: Mutex<Vec<(Option<String>, u64)>>,
    /// Executions of merged commands.
    merged_runs: AtomicU64,
    /// A fatal answer for this id (a directory that went away).
    fatal_at: Option<u64>,
    parsed: AtomicU64,
    /// Executions begun.
    started: AtomicU64,
}

impl Executor for ToyExec {
    type Command = Toy;

    fn parse(&self, name: &str, args: &Map<String, Value>) -> Result<Toy, String> {
        if name != "toy" {
            return Err(format!("unknown command '{name}'"));
        }
        self.parsed.fetch_add(1, Ordering::SeqCst);
        let id = args.get("id").and_then(Value::as_u64).ok_or("missing id")?;
        Ok(Toy {
            ids: vec![id],
            key: args.get("key").and_then(Value::as_str).map(str::to_string),
            ms: args.get("ms").and_then(Value::as_u64).unwrap_or(0),
            fail: args.get("fail").and_then(Value::as_bool).unwrap_or(false),
            merge: args.get("merge").and_then(Value::as_bool).unwrap_or(false),
            wait_parsed: args.get("wait_parsed").and_then(Value::as_u64).unwrap_or(0),
        })
    }

    fn keys(&self, c: &Toy) -> Vec<String> {
        c.key.iter().cloned().collect()
    }

    fn cost(&self, _: &Toy) -> Cost {
        Cost {
            reads: 1.0,
            writes: 1.0,
        }
    }

    fn mergeable(&self, c: &Toy) -> bool {
        c.merge
    }

    fn merge(&self, a: &Toy, b: &Toy) -> Option<Toy> {
        let mut m = a.clone();
        m.ids.extend(&b.ids);
        m.fail |= b.fail;
        m.ms = m.ms.max(b.ms);
        Some(m)
    }

    async fn execute(&self, c: &Toy) -> ExecOutcome {
        self.started.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(c.ms)).await;
        for _ in 0..30_000 {
            if self.parsed.load(Ordering::SeqCst) >= c.wait_parsed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if c.ids.len() > 1 {
            self.merged_runs.fetch_add(1, Ordering::Relaxed);
        }
        if self.fatal_at.is_some_and(|f| c.ids.contains(&f)) {
            return ExecOutcome::Fatal("connection refused".into());
        }
        if c.fail {
            return ExecOutcome::Done {
                status: EventStatus::Failed,
                context: json!({"ids": c.ids}),
                held_by: None,
            };
        }
        let mut done = self.done.lock().unwrap();
        for id in &c.ids {
            done.push((c.key.clone(), *id));
        }
        ExecOutcome::Done {
            status: EventStatus::Success,
            context: json!({"ids": c.ids}),
            held_by: None,
        }
    }
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn lines(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn toy_line(id: u64, key: Option<&str>, extra: Value) -> String {
    let mut args = json!({"id": id, "ms": (id * 7) % 5});
    if let Some(k) = key {
        args["key"] = json!(k);
    }
    if let (Value::Object(a), Value::Object(e)) = (&mut args, extra) {
        a.extend(e);
    }
    json!({"command": "toy", "args": args}).to_string()
}

fn toy_target() -> crate::journal::Target {
    crate::journal::Target::new("toy://", "toy")
}

async fn run_toy(
    exec: Arc<ToyExec>,
    input: String,
    journal: Option<&std::path::Path>,
    limiter: RateLimiter,
) -> (Summary, Vec<Value>) {
    let buf = Buf::default();
    let io = Io {
        input: spawn_reader(
            std::io::Cursor::new(input),
            Format::JsonLines,
            64,
            crate::input::DEFAULT_MAX_RECORD_BYTES,
        ),
        journal: journal.map(|p| Journal::open(p, &toy_target()).unwrap()),
        results: Box::new(buf.clone()),
    };
    let mut options = Options::new(8);
    options.window = 64;
    let summary = run(exec, Arc::new(limiter), io, options).await.unwrap();
    (summary, buf.lines())
}

#[tokio::test]
async fn events_of_one_key_run_in_input_order_and_each_is_reported_once() {
    let keys = ["a", "b", "c", "d", "e"];
    let input: String = (1..=300u64)
        .map(|i| toy_line(i, Some(keys[(i % 5) as usize]), json!({})) + "\n")
        .collect();
    let exec = Arc::new(ToyExec::default());
    let (summary, results) = run_toy(Arc::clone(&exec), input, None, RateLimiter::new(0.0)).await;
    assert_eq!(summary.succeeded, 300);
    assert_eq!(summary.exit_code(), 0);
    let lines: HashSet<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(results.len(), 300);
    let mut last: HashMap<Option<String>, u64> = HashMap::new();
    for (key, id) in exec.done.lock().unwrap().iter() {
        let prev = last.insert(key.clone(), *id).unwrap_or(0);
        assert!(*id > prev, "key {key:?}: {id} ran after {prev}");
    }
    assert_eq!(results[0]["command"], "toy");
    assert_eq!(results[0]["status"], "success");
}

#[tokio::test]
async fn bad_lines_are_reported_with_their_number_and_the_rest_run() {
    let input = format!(
        "{}\n{{not json\n{}\n{{\"command\":\"nope\",\"args\":{{}}}}\n{}\n",
        toy_line(1, Some("a"), json!({})),
        toy_line(3, Some("a"), json!({})),
        toy_line(5, None, json!({"fail": true})),
    );
    let exec = Arc::new(ToyExec::default());
    let (summary, results) = run_toy(exec, input, None, RateLimiter::new(0.0)).await;
    assert_eq!(
        (summary.succeeded, summary.failed, summary.invalid),
        (2, 1, 2)
    );
    assert_eq!(summary.exit_code(), 2, "bad input wins over a failed event");
    let by_line: HashMap<u64, &Value> = results
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r))
        .collect();
    assert_eq!(by_line[&2]["status"], "invalid");
    assert!(
        by_line[&2]["error"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(by_line[&4]["status"], "invalid");
    assert_eq!(by_line[&4]["command"], "nope");
    assert_eq!(by_line[&5]["status"], "failed");
}

#[tokio::test]
async fn a_fatal_error_stops_the_run_and_the_journal_resumes_exactly_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let input: String = (1..=200u64)
        .map(|i| toy_line(i, Some(&format!("u{}", i % 13)), json!({})) + "\n")
        .collect();

    let first = Arc::new(ToyExec {
        fatal_at: Some(120),
        ..ToyExec::default()
    });
    let (s1, r1) = run_toy(
        Arc::clone(&first),
        input.clone(),
        Some(&journal),
        RateLimiter::new(0.0),
    )
    .await;
    assert!(
        s1.aborted
            .as_deref()
            .is_some_and(|a| a.contains("connection refused"))
    );
    assert_eq!(s1.exit_code(), 3);
    assert!(s1.succeeded < 200);

    let second = Arc::new(ToyExec::default());
    let (s2, r2) = run_toy(
        Arc::clone(&second),
        input.clone(),
        Some(&journal),
        RateLimiter::new(0.0),
    )
    .await;
    assert_eq!(s2.aborted, None);
    assert_eq!(s2.already_done, s1.succeeded);
    assert_eq!(s1.succeeded + s2.succeeded, 200);

    // Every event ran and was reported exactly once across both runs.
    let mut ran: Vec<u64> = first.done.lock().unwrap().iter().map(|d| d.1).collect();
    ran.extend(second.done.lock().unwrap().iter().map(|d| d.1));
    ran.sort_unstable();
    assert_eq!(ran, (1..=200).collect::<Vec<_>>());
    let mut reported: Vec<u64> = r1
        .iter()
        .chain(&r2)
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    reported.sort_unstable();
    assert_eq!(reported, (1..=200).collect::<Vec<_>>());

    // A third run has nothing left to do.
    let third = Arc::new(ToyExec::default());
    let (s3, r3) = run_toy(
        Arc::clone(&third),
        input,
        Some(&journal),
        RateLimiter::new(0.0),
    )
    .await;
    assert_eq!((s3.already_done, s3.succeeded, r3.len()), (200, 0, 0));
}

#[tokio::test]
async fn a_changed_line_is_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let input = format!(
        "{}\n{}\n",
        toy_line(1, None, json!({})),
        toy_line(2, None, json!({}))
    );
    let (s1, _) = run_toy(
        Arc::new(ToyExec::default()),
        input,
        Some(&journal),
        RateLimiter::new(0.0),
    )
    .await;
    assert_eq!(s1.succeeded, 2);
    let changed = format!(
        "{}\n{}\n",
        toy_line(1, None, json!({})),
        toy_line(9, None, json!({}))
    );
    let exec = Arc::new(ToyExec::default());
    let (s2, _) = run_toy(
        Arc::clone(&exec),
        changed,
        Some(&journal),
        RateLimiter::new(0.0),
    )
    .await;
    assert_eq!((s2.already_done, s2.changed, s2.succeeded), (1, 1, 1));
    assert_eq!(exec.done.lock().unwrap()[0].1, 9);
}

#[tokio::test]
async fn membership_changes_of_one_group_are_merged_and_a_failed_merge_falls_back() {
    // Ten mergeable events on one group, queued behind a first event that waits for them.
    let mut input = toy_line(1, Some("g"), json!({"wait_parsed": 11})) + "\n";
    for i in 2..=11u64 {
        input += &(toy_line(i, Some("g"), json!({"merge": true, "ms": 0})) + "\n");
    }
    let exec = Arc::new(ToyExec::default());
    let (s, results) = run_toy(Arc::clone(&exec), input, None, RateLimiter::new(0.0)).await;
    assert_eq!(s.succeeded, 11);
    assert_eq!(s.coalesced, 9);
    assert_eq!(exec.merged_runs.load(Ordering::Relaxed), 1);
    let merged = results.iter().find(|r| r["line"] == 5).unwrap();
    assert_eq!(merged["coalesced"], json!([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    let order: Vec<u64> = exec.done.lock().unwrap().iter().map(|d| d.1).collect();
    assert_eq!(order, (1..=11).collect::<Vec<_>>());

    // Same, but event 6 fails on its own: only it is reported failed.
    let mut input = toy_line(1, Some("g"), json!({"wait_parsed": 11})) + "\n";
    for i in 2..=11u64 {
        input += &(toy_line(
            i,
            Some("g"),
            json!({"merge": true, "ms": 0, "fail": i == 6}),
        ) + "\n");
    }
    let exec = Arc::new(ToyExec::default());
    let (s, results) = run_toy(Arc::clone(&exec), input, None, RateLimiter::new(0.0)).await;
    assert_eq!((s.succeeded, s.failed), (10, 1));
    let failed: Vec<u64> = results
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(failed, vec![6]);
}

#[tokio::test(start_paused = true)]
async fn the_run_is_paced_by_the_limiter() {
    let input: String = (1..=60u64)
        .map(|i| toy_line(i, None, json!({"ms": 0})) + "\n")
        .collect();
    let start = tokio::time::Instant::now();
    let (s, _) = run_toy(
        Arc::new(ToyExec::default()),
        input,
        None,
        RateLimiter::new(10.0),
    )
    .await;
    assert_eq!(s.succeeded, 60);
    // 60 writes at 10/s with a burst of 2.5: at least 5.7 s of (virtual) time.
    assert!(
        start.elapsed() >= Duration::from_millis(5700),
        "{:?}",
        start.elapsed()
    );
}

/// 20 unkeyed toy events of `ms` each, 8 at a time; a shutdown once 8 have started (time is
/// paused: a clock-driven stop could come before the reader thread delivers a line), with the
/// default 30 s grace.
async fn interrupted_toy_run(ms: u64) -> (Arc<ToyExec>, Summary, Vec<Value>) {
    let input: String = (1..=20u64)
        .map(|i| toy_line(i, None, json!({"ms": ms})) + "\n")
        .collect();
    let exec = Arc::new(ToyExec::default());
    let buf = Buf::default();
    let io = Io {
        input: spawn_reader(
            std::io::Cursor::new(input),
            Format::JsonLines,
            64,
            crate::input::DEFAULT_MAX_RECORD_BYTES,
        ),
        journal: None,
        results: Box::new(buf.clone()),
    };
    let (tx, rx) = watch::channel(false);
    let mut options = Options::new(8);
    options.shutdown = Some(rx);
    let watched = Arc::clone(&exec);
    tokio::spawn(async move {
        for _ in 0..100_000 {
            if watched.started.load(Ordering::SeqCst) >= 8 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tx.send(true).unwrap();
        // Held open: a dropped sender must not count as a stop, nor end the wait early.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    let summary = run(
        Arc::clone(&exec),
        Arc::new(RateLimiter::new(0.0)),
        io,
        options,
    )
    .await
    .unwrap();
    (exec, summary, buf.lines())
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_lets_the_events_in_flight_finish_and_starts_no_other() {
    let (exec, summary, results) = interrupted_toy_run(5_000).await;
    // The first 8 had started; they finish within the grace period. Nothing else started.
    assert_eq!(exec.started.load(Ordering::SeqCst), 8);
    assert_eq!(exec.done.lock().unwrap().len(), 8);
    // `not_run` counts the events the engine had read when the stop came; the reader is a real
    // thread, so how many of the other 12 it had delivered by then is up to the OS scheduler.
    assert_eq!(summary.succeeded, 8, "{summary}");
    assert!(summary.not_run <= 12, "{summary}");
    assert_eq!(results.len(), 8);
    assert!(summary.interrupted);
    assert_eq!(summary.aborted, None);
    assert_eq!(summary.exit_code(), crate::report::INTERRUPTED);
    let text = summary.to_string();
    assert!(text.contains("interrupted"), "{text}");
    assert!(text.contains("without --journal"), "{text}");
    assert!(!summary.grace_expired);
    assert!(text.contains("those in flight were finished"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn events_still_in_flight_after_the_grace_period_are_aborted_unreported() {
    let (exec, summary, results) = interrupted_toy_run(600_000).await;
    assert_eq!(exec.started.load(Ordering::SeqCst), 8);
    assert_eq!(exec.done.lock().unwrap().len(), 0);
    // The 8 aborted ones are not run, plus however many the reader thread had delivered.
    assert_eq!(summary.succeeded, 0, "{summary}");
    assert!((8..=20).contains(&summary.not_run), "{summary}");
    assert!(results.is_empty());
    assert!(summary.interrupted);
    // Aborting them is the plan, not an internal error.
    assert_eq!(summary.aborted, None);
    assert!(summary.elapsed >= DEFAULT_GRACE, "{summary}");
    assert!(summary.grace_expired);
    assert!(summary.to_string().contains("abandoned"), "{summary}");
}
