//! Bytes that are not a well-formed HTTP request, written to a raw TCP connection. These never
//! reach the router (the HTTP parser refuses them), so AWS's JSON body cannot be required — AWS's
//! own front end answers such bytes with a bare 400 too. What is required: no 2xx and no 5xx
//! (a 4xx status line or a closed connection), the server answers normally afterwards, and
//! nothing stored changes.

use std::time::Duration;

use aws_ilm_emulator::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::harness::{Ctx, user_body};

/// How long one raw exchange may take before it counts as a hang (bounds the test, not a
/// performance assertion: a local answer takes milliseconds).
const BOUND: Duration = Duration::from_secs(30);

fn cases(ctx: &Ctx) -> Vec<(&'static str, Vec<u8>)> {
    let t = &ctx.run.tenant_id;
    let tok = ctx.token();
    let body = user_body("smuggled").to_string();
    let auth = format!("Authorization: Bearer {tok}\r\n");
    vec![
        ("garbage line", b"GARBAGE\r\n\r\n".to_vec()),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec()),
        ("header without colon", b"GET / HTTP/1.1\r\nHost: x\r\nBadHeader\r\n\r\n".to_vec()),
        ("NUL in header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n".to_vec()),
        ("raw 0xFF in path", b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        ("space in path", b"GET /a b/c HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (
            "200 kB header",
            format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(200_000))
                .into_bytes(),
        ),
        (
            "500 headers",
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
                (0..500).map(|i| format!("X-{i}: v\r\n")).collect::<String>()
            )
            .into_bytes(),
        ),
        (
            "TLS ClientHello on plain HTTP",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x00\x01\x02\x03".to_vec(),
        ),
        (
            "negative Content-Length",
            format!("POST /{t}/scim/v2/Users HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: -1\r\n\r\n{body}")
                .into_bytes(),
        ),
        (
            "two different Content-Lengths",
            format!(
                "POST /{t}/scim/v2/Users HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 3\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        ),
        (
            "bad chunk size",
            format!("POST /{t}/scim/v2/Users HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n\r\nZZZ\r\n{body}\r\n0\r\n\r\n")
                .into_bytes(),
        ),
        (
            "truncated body",
            format!(
                "POST /{t}/scim/v2/Users HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {}\r\n\r\n{}",
                body.len() + 50,
                body
            )
            .into_bytes(),
        ),
        (
            "h2 preface then junk",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\xff\xff\x00\x00\x00\x00junk".to_vec(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_protocol_garbage_does_no_harm() {
    let ctx = Ctx::start(Config::ephemeral()).await;
    let before = ctx.snapshot().await;
    let mut outcomes = Vec::new();
    for (label, bytes) in cases(&ctx) {
        let mut s = TcpStream::connect(ctx.run.addr).await.unwrap();
        // The server may close while a large request is still being written: that is a refusal.
        let _ = s.write_all(&bytes).await;
        let _ = s.shutdown().await;
        let mut got = Vec::new();
        let read = tokio::time::timeout(BOUND, async {
            let mut buf = [0u8; 8192];
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
                if got.len() > 65_536 {
                    break;
                }
            }
        })
        .await;
        assert!(
            read.is_ok(),
            "{label}: the server neither answered nor closed"
        );
        let head = String::from_utf8_lossy(&got[..got.len().min(12)]).to_string();
        let outcome = if got.is_empty() {
            "closed".to_owned()
        } else if let Some(code) = head.strip_prefix("HTTP/1.1 ") {
            let code = code.trim().to_owned();
            assert!(code.starts_with('4'), "{label}: answered {code}");
            code
        } else if label.starts_with("h2") {
            "h2 frames".to_owned()
        } else {
            panic!(
                "{label}: unexpected answer {:?}",
                String::from_utf8_lossy(&got)
            );
        };
        outcomes.push(format!("{label} → {outcome}"));
        ctx.healthy().await;
        assert_eq!(ctx.snapshot().await, before, "{label}: stored data changed");
    }
    println!(
        "raw protocol inputs: {}\n  {}",
        outcomes.len(),
        outcomes.join("\n  ")
    );
}
