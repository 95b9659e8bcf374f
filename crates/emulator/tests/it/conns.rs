//! Connection limits (docs/emulator.md, "Connection limits"): idle and stalled connections are
//! closed, and at the cap the server keeps answering normal requests. Small limits make the tests
//! quick; every wait is bounded by a generous [`BOUND`] that only a hang reaches, never a speed
//! assertion.

use std::time::Duration;

use aws_ilm_emulator::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::support::Emu;

const BOUND: Duration = Duration::from_secs(30);

/// Whether the server closes `s` (EOF or reset) within [`BOUND`]; bytes it sends first are
/// skipped.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    timeout(BOUND, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// One keep-alive HTTP/1.1 GET on `s`; returns the status after reading the whole answer.
async fn keep_alive_get(e: &Emu, s: &mut TcpStream, path: &str) -> u16 {
    let base = e.run.base_url.split_once("//").unwrap().1;
    let target = &base[base.find('/').unwrap()..];
    let req = format!(
        "GET {target}{path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        e.run.token.expose()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    timeout(BOUND, async {
        loop {
            let n = s.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed mid-answer: {}",
                String::from_utf8_lossy(&got)
            );
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .expect("a content-length")
                    .parse()
                    .unwrap();
                if body.len() >= len {
                    return head[9..12].parse().unwrap();
                }
            }
        }
    })
    .await
    .expect("an answer")
}

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    timeout(BOUND, async {
        while !ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never happened: {what}"));
}

/// 1,100 idle connections used to exhaust the descriptors and starve everyone. At the cap, each
/// new connection closes the least recently active idle one, and a normal request is answered.
#[tokio::test]
async fn at_the_cap_idle_connections_make_room_for_requests() {
    let mut cfg = Config::ephemeral();
    cfg.max_connections = 4;
    let e = Emu::with(cfg).await;
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(TcpStream::connect(e.run.addr).await.unwrap());
    }
    let a = timeout(BOUND, e.get("/Users")).await.expect("answered");
    assert_eq!(a.status, 200, "{}", a.text);
    // The six oldest made room for the next six, the seventh for the request.
    for (i, s) in idle.iter_mut().take(7).enumerate() {
        assert!(
            closed_by_server(s).await,
            "idle connection {i} was never closed"
        );
    }
    let s = e.run.connections();
    assert_eq!((s.limit, s.evicted, s.refused), (4, 7, 0), "{s:?}");
    wait_until("at most the cap open", || e.run.connections().open <= 4).await;
    let stats = e.stats().await;
    assert_eq!(stats.connections.evicted, 7, "{stats:?}");
}

/// When every connection has a request in flight, a new one is closed at once instead of
/// waiting; the requests in flight finish, and the next request is served.
#[tokio::test]
async fn at_the_cap_with_every_connection_busy_a_new_one_is_refused() {
    let mut cfg = Config::ephemeral();
    cfg.max_connections = 2;
    cfg.latency = Duration::from_secs(3);
    let e = Emu::with(cfg).await;
    let slow = [e.get("/Users"), e.get("/Groups")].map(tokio::spawn);
    wait_until("two requests in flight", || e.run.connections().busy == 2).await;
    let refused = timeout(
        BOUND,
        reqwest::Client::new()
            .get(e.url("/ServiceProviderConfig"))
            .bearer_auth(e.run.token.expose())
            .send(),
    )
    .await
    .expect("refused at once, not left waiting");
    assert!(refused.is_err(), "answered beyond the cap: {refused:?}");
    assert_eq!(e.run.connections().refused, 1);
    for t in slow {
        assert_eq!(t.await.unwrap().status, 200);
    }
    let a = e.get("/ServiceProviderConfig").await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let mut cfg = Config::ephemeral();
    cfg.idle_timeout = Duration::from_millis(300);
    let e = Emu::with(cfg).await;
    let mut s = TcpStream::connect(e.run.addr).await.unwrap();
    assert_eq!(
        keep_alive_get(&e, &mut s, "/ServiceProviderConfig").await,
        200
    );
    assert!(
        closed_by_server(&mut s).await,
        "kept open past the idle timeout"
    );
    let c = e.run.connections();
    assert_eq!((c.idle_timeouts, c.header_timeouts), (1, 0), "{c:?}");
}

/// The header-read timeout runs from the accept to the first head, and from the first byte of a
/// later request; the wait between requests on a kept-alive connection is the idle timeout's.
#[tokio::test]
async fn a_slow_or_missing_head_is_dropped_after_the_header_read_timeout() {
    let mut cfg = Config::ephemeral();
    cfg.header_read_timeout = Duration::from_millis(300);
    let e = Emu::with(cfg).await;
    let mut silent = TcpStream::connect(e.run.addr).await.unwrap();
    let mut partial = TcpStream::connect(e.run.addr).await.unwrap();
    partial
        .write_all(b"GET /x HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut kept = TcpStream::connect(e.run.addr).await.unwrap();
    assert_eq!(keep_alive_get(&e, &mut kept, "/Schemas").await, 200);
    assert!(closed_by_server(&mut silent).await, "no head, never closed");
    assert!(
        closed_by_server(&mut partial).await,
        "half a head, never closed"
    );
    // Past the header-read timeout, well within the idle one: still open.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(keep_alive_get(&e, &mut kept, "/Schemas").await, 200);
    assert_eq!(e.run.connections().header_timeouts, 2);
}

/// Over TLS the handshake counts towards the first head; over HTTP/2 the frames a client sends
/// between requests do not restart the header-read clock.
#[tokio::test]
async fn tls_handshakes_are_bounded_and_http2_connections_stay_open_between_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (files, pem) = crate::tls::self_signed(dir.path());
    let mut cfg = Config::ephemeral();
    cfg.tls = Some(files);
    cfg.header_read_timeout = Duration::from_millis(300);
    let e = Emu::with(cfg).await;
    let mut silent = TcpStream::connect(e.run.addr).await.unwrap();
    assert!(
        closed_by_server(&mut silent).await,
        "no handshake, never closed"
    );
    // Pings while idle: frames between requests, as h2 clients send them.
    let h2 = crate::tls::trusting(&pem)
        .http2_prior_knowledge()
        .http2_keep_alive_interval(Duration::from_millis(100))
        .http2_keep_alive_while_idle(true)
        .build()
        .unwrap();
    for _ in 0..2 {
        let res = h2
            .get(e.url("/ServiceProviderConfig"))
            .bearer_auth(e.run.token.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(res.version(), reqwest::Version::HTTP_2);
        assert_eq!(res.status(), 200);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let c = e.run.connections();
    assert_eq!(c.header_timeouts, 1, "only the silent one: {c:?}");
}

/// `POST /Users` head for a body of `len` bytes, on a connection the client will not reuse.
fn post_user_head(e: &Emu, len: usize) -> String {
    let base = e.run.base_url.split_once("//").unwrap().1;
    let target = &base[base.find('/').unwrap()..];
    format!(
        "POST {target}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n",
        e.run.token.expose()
    )
}

/// Everything the server sends on `s` until it closes it (EOF or reset), within [`BOUND`].
async fn read_to_close(s: &mut tokio::net::tcp::OwnedReadHalf) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    timeout(BOUND, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closed the connection");
    String::from_utf8_lossy(&got).into_owned()
}

/// A client that sends its head and then trickles the body (a byte every 100 ms) or stops
/// mid-body is answered 408 in AWS's error shape once the body-read timeout has passed, and its
/// connection is closed: neither holds a connection or a request for ever.
#[tokio::test]
async fn a_trickled_or_stalled_body_is_answered_408_and_closed() {
    let mut cfg = Config::ephemeral();
    cfg.body_read_timeout = Duration::from_millis(500);
    let e = Emu::with(cfg).await;
    let body = br#"{"userName": "ada", "displayName": "Ada", "name": {"givenName": "A", "familyName": "L"}}"#;
    for trickle in [false, true] {
        let s = TcpStream::connect(e.run.addr).await.unwrap();
        let (mut r, mut w) = s.into_split();
        w.write_all(post_user_head(&e, body.len()).as_bytes())
            .await
            .unwrap();
        w.write_all(&body[..10]).await.unwrap();
        let writer = tokio::spawn(async move {
            if trickle {
                for b in &body[10..] {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if w.write_all(&[*b]).await.is_err() {
                        return;
                    }
                }
            }
            // Stalled: the write half stays open, the body unfinished.
            std::future::pending::<()>().await;
        });
        let answer = read_to_close(&mut r).await;
        writer.abort();
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "trickle {trickle}: {answer}"
        );
        let (head, json) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("x-amzn-requestid: "), "{head}");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["status"], "408", "{v}");
        assert_eq!(
            v["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    }
    let c = e.run.connections();
    assert_eq!(c.body_timeouts, 2, "{c:?}");
    wait_until("both connections gone", || e.run.connections().open == 0).await;
    // Nothing was created.
    assert_eq!(e.get("/Users").await.json()["totalResults"], 0);
}

/// A body that arrives in pieces, slowly but whole within the body-read timeout, is served.
#[tokio::test]
async fn a_slow_body_within_the_body_read_timeout_is_served() {
    let mut cfg = Config::ephemeral();
    cfg.body_read_timeout = Duration::from_secs(5);
    let e = Emu::with(cfg).await;
    let body = br#"{"userName": "ada", "displayName": "Ada", "name": {"givenName": "A", "familyName": "L"}}"#;
    let s = TcpStream::connect(e.run.addr).await.unwrap();
    let (mut r, mut w) = s.into_split();
    w.write_all(post_user_head(&e, body.len()).as_bytes())
        .await
        .unwrap();
    for piece in body.chunks(body.len() / 4 + 1) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        w.write_all(piece).await.unwrap();
    }
    let answer = read_to_close(&mut r).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(e.run.connections().body_timeouts, 0);
}

/// An HTTP/2 connection (h2c, prior knowledge) whose client pings every 50 ms but sends no
/// request is closed after the idle timeout like an HTTP/1.1 one: pings are not requests.
#[tokio::test]
async fn an_idle_http2_connection_is_closed_whatever_pings_it_sends() {
    let mut cfg = Config::ephemeral();
    cfg.idle_timeout = Duration::from_millis(500);
    let e = Emu::with(cfg).await;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .http2_keep_alive_interval(Duration::from_millis(50))
        .http2_keep_alive_while_idle(true)
        .build()
        .unwrap();
    let get = || {
        h2.get(e.url("/ServiceProviderConfig"))
            .bearer_auth(e.run.token.expose())
            .send()
    };
    let res = get().await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.status(), 200);
    wait_until("the pinging connection closed", || {
        e.run.connections().open == 0
    })
    .await;
    let c = e.run.connections();
    assert_eq!((c.idle_timeouts, c.header_timeouts), (1, 0), "{c:?}");
    // The client just opens a new one.
    assert_eq!(get().await.unwrap().status(), 200);
}
