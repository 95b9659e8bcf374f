//! What `-v` shows (docs/configuration.md, "Logging").

use crate::harness::Env;

/// Regression (docs/configuration.md, "Logging"): `-v` logs one info line per request (method,
/// path, status, duration, AWS request id); the line was at debug, so it took `-vv`.
#[tokio::test]
async fn verbose_logs_one_info_line_per_request() {
    let env = Env::start().await;
    let who = r#"{"username":"nobody@example.com"}"#;
    for (argv, requests) in [
        (vec!["iam-get-user", "--user-profile", who], 1),
        (vec!["iam-create-user", "--user-profile", who], 2),
    ] {
        let out = env.cmd().arg1("-v").args(&argv).run().await;
        let lines: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.contains("scim request"))
            .collect();
        assert_eq!(lines.len(), requests, "{}", out.describe());
        for l in lines {
            assert!(l.contains(" INFO "), "{l}");
            for field in ["method=", "path=/", "status=", "elapsed_ms=", "request_id="] {
                assert!(l.contains(field), "{field} in {l}");
            }
            assert!(!l.contains("request_id=-"), "{l}");
        }
        assert!(!out.stderr.contains(env.token()), "{}", out.describe());
    }
    // Without -v: nothing but the result.
    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", who])
        .run()
        .await;
    assert_eq!(out.stderr, "", "{}", out.describe());
}
