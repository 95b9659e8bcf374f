//! `kill -9` part-way through `aws-ilm batch`, then a rerun with the same journal: exactly the
//! expected users, and every event journaled and reported exactly once across both runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use aws_ilm_emulator::{Config, Running};

use crate::common::*;

/// The `aws-ilm` binary next to this test executable (target/<profile>/aws-ilm), built first
/// when missing (a test binary of another package has no CARGO_BIN_EXE for it).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("aws-ilm");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--bin", "aws-ilm"])
            .status()
            .unwrap();
        assert!(status.success(), "building aws-ilm failed");
    }
    assert!(bin.exists(), "no aws-ilm binary at {}", bin.display());
    bin
}

fn batch_command(emu: &Running, dir: &Path, max_rps: &str) -> Command {
    let mut c = Command::new(binary());
    c.arg("batch")
        .arg(dir.join("input.jsonl"))
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
    const N: usize = 1200;
    let emu = emulator(Config::for_tests()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(N)).unwrap();

    // Paced so the run is still going when we kill it.
    let mut child = batch_command(&emu, dir.path(), "100").spawn().unwrap();
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

    let second = batch_command(&emu, dir.path(), "0").output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "rerun: {stderr}");
    assert!(
        stderr.contains(&format!("{done_first} already done")),
        "{stderr}"
    );

    let mut journaled = journal_lines(dir.path());
    journaled.sort_unstable();
    assert_eq!(
        journaled,
        (1..=N as u64).collect::<Vec<_>>(),
        "each event journaled once"
    );
    let results: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("results"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    each_line_once(&results, 1..=N as u64);
    assert_eq!(users(&emu).await.len(), N, "exactly the expected users");
}
