//! `aws-ilm batch` against a directory that does not answer (docs/batch.md, "A server that does not
//! answer"): a server that accepts connections and never answers, and a closed port. The circuit
//! breaker ends the run with exit 3 and says why; nothing is journaled or reported. Was: events ran
//! for 300 s and more. The only time bound is the harness's generous one, against a hang.

use std::time::Duration;

use crate::batch_support::creates;
use crate::harness::{Env, Out, closed_url, s};
use crate::unanswered::silent_server;

async fn run_against(base_url: &str) -> (Out, String, String) {
    // Only the scrubbed environment: the emulator is not used, just a private HOME.
    let env = Env::start().await;
    let file = env.write("input.jsonl", &creates(30));
    let journal = env.path("journal");
    let results = env.path("results");
    let started = std::time::Instant::now();
    let out = env
        .bare()
        .env("AWS_ILM_BASE_URL", base_url)
        .env("AWS_ILM_TENANT_ID", "tenant-1")
        .env("AWS_ILM_TOKEN", "t0ken-not-real")
        .args(["--timeout", "0.3"])
        .args(["batch", &s(&file), "--no-progress", "--concurrency", "4"])
        .args(["--max-no-answer", "4"])
        .args(["--journal", &s(&journal), "--results", &s(&results)])
        .run()
        .await;
    eprintln!("stopped after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(120));
    (
        out,
        std::fs::read_to_string(&journal).unwrap(),
        std::fs::read_to_string(&results).unwrap(),
    )
}

#[track_caller]
fn stopped_by_the_breaker(out: &Out, journal: &str, results: &str) {
    out.code(3);
    out.stderr_has("the directory does not answer: 4 requests in a row got no answer")
        .stderr_has("no event was started after that")
        .stderr_has("batch: stopped early (");
    assert_eq!(journal.lines().count(), 1, "the header only: {journal}");
    assert!(
        journal.starts_with("{\"aws-ilm-batch-journal\":2,"),
        "{journal}"
    );
    assert!(results.is_empty(), "{results}");
    assert!(!out.stderr.contains("t0ken-not-real"), "{}", out.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_ends_the_run_with_exit_3() {
    let url = silent_server().await;
    let (out, journal, results) = run_against(&url).await;
    stopped_by_the_breaker(&out, &journal, &results);
    out.stderr_has("timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_ends_the_run_with_exit_3() {
    let (out, journal, results) = run_against(&closed_url()).await;
    stopped_by_the_breaker(&out, &journal, &results);
    out.stderr_has("cannot connect");
}
