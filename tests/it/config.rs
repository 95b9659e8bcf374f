//! Configuration end to end: flag > environment > config file, named instances, the default
//! config location, token files, and a `token` key refused.

use crate::harness::{Env, s};

const GET: [&str; 4] = ["--output", "json", "iam-get-user", "--user-profile"];

fn instance_name(out: &crate::harness::Out) -> String {
    out.json()["IAM"]["Vendor"]["instanceName"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn flag_beats_env_beats_file() {
    let env = Env::start().await;
    env.create_user("p@example.com").await;
    let cfg = env.write("c.toml", "instance_name = \"from-file\"\n");
    let profile = r#"{"username":"p@example.com"}"#;

    let out = env
        .cmd()
        .args(["--config", &s(&cfg)])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    assert_eq!(instance_name(out.code(0)), "from-file");
    let out = env
        .cmd()
        .env("AWS_ILM_INSTANCE_NAME", "from-env")
        .args(["--config", &s(&cfg)])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    assert_eq!(instance_name(out.code(0)), "from-env");
    let out = env
        .cmd()
        .env("AWS_ILM_INSTANCE_NAME", "from-env")
        .args(["--config", &s(&cfg), "--instance-name", "from-flag"])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    assert_eq!(instance_name(out.code(0)), "from-flag");
}

#[tokio::test]
async fn named_instances_from_the_default_location_with_token_files() {
    let env = Env::start().await;
    env.create_user("n@example.com").await;
    let dir = env.path(".config/aws-ilm");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.token"), format!("{}\n", env.token())).unwrap();
    std::fs::write(dir.join("bad.token"), "not-the-token\n").unwrap();
    // Private, as docs/configuration.md asks: a shared one adds a warning line to the errors.
    for t in ["good.token", "bad.token"] {
        let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
        std::fs::set_permissions(dir.join(t), private).unwrap();
    }
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "base_url = \"{}\"\ntenant_id = \"{}\"\ninstance_name = \"top\"\n\
             default_instance = \"good\"\n\
             [instances.good]\ntoken_file = \"good.token\"\ninstance_name = \"good\"\n\
             [instances.bad]\ntoken_file = \"bad.token\"\n",
            env.emu.root_url(),
            env.emu.tenant_id
        ),
    )
    .unwrap();
    let profile = r#"{"username":"n@example.com"}"#;

    // Only the file: no AWS_ILM_* variables at all.
    let out = env.bare().args(GET).arg1(profile).run().await;
    assert_eq!(instance_name(out.code(0)), "good");
    let out = env
        .bare()
        .args(["--instance", "bad"])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("401");
    let out = env
        .bare()
        .env("AWS_ILM_INSTANCE", "bad")
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("401");
    let out = env
        .bare()
        .args(["--instance", "nope"])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("bad, good");
    // An explicit --token-file beats the instance's.
    let out = env
        .bare()
        .args([
            "--instance",
            "bad",
            "--token-file",
            &s(&dir.join("good.token")),
        ])
        .args(GET)
        .arg1(profile)
        .run()
        .await;
    out.code(0);
}

#[tokio::test]
async fn config_file_errors() {
    let env = Env::start().await;
    let cfg = env.write("t.toml", "token = \"plain-secret-value\"\n");
    let out = env
        .cmd()
        .args(["--config", &s(&cfg), "test-module"])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("token_file");
    assert!(!out.stderr.contains("plain-secret-value"));

    let cfg = env.write("u.toml", "allow_disabel = false\n");
    let out = env
        .cmd()
        .args(["--config", &s(&cfg), "test-module"])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("allow_disabel");

    let out = env
        .cmd()
        .args(["--config", "/nonexistent/c.toml", "test-module"])
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has("/nonexistent/c.toml");
}

#[tokio::test]
async fn allow_switches_from_env_and_file() {
    let env = Env::start().await;
    env.create_user("sw@example.com").await;
    let profile = r#"{"username":"sw@example.com"}"#;
    let cfg = env.write("c.toml", "allow_disable = false\n");
    let out = env
        .cmd()
        .args([
            "--config",
            &s(&cfg),
            "--output",
            "json",
            "iam-disable-user",
            "--user-profile",
        ])
        .arg1(profile)
        .run()
        .await;
    assert_eq!(
        out.code(0).json()["IAM"]["Vendor"]["reason"],
        "Command is disabled."
    );
    let out = env
        .cmd()
        .env("AWS_ILM_ALLOW_DISABLE", "true")
        .args([
            "--config",
            &s(&cfg),
            "--output",
            "json",
            "iam-disable-user",
            "--user-profile",
        ])
        .arg1(profile)
        .run()
        .await;
    assert_eq!(out.code(0).json()["IAM"]["Vendor"]["active"], false);
    let out = env
        .cmd()
        .env("AWS_ILM_ALLOW_DISABLE", "maybe")
        .args(["test-module"])
        .run()
        .await;
    out.code(3)
        .one_line_error()
        .stderr_has("AWS_ILM_ALLOW_DISABLE");
}
