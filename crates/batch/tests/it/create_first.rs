//! Batches of `iam-create-user` with create-first (the batch's default strategy) against the
//! real emulator: one request per new user, existing users updated (never duplicated), a clash
//! with another user's e-mail failed with 409, and the same under injected faults.

use aws_ilm_batch::Format;
use aws_ilm_emulator::Config;
use serde_json::{Value, json};

use crate::common::*;

fn vendor(r: &Value) -> &Value {
    &r["result"]["IAM"]["Vendor"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_users_cost_one_request_each() {
    let emu = emulator(Config::ephemeral()).await;
    let (s, results) = run_batch_with(
        &emu,
        creates(500),
        Format::JsonLines,
        16,
        0.0,
        None,
        create_first(),
    )
    .await;
    assert_eq!((s.succeeded, s.failed), (500, 0), "{s}");
    let (total, ops) = emulator_stats(&emu).await;
    assert_eq!((total, &ops["CreateUser"]), (500, &json!(500)), "{ops}");
    assert_eq!(s.requests, 500, "{s}");
    each_line_once(&results, 1..=500);
    assert!(results.iter().all(|r| vendor(r)["action"] == "create"));
    assert_eq!(users(&emu).await.len(), 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_users_are_updated_and_a_clash_fails_with_409() {
    let emu = emulator(Config::ephemeral()).await;
    // 0..100 exist already.
    let (s, _) = run_batch(&emu, creates(100), Format::JsonLines, 8, 0.0, None).await;
    assert_eq!(s.succeeded, 100, "{s}");

    // 0..100 again, half with a new title; 100..200 new; and one whose e-mail is user 3's.
    let mut input = String::new();
    for i in 0..200 {
        let mut p = profile(i);
        if i % 2 == 0 {
            p["title"] = json!(format!("Title {i}"));
        }
        input += &event("iam-create-user", json!({"user-profile": p}));
    }
    let mut clash = profile(999);
    clash["email"] = json!("user3@example.test");
    input += &event("iam-create-user", json!({"user-profile": clash}));

    let (s, results) = run_batch_with(
        &emu,
        input,
        Format::JsonLines,
        16,
        0.0,
        None,
        create_first(),
    )
    .await;
    assert_eq!((s.succeeded, s.failed), (200, 1), "{s}");
    assert_eq!(s.exit_code(), 1);
    each_line_once(&results, 1..=201);
    for r in &results {
        let line = r["line"].as_u64().unwrap() as usize;
        let v = vendor(r);
        match line - 1 {
            200 => {
                assert_eq!(r["status"], "failed", "{r}");
                assert_eq!(v["errorCode"], 409, "{r}");
                assert_eq!(v["action"], "create", "{r}");
            }
            i if i < 100 => assert_eq!(v["action"], "update", "{r}"),
            _ => assert_eq!(v["action"], "create", "{r}"),
        }
    }
    let users = users(&emu).await;
    assert_eq!(users.len(), 200, "no duplicates, the clash not created");
    for i in (0..200).step_by(2) {
        assert_eq!(
            users[&format!("user{i}@example.test")]["title"],
            format!("Title {i}")
        );
    }
    assert!(!users.contains_key("user999@example.test"));
    // Requests: 100 new users × 1; 100 existing × (POST 409 + lookup) + 50 PATCHes; the clash
    // POST 409 + lookup.
    assert_eq!(s.requests, 100 + 100 * 2 + 50 + 2, "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_and_existing_users_survive_a_ten_percent_fault_rate() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = Config::ephemeral();
    base.db = dir.path().join("cf.db").to_string_lossy().into_owned();
    let clean = emulator(base.clone()).await;
    let (s, _) = run_batch(&clean, creates(500), Format::JsonLines, 16, 0.0, None).await;
    assert_eq!(s.succeeded, 500, "{s}");

    // 0..1000 with a new title: half exist, half are new; 10% of requests fail (500 before
    // acting, or the connection dropped after acting).
    let faulty = emulator(Config {
        fault_rate: 0.1,
        ..base
    })
    .await;
    let input: String = (0..1000)
        .map(|i| {
            let mut p = profile(i);
            p["title"] = json!(format!("Title {i}"));
            event("iam-create-user", json!({"user-profile": p}))
        })
        .collect();
    let (s, results) = run_batch_with(
        &faulty,
        input,
        Format::JsonLines,
        32,
        0.0,
        None,
        create_first(),
    )
    .await;
    assert_eq!((s.succeeded, s.failed), (1000, 0), "{s}");
    assert!(s.retried > 0, "faults were retried: {s}");
    each_line_once(&results, 1..=1000);
    let users = users(&clean).await;
    assert_eq!(users.len(), 1000, "no duplicate, none lost");
    for (name, u) in &users {
        let i: usize = name
            .trim_start_matches("user")
            .trim_end_matches("@example.test")
            .parse()
            .unwrap();
        assert_eq!(u["title"], format!("Title {i}"), "{u}");
    }
}
