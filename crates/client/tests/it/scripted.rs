//! A tiny scripted HTTP/1.1 server for the few behaviours the emulator cannot produce because
//! AWS never shows them: non-AWS answers (PATCH → 204, numeric `status`, HTML error pages,
//! `startIndex` paging), a server that reads a POST and hangs up, paging that never ends, and
//! hostile answers (huge or endless bodies). Each connection carries one request and is closed
//! after the answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A decoded query parameter.
    pub fn query(&self, key: &str) -> Option<String> {
        let q = self.target.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == key).then(|| decode(v))
        })
    }
}

/// `application/x-www-form-urlencoded` decoding of one query value.
fn decode(s: &str) -> String {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What to do with a request.
pub enum Action {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Read the request, then close the connection without answering.
    Hangup,
    /// Read the request and say nothing for this long (the client times out first).
    Stall(std::time::Duration),
    /// Answer 200 declaring this Content-Length, send a few bytes of it, then nothing until the
    /// client hangs up.
    DeclareLength(u64),
    /// Answer 200 with a chunked body that never ends: 64 KiB chunks until the client hangs up.
    /// A client that never does is given `Tally::GIVE_UP` bytes and then nothing more (so a test
    /// of such a client fails by its timeout, not by running out of memory).
    Endless(Arc<Tally>),
}

/// What an [`Action::Endless`] answer managed to send before the client hung up.
#[derive(Debug, Default)]
pub struct Tally {
    bytes: AtomicU64,
    finished: tokio::sync::Notify,
}

impl Tally {
    pub const GIVE_UP: u64 = 128 * 1024 * 1024;

    /// The body bytes sent, once the client has hung up.
    pub async fn sent(&self) -> u64 {
        self.finished.notified().await;
        self.bytes.load(Ordering::SeqCst)
    }
}

impl Action {
    pub fn json(status: u16, body: serde_json::Value) -> Action {
        Action::Respond {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn empty(status: u16) -> Action {
        Action::Respond {
            status,
            headers: vec![],
            body: String::new(),
        }
    }
}

pub struct Scripted {
    pub base_url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self, method: &str) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.method == method)
            .count()
    }
}

/// Serves `script` on 127.0.0.1; `script` gets each request and the number of requests seen
/// before it.
pub async fn serve<F>(script: F) -> Scripted
where
    F: Fn(&Seen, usize) -> Action + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let seen = seen2.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let _ = handle(sock, seen, &*script).await;
            });
        }
    });
    Scripted {
        base_url: format!("http://{addr}"),
        seen,
    }
}

async fn handle<F>(
    mut sock: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: &F,
) -> std::io::Result<()>
where
    F: Fn(&Seen, usize) -> Action,
{
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        assert!(buf.len() < 1 << 20, "request head too large");
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let target = first.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let req = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let action = {
        let mut all = seen.lock().unwrap();
        let n = all.len();
        all.push(req.clone());
        script(&req, n)
    };
    match action {
        Action::DeclareLength(n) => {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {n}\r\n\r\n{{\"id\":");
            sock.write_all(head.as_bytes()).await?;
            // Until the client closes its side.
            while sock.read(&mut chunk).await? > 0 {}
            Ok(())
        }
        Action::Endless(tally) => {
            let result = stream_forever(&mut sock, &tally).await;
            tally.finished.notify_one();
            result
        }
        Action::Hangup => Ok(()),
        Action::Stall(d) => {
            tokio::time::sleep(d).await;
            Ok(())
        }
        Action::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            sock.write_all(out.as_bytes()).await?;
            sock.shutdown().await
        }
    }
}

/// The body of [`Action::Endless`]: one chunk after another until a write fails.
async fn stream_forever(sock: &mut TcpStream, tally: &Tally) -> std::io::Result<()> {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    sock.write_all(head.as_bytes()).await?;
    let data = vec![b' '; 64 * 1024];
    let chunk = [
        format!("{:x}\r\n", data.len()).into_bytes(),
        data,
        b"\r\n".to_vec(),
    ]
    .concat();
    while tally.bytes.load(Ordering::SeqCst) < Tally::GIVE_UP {
        sock.write_all(&chunk).await?;
        tally.bytes.fetch_add(64 * 1024, Ordering::SeqCst);
    }
    let mut sink = [0u8; 1024];
    while sock.read(&mut sink).await? > 0 {}
    Ok(())
}
