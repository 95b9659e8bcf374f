//! The token never reaches stdout, stderr, logs or files (docs/output.md, "The token is never
//! printed"):
//! - every command at `-vvv`, on success and on error paths, against the in-process emulator;
//! - `aws-ilm serve -vvv` (and `RUST_LOG=trace`) as a process: its stdout and stderr hold a
//!   token only on the banner's `token:` line, and only when the server generated it;
//! - `aws-ilm batch` at `-vvv`: stdout, stderr, the results file and the journal, including
//!   runs against a server answering 500s, dropping connections and throttling, and a run with
//!   a wrong token;
//! - single commands at `-vvv` against that faulty server.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::harness::{Cmd, Env, Out, closed_url};
use crate::server::{Serve, Server};

const GIVEN: &str = "given-server-token-7d1e0c5a9b";

/// A command's stdout and stderr hold no token.
#[track_caller]
fn clean_out(out: &Out, token: &str) {
    assert!(
        !out.stdout.contains(token) && !out.stderr.contains(token),
        "the token leaked\n{}",
        out.describe()
    );
}

/// No line of `text` (named `what` in the failure) holds any of `secrets`.
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

#[tokio::test]
async fn no_command_prints_the_token_even_at_trace() {
    let env = Env::start().await;
    let token = env.token().to_string();
    let user = env.create_user("s@example.com").await;
    let group = env.create_group("S").await;
    let who = r#"{"username":"s@example.com"}"#;
    let ghost = r#"{"username":"ghost@example.com"}"#;
    let full = json!({"username": "s2@example.com", "email": "s2@example.com",
        "givenname": "S", "surname": "Two", "displayname": "S Two"})
    .to_string();
    let gid = json!({"id": group}).to_string();
    let runs: Vec<Vec<&str>> = vec![
        vec!["iam-create-user", "--user-profile", &full],
        vec!["iam-update-user", "--user-profile", who],
        vec!["iam-get-user", "--user-profile", who],
        vec!["iam-get-user", "--user-profile", ghost],
        vec!["iam-disable-user", "--user-profile", who],
        vec!["iam-enable-user", "--user-profile", who],
        vec!["iam-create-group", "--scim", r#"{"displayName":"S"}"#],
        vec!["iam-get-group", "--scim", &gid],
        vec![
            "iam-update-group",
            "--scim",
            &gid,
            "--memberIdsToAdd",
            &user,
        ],
        vec![
            "iam-update-group",
            "--scim",
            &gid,
            "--memberIdsToDelete",
            &user,
        ],
        vec!["get-mapping-fields"],
        vec!["test-module"],
        vec!["iam-delete-group", "--scim", &gid],
        vec!["iam-delete-group", "--scim", &gid],
        vec!["iam-delete-user", "--user-profile", who],
        vec!["iam-get-user", "--user-profile", "{bad json"],
    ];
    let mut traced = false;
    for argv in &runs {
        for format in ["human", "json"] {
            let out = env
                .cmd()
                .args(["-vvv", "--output", format])
                .args(argv.iter())
                .run()
                .await;
            clean_out(&out, &token);
            assert!(
                !out.stderr.lines().any(|l| l.contains("TRACE")
                    && ["hyper", "reqwest", "h2", "rustls"]
                        .iter()
                        .any(|t| l.contains(&format!(" {t}")))),
                "HTTP-stack trace events are dropped\n{}",
                out.describe()
            );
            traced |= out.stderr.contains("TRACE") || out.stderr.contains("DEBUG");
        }
    }
    assert!(traced, "-vvv produced debug/trace logs at all");

    // Error paths: a wrong token (whose value must not be echoed either), a token file.
    let wrong = "wrong-secret-0123456789";
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN", wrong)
        .args(["-vvv", "iam-get-user", "--user-profile", who])
        .run()
        .await;
    out.code(3)
        .stderr_has("error: HTTP 401")
        .stderr_has("the server refused the token: it is wrong or it has expired");
    clean_out(&out, wrong);
    let out = env
        .cmd()
        .env("RUST_LOG", "trace")
        .args(["-vvv", "iam-get-user", "--user-profile", who])
        .run()
        .await;
    clean_out(&out, &token);
    let out = env
        .cmd()
        .env("AWS_ILM_BASE_URL", &closed_url())
        .args(["-vvv", "--timeout", "5", "test-module"])
        .run()
        .await;
    out.code(3)
        .stderr_has("error: ")
        .stderr_has("cannot connect");
    clean_out(&out, &token);
}

/// `aws-ilm -vvv serve` on `:memory:` with its stderr in `dir/{name}.stderr`; `token` (if
/// any) through `AWS_ILM_EMULATOR_TOKEN`, the README's way (`--token` is visible in `ps`).
fn serve(dir: &Path, name: &str, token: Option<&str>, extra: &[&str]) -> Server {
    let mut s = Serve::new(":memory:")
        .trace()
        .stderr_to(&dir.join(format!("{name}.stderr")))
        .args(extra);
    if let Some(t) = token {
        s = s.token_env(t);
    }
    s.start()
}

/// The binary against a server process, at trace level, with a scrubbed environment.
async fn cli(home: &Path, s: &Server, token: &str, args: &[&str]) -> Out {
    Cmd::scrubbed(home)
        .env("AWS_ILM_BASE_URL", &s.root())
        .env("AWS_ILM_TENANT_ID", s.tenant())
        .env("AWS_ILM_TOKEN", token)
        .env("RUST_LOG", "trace")
        .args(args)
        .run()
        .await
}

fn batch_file(dir: &Path) -> PathBuf {
    let mut lines = Vec::new();
    for i in 0..30 {
        let name = format!("b{i}@example.com");
        let profile = json!({"username": name, "email": name, "givenname": "G",
            "surname": "S", "displayname": format!("D {i}")});
        lines.push(
            json!({"command": "iam-create-user", "args": {"user-profile": profile}}).to_string(),
        );
        lines.push(
            json!({"command": "iam-disable-user",
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

#[tokio::test]
async fn server_batch_and_fault_paths_never_leak_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let events = batch_file(dir.path());
    let plain = serve(dir.path(), "plain", None, &[]);
    let generated = plain.scim.token.clone();
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
    let mut outputs: Vec<(String, Out)> = Vec::new();
    let mut files = Vec::new();
    for (label, server, token) in [
        ("plain", &plain, generated.as_str()),
        ("faulty", &faulty, GIVEN),
        ("wrong-token", &plain, "wrong-token-4c1d9e"),
    ] {
        let results = dir.path().join(format!("{label}.results"));
        let journal = dir.path().join(format!("{label}.journal"));
        let out = cli(
            dir.path(),
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
        )
        .await;
        outputs.push((format!("{label} batch"), out));
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
        let out = cli(dir.path(), &faulty, GIVEN, &args).await;
        outputs.push((format!("{args:?}"), out));
    }
    let secrets = [generated.as_str(), GIVEN, "wrong-token-4c1d9e"];
    for (what, out) in &outputs {
        clean(&format!("{what} stdout"), &out.stdout, &secrets);
        clean(&format!("{what} stderr"), &out.stderr, &secrets);
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
