//! Every file or stream read whole is read up to a named limit (docs/configuration.md, "Input
//! size limits"): an oversized mapping file, token file, config file or `@file` argument stops
//! the run at once with one line naming the limit, instead of filling memory.

use std::path::PathBuf;

use crate::harness::{Env, s};

const GET: [&str; 3] = ["iam-get-user", "--user-profile", r#"{"username":"a"}"#];

/// A file one byte over `limit`: `head`, then zeros (sparse, so it costs nothing to write).
fn over(env: &Env, name: &str, limit: u64, head: &str) -> PathBuf {
    let path = env.path(name);
    let file = std::fs::File::create(&path).expect("create");
    std::io::Write::write_all(&mut &file, head.as_bytes()).expect("write");
    file.set_len(limit + 1).expect("set_len");
    path
}

#[tokio::test]
async fn a_mapping_file_over_the_limit_is_one_error_line() {
    let env = Env::start().await;
    let big = over(
        &env,
        "big.json",
        aws_ilm_lifecycle::mapper::MAPPING_FILE_LIMIT.bytes,
        "{",
    );
    let mut files = vec![s(&big)];
    if cfg!(unix) {
        files.push("/dev/zero".into());
    }
    for file in files {
        for flag in ["--mapper-out", "--mapper-in"] {
            let out = env.cmd().args([flag, &file]).args(GET).run().await;
            out.code(3)
                .one_line_error()
                .stderr_has(&file)
                .stderr_has("is larger than 16 MiB (the limit for a mapping file)");
        }
    }
}

#[tokio::test]
async fn a_token_file_over_the_limit_is_one_error_line_without_the_token() {
    let env = Env::start().await;
    // The real token padded with whitespace: read whole and trimmed, it would work.
    let padded = env.token().to_owned() + &" ".repeat(64 << 10);
    let big = env.write("big.token", &padded);
    let out = env
        .bare()
        .env("AWS_ILM_BASE_URL", &env.emu.root_url())
        .env("AWS_ILM_TENANT_ID", &env.emu.tenant_id)
        .args(["--token-file", &s(&big)])
        .args(GET)
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has(&s(&big))
        .stderr_has("is larger than 64 KiB (the limit for a token file)");
    assert!(!out.stderr.contains(env.token()), "{}", out.describe());
}

#[tokio::test]
async fn a_config_file_over_the_limit_is_one_error_line() {
    let env = Env::start().await;
    let big = over(&env, "big.toml", 1 << 20, "# aws-ilm\n");
    let out = env.cmd().args(["--config", &s(&big)]).args(GET).run().await;
    out.code(3)
        .one_line_error()
        .stderr_has("is larger than 1 MiB (the limit for a config file)");
}

#[tokio::test]
async fn a_json_argument_file_over_the_limit_is_a_usage_error() {
    let env = Env::start().await;
    let big = over(&env, "big.json", 16 << 20, "{");
    let out = env
        .cmd()
        .args(["iam-create-group", "--scim", &format!("@{}", s(&big))])
        .run()
        .await;
    out.code(2)
        .one_line_error()
        .stderr_has("--scim: cannot read")
        .stderr_has("is larger than 16 MiB (the limit for a JSON argument)");
}
