//! Whole runs against the real emulator: volume, faults, throttling, ordering, bad lines, CSV
//! and membership coalescing.

use aws_ilm_batch::Format;
use aws_ilm_emulator::{Config, Throttle};
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_creates_make_exactly_two_thousand_users() {
    let emu = emulator(Config::ephemeral()).await;
    let (s, results) = run_batch(&emu, creates(2000), Format::JsonLines, 32, 0.0, None).await;
    assert_eq!((s.succeeded, s.failed, s.invalid), (2000, 0, 0), "{s}");
    assert_eq!(s.exit_code(), 0);
    each_line_once(&results, 1..=2000);
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "success" && r["command"] == "iam-create-user")
    );
    assert_eq!(users(&emu).await.len(), 2000);
    // The result is the single command's document.
    assert_eq!(results[0]["result"]["IAM"]["Vendor"]["success"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_creates_survive_a_ten_percent_fault_rate() {
    let emu = emulator(Config {
        fault_rate: 0.1,
        ..Config::ephemeral()
    })
    .await;
    let (s, results) = run_batch(&emu, creates(2000), Format::JsonLines, 32, 0.0, None).await;
    assert_eq!((s.succeeded, s.failed), (2000, 0), "{s}");
    assert!(s.retried > 0, "faults were retried: {s}");
    each_line_once(&results, 1..=2000);
    assert_eq!(users(&emu).await.len(), 2000, "no duplicate, none lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_ridden_out_without_a_failed_event() {
    // A smaller quota than AWS's keeps the test short; the full-size figure is in the benchmark.
    let throttle = Throttle {
        write_per_sec: 50,
        read_per_sec: 80,
    };
    let emu = emulator(Config {
        throttle: Some(throttle),
        ..Config::ephemeral()
    })
    .await;
    // Unlimited to start with: the limiter must learn the quota from the 429s.
    let (s, results) = run_batch(&emu, creates(300), Format::JsonLines, 8, 0.0, None).await;
    assert_eq!((s.succeeded, s.failed), (300, 0), "{s}");
    assert_eq!(s.aborted, None);
    each_line_once(&results, 1..=300);
    assert_eq!(users(&emu).await.len(), 300);
    eprintln!("{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_one_user_keep_input_order() {
    let emu = emulator(Config::ephemeral()).await;
    // For 40 users: create, update (new title), disable — interleaved with each other and with
    // creates of 200 other users.
    let mut input = String::new();
    for step in 0..3 {
        for i in 0..40 {
            let mut p = profile(i);
            match step {
                0 => input += &event("iam-create-user", json!({"user-profile": p})),
                1 => {
                    p["title"] = json!(format!("Engineer {i}"));
                    input += &event("iam-update-user", json!({"user-profile": p}));
                }
                _ => input += &event("iam-disable-user", json!({"user-profile": p})),
            }
            for j in 0..2 {
                let other = 1000 + step * 100 + i * 2 + j;
                input += &event("iam-create-user", json!({"user-profile": profile(other)}));
            }
        }
    }
    let (s, _) = run_batch(&emu, input, Format::JsonLines, 16, 0.0, None).await;
    assert_eq!((s.succeeded, s.failed, s.skipped), (360, 0, 0), "{s}");
    let users = users(&emu).await;
    assert_eq!(users.len(), 280);
    for i in 0..40 {
        let u = &users[&format!("user{i}@example.test")];
        assert_eq!(u["active"], false, "user{i} ends disabled: {u}");
        assert_eq!(
            u["title"],
            format!("Engineer {i}"),
            "user{i} has the update: {u}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_line_is_reported_and_the_rest_succeed() {
    let emu = emulator(Config::ephemeral()).await;
    let mut lines: Vec<String> = creates(20).lines().map(str::to_string).collect();
    lines[4] = "{\"command\": \"iam-create-user\", \"args\": ".into();
    lines[9] = event("iam-create-user", json!({"user-profile": {}}))
        .trim()
        .to_string();
    lines[14] = event("iam-frobnicate", json!({})).trim().to_string();
    let input = lines.join("\n") + "\n";
    let (s, results) = run_batch(&emu, input, Format::JsonLines, 8, 0.0, None).await;
    assert_eq!((s.succeeded, s.invalid, s.failed), (17, 3, 0), "{s}");
    assert_eq!(s.exit_code(), 2);
    each_line_once(&results, 1..=20);
    let invalid: Vec<u64> = results
        .iter()
        .filter(|r| r["status"] == "invalid")
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(invalid.len(), 3);
    for l in [5, 10, 15] {
        assert!(
            invalid.contains(&l),
            "line {l} reported invalid: {results:?}"
        );
    }
    let r15 = results.iter().find(|r| r["line"] == 15).unwrap();
    assert!(
        r15["error"].as_str().unwrap().contains("iam-frobnicate"),
        "{r15}"
    );
    assert_eq!(users(&emu).await.len(), 17);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_of_profiles_drives_one_command() {
    let emu = emulator(Config::ephemeral()).await;
    let mut csv = String::from("username,email,givenname,surname,displayname,title\n");
    for i in 0..50 {
        csv += &format!("csv{i}@example.test,csv{i}@example.test,Given,Sur{i},CSV {i},\n");
    }
    let fmt = Format::csv("iam-create-user", Some(true)).unwrap();
    let (s, results) = run_batch(&emu, csv, fmt, 8, 0.0, None).await;
    assert_eq!(s.succeeded, 50, "{s}");
    each_line_once(&results, 2..=51);
    let users = users(&emu).await;
    assert_eq!(users.len(), 50);
    assert!(
        users["csv7@example.test"].get("title").is_none(),
        "empty cells are left out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_changes_of_one_group_all_apply() {
    let emu = emulator(Config::ephemeral()).await;
    let c = client(&emu);
    let group = c
        .create_group(&json!({"displayName": "Engineering"}))
        .await
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for i in 0..60 {
        let mut u = json!({
            "userName": format!("m{i}@example.test"), "displayName": format!("M {i}"),
            "name": {"givenName": "M", "familyName": format!("{i}")},
        });
        u = c.create_user(&u).await.unwrap();
        ids.push(u["id"].as_str().unwrap().to_string());
    }
    // Add all 60 one event at a time, then remove the first 10 again: order matters for those.
    let mut input = String::new();
    for id in &ids {
        input += &event(
            "iam-update-group",
            json!({"scim": {"id": gid}, "memberIdsToAdd": [id]}),
        );
    }
    for id in &ids[..10] {
        input += &event(
            "iam-update-group",
            json!({"scim": {"id": gid}, "memberIdsToDelete": [id]}),
        );
    }
    let (s, results) = run_batch(&emu, input, Format::JsonLines, 8, 0.0, None).await;
    assert_eq!((s.succeeded, s.failed), (70, 0), "{s}");
    each_line_once(&results, 1..=70);
    let q = aws_ilm_scim::UserQuery::GroupsValue(gid.clone());
    let members = c.list_users(Some(&q)).await.unwrap();
    let mut got: Vec<String> = members
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    let mut want: Vec<String> = ids[10..].to_vec();
    want.sort();
    assert_eq!(got, want);
    eprintln!("{s}");
}
