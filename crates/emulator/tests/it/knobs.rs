//! Test knobs (throttle, faults, latency) and the stats endpoint.

use std::time::Duration;

use aws_ilm_emulator::{Config, Throttle};
use serde_json::json;

use crate::support::Emu;

#[tokio::test]
async fn throttle_answers_429_with_retry_after_per_api() {
    let mut cfg = Config::for_tests();
    cfg.throttle = Some(Throttle {
        write_per_sec: 1,
        read_per_sec: 1,
    });
    let e = Emu::with(cfg).await;
    let mut throttled = None;
    // A bucket of one refilled once a second: only a machine taking over a second per request
    // could avoid a 429 here; the bound stops the loop either way.
    for _ in 0..50 {
        let a = e.get("/Users").await;
        if a.status == 429 {
            throttled = Some(a);
            break;
        }
    }
    let a = throttled.expect("reads were never throttled");
    let d = a.aws_error(429);
    assert!(!d.is_empty());
    assert_eq!(a.headers["retry-after"], "1");
    // Another API has its own bucket.
    let g = e.get("/Groups").await;
    assert_eq!(g.status, 200, "{}", g.text);
    let s = e.stats().await;
    assert!(s["operations"]["ListUsers"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn default_throttle_is_awss() {
    assert_eq!(
        Throttle::default(),
        Throttle {
            write_per_sec: 25,
            read_per_sec: 40
        }
    );
}

#[tokio::test]
async fn fault_rate_one_answers_500_or_drops() {
    let mut cfg = Config::for_tests();
    cfg.fault_rate = 1.0;
    let e = Emu::with(cfg).await;
    let mut errors = 0;
    let mut drops = 0;
    for i in 0..30 {
        let res = e
            .http
            .post(e.url("/Users"))
            .bearer_auth(&e.run.token)
            .body(crate::support::user_body(&format!("f{i}")).to_string())
            .send()
            .await;
        match res {
            Ok(r) => {
                assert_eq!(r.status(), 500);
                let v: serde_json::Value = r.json().await.unwrap();
                assert_eq!(v["status"], "500");
                errors += 1;
            }
            Err(_) => drops += 1,
        }
    }
    assert_eq!(errors + drops, 30);
    assert!(errors > 0, "no 500 in 30 faults");
    assert!(drops > 0, "no drop in 30 faults");
    // The stats endpoint is outside the knobs.
    assert_eq!(e.stats().await["operations"]["CreateUser"], 30);
}

#[tokio::test]
async fn fault_rate_zero_never_faults() {
    let e = Emu::start().await;
    for i in 0..20 {
        e.user(&format!("ok{i}")).await;
    }
}

#[tokio::test]
async fn latency_is_added() {
    let mut cfg = Config::for_tests();
    cfg.latency = Duration::from_millis(200);
    let e = Emu::with(cfg).await;
    let t = std::time::Instant::now();
    assert_eq!(e.get("/Users").await.status, 200);
    // A lower bound only: never fails because the machine is slow.
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn stats_count_every_operation_and_reset() {
    let e = Emu::start().await;
    let id = e.user("st").await;
    e.get(&format!("/Users/{id}")).await;
    e.get("/Users/c4488478-a0e1-700e-3d75-96c6bb641596").await;
    e.get("/Users?count=0").await;
    let g = e.group("stg").await;
    e.patch(&format!("/Groups/{g}"), json!({})).await;
    e.get("/ServiceProviderConfig").await;
    let s = e.stats().await;
    assert_eq!(s["operations"]["CreateUser"], 1);
    assert_eq!(s["operations"]["GetUser"], 2);
    assert_eq!(s["operations"]["ListUsers"], 1);
    assert_eq!(s["operations"]["CreateGroup"], 1);
    assert_eq!(s["operations"]["PatchGroup"], 1);
    assert_eq!(s["operations"]["ServiceProviderConfig"], 1);
    assert_eq!(s["operations"]["DeleteGroup"], 0);
    assert_eq!(s["total"], 7);
    let r = e
        .http
        .post(format!("{}/_emulator/stats/reset", e.run.root_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(e.stats().await["total"], 0);
}
