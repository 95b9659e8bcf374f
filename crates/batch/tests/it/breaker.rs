//! A directory that does not answer (docs/batch.md, "A server that does not answer"): a server that
//! accepts connections and never answers, and a closed port. The circuit breaker stops the run:
//! exit 3, the reason in the summary, nothing journaled, no event started after it tripped. The
//! only time bound is a generous one that catches a hang (was: 300 s and more per event).

use std::time::Duration;

use aws_ilm_batch::{Format, Summary};
use aws_ilm_client::{ClientConfig, Endpoint, SecretToken};
use serde_json::Value;

use crate::common::*;
use crate::unanswered::{closed_url, silent_server};

/// 40 creates against `base_url`, with a journal, 200 ms timeouts, the breaker at 4.
async fn run_against(base_url: &str) -> (Summary, Vec<Value>, Vec<u64>, Duration) {
    let mut cfg = ClientConfig::new(
        Endpoint::parse(base_url, "tenant-1").unwrap(),
        SecretToken::new("t0ken".into()),
    );
    cfg.connect_timeout = Duration::from_millis(200);
    cfg.request_timeout = Duration::from_millis(200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let mut b = Batch::new(cfg, creates(40), Format::JsonLines);
    b.journal = Some(path.clone());
    b.concurrency = 4;
    b.max_no_answer = 4;
    let started = std::time::Instant::now();
    let (s, results) = tokio::time::timeout(Duration::from_secs(120), b.run())
        .await
        .expect("the run ends (no hang)");
    let took = started.elapsed();
    (s, results, journal_lines(&path), took)
}

fn assert_stopped_by_the_breaker(s: &Summary, results: &[Value], journal: &[u64]) {
    assert_eq!(s.exit_code(), 3, "{s}");
    let why = s.aborted.as_deref().unwrap_or_default();
    assert!(
        why.contains("the directory does not answer: 4 requests in a row got no answer"),
        "{s}"
    );
    // Events read before the stop are "not run"; the lines after them are never read.
    assert!(s.events > 0 && s.not_run == s.events, "{s}");
    assert!(
        s.to_string()
            .contains(&format!("stopped early ({} events not run)", s.events)),
        "{s}"
    );
    assert_eq!((s.succeeded, s.failed, s.skipped), (0, 0, 0), "{s}");
    assert!(results.is_empty(), "{results:?}");
    assert!(journal.is_empty(), "nothing journaled: {journal:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_trips_the_breaker() {
    let url = silent_server().await;
    let (s, results, journal, took) = run_against(&url).await;
    assert_stopped_by_the_breaker(&s, &results, &journal);
    assert!(s.aborted.as_deref().unwrap().contains("timed out"), "{s}");
    eprintln!("silent server: stopped after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_trips_the_breaker() {
    let (s, results, journal, took) = run_against(&closed_url()).await;
    assert_stopped_by_the_breaker(&s, &results, &journal);
    assert!(
        s.aborted.as_deref().unwrap().contains("cannot connect"),
        "{s}"
    );
    eprintln!("closed port: stopped after {took:?}");
}
