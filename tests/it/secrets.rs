//! The token never reaches stdout or stderr: every command at `-vvv`, on success and on error
//! paths (PRODUCT.md §6).

use serde_json::json;

use crate::harness::{Env, Out};

#[track_caller]
fn clean(out: &Out, token: &str) {
    assert!(
        !out.stdout.contains(token) && !out.stderr.contains(token),
        "the token leaked\n{}",
        out.describe()
    );
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
            clean(&out, &token);
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
    out.code(3);
    clean(&out, wrong);
    let out = env
        .cmd()
        .env("RUST_LOG", "trace")
        .args(["-vvv", "iam-get-user", "--user-profile", who])
        .run()
        .await;
    clean(&out, &token);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = env
        .cmd()
        .env("AWS_ILM_BASE_URL", &format!("http://127.0.0.1:{port}"))
        .args(["-vvv", "--timeout", "5", "test-module"])
        .run()
        .await;
    out.code(3);
    clean(&out, &token);
}
