//! Benchmark helper (not a test): creates N users through the emulator's real HTTP API,
//! concurrently, and writes their ids to a file (one per line) for the GET-by-id load.
//!
//! Usage: seed BASE_URL TOKEN COUNT PREFIX IDS_FILE [CONCURRENCY]
//! The token is read from argv by the benchmark script only; it is a throwaway one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!("usage: seed BASE_URL TOKEN COUNT PREFIX IDS_FILE [CONCURRENCY]");
        std::process::exit(2);
    }
    let base = args[1].clone();
    let token = args[2].clone();
    let count: usize = args[3].parse().unwrap_or(1000);
    let prefix = args[4].clone();
    let ids_file = args[5].clone();
    let conc: usize = args.get(6).and_then(|c| c.parse().ok()).unwrap_or(32);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (http, base, token, prefix, next) = (
            http.clone(),
            base.clone(),
            token.clone(),
            prefix.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let name = format!("{prefix}{n}");
                let body = serde_json::json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": name, "externalId": format!("x-{name}"), "active": true,
                    "displayName": format!("User {n}"),
                    "name": {"givenName": "Seed", "familyName": format!("User{n}")},
                    "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}],
                    "title": "Engineer",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
                });
                let res = http
                    .post(format!("{base}/Users"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201, "seeding {name}");
                let v: serde_json::Value = res.json().await.unwrap();
                ids.push(v["id"].as_str().unwrap().to_owned());
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    std::fs::write(&ids_file, all.join("\n") + "\n").unwrap();
    println!(
        "seeded {} users in {secs:.1}s ({:.0}/s)",
        all.len(),
        all.len() as f64 / secs
    );
}
