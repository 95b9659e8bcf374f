//! Token expiry (docs/configuration.md, "Token expiry"): with `token_issued` within 30 days of
//! AWS's one-year limit a command warns once on stderr, after it the warning says expired, and
//! a 401 names token expiry and rotation in single commands and in a batch. `token_issued` is
//! set relative to today, so the tests hold on any day.

use time::{Date, Duration, OffsetDateTime};

use crate::harness::Env;

/// The day `days` days before today (UTC), as `YYYY-MM-DD`.
fn days_ago(days: i64) -> String {
    let today: Date = OffsetDateTime::now_utc().date();
    let d = today - Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn warning_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect()
}

#[tokio::test]
async fn within_thirty_days_one_warning_after_the_year_expired() {
    let env = Env::start().await;
    let get = ["test-module"];

    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", &days_ago(300))
        .args(get)
        .run()
        .await;
    out.code(0);
    assert!(warning_lines(&out.stderr).is_empty(), "{}", out.describe());

    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", &days_ago(355))
        .args(get)
        .run()
        .await;
    out.code(0);
    let w = warning_lines(&out.stderr);
    assert_eq!(w.len(), 1, "{}", out.describe());
    assert!(
        w[0].contains("in 10 days") && w[0].contains("Generate token"),
        "{}",
        out.describe()
    );

    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", &days_ago(400))
        .args(get)
        .run()
        .await;
    out.code(0);
    let w = warning_lines(&out.stderr);
    assert_eq!(w.len(), 1, "{}", out.describe());
    assert!(
        w[0].contains("expired on") && w[0].contains("35 days ago"),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn a_bad_token_issued_is_exit_3() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN_ISSUED", "2025-02-30")
        .args(["test-module"])
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has("AWS_ILM_TOKEN_ISSUED")
        .stderr_has("YYYY-MM-DD");
}

#[tokio::test]
async fn a_401_names_expiry_and_rotation_in_commands_and_batch() {
    let env = Env::start().await;
    let secret = "stale-token-7d1e0c";
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN", secret)
        .env("AWS_ILM_TOKEN_ISSUED", &days_ago(370))
        .args(["iam-get-user", "--user-profile", r#"{"username":"a"}"#])
        .run()
        .await;
    // The expiry warning, then the one `error:` line.
    out.code(3)
        .stderr_has("warning: the token expired on")
        .stderr_has("401")
        .stderr_has("expired (AWS SCIM tokens expire one year after")
        .stderr_has("Generate token")
        .stderr_has("the token expired on");

    let input = env.write(
        "events.jsonl",
        "{\"command\":\"iam-get-user\",\"args\":{\"user-profile\":{\"username\":\"a\"}}}\n",
    );
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN", secret)
        .args(["batch", &crate::harness::s(&input)])
        .run()
        .await;
    out.code(3)
        .stderr_has("401")
        .stderr_has("expire one year after")
        .stderr_has("Generate token");
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(secret), "{}", out.describe());
    }
}

#[tokio::test]
async fn a_401_in_plan_and_apply_names_expiry_too() {
    use crate::reconcile_support::{apply_from, people, plan};
    let env = Env::start().await;
    let source = env.write("people.csv", &people(0..2, "eng"));
    let secret = "stale-token-for-plan-5b2";
    for cmd in [plan(&env, &source), apply_from(&env, &source)] {
        let out = cmd.env("AWS_ILM_TOKEN", secret).run().await;
        assert!(
            out.stderr.contains("401") && out.stderr.contains("expire one year after"),
            "{}",
            out.describe()
        );
        assert_ne!(out.status, Some(0), "{}", out.describe());
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains(secret), "{}", out.describe());
        }
    }
}
