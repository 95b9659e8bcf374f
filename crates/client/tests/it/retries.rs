//! Retries against the emulator's knobs: AWS throttling with Retry-After, injected faults (500s
//! and connections dropped after the operation ran), the bounds, and backoff on tokio's clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_ilm_client::{RetryPolicy, ScimClient, UserQuery};
use aws_ilm_emulator::Throttle;
use futures::StreamExt;

use crate::common::{client_for, config, emulator_with, id_of, op_count, user};

#[tokio::test]
async fn throttled_requests_wait_for_retry_after_and_succeed() {
    let run = emulator_with(|c| {
        c.throttle = Some(Throttle {
            write_per_sec: 1,
            read_per_sec: 40,
        })
    })
    .await;
    let hooks = Arc::new(AtomicUsize::new(0));
    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    let h = hooks.clone();
    cfg.on_throttle = Some(Arc::new(move |ra| {
        assert!(ra.is_some(), "the emulator sends Retry-After like AWS");
        h.fetch_add(1, Ordering::SeqCst);
    }));
    let c = ScimClient::new(cfg).unwrap();

    // Three creates at once against 1 write/s: the bucket admits one, the others get 429 with
    // Retry-After: 1 and must wait at least that long before their retry succeeds.
    let t0 = Instant::now();
    let created = futures::future::join_all((0..3).map(|i| {
        let c = c.clone();
        async move { c.create_user(&user(&format!("burst{i}"))).await }
    }))
    .await;
    let waited = t0.elapsed();
    for r in created {
        r.unwrap();
    }
    let s = c.stats();
    assert!(
        s.throttled >= 1,
        "a burst past 1 write/s is throttled: {s:?}"
    );
    assert_eq!(s.throttled as usize, hooks.load(Ordering::SeqCst));
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was honoured (all done after {waited:?})"
    );
    // 429 means AWS did not act: re-POSTed directly, no lookup needed.
    assert_eq!(op_count(&run, "ListUsers").await, 0);
    assert_eq!(c.list_users(None).await.unwrap().len(), 3);

    // Without retries, the 429 surfaces with its Retry-After.
    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    cfg.retry = RetryPolicy::none();
    let impatient = ScimClient::new(cfg).unwrap();
    let mut last = None;
    for i in 0..20 {
        if let Err(e) = impatient.create_user(&user(&format!("x{i}"))).await {
            last = Some(e);
            break;
        }
    }
    let err = last.expect("a burst past 1 write/s is throttled");
    assert_eq!(err.status(), Some(429));
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    run.stop().await;
}

#[tokio::test]
async fn no_duplicate_and_no_spurious_error_under_faults() {
    let run = emulator_with(|c| c.fault_rate = 0.3).await;
    let c = client_for(&run);
    let n = 40;
    let results: Vec<(String, String)> = futures::stream::iter(0..n)
        .map(|i| {
            let c = c.clone();
            async move {
                let name = format!("faulty{i:02}");
                let created = c.create_user(&user(&name)).await;
                let created = created.unwrap_or_else(|e| panic!("{name}: {e}"));
                (name, id_of(&created))
            }
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let listed = c.list_users(None).await.unwrap();
    assert_eq!(listed.len(), n, "each user exists exactly once");
    let by_name: HashMap<String, String> = listed
        .iter()
        .map(|u| (u["userName"].as_str().unwrap().to_owned(), id_of(u)))
        .collect();
    for (name, id) in &results {
        assert_eq!(
            by_name.get(name),
            Some(id),
            "{name}: the id we returned is the stored one"
        );
    }
    assert!(c.stats().retries > 0, "faults were injected and retried");
    assert!(op_count(&run, "CreateUser").await > n as u64);
    run.stop().await;
}

#[tokio::test]
async fn gives_up_after_max_attempts_and_never_reposts_blindly() {
    let run = emulator_with(|c| c.fault_rate = 1.0).await;
    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    cfg.retry.max_attempts = 3;
    let c = ScimClient::new(cfg).unwrap();

    let err = c.get_user("x").await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(c.stats().requests, 3);
    assert_eq!(c.stats().retries, 2);

    let err = c.create_user(&user("never")).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(
        op_count(&run, "CreateUser").await,
        1,
        "the lookup after the unknown outcome failed, so the POST was not sent again"
    );
    assert_eq!(
        op_count(&run, "ListUsers").await,
        3,
        "the lookup tried its 3 attempts"
    );

    let err = c
        .list_users(Some(&UserQuery::UserName("x".into())))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    run.stop().await;
}

#[tokio::test]
async fn gives_up_when_the_elapsed_budget_is_spent() {
    let run = emulator_with(|c| c.fault_rate = 1.0).await;
    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    cfg.retry = RetryPolicy {
        max_attempts: 1000,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_millis(300),
    };
    let c = ScimClient::new(cfg).unwrap();
    assert!(c.get_user("x").await.is_err());
    let n = c.stats().requests;
    // 300 ms of ≤20 ms sleeps cannot hold 1000 attempts; the exact count depends on jitter and
    // on how fast this machine answers.
    assert!((1..1000).contains(&n), "{n} attempts");
    run.stop().await;
}

/// Backoff runs on tokio's clock: with time paused the whole schedule is virtual, so the test
/// checks the schedule itself without waiting for it.
#[tokio::test(start_paused = true)]
async fn backoff_schedule_on_paused_time() {
    let run = emulator_with(|c| c.fault_rate = 1.0).await;
    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    cfg.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(25),
        max_elapsed: Duration::from_secs(3600),
    };
    // Timers that auto-advance must never be the request timeout: make it far longer than the
    // whole schedule.
    cfg.request_timeout = Duration::from_secs(100_000);
    cfg.connect_timeout = Duration::from_secs(100_000);
    let c = ScimClient::new(cfg).unwrap();
    let t0 = tokio::time::Instant::now();
    assert!(c.get_user("x").await.is_err());
    let virtual_elapsed = t0.elapsed();
    assert_eq!(c.stats().requests, 4);
    // Full jitter: each sleep is within 0..=cap, caps 10 s, 20 s, 25 s.
    assert!(
        virtual_elapsed <= Duration::from_secs(55),
        "virtual time {virtual_elapsed:?}"
    );
    run.stop().await;
}
