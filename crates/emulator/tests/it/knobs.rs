//! Test knobs (throttle, faults, latency) and the stats endpoint.

use std::time::Duration;

use aws_ilm_emulator::{Config, Stats, Throttle};
use reqwest::Method;
use serde_json::json;

use crate::support::Emu;

#[tokio::test]
async fn throttle_answers_429_with_retry_after_per_api() {
    let mut cfg = Config::ephemeral();
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
    assert!(s.count("ListUsers") >= 2);
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
    let mut cfg = Config::ephemeral();
    cfg.fault_rate = 1.0;
    let e = Emu::with(cfg).await;
    let mut errors = 0;
    let mut drops = 0;
    for i in 0..30 {
        let res = e
            .http
            .post(e.url("/Users"))
            .bearer_auth(e.run.token.expose())
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
    assert_eq!(e.stats().await.count("CreateUser"), 30);
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
    let mut cfg = Config::ephemeral();
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
    assert_eq!(s.count("CreateUser"), 1);
    assert_eq!(s.count("GetUser"), 2);
    assert_eq!(s.count("ListUsers"), 1);
    assert_eq!(s.count("CreateGroup"), 1);
    assert_eq!(s.count("PatchGroup"), 1);
    assert_eq!(s.count("ServiceProviderConfig"), 1);
    assert_eq!(s.count("DeleteGroup"), 0);
    assert_eq!(s.total, 7);
    // The route answers the same document, every operation present (zeros included).
    let answered: Stats = e
        .http
        .get(format!("{}/_emulator/stats", e.run.root_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (answered.total, &answered.operations),
        (s.total, &s.operations)
    );
    assert_eq!(answered.operations.len(), 15);
    assert_eq!(answered.operations.get("DeleteGroup"), Some(&0));
    reset(&e).await;
    assert_eq!(e.stats().await.total, 0);
}

/// Each method and path is counted as the AWS operation its route carries; a trailing slash
/// names the same operation (`/Users/` was once counted as GetUser; docs/emulator.md,
/// "Trailing slashes"), and a method or path with no route names none. (These were unit tests
/// of the path classifier that routes now replace.)
#[tokio::test]
async fn each_route_counts_as_its_aws_operation() {
    let e = Emu::start().await;
    let cases: [(Method, &str, Option<&str>); 24] = [
        (Method::POST, "/Users", Some("CreateUser")),
        (Method::PATCH, "/Groups/x", Some("PatchGroup")),
        (Method::PUT, "/Groups/x", None),
        (Method::GET, "/Schemas/urn:x", Some("GetSchema")),
        (Method::GET, "/Nope", None),
        (Method::GET, "/Users/", Some("ListUsers")),
        (Method::POST, "/Users/", Some("CreateUser")),
        (Method::GET, "/Groups/", Some("ListGroups")),
        (Method::POST, "/Groups/", Some("CreateGroup")),
        (Method::GET, "/Users/x/", Some("GetUser")),
        (Method::DELETE, "/Groups/x/", Some("DeleteGroup")),
        (
            Method::GET,
            "/ServiceProviderConfig/",
            Some("ServiceProviderConfig"),
        ),
        (Method::GET, "/Schemas/", Some("ListSchemas")),
        (Method::GET, "/ResourceTypes/", Some("ListResourceTypes")),
        (Method::GET, "/Users//", None),
        (Method::GET, "/Users//x", None),
        (Method::GET, "/Users/a/b", None),
        (Method::PUT, "/Users/x", Some("PutUser")),
        (Method::PATCH, "/Users/x", Some("PatchUser")),
        (Method::DELETE, "/Users/x", Some("DeleteUser")),
        (Method::GET, "/Groups/x", Some("GetGroup")),
        (Method::GET, "/Schemas", Some("ListSchemas")),
        (Method::GET, "/ResourceTypes", Some("ListResourceTypes")),
        (Method::OPTIONS, "/Users", None),
    ];
    for (method, path, op) in cases {
        reset(&e).await;
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        e.send(method.clone(), path, body).await;
        let s = e.stats().await;
        match op {
            Some(op) => {
                assert_eq!(s.count(op), 1, "{method} {path}: {s:?}");
                assert_eq!(s.total, 1, "{method} {path}: {s:?}");
            }
            None => assert_eq!(s.total, 0, "{method} {path}: {s:?}"),
        }
    }
}

/// `POST /_emulator/stats/reset` (over HTTP: the route is what these tests check).
async fn reset(e: &Emu) {
    let r = e
        .http
        .post(format!("{}/_emulator/stats/reset", e.run.root_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}
