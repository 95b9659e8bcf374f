//! `kill -9` part-way through `aws-ilm batch`, then a rerun with the same journal: exactly the
//! expected users, and every event journaled and reported exactly once across both runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use aws_ilm_emulator::{Config, Running};

use crate::common::*;

/// The `aws-ilm` binary next to this test executable (target/<profile>/aws-ilm), built (or
/// found up to date) first: a test binary of another package has no CARGO_BIN_EXE for it, and
/// a stale binary would test old code.
fn binary() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("aws-ilm");
    BUILT.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "aws-ilm", "--bin", "aws-ilm"]);
        if dir.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        let status = build.status().unwrap();
        assert!(status.success(), "building aws-ilm failed");
    });
    assert!(bin.exists(), "no aws-ilm binary at {}", bin.display());
    bin
}

fn batch_command(emu: &Running, dir: &Path, max_rps: &str, strategy: &str) -> Command {
    let mut c = Command::new(binary());
    c.arg("batch")
        .arg(dir.join("input.jsonl"))
        .args(["--create-strategy", strategy])
        .args(["--journal", &dir.join("journal").display().to_string()])
        .args(["--results", &dir.join("results").display().to_string()])
        .args(["--max-rps", max_rps, "--concurrency", "8", "--no-progress"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ILM_BASE_URL", emu.root_url())
        .env("AWS_ILM_TENANT_ID", &emu.tenant_id)
        .env("AWS_ILM_TOKEN", &emu.token)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn journal_lines(dir: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(dir.join("journal")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
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
    let emu = emulator(Config::for_tests()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(N)).unwrap();

    // Paced so the run is still going when we kill it.
    let mut child = batch_command(&emu, dir.path(), "100", strategy)
        .spawn()
        .unwrap();
    let mut killed = false;
    for _ in 0..1200 {
        if journal_lines(dir.path()).len() >= 150 {
            child.kill().unwrap(); // SIGKILL
            killed = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = child.wait_with_output().unwrap();
    assert!(
        killed,
        "the run ended before the kill: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let done_first = journal_lines(dir.path()).len();
    assert!(done_first < N, "killed part-way");
    // The worst moment for a kill: a group journaled and synced, its result lines not yet (or
    // half) written. Made certain here by cutting the results file mid-way through its third
    // last line; those three events must still be reported, once.
    let results_path = dir.path().join("results");
    let text = std::fs::read_to_string(&results_path).unwrap();
    let starts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    assert!(starts.len() > 3, "some results before the kill");
    let cut = starts[starts.len() - 4] + 10;
    std::fs::write(&results_path, &text[..cut]).unwrap();

    let second = batch_command(&emu, dir.path(), "0", strategy)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "rerun: {stderr}");
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

    let mut journaled = journal_lines(dir.path());
    // Once each, but for the events run again because their results were cut off.
    assert_eq!(journaled.len(), N + again);
    journaled.sort_unstable();
    journaled.dedup();
    assert_eq!(
        journaled,
        (1..=N as u64).collect::<Vec<_>>(),
        "every event journaled"
    );
    let text = std::fs::read_to_string(dir.path().join("results")).unwrap();
    let results: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // The torn line stays (on a line of its own), and is the only unreadable one.
    assert_eq!(text.lines().count(), results.len() + 1);
    each_line_once(&results, 1..=N as u64);
    let users = users(&emu).await;
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
