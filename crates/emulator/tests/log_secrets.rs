//! The bearer token never reaches the server's logs (docs/output.md, "The token is never
//! printed").
//!
//! A process-wide subscriber at TRACE for every target — stricter than `aws-ilm serve -vvv`,
//! which drops the HTTP stack's trace events — captures everything the emulator (and hyper,
//! rustls, tokio through the `log` bridge) writes while it serves good and bad tokens, faults
//! and throttling. The banner line of `aws-ilm serve` is printed by the binary, not logged, so
//! here no line may hold a token at all.
//!
//! Its own test binary on purpose: the subscriber is process-wide, so inside `tests/it` it would
//! record (and slow down) every other test's TRACE output as well. It shares the hostile corpus's
//! request harness and the `it` helpers by `#[path]`.

// Shared rather than copied; not every helper is used here.
#[allow(dead_code)]
#[path = "it/hostile/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_ilm_emulator::{Config, Throttle};
use serde_json::json;

use crate::harness::{Auth, Case, Ctx, Expect, patch_op, user_body};

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once for the whole test binary.
fn capture() -> Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    SINK.get_or_init(|| {
        let sink = Sink::default();
        let writer = sink.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("no other subscriber in this test binary");
        sink
    })
    .clone()
}

/// Requests that exercise every path that handles a token: accepted, each kind of refusal,
/// and errors after admission.
fn requests(ctx: &Ctx, other: &str) -> Vec<Case> {
    let tok = ctx.token().to_owned();
    let users = ctx.t("/Users");
    let raw = |s: String| Auth::Raw(s.into_bytes());
    let mut v = vec![
        Case::new("list", "GET", users.clone()).expect(Expect::Status(200)),
        Case::new("second token", "GET", users.clone())
            .auth(raw(format!("Bearer {other}")))
            .expect(Expect::Status(200)),
        Case::new("create", "POST", users.clone())
            .json(&user_body("carol"))
            .expect(Expect::Status(201)),
        Case::new("conflict", "POST", users.clone())
            .json(&user_body("carol"))
            .expect(Expect::Status(409)),
        Case::new("bad body", "POST", users.clone()).body(b"{".to_vec()),
        Case::new(
            "not found",
            "GET",
            ctx.t("/Users/c4488478-a0e1-700e-3d75-96c6bb641596"),
        ),
        Case::new("bad patch", "PATCH", ctx.t(&format!("/Users/{}", ctx.user)))
            .json(&patch_op(json!([{"op": "move"}]))),
        Case::new("bad filter", "GET", ctx.t("/Users?filter=x")),
    ];
    for a in [
        format!("Bearer {tok}x"),
        format!("Bearer x{tok}"),
        format!("Basic {tok}"),
        format!("Bearer{tok}"),
        format!("bearer  {tok}  trailing"),
        format!("Bearer {tok} {other}"),
    ] {
        v.push(Case::new(format!("refused {a:.12}"), "GET", users.clone()).auth(raw(a)));
    }
    v.push(
        Case::new("wrong tenant", "GET", "/other/scim/v2/Users".to_owned())
            .expect(Expect::Status(401)),
    );
    v
}

fn assert_clean(log: &str, secrets: &[&str]) {
    for (n, line) in log.lines().enumerate() {
        for s in secrets {
            assert!(
                !line.contains(s),
                "a token reached the log, line {n}: {line}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_reach_the_server_logs() {
    let sink = capture();
    let other = aws_ilm_emulator::config::random_token();
    let mut config = Config::ephemeral();
    config.tokens.push(other.clone().into());
    let ctx = Ctx::start(config).await;
    let mut answered = 0;
    for case in requests(&ctx, &other) {
        let (status, _, text) = ctx.send(&case).await;
        answered += usize::from(status > 0);
        // Nor the answers: a 401 never echoes what was sent.
        assert_clean(&text, &[ctx.token(), &other]);
    }
    // Faults (500s and dropped connections) and throttling go through other code paths.
    let mut faulty = Config::ephemeral();
    faulty.fault_rate = 1.0;
    faulty.throttle = Some(Throttle {
        write_per_sec: 1,
        read_per_sec: 1,
    });
    let faulty_token = faulty.tokens[0].expose().to_owned();
    let f = aws_ilm_emulator::spawn(faulty).await.unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    for _ in 0..6 {
        // Dropped connections surface as errors here: that is the fault under test.
        let _ = http
            .get(format!("{}/Users", f.base_url))
            .bearer_auth(&faulty_token)
            .send()
            .await;
    }
    f.stop().await;
    let log = String::from_utf8_lossy(&sink.0.lock().unwrap()).to_string();
    assert!(answered > 0);
    assert!(
        log.contains("aws_ilm_emulator::request"),
        "the capture saw no request log lines"
    );
    let config_debug = format!("{:?}", Config::ephemeral());
    assert!(config_debug.contains("redacted"));
    assert_clean(&log, &[ctx.token(), &other, &faulty_token]);
    assert!(
        !log.contains("Bearer"),
        "an Authorization header was logged"
    );
}
