//! Ctrl-C (SIGINT) or SIGTERM part-way through `aws-ilm batch`: the run stops admitting
//! events, finishes those in flight, journals and reports them, prints the summary with the
//! "interrupted" line and exits 130 (143 for SIGTERM); a rerun with the same journal does
//! exactly the rest. Signals are sent with the system's `kill`, as a user or a supervisor
//! would.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::batch_support::creates;
use crate::harness::{Cmd, Env};

fn batch(env: &Env, dir: &Path, max_rps: &str) -> Cmd {
    env.cmd()
        .arg1("batch")
        .arg1(&dir.join("input.jsonl").display().to_string())
        .args(["--journal", &dir.join("journal").display().to_string()])
        .args(["--results", &dir.join("results").display().to_string()])
        .args(["--max-rps", max_rps, "--concurrency", "8", "--no-progress"])
}

/// The journal's record lines (header skipped), each parsed: a torn line fails the test.
fn journal_lines(dir: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join("journal")).unwrap_or_default();
    text.lines()
        .skip(1)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            v["line"].as_u64().unwrap()
        })
        .collect()
}

/// Lines that parse, of a journal still being written (its last line may be half there).
fn journaled_so_far(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("journal")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter(|l| serde_json::from_str::<Value>(l).is_ok())
        .count()
}

fn result_lines(dir: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join("results")).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "no torn result line"
    );
    text.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

fn kill(signal: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {signal} {pid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_gracefully_exits_130_and_a_rerun_does_the_rest() {
    interrupted_and_resumed("-INT", 130).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_gracefully_and_exits_143() {
    interrupted_and_resumed("-TERM", 143).await;
}

async fn interrupted_and_resumed(signal: &str, code: i32) {
    const N: usize = 1200;
    let env = Env::start().await;
    let dir = env.home.path();
    std::fs::write(dir.join("input.jsonl"), creates(N)).unwrap();

    // Paced so the run is still going when the signal comes.
    let mut child = batch(&env, dir, "100").spawn();
    let pid = child.id().unwrap();
    let mut sent = false;
    for _ in 0..1200 {
        // Journal records mean the engine runs: the handlers are installed before it starts.
        if journaled_so_far(dir) >= 100 {
            kill(signal, pid);
            sent = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Bounded: the grace period is 30 s, and the events in flight take milliseconds here.
    let first = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the interrupted run ends")
        .unwrap();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(sent, "the run ended before the signal: {stderr}");
    assert_eq!(first.status.code(), Some(code), "{stderr}");
    assert!(
        stderr.contains("no new events; finishing those in flight"),
        "{stderr}"
    );
    assert!(
        stderr.contains("batch: interrupted:") && stderr.contains("with the same --journal"),
        "{stderr}"
    );

    // Graceful: the journal has no torn record, and every journaled event was reported.
    let journal = std::fs::read_to_string(dir.join("journal")).unwrap();
    assert!(journal.ends_with('\n'), "no torn journal record");
    let journaled: HashSet<u64> = journal_lines(dir).into_iter().collect();
    let done_first = journaled.len();
    assert!(
        (100..N).contains(&done_first),
        "{done_first} done: {stderr}"
    );
    let reported: HashSet<u64> = result_lines(dir).into_iter().collect();
    assert_eq!(reported, journaled, "reported = journaled");
    assert!(
        stderr.contains(&format!("{done_first} succeeded")),
        "every journaled event counted as succeeded: {stderr}"
    );
    // The audit log (on by default, in HOME's state folder) has every write done, whole and
    // chained: its writer thread flushed them before the process ended (docs/audit.md).
    let log = dir.join(".local/state/aws-ilm/audit.jsonl");
    let audited = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        audited.lines().count(),
        done_first,
        "one audit line a write"
    );
    env.bare()
        .args(["audit", "verify", &log.display().to_string()])
        .run()
        .await
        .code(0);

    let second = batch(&env, dir, "0").run().await;
    second.code(0);
    second.stderr_has(&format!("{done_first} already done"));
    assert!(
        !second.stderr.contains("no result line"),
        "{}",
        second.stderr
    );
    let mut all = journal_lines(dir);
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=N as u64).collect::<Vec<_>>(),
        "each journaled once"
    );
    let mut lines = result_lines(dir);
    lines.sort_unstable();
    assert_eq!(
        lines,
        (1..=N as u64).collect::<Vec<_>>(),
        "each reported once"
    );
    let users = env.client().list_users(None).await.unwrap();
    assert_eq!(users.len(), N, "exactly the expected users");
}

/// A second Ctrl-C does not wait for the events in flight: against a directory that never
/// answers within the grace period, the process exits at once, before any summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_exits_at_once() {
    use tokio::io::AsyncBufReadExt;

    let env = Env::with_config(aws_ilm_emulator::Config {
        latency: Duration::from_secs(3600),
        ..aws_ilm_emulator::Config::ephemeral()
    })
    .await;
    let dir = env.home.path();
    std::fs::write(dir.join("input.jsonl"), creates(50)).unwrap();
    let mut child = batch(&env, dir, "0").spawn();
    let pid = child.id().unwrap();
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();

    // Requests reaching the emulator mean the engine runs: the handlers are installed.
    let mut running = false;
    for _ in 0..1200 {
        let stats = env.stats().await;
        if stats["total"].as_u64().unwrap_or(0) > 0 {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the batch sends requests");
    kill("-INT", pid);
    let mut seen = Vec::new();
    let waited = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = stderr.next_line().await.unwrap() {
            let done = line.contains("Press Ctrl-C again");
            seen.push(line);
            if done {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(waited, Ok(true), "{seen:#?}");
    kill("-INT", pid);
    let status = tokio::time::timeout(Duration::from_secs(120), child.wait())
        .await
        .expect("the process ends")
        .unwrap();
    while let Ok(Some(line)) = stderr.next_line().await {
        seen.push(line);
    }
    let text = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(text.contains("stopped at once"), "{text}");
    // Had it waited for the grace period, the summary would be there.
    assert!(!text.contains("batch: interrupted:"), "{text}");
    assert!(!text.contains(" succeeded, "), "{text}");
    // Nothing finished, so nothing is journaled: a rerun does every event.
    assert!(journal_lines(dir).is_empty());
}
