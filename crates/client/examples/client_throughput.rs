//! Prints the client's round-trip figures against an in-process emulator (in-memory SQLite):
//! sequential GetUser latency, concurrent GetUser throughput, CreateUser throughput, and the
//! request overhead of creating users under a 30% fault rate. Figures, not assertions.
//!
//!     cargo run -p aws_ilm_client --example client_throughput [N]   (N users, default 2000)

use std::time::{Duration, Instant};

use aws_ilm_client::{ClientConfig, Endpoint, RetryPolicy, ScimClient};
use futures::StreamExt;
use serde_json::json;

fn user(name: &str) -> serde_json::Value {
    json!({"userName": name, "displayName": name, "name": {"givenName": "A", "familyName": "B"},
           "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]})
}

async fn client(fault_rate: f64) -> (aws_ilm_emulator::Running, ScimClient) {
    let mut cfg = aws_ilm_emulator::Config::ephemeral();
    cfg.fault_rate = fault_rate;
    let run = aws_ilm_emulator::spawn(cfg).await.expect("emulator");
    let mut c = ClientConfig::new(
        Endpoint::parse(&run.root_url(), &run.tenant_id.clone()).expect("endpoint"),
        run.token.clone(),
    );
    c.retry = RetryPolicy {
        max_attempts: 12,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(60),
    };
    (run, ScimClient::new(c).expect("client"))
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let (run, c) = client(0.0).await;

    let t = Instant::now();
    let ids: Vec<String> = futures::stream::iter(0..n)
        .map(|i| {
            let c = c.clone();
            async move {
                let u = c
                    .create_user(&user(&format!("u{i}")))
                    .await
                    .expect("create");
                u["id"].as_str().unwrap_or_default().to_owned()
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let create = t.elapsed();
    println!(
        "CreateUser, concurrency 8: {n} in {create:?} = {:.0}/s",
        n as f64 / create.as_secs_f64()
    );

    let t = Instant::now();
    for id in ids.iter().take(n) {
        c.get_user(id).await.expect("get").expect("exists");
    }
    let seq = t.elapsed();
    println!("GetUser, sequential: mean {:?} per call", seq / n as u32);

    let t = Instant::now();
    futures::stream::iter(ids.clone())
        .map(|id| {
            let c = c.clone();
            async move { c.get_user(&id).await.expect("get") }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    let conc = t.elapsed();
    println!(
        "GetUser, concurrency 8: {:.0}/s",
        n as f64 / conc.as_secs_f64()
    );

    let t = Instant::now();
    let all = c.list_users(None).await.expect("list");
    println!(
        "ListUsers all pages: {} users in {:?}",
        all.len(),
        t.elapsed()
    );
    run.stop().await;

    let m = n.min(500);
    let (run, c) = client(0.3).await;
    futures::stream::iter(0..m)
        .map(|i| {
            let c = c.clone();
            async move {
                c.create_user(&user(&format!("f{i}")))
                    .await
                    .expect("create under faults")
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    let s = c.stats();
    println!(
        "CreateUser under fault_rate 0.3: {m} users, {} HTTP requests ({:.2} per user), {} retries",
        s.requests,
        s.requests as f64 / m as f64,
        s.retries
    );
    run.stop().await;
}
