//! `aws-ilm man` prints a man page generated from the clap definitions, and `--instance NAME`
//! names the instance in outputs (docs/commands.md, docs/configuration.md).

use crate::harness::Env;

#[tokio::test]
async fn man_page_lists_the_subcommands() {
    let env = Env::start().await;
    let out = env.bare().args(["man"]).run().await;
    out.code(0);
    assert!(out.stdout.contains(".TH aws-ilm 1"), "{}", out.describe());
    // roff writes a hyphen as `\-`.
    for name in ["iam-get-user", "batch", "doctor", "completions", "serve"] {
        let roff = name.replace('-', "\\-");
        assert!(out.stdout.contains(&roff), "{name}\n{}", out.describe());
    }
}

#[tokio::test]
async fn the_instance_name_defaults_to_the_selected_instance() {
    let env = Env::start().await;
    let config = env.write(
        "config.toml",
        "[instances.lab]\n[instances.named]\ninstance_name = \"Explicit\"\n",
    );
    let config = crate::harness::s(&config);
    let profile = r#"{"username":"nobody@example.com"}"#;
    let name = |out: &crate::harness::Out| {
        out.json()["IAM"]["Vendor"]["instanceName"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let get = ["iam-get-user", "--user-profile", profile];
    let out = env
        .run_json(&[&["--config", &config, "--instance", "lab"][..], &get].concat())
        .await;
    assert_eq!(name(&out), "lab", "{}", out.describe());
    let out = env
        .run_json(&[&["--config", &config, "--instance", "named"][..], &get].concat())
        .await;
    assert_eq!(name(&out), "Explicit", "{}", out.describe());
    let out = env.run_json(&get).await;
    assert_eq!(name(&out), "aws-ilm", "{}", out.describe());
}
