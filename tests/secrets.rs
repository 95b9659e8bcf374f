//! The token never leaks where `tests/it/secrets.rs` does not look (issue 5, item 6):
//! - `aws-ilm serve -vvv` (and `RUST_LOG=trace`): its stdout and stderr hold a token only on the
//!   banner's `token:` line, and only when the server generated it;
//! - `aws-ilm batch` at `-vvv`: stdout, stderr, the results file and the journal, including
//!   runs against a server answering 500s, dropping connections and throttling, and a run with
//!   a wrong token;
//! - single commands at `-vvv` against that faulty server.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const GIVEN: &str = "given-server-token-7d1e0c5a9b";

/// A server process (SIGKILLed when dropped) and where its output went.
struct Server {
    child: Child,
    root: String,
    tenant: String,
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, name: &str, token: Option<&str>, extra: &[&str]) -> Server {
    let stderr = dir.join(format!("{name}.stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aws-ilm"));
    cmd.args([
        "-vvv",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--db",
        ":memory:",
    ])
    .args(extra)
    .env_remove("AWS_ILM_EMULATOR_TOKEN")
    .env("RUST_LOG", "trace")
    .stdout(Stdio::piped())
    .stderr(File::create(&stderr).unwrap());
    if let Some(t) = token {
        // The README's recommended way: the variable, not `--token` (visible in `ps`).
        cmd.env("AWS_ILM_EMULATOR_TOKEN", t);
    }
    let mut child = cmd.spawn().expect("spawn aws-ilm serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = Vec::new();
    for _ in 0..20 {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push(line.trim_end().to_owned());
        if line.starts_with("stats:") {
            break;
        }
    }
    let base = banner
        .iter()
        .find_map(|l| l.strip_prefix("base URL:"))
        .expect("banner")
        .trim()
        .to_owned();
    let rest = base.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_once('/').unwrap();
    let tenant = path.split('/').next().unwrap().to_owned();
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while out.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    Server {
        child,
        root: format!("http://{addr}"),
        tenant,
        banner,
    }
}

fn token_of(s: &Server) -> String {
    s.banner
        .iter()
        .find_map(|l| l.strip_prefix("token:"))
        .unwrap()
        .trim()
        .to_owned()
}

fn cli(s: &Server, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aws-ilm"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("AWS_ILM_BASE_URL", &s.root)
        .env("AWS_ILM_TENANT_ID", &s.tenant)
        .env("AWS_ILM_TOKEN", token)
        .env("RUST_LOG", "trace")
        .output()
        .expect("run aws-ilm")
}

#[track_caller]
fn clean(what: &str, text: &str, secrets: &[&str]) {
    for (n, line) in text.lines().enumerate() {
        for s in secrets {
            assert!(
                !line.contains(s),
                "the token leaked into {what}, line {n}: {line}"
            );
        }
    }
}

fn batch_file(dir: &Path) -> std::path::PathBuf {
    let mut lines = Vec::new();
    for i in 0..30 {
        let name = format!("b{i}@example.com");
        let profile = serde_json::json!({"username": name, "email": name, "givenname": "G",
            "surname": "S", "displayname": format!("D {i}")});
        lines.push(
            serde_json::json!({"command": "iam-create-user", "args": {"user-profile": profile}})
                .to_string(),
        );
        lines.push(
            serde_json::json!({"command": "iam-disable-user",
                "args": {"user-profile": {"username": name}}})
            .to_string(),
        );
    }
    lines.push(r#"{"command": "iam-create-group", "args": {"scim": {"displayName": "B"}}}"#.into());
    lines.push(r#"{"command": "iam-get-group", "args": {"scim": {"displayName": "nope"}}}"#.into());
    lines.push("{not json".into());
    lines.push(r#"{"command": "no-such-command", "args": {}}"#.into());
    let path = dir.join("events.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

#[test]
fn server_batch_and_fault_paths_never_leak_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let events = batch_file(dir.path());
    let plain = serve(dir.path(), "plain", None, &[]);
    let generated = token_of(&plain);
    let banner_hits: Vec<_> = plain
        .banner
        .iter()
        .filter(|l| l.contains(&generated))
        .collect();
    assert_eq!(
        banner_hits.len(),
        1,
        "only the token: line shows it: {banner_hits:?}"
    );
    let faulty = serve(
        dir.path(),
        "faulty",
        Some(GIVEN),
        &[
            "--fault-rate",
            "0.3",
            "--throttle-write",
            "5",
            "--throttle-read",
            "10",
        ],
    );
    assert!(
        faulty.banner.iter().all(|l| !l.contains(GIVEN)),
        "a given token is never printed: {:?}",
        faulty.banner
    );
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    for (label, server, token) in [
        ("plain", &plain, generated.as_str()),
        ("faulty", &faulty, GIVEN),
        ("wrong-token", &plain, "wrong-token-4c1d9e"),
    ] {
        let results = dir.path().join(format!("{label}.results"));
        let journal = dir.path().join(format!("{label}.journal"));
        let out = cli(
            server,
            token,
            &[
                "-vvv",
                "batch",
                events.to_str().unwrap(),
                "--results",
                results.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
                "--no-progress",
            ],
        );
        outputs.push((
            format!("{label} batch stdout"),
            String::from_utf8_lossy(&out.stdout).into(),
        ));
        outputs.push((
            format!("{label} batch stderr"),
            String::from_utf8_lossy(&out.stderr).into(),
        ));
        files.push(results);
        files.push(journal);
    }
    // Single commands against the faulty server: retried 500s, drops and 429s on the way.
    for args in [
        vec![
            "-vvv",
            "iam-get-user",
            "--user-profile",
            r#"{"username":"b1@example.com"}"#,
        ],
        vec![
            "-vvv",
            "--output",
            "json",
            "iam-create-group",
            "--scim",
            r#"{"displayName":"F"}"#,
        ],
        vec!["-vvv", "test-module"],
    ] {
        let out = cli(&faulty, GIVEN, &args);
        outputs.push((
            format!("{args:?} stdout"),
            String::from_utf8_lossy(&out.stdout).into(),
        ));
        outputs.push((
            format!("{args:?} stderr"),
            String::from_utf8_lossy(&out.stderr).into(),
        ));
    }
    let secrets = [generated.as_str(), GIVEN, "wrong-token-4c1d9e"];
    for (what, text) in &outputs {
        clean(what, text, &secrets);
    }
    let mut results_seen = 0;
    for f in &files {
        if let Ok(text) = std::fs::read_to_string(f) {
            results_seen += usize::from(!text.is_empty());
            clean(&f.display().to_string(), &text, &secrets);
        }
    }
    assert!(results_seen >= 2, "the batch runs wrote no results");
    drop(plain);
    drop(faulty);
    for name in ["plain", "faulty"] {
        let log = std::fs::read_to_string(dir.path().join(format!("{name}.stderr"))).unwrap();
        assert!(
            log.contains("request"),
            "{name}: the server logged no requests"
        );
        clean(&format!("{name} server stderr"), &log, &secrets);
    }
}
