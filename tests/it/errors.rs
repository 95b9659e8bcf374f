//! Bad input and failures (docs/commands.md, "Failures"; docs/configuration.md, "Errors"): each
//! is one `error:` line that says what is wrong and what to do, with the documented exit code,
//! never a stack trace, never the token.

use crate::harness::{Env, closed_url, s};

#[tokio::test]
async fn invalid_json_arguments_are_usage_errors() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", "{not json"])
        .run()
        .await;
    out.code(2).one_line_error().stderr_has("user-profile");
    let out = env
        .cmd()
        .args(["iam-get-group", "--scim", "[1,"])
        .run()
        .await;
    out.code(2).one_line_error().stderr_has("scim");
    let out = env
        .cmd()
        .args(["iam-create-user", "--user-profile", "42"])
        .run()
        .await;
    out.code(2).one_line_error();
}

#[tokio::test]
async fn profile_without_identifier_is_a_usage_error() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", r#"{"title":"Engineer"}"#])
        .run()
        .await;
    out.code(2).one_line_error().stderr_has("identifier");
}

#[tokio::test]
async fn unknown_allow_enable_value_is_a_usage_error() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args([
            "iam-create-user",
            "--user-profile",
            r#"{"username":"a"}"#,
            "--allow-enable",
            "yes",
        ])
        .run()
        .await;
    out.code(2).stderr_has("expected true or false");
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn missing_settings_name_flag_variable_and_key() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env_remove("AWS_ILM_TENANT_ID")
        .args(["test-module"])
        .run()
        .await;
    out.code(3).one_line_error();
    out.stderr_has("--tenant-id")
        .stderr_has("AWS_ILM_TENANT_ID")
        .stderr_has("`tenant_id`");
    let out = env
        .cmd()
        .env_remove("AWS_ILM_BASE_URL")
        .args(["test-module"])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("AWS_ILM_BASE_URL");
    let out = env
        .cmd()
        .env_remove("AWS_ILM_TOKEN")
        .args(["test-module"])
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has("AWS_ILM_TOKEN")
        .stderr_has("--token-file");
    let out = env
        .cmd()
        .env("AWS_ILM_BASE_URL", "ftp://x")
        .args(["test-module"])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("http");
}

/// docs/configuration.md, "The tenant id": the binary, the client and the emulator share one
/// tenant rule; a tenant it refuses is a configuration error naming the setting and its source,
/// with the offending character made visible, before any request.
#[tokio::test]
async fn a_tenant_outside_the_tenant_rule_is_refused_before_any_request() {
    let env = Env::start().await;
    for (tenant, why) in [
        ("../x", "not '/'"),
        ("..", "must not be \"..\""),
        ("t\u{1b}x", "not '\\u{1b}'"),
    ] {
        let out = env
            .cmd()
            .env("AWS_ILM_TENANT_ID", tenant)
            .args(["test-module"])
            .run()
            .await;
        out.code(3)
            .one_line_error()
            .stderr_has("tenant_id")
            .stderr_has("AWS_ILM_TENANT_ID")
            .stderr_has(why);
    }
    assert_eq!(env.emu.stats().total, 0);
}

#[tokio::test]
async fn unreachable_server_is_a_connection_failure() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env("AWS_ILM_BASE_URL", &closed_url())
        .args([
            "--timeout",
            "5",
            "iam-get-user",
            "--user-profile",
            r#"{"username":"a"}"#,
        ])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("--base-url");
}

#[tokio::test]
async fn wrong_token_is_a_401_with_a_hint() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .env("AWS_ILM_TOKEN", "wrong-token-value")
        .args(["iam-get-user", "--user-profile", r#"{"username":"a"}"#])
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has("401")
        .stderr_has("AWS_ILM_TOKEN");
    assert!(
        !out.stderr.contains("wrong-token-value"),
        "{}",
        out.describe()
    );
    let out = env
        .cmd()
        .env("AWS_ILM_TENANT_ID", "other")
        .args(["test-module"])
        .run()
        .await;
    out.code(3).one_line_error();
}

#[tokio::test]
async fn tls_failure_without_insecure_and_success_with_it() {
    let env = Env::with_self_signed_tls().await;
    assert!(
        env.emu.root_url().starts_with("https://"),
        "{}",
        env.emu.root_url()
    );

    let out = env.cmd().args(["test-module"]).run().await;
    out.code(3)
        .one_line_error()
        .stderr_has("TLS")
        .stderr_has("insecure");

    let out = env.cmd().args(["--insecure", "test-module"]).run().await;
    out.code(0).stderr_has("warning: insecure is on");
    let out = env
        .cmd()
        .env("AWS_ILM_INSECURE", "true")
        .args(["test-module"])
        .run()
        .await;
    out.code(0).stderr_has("warning: insecure is on");
}

#[tokio::test]
async fn missing_at_file_and_mapper_file() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", "@/nonexistent/p.json"])
        .run()
        .await;
    out.code(2)
        .one_line_error()
        .stderr_has("/nonexistent/p.json");
    let bad = env.write("bad-mapper.json", "{ nope");
    let out = env
        .cmd()
        .args([
            "--mapper-out",
            &s(&bad),
            "iam-get-user",
            "--user-profile",
            r#"{"username":"a"}"#,
        ])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("bad-mapper.json");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let env = Env::start().await;
    env.cmd()
        .args(["iam-frobnicate-user"])
        .run()
        .await
        .code(2)
        .stderr_has("error: unrecognized subcommand 'iam-frobnicate-user'");
    // The token is never a flag.
    env.cmd()
        .args(["--token", "x", "test-module"])
        .run()
        .await
        .code(2)
        .stderr_has("error: unexpected argument '--token' found");
    env.cmd()
        .args(["iam-get-user"])
        .run()
        .await
        .code(2)
        .stderr_has("--user-profile");
    env.cmd()
        .args(["--output", "yaml", "test-module"])
        .run()
        .await
        .code(2)
        .stderr_has("error: invalid value 'yaml' for '--output");
}
