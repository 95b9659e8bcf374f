//! `aws-ilm batch --journal` as a process (docs/batch.md, "Resume"): a journal bound to its
//! directory (exit 2 naming what differs), an earlier journal format refused with what to do,
//! one run per journal at a time (exit 3 at once, not a wait), and events skipped by a switch
//! left for a rerun with the switch on.

use std::time::Duration;

use crate::batch_support::{creates, journal_records, users_of};
use crate::harness::{Cmd, Env, s};

/// `aws-ilm batch input.jsonl --journal journal` in `dir`, against `env`.
fn batch(env: &Env, dir: &std::path::Path) -> Cmd {
    env.cmd()
        .args(["batch", &s(&dir.join("input.jsonl")), "--no-progress"])
        .args(["--journal", &s(&dir.join("journal"))])
}

/// Was: rerun against another server, every event was "already done" and nothing was
/// created there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_of_another_directory_is_refused_with_exit_2() {
    let a = Env::start().await;
    let b = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(5)).unwrap();
    batch(&a, dir.path()).run().await.code(0);
    let before = std::fs::read_to_string(dir.path().join("journal")).unwrap();

    let out = batch(&b, dir.path()).run().await;
    out.code(2).one_line_error();
    out.stderr_has("written for another directory: the endpoint differs (journal: ")
        .stderr_has(&a.emu.root_url())
        .stderr_has(&format!("this run: {}", b.emu.root_url()))
        .stderr_has("the tenant differs");
    assert_eq!(
        b.stats().await["total"],
        0,
        "nothing sent to the other directory"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("journal")).unwrap(),
        before,
        "the journal is left alone"
    );
    // The token never shows, whatever the message.
    assert!(!out.stderr.contains(b.token()) && !out.stderr.contains(a.token()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_of_the_earlier_format_is_refused_with_exit_2() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(2)).unwrap();
    std::fs::write(
        dir.path().join("journal"),
        "{\"aws-ilm-batch-journal\":1}\n{\"line\":1,\"hash\":\"0000000000000001\",\"status\":\"success\"}\n",
    )
    .unwrap();
    let out = batch(&env, dir.path()).run().await;
    out.code(2).one_line_error();
    out.stderr_has("written by an earlier aws-ilm")
        .stderr_has("Start a new journal");
    assert_eq!(env.stats().await["total"], 0);
}

/// Was: two processes given the same journal both ran every event. The second now stops at
/// once with exit 3, while the first (held up by a directory that is slow to answer) runs on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_the_same_journal_stops_at_once_with_exit_3() {
    let env = Env::with_config(aws_ilm_emulator::Config {
        latency: Duration::from_secs(3600),
        ..aws_ilm_emulator::Config::ephemeral()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(20)).unwrap();
    let mut first = batch(&env, dir.path()).spawn();
    // Requests reaching the emulator mean the first run holds the journal.
    let mut running = false;
    for _ in 0..1200 {
        if env.stats().await["total"].as_u64().unwrap_or(0) > 0 {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the first run sends requests");
    let sent = env.stats().await["total"].as_u64().unwrap();

    let second = batch(&env, dir.path()).run().await;
    second.code(3);
    second.stderr_has("is in use by another aws-ilm batch run");
    assert!(first.try_wait().unwrap().is_none(), "the first run goes on");
    first.start_kill().unwrap();
    let _ = first.wait().await;
    // The second run sent nothing (the first one's requests are all still in flight: the
    // emulator holds each for an hour).
    assert!(env.stats().await["total"].as_u64().unwrap() <= sent.max(8));
}

/// Was: events skipped because a switch was off were journaled as done; a rerun with the
/// switch on never did them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_skipped_by_a_switch_run_when_it_is_turned_on() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("input.jsonl"), creates(4)).unwrap();
    let off = env
        .cmd()
        .args(["--allow-create", "false"])
        .args([
            "batch",
            &s(&dir.path().join("input.jsonl")),
            "--no-progress",
        ])
        .args(["--journal", &s(&dir.path().join("journal"))])
        .run()
        .await;
    off.code(0);
    off.stderr_has("4 skipped")
        .stderr_has("4 events were skipped because a setting was off (allow-create)");
    assert!(
        journal_records(&dir.path().join("journal")).is_empty(),
        "{}",
        off.describe()
    );

    let on = batch(&env, dir.path()).run().await;
    on.code(0);
    on.stderr_has("4 succeeded").stderr_has("0 already done");
    assert_eq!(users_of(&env.client()).await.len(), 4);
    assert_eq!(journal_records(&dir.path().join("journal")).len(), 4);
}
