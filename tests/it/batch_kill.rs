//! `kill -9` part-way through `aws-ilm batch`, then a rerun with the same journal: exactly the
//! expected users, and every event journaled and reported exactly once across both runs — for
//! both create strategies. Here rather than in `crates/batch` because it runs the binary, which
//! only this package's tests get built for them (`CARGO_BIN_EXE_aws-ilm`).

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::batch_support::{creates, users_of};
use crate::harness::{Cmd, Env};

/// Asserts each line number appears exactly once among the results.
#[track_caller]
fn each_line_once(results: &[Value], expected: impl IntoIterator<Item = u64>) {
    let mut lines: Vec<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    let expected: Vec<u64> = expected.into_iter().collect();
    assert_eq!(lines, expected);
}

/// `aws-ilm batch` over `dir/input.jsonl`, journal and results in `dir`, at most `max_rps`.
fn batch(env: &Env, dir: &Path, max_rps: &str, strategy: &str) -> Cmd {
    env.cmd()
        .arg1("batch")
        .arg1(&dir.join("input.jsonl").display().to_string())
        .args(["--create-strategy", strategy])
        .args(["--journal", &dir.join("journal").display().to_string()])
        .args(["--results", &dir.join("results").display().to_string()])
        .args(["--max-rps", max_rps, "--concurrency", "8", "--no-progress"])
}

fn journal_lines(dir: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join("journal")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| v["line"].as_u64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_part_way_resumes_from_its_journal() {
    killed_and_resumed("lookup-first").await;
}

/// Create-first: the events in flight at the kill are re-run as creates of users that may
/// exist; each must become a 409 and an update, never a duplicate or a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_first_run_killed_part_way_resumes_from_its_journal() {
    killed_and_resumed("create-first").await;
}

async fn killed_and_resumed(strategy: &str) {
    const N: usize = 1200;
    let env = Env::start().await;
    let dir = env.home.path();
    std::fs::write(dir.join("input.jsonl"), creates(N)).unwrap();

    // Paced so the run is still going when we kill it.
    let mut child = batch(&env, dir, "100", strategy).spawn();
    let mut killed = false;
    for _ in 0..1200 {
        if journal_lines(dir).len() >= 150 {
            child.start_kill().unwrap(); // SIGKILL
            killed = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = child.wait_with_output().await.unwrap();
    assert!(
        killed,
        "the run ended before the kill: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let done_first = journal_lines(dir).len();
    assert!(done_first < N, "killed part-way");
    // The worst moment for a kill: a group journaled and synced, its result lines not yet (or
    // half) written. Made certain here by cutting the results file mid-way through its third
    // last line; those three events must still be reported, once.
    let results_path = dir.join("results");
    let text = std::fs::read_to_string(&results_path).unwrap();
    let starts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    assert!(starts.len() > 3, "some results before the kill");
    let cut = starts[starts.len() - 4] + 10;
    std::fs::write(&results_path, &text[..cut]).unwrap();

    let second = batch(&env, dir, "0", strategy).run().await;
    second.code(0);
    let stderr = &second.stderr;
    // Events whose result lines the kill cut off (journal synced, results not yet written)
    // are run and reported again.
    let again: usize = stderr
        .split_once(" events journaled as done have no result line")
        .and_then(|(before, _)| before.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert!(again >= 3, "{stderr}");
    assert!(
        stderr.contains(&format!("{} already done", done_first - again)),
        "{stderr}"
    );

    let mut journaled = journal_lines(dir);
    // Once each, but for the events run again because their results were cut off.
    assert_eq!(journaled.len(), N + again);
    journaled.sort_unstable();
    journaled.dedup();
    assert_eq!(
        journaled,
        (1..=N as u64).collect::<Vec<_>>(),
        "every event journaled"
    );
    let text = std::fs::read_to_string(dir.join("results")).unwrap();
    let results: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // The torn line stays (on a line of its own), and is the only unreadable one.
    assert_eq!(text.lines().count(), results.len() + 1);
    each_line_once(&results, 1..=N as u64);
    let users = users_of(&env.client()).await;
    assert_eq!(users.len(), N, "exactly the expected users");
    for i in 0..N {
        let u = &users[&format!("user{i}@example.test")];
        assert_eq!(u["displayName"], format!("User {i}"), "{u}");
        assert_eq!(u["active"], true, "{u}");
    }
    assert!(
        results.iter().all(|r| r["status"] == "success"),
        "every event succeeded in one run or the other"
    );
}
