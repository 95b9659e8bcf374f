//! `aws-ilm doctor` against the real emulator (docs/doctor.md): all checks pass against a
//! working setup; a wrong token fails the auth check (exit 1) without printing the token; a
//! closed port fails TCP; an untrusted certificate fails TLS with a plain message; broken
//! settings are a failed check, not exit 3.

use serde_json::Value;

use crate::harness::{Env, Out, closed_url, s};

/// `aws-ilm --output json doctor`'s checks by name (the last of a name wins).
fn checks(out: &Out) -> Vec<(String, String, String)> {
    let doc: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e})\n{}", out.describe()));
    doc.as_array()
        .unwrap_or_else(|| panic!("not an array\n{}", out.describe()))
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            let hint = text("hint");
            (
                text("check"),
                text("status"),
                format!("{} {hint}", text("message")),
            )
        })
        .collect()
}

#[track_caller]
fn status_of(out: &Out, check: &str) -> (String, String) {
    checks(out)
        .into_iter()
        .find(|(c, _, _)| c == check)
        .map(|(_, s, m)| (s, m))
        .unwrap_or_else(|| panic!("no {check} check\n{}", out.describe()))
}

fn recent_day() -> String {
    let d = time::OffsetDateTime::now_utc().date() - time::Duration::days(10);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[tokio::test]
async fn a_working_setup_passes_every_check() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", &recent_day())
        .args(["doctor"])
        .run()
        .await;
    out.code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let (summary, checks) = lines.split_last().expect("lines");
    for line in checks {
        assert!(
            line.starts_with("✓ ") || line.starts_with("- tls: skipped: plain http"),
            "{line}\n{}",
            out.describe()
        );
    }
    assert!(
        summary.starts_with("0 failed, 0 to look at"),
        "{}",
        out.describe()
    );
    for needle in [
        "✓ setting base_url: ",
        "(from AWS_ILM_BASE_URL)",
        "✓ setting token: set (value not shown) (from AWS_ILM_TOKEN)",
        "✓ dns: 127.0.0.1 is an address",
        "✓ tcp: connected to 127.0.0.1:",
        "✓ auth: the server accepted the token",
        "✓ clock: ",
        "✓ token expiry: the token expires on",
    ] {
        assert!(out.stdout.contains(needle), "{needle}\n{}", out.describe());
    }
    assert!(!out.stdout.contains(env.token()), "{}", out.describe());

    // Without token_issued: a warning, still exit 0.
    let out = env.cmd().args(["--output", "json", "doctor"]).run().await;
    out.code(0);
    assert_eq!(status_of(&out, "token expiry").0, "warn");
    assert_eq!(status_of(&out, "auth").0, "pass");
}

#[tokio::test]
async fn a_wrong_token_fails_auth_and_is_never_printed() {
    let env = Env::start().await;
    let wrong = "wrong-doctor-token-93af";
    for format in ["human", "json"] {
        let out = env
            .cmd()
            .env("AWS_ILM_TOKEN", wrong)
            .args(["--output", format, "doctor"])
            .run()
            .await;
        out.code(1);
        assert!(
            !out.stdout.contains(wrong) && !out.stderr.contains(wrong),
            "{}",
            out.describe()
        );
        if format == "json" {
            let (status, message) = status_of(&out, "auth");
            assert_eq!(status, "fail", "{}", out.describe());
            assert!(
                message.contains("401") && message.contains("expired"),
                "{message}"
            );
            assert_eq!(status_of(&out, "tcp").0, "pass");
        } else {
            assert!(
                out.stdout.contains("✗ auth: HTTP 401"),
                "{}",
                out.describe()
            );
        }
    }
}

#[tokio::test]
async fn a_closed_port_fails_tcp_and_skips_the_rest() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env("AWS_ILM_BASE_URL", &closed_url())
        .args(["--output", "json", "doctor"])
        .run()
        .await;
    out.code(1);
    assert_eq!(status_of(&out, "dns").0, "pass");
    let (tcp, message) = status_of(&out, "tcp");
    assert_eq!(tcp, "fail", "{}", out.describe());
    assert!(message.contains("cannot connect"), "{message}");
    for later in ["tls", "auth", "clock"] {
        assert_eq!(
            status_of(&out, later).0,
            "skip",
            "{later}\n{}",
            out.describe()
        );
    }
}

#[tokio::test]
async fn an_untrusted_certificate_fails_tls_plainly() {
    let env = Env::with_self_signed_tls().await;
    let out = env.cmd().args(["--output", "json", "doctor"]).run().await;
    out.code(1);
    assert_eq!(status_of(&out, "tcp").0, "pass");
    let (tls, message) = status_of(&out, "tls");
    assert_eq!(tls, "fail", "{}", out.describe());
    assert!(
        message.contains("issued by an authority this machine does not trust"),
        "{message}"
    );
    assert_eq!(status_of(&out, "auth").0, "skip");

    // With insecure: the handshake passes with a warning, the token is accepted.
    let out = env
        .cmd()
        .args(["--insecure", "--output", "json", "doctor"])
        .run()
        .await;
    out.code(0);
    assert_eq!(status_of(&out, "tls").0, "warn");
    assert_eq!(status_of(&out, "auth").0, "pass");
}

#[tokio::test]
async fn broken_settings_are_a_failed_check_and_an_expired_token_fails() {
    let env = Env::start().await;
    let out = env.bare().args(["doctor"]).run().await;
    out.code(1);
    assert!(
        out.stdout.starts_with("✗ settings: missing base URL"),
        "{}",
        out.describe()
    );
    assert!(out.stdout.contains("- dns: skipped"), "{}", out.describe());

    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", "2020-01-01")
        .args(["--output", "json", "doctor"])
        .run()
        .await;
    out.code(1);
    let (status, message) = status_of(&out, "token expiry");
    assert_eq!(status, "fail");
    assert!(message.contains("expired on 2020-12-31"), "{message}");
    assert_eq!(status_of(&out, "auth").0, "pass");
}

/// Every "audit log" check of a `--output json` doctor run: status and message with its hint.
fn audit_checks(out: &Out) -> Vec<(String, String)> {
    checks(out)
        .into_iter()
        .filter(|(c, _, _)| c == "audit log")
        .map(|(_, s, m)| (s, m))
        .collect()
}

/// docs/doctor.md, "audit log": doctor opens the log as a run would. Off, created, appendable:
/// passed; a directory at the path or a folder that cannot be made: failed with a hint; a file
/// others can read, a torn or foreign last line: warnings. (Permission denied cannot be shown
/// here: the tests may run as root, whom no mode stops; it is the same failed open.)
#[tokio::test]
async fn doctor_checks_that_the_audit_log_can_be_written() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::start().await;
    let doctor = |log: &str| {
        env.cmd()
            .env("AWS_ILM_AUDIT_LOG", log)
            .args(["--output", "json", "doctor"])
    };
    let out = doctor("").run().await;
    out.code(0);
    let found = audit_checks(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "pass");
    assert!(found[0].1.starts_with("audit log off"), "{found:?}");

    // Missing: created as the first write would create it, private.
    let log = env.path("state/logs/audit.jsonl");
    let out = doctor(&s(&log)).run().await;
    out.code(0);
    let found = audit_checks(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "pass");
    assert!(
        found[0].1.contains("created (empty, mode 0600)"),
        "{found:?}"
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(log.parent().unwrap()), 0o700);

    // A real write, then the log as it is: appendable, nothing to say.
    env.cmd()
        .env("AWS_ILM_AUDIT_LOG", &s(&log))
        .args(["iam-create-group", "--scim", r#"{"displayName":"Eng"}"#])
        .run()
        .await
        .code(0);
    let out = doctor(&s(&log)).run().await;
    out.code(0);
    let found = audit_checks(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("can be appended to"), "{found:?}");

    // Readable by others, and a last line cut short: two warnings, still exit 0.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut text = std::fs::read(&log).unwrap();
    text.extend_from_slice(b"{\"time\":\"2026");
    std::fs::write(&log, &text).unwrap();
    let out = doctor(&s(&log)).run().await;
    out.code(0);
    let found = audit_checks(&out);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, "pass");
    assert_eq!(found[1].0, "warn");
    assert!(
        found[1].1.contains("mode 0644") && found[1].1.contains("chmod 600"),
        "{found:?}"
    );
    assert_eq!(found[2].0, "warn");
    assert!(
        found[2].1.contains("no newline") && found[2].1.contains("aws-ilm audit verify"),
        "{found:?}"
    );

    // A whole last line that is not a record.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o600)).unwrap();
    text.extend_from_slice(b"\n");
    std::fs::write(&log, &text).unwrap();
    let found = audit_checks(&doctor(&s(&log)).run().await);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[1].0, "warn");
    assert!(found[1].1.contains("not an audit record"), "{found:?}");

    // A directory at the path; a folder that cannot be made (a file is in the way): failed,
    // with the hint, exit 1; nothing created.
    let not_a_folder = env.write("plain-file", "x");
    for (path, why) in [
        (log.parent().unwrap().to_path_buf(), "is a directory"),
        (
            not_a_folder.join("audit.jsonl"),
            "cannot be opened for appending",
        ),
    ] {
        let out = doctor(&s(&path)).run().await;
        out.code(1);
        let found = audit_checks(&out);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "fail", "{}", out.describe());
        assert!(
            found[0].1.contains(why)
                && found[0]
                    .1
                    .contains("an empty value turns the audit log off"),
            "{found:?}"
        );
    }
    assert!(not_a_folder.is_file());
}
