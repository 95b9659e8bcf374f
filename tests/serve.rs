//! `aws-ilm serve` as a process: what it prints, and that an acknowledged write survives a
//! `kill -9` of the server (WAL with synchronous=NORMAL: a commit is in the OS before the 201).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "serve-test-token-0123456789";

struct Server {
    child: Child,
    addr: String,
    base_path: String,
    stdout: String,
}

fn start(db: &str) -> Server {
    start_with(db, Stdio::null())
}

fn start_with(db: &str, stderr: Stdio) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aws-ilm"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db,
            "--tenant-id",
            "t-1",
            "--token",
            TOKEN,
        ])
        .env_remove("AWS_ILM_EMULATOR_TOKEN")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn aws-ilm serve");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let mut base = None;
    // Bounded: the banner is a handful of lines.
    for _ in 0..20 {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read stdout") == 0 {
            break;
        }
        printed.push_str(&line);
        if let Some(url) = line.strip_prefix("base URL:") {
            base = Some(url.trim().to_owned());
        }
        if line.starts_with("stats:") {
            break;
        }
    }
    let base = base.unwrap_or_else(|| panic!("no base URL in: {printed}"));
    let rest = base.strip_prefix("http://").expect("http base URL");
    let (addr, path) = rest.split_once('/').expect("path");
    Server {
        child,
        addr: addr.to_owned(),
        base_path: format!("/{path}"),
        stdout: printed,
    }
}

/// One HTTP/1.1 request on its own connection: (status, body).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn user(name: &str) -> String {
    format!(
        r#"{{"userName":"{name}","displayName":"D {name}","active":true,
            "name":{{"givenName":"G","familyName":"F"}},
            "emails":[{{"value":"{name}@example.com","type":"work","primary":true}}]}}"#
    )
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kill.db");
    let db = db.to_str().expect("utf-8 path");
    let mut server = start(db);
    assert!(server.stdout.contains("tenant:   t-1"), "{}", server.stdout);
    assert!(
        !server.stdout.contains(TOKEN),
        "a given token is not echoed: {}",
        server.stdout
    );
    let mut ids = Vec::new();
    for i in 0..20 {
        let (status, body) = http(
            &server.addr,
            "POST",
            &format!("{}/Users", server.base_path),
            &user(&format!("k{i}")),
        );
        assert_eq!(status, 201, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        ids.push(v["id"].as_str().expect("id").to_owned());
    }
    // SIGKILL right after the last acknowledgement: no chance to flush or checkpoint.
    server.child.kill().expect("kill -9");
    server.child.wait().expect("wait");

    let mut again = start(db);
    for id in &ids {
        let (status, body) = http(
            &again.addr,
            "GET",
            &format!("{}/Users/{id}", again.base_path),
            "",
        );
        assert_eq!(status, 200, "user {id} lost after kill -9: {body}");
    }
    let (status, _) = http(
        &again.addr,
        "POST",
        &format!("{}/Users", again.base_path),
        &user("k0"),
    );
    assert_eq!(status, 409, "uniqueness survives too");
    again.child.kill().expect("kill");
    again.child.wait().expect("wait");
}

/// The request log goes through a log thread while serving (`logging::queue_stderr`): every
/// request still gets its line, and a graceful stop (SIGTERM) writes out what was queued.
#[test]
fn request_log_is_complete_after_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("serve.stderr");
    let mut server = start_with(
        ":memory:",
        Stdio::from(std::fs::File::create(&log).expect("log file")),
    );
    const N: usize = 200;
    for _ in 0..N {
        let (status, body) = http(
            &server.addr,
            "GET",
            &format!(
                "{}/Users?filter=userName%20eq%20%22nobody%22",
                server.base_path
            ),
            "",
        );
        assert_eq!(status, 200, "{body}");
    }
    let pid = server.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(sent.success());
    // Bounded wait for the graceful stop (it drains for at most 5 s).
    let mut exited = None;
    for _ in 0..600 {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            exited = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Some(status) = exited else {
        let _ = server.child.kill();
        let _ = server.child.wait();
        panic!("aws-ilm serve did not stop within 30 s of SIGTERM");
    };
    assert!(status.success(), "{status}");
    let text = std::fs::read_to_string(&log).expect("read log");
    let lines = text
        .lines()
        .filter(|l| l.contains("aws_ilm_emulator::request") && l.contains("status=200"))
        .count();
    assert_eq!(lines, N, "one line per request:\n{text}");
    assert!(!text.contains(TOKEN), "the token reached the log");
}

#[test]
fn prints_a_generated_token_and_refuses_three() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aws-ilm"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", ":memory:"])
        .env_remove("AWS_ILM_EMULATOR_TOKEN")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut token = None;
    for _ in 0..20 {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(t) = line.strip_prefix("token:") {
            token = Some(t.trim().to_owned());
            break;
        }
    }
    let token = token.expect("a token line");
    assert!(token.len() >= 32, "{token}");
    child.kill().expect("kill");
    child.wait().expect("wait");

    let out = Command::new(env!("CARGO_BIN_EXE_aws-ilm"))
        .args([
            "serve",
            "--db",
            ":memory:",
            "--listen",
            "127.0.0.1:0",
            "--token",
            "a",
            "--token",
            "b",
            "--token",
            "c",
        ])
        .env_remove("AWS_ILM_EMULATOR_TOKEN")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 tokens") || err.contains("two"), "{err}");
}
