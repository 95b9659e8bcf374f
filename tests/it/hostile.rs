//! A hostile directory (docs/output.md, "Server text is data"): a small fake SCIM server written
//! here, because the real emulator never answers with escape sequences or echoes the caller's
//! token. It reads the bearer token from each request and puts it, with terminal escape sequences
//! (OSC window title, clear screen, colour, BEL, DEL, C1 controls including U+009B), into error
//! details (400 and 401) and into the fields of the users and groups it returns (200).
//!
//! Every command runs against it in every output format: stdout and stderr must hold neither
//! the token nor a raw control character (but the line breaks of the output itself), the JSON
//! must still parse, and the markdown of every command's failure is a snapshot.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::harness::{Cmd, Env, Out};

const TOKEN: &str = "hostile-test-token-5c1e9a";

/// The escape sequences a hostile server mixes into its text.
const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1m\u{7f}\u{85}";

/// How the fake server answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Every request: 400 with a detail holding the token it was sent and escapes.
    Refuse,
    /// Every request: 401 the same way (the `error:` line path).
    Unauthorized,
    /// 200s whose users and groups carry the token and escapes in their fields.
    Echo,
    /// Every request: 200 with a resource whose id is not the one asked for, but the token and
    /// escapes.
    Impostor,
}

/// One request as the fake server saw it.
struct Request {
    method: String,
    path: String,
    token: String,
}

/// Starts the fake server on 127.0.0.1; returns its base URL. It runs until the test's runtime
/// ends.
async fn hostile(mode: Mode) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some(req) = read_request(&mut sock).await else {
                    return;
                };
                let (status, body) = answer(mode, &req);
                let reason = match status {
                    200 => "OK",
                    201 => "Created",
                    400 => "Bad Request",
                    _ => "Unauthorized",
                };
                let head = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n\
                     x-amzn-RequestId: req-{status}\r\nDate: Mon, 23 Aug 2021 12:54:08 GMT\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    url
}

/// Reads one request (headers and a Content-Length body) from `sock`.
async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let token = header("authorization")
        .and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
        .unwrap_or_default();
    Some(Request {
        method,
        path,
        token,
    })
}

/// The answer to `req`: `(status, body)`.
fn answer(mode: Mode, req: &Request) -> (u16, String) {
    let echo = format!("Bearer {} {EVIL}", req.token);
    let error = |status: u16| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": status.to_string(),
            "detail": format!("rejected: Authorization: {echo}\nsecond line"),
        })
        .to_string()
    };
    match mode {
        Mode::Refuse => (400, error(400)),
        Mode::Unauthorized => (401, error(401)),
        Mode::Impostor => (
            200,
            json!({"id": format!("u-2{EVIL}{}", req.token), "userName": "mallory"}).to_string(),
        ),
        Mode::Echo => {
            let user = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "u-1", "userName": format!("evil{EVIL}"), "active": true,
                "displayName": echo, "title": format!("{}{EVIL}", req.token),
                "name": {"givenName": EVIL, "familyName": req.token},
                "emails": [{"value": format!("{}@x.example", req.token), "primary": true}],
            });
            let group = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": "g-1", "displayName": echo,
            });
            let list = |r: Value| {
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "totalResults": 1, "itemsPerPage": 1, "startIndex": 1, "Resources": [r],
                })
                .to_string()
            };
            let path = req.path.split('?').next().unwrap_or_default();
            match (
                req.method.as_str(),
                path.rsplit('/').next().unwrap_or_default(),
            ) {
                ("GET", "Users") => (200, list(user)),
                ("GET", "Groups") => (200, list(group)),
                ("GET", "g-1") => (200, group.to_string()),
                ("POST", "Users") => (201, user.to_string()),
                ("POST", "Groups") => (201, group.to_string()),
                ("PATCH", "u-1") | ("GET", "u-1") => (200, user.to_string()),
                ("GET", _) => (200, json!({"detail": echo}).to_string()),
                _ => (400, error(400)),
            }
        }
    }
}

/// Every command, with arguments that make it talk to the server.
fn every_command() -> Vec<Vec<&'static str>> {
    let who = r#"{"username":"evil","email":"evil@x.example"}"#;
    let full = r#"{"username":"evil","email":"evil@x.example","givenname":"E","surname":"Vil","displayname":"E Vil"}"#;
    vec![
        vec!["iam-create-user", "--user-profile", full],
        vec!["iam-update-user", "--user-profile", full],
        vec!["iam-get-user", "--user-profile", who],
        vec!["iam-disable-user", "--user-profile", who],
        vec!["iam-enable-user", "--user-profile", who],
        vec!["iam-delete-user", "--user-profile", who],
        vec!["iam-get-group", "--scim", r#"{"id":"g-1"}"#],
        vec!["iam-create-group", "--scim", r#"{"displayName":"G"}"#],
        vec![
            "iam-update-group",
            "--scim",
            r#"{"id":"g-1"}"#,
            "--memberIdsToAdd",
            "u-1",
        ],
        vec!["iam-delete-group", "--scim", r#"{"id":"g-1"}"#],
        vec!["get-mapping-fields"],
        vec!["test-module"],
    ]
}

fn cmd(home: &std::path::Path, url: &str) -> Cmd {
    Cmd::scrubbed(home)
        .env("AWS_ILM_BASE_URL", url)
        .env("AWS_ILM_TENANT_ID", "t")
        .env("AWS_ILM_TOKEN", TOKEN)
}

/// Neither the token nor a raw control character (but line breaks) reached stdout or stderr.
#[track_caller]
fn inert(out: &Out) {
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text.contains(TOKEN),
            "the token reached {name}\n{}",
            out.describe()
        );
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| aws_ilm_lifecycle::text::is_control(c) && c != '\n')
            .collect();
        assert!(
            raw.is_empty(),
            "raw control characters {raw:?} reached {name}\n{}",
            out.describe()
        );
    }
}

/// Regression (docs/output.md, "Server text is data"): a 400 whose detail echoes `Bearer <token>`
/// with escape sequences put the token and the raw escapes in `errorMessage` on stdout, in every
/// format.
#[tokio::test]
async fn refusals_echoing_the_token_and_escapes_print_neither() {
    let env = Env::start().await;
    let url = hostile(Mode::Refuse).await;
    let mut transcript = String::new();
    for argv in every_command() {
        for format in ["markdown", "human", "json"] {
            let out = cmd(env.home.path(), &url)
                .args(["--output", format])
                .args(&argv)
                .run()
                .await;
            inert(&out);
            let want = if argv[0] == "get-mapping-fields" {
                0
            } else {
                1
            };
            out.code(want);
            if format == "json" {
                let text = out.json().to_string();
                if want == 1 {
                    assert!(text.contains("Bearer (redacted)"), "{}", out.describe());
                }
            }
            if format == "markdown" && argv[0] != "get-mapping-fields" {
                transcript.push_str(&format!("$ aws-ilm {}\n{}\n", argv.join(" "), out.stdout));
            }
        }
    }
    insta::assert_snapshot!("hostile_refusals_markdown", transcript);
}

/// Regression (docs/output.md, "The token is never printed"): a 200 whose fields carry the token
/// printed it (get-user, get-group), and item 2: their escape sequences reached the terminal raw.
#[tokio::test]
async fn answers_carrying_the_token_and_escapes_print_neither() {
    let env = Env::start().await;
    let url = hostile(Mode::Echo).await;
    for argv in every_command() {
        for format in ["markdown", "human", "json"] {
            let out = cmd(env.home.path(), &url)
                .args(["--output", format])
                .args(&argv)
                .run()
                .await;
            inert(&out);
        }
    }
    let out = cmd(env.home.path(), &url)
        .args(["--output", "json", "iam-get-user", "--user-profile"])
        .arg1(r#"{"username":"evil"}"#)
        .run()
        .await;
    out.code(0);
    let v = out.json();
    let details = &v["IAM"]["Vendor"]["details"];
    assert_eq!(details["title"], format!("(redacted){EVIL}"), "{v}");
    assert_eq!(details["name"]["familyName"], "(redacted)");
    assert!(
        out.stdout.contains("\\u009b") && out.stdout.contains("\\u001b"),
        "C0 and C1 are JSON escapes: {}",
        out.stdout
    );
    let out = cmd(env.home.path(), &url)
        .args(["--output", "markdown", "iam-get-group", "--scim"])
        .arg1(r#"{"id":"g-1"}"#)
        .run()
        .await;
    out.code(0);
    insta::assert_snapshot!("hostile_get_group_markdown", out.stdout);
}

/// Regression (docs/output.md, "Server text is data"), on stderr: a 401 (exit 3) is reported on the
/// `error:` line, which must be one line with the token masked and the escapes visible.
#[tokio::test]
async fn error_line_of_a_hostile_401_is_one_inert_line() {
    let env = Env::start().await;
    let url = hostile(Mode::Unauthorized).await;
    for argv in every_command()
        .into_iter()
        .filter(|a| a[0] != "get-mapping-fields")
    {
        let out = cmd(env.home.path(), &url).args(&argv).run().await;
        out.code(3).one_line_error();
        inert(&out);
        assert!(
            out.stderr
                .contains("Bearer (redacted) \\u{1b}]0;pwned\\u{7}"),
            "{}",
            out.describe()
        );
    }
}

/// A success answer to a GET by id that carries another resource (docs/client.md, "Success
/// answers that cannot be trusted") fails the command (exit 1) with a one-line message naming
/// both ids, the server's neutralised and its token redacted, in every format.
#[tokio::test]
async fn a_get_by_id_answered_with_another_id_fails_naming_it() {
    let env = Env::start().await;
    let url = hostile(Mode::Impostor).await;
    for (argv, asked, result) in [
        (
            ["iam-get-user", "--user-profile", r#"{"id":"u-1"}"#],
            "Users id \"u-1\"",
            &["IAM", "Vendor"][..],
        ),
        (
            ["iam-get-group", "--scim", r#"{"id":"g-1"}"#],
            "Groups id \"g-1\"",
            &["GetGroup"][..],
        ),
    ] {
        let want = format!(
            "unexpected response: asked for {asked} but the server answered success with id \
             \"u-2\\u{{1b}}]0;pwned\\u{{7}}"
        );
        for format in ["json", "markdown", "human"] {
            let out = cmd(env.home.path(), &url)
                .args(["--output", format])
                .args(argv)
                .run()
                .await;
            inert(&out);
            out.code(1);
            if format == "json" {
                let v = result.iter().fold(out.json(), |v, k| v[*k].clone());
                let msg = v["errorMessage"].as_str().unwrap_or_default();
                assert!(
                    msg.starts_with(&want) && msg.ends_with("(redacted)\"") && !msg.contains('\n'),
                    "{msg}"
                );
            } else {
                // Whole on one line wherever it is shown (get-group also shows it as details).
                let mut shown = out.stdout.lines().filter(|l| l.contains("asked for"));
                assert!(
                    shown.clone().count() > 0 && shown.all(|l| l.contains(&want)),
                    "{format}: {}",
                    out.describe()
                );
            }
        }
    }
}

/// The batch results (stdout and `--results`) and summary go through the same sieve.
#[tokio::test]
async fn batch_results_and_summary_print_neither() {
    let env = Env::start().await;
    let url = hostile(Mode::Refuse).await;
    let input = env.write(
        "events.jsonl",
        &[
            r#"{"command":"iam-get-user","args":{"user-profile":{"username":"evil"}}}"#,
            r#"{"command":"iam-get-group","args":{"scim":{"id":"g-1"}}}"#,
        ]
        .join("\n"),
    );
    let results = env.path("results.jsonl");
    let input = crate::harness::s(&input);
    let results_arg = crate::harness::s(&results);
    for extra in [vec![], vec!["--results", results_arg.as_str()]] {
        let out = cmd(env.home.path(), &url)
            .args(["batch", input.as_str(), "--no-progress"])
            .args(&extra)
            .run()
            .await;
        inert(&out);
        out.code(1).stderr_has(" 2 failed,");
    }
    let written = std::fs::read_to_string(&results).expect("results file");
    assert!(!written.contains(TOKEN), "{written}");
    assert!(
        !written
            .chars()
            .any(|c| aws_ilm_lifecycle::text::is_control(c) && c != '\n'),
        "{written:?}"
    );
    for line in written.lines() {
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        assert!(v["result"].to_string().contains("Bearer (redacted)"), "{v}");
    }
}

/// The audit log (docs/audit.md) never holds the token, at any verbosity, even from a server
/// that echoes it in error details and in every resource it returns.
#[tokio::test]
async fn the_audit_log_never_holds_the_token() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("audit.jsonl");
    for mode in [Mode::Refuse, Mode::Echo] {
        let url = hostile(mode).await;
        for verbosity in [None, Some("-v"), Some("-vv"), Some("-vvv")] {
            for args in every_command() {
                let mut c =
                    cmd(home.path(), &url).env("AWS_ILM_AUDIT_LOG", &log.display().to_string());
                if let Some(v) = verbosity {
                    c = c.arg1(v);
                }
                inert(&c.args(&args).run().await);
            }
        }
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().count() >= 8, "writes were recorded:\n{text}");
    assert!(
        text.contains("rejected: Authorization: Bearer (redacted)") || text.contains("(redacted)"),
        "{text}"
    );
    assert!(
        !text.contains(TOKEN),
        "the token reached the audit log:\n{text}"
    );
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c.is_control() && c != '\n')
        .collect();
    assert!(raw.is_empty(), "raw controls in the log: {raw:?}");
}
