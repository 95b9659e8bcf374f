//! `aws-ilm man` prints one man page, generated from the clap definitions, with every command
//! and its options; `--instance NAME` names the instance in outputs (docs/commands.md, docs/configuration.md).

use crate::harness::Env;

/// docs/commands.md, "The man page": one page with a section per command (and per `audit`
/// command) holding its own options, valid roff that `man` renders without a warning.
#[tokio::test]
async fn man_page_documents_every_command_and_its_options() {
    let env = Env::start().await;
    let out = env.bare().args(["man"]).run().await;
    out.code(0);
    let page = &out.stdout;
    let titles: Vec<&str> = page.lines().filter(|l| l.starts_with(".TH ")).collect();
    assert!(
        titles.len() == 1 && titles[0].starts_with(".TH aws-ilm 1 "),
        "one page: {titles:?}"
    );
    assert!(
        !page.chars().any(|c| c.is_control() && c != '\n'),
        "no raw control characters"
    );
    // roff writes a hyphen as `\-` in text; section headings are macro arguments, kept as is.
    for name in [
        "iam-create-user",
        "iam-update-user",
        "iam-get-user",
        "iam-disable-user",
        "iam-enable-user",
        "iam-delete-user",
        "iam-get-group",
        "iam-create-group",
        "iam-update-group",
        "iam-delete-group",
        "get-mapping-fields",
        "test-module",
        "demo",
        "serve",
        "batch",
        "plan",
        "apply",
        "audit",
        "audit verify",
        "audit head",
        "audit show",
        "completions",
        "man",
        "doctor",
    ] {
        assert!(
            page.contains(&format!(".SH \"aws-ilm {name}\"\n")),
            "no section for {name}"
        );
    }
    // Each command's own options, in its own section.
    let section = |name: &str| {
        let start = page
            .find(&format!(".SH \"aws-ilm {name}\"\n"))
            .unwrap_or_else(|| panic!("{name}"));
        let rest = &page[start + 1..];
        &rest[..rest.find("\n.SH ").unwrap_or(rest.len())]
    };
    for (name, flags) in [
        (
            "plan",
            &["--from", "--out", "--scope-users", "--absent", "--max-rps"][..],
        ),
        (
            "apply",
            &["--auto-approve", "--journal", "--results", "--scope-groups"][..],
        ),
        (
            "batch",
            &[
                "--command",
                "--concurrency",
                "--max-rps",
                "--results",
                "--journal",
                "--create-strategy",
            ][..],
        ),
        ("audit show", &["--user", "--group", "--since"][..]),
        (
            "iam-update-group",
            &["--memberIdsToAdd", "--memberIdsToDelete"][..],
        ),
    ] {
        let text = section(name);
        for flag in flags {
            let roff = format!("\\fB{}\\fR", flag.replace('-', "\\-"));
            assert!(text.contains(&roff), "{name} lacks {flag}:\n{text}");
        }
        // The global settings are described once, at the top, not in every command.
        assert!(
            !text.contains("\\fB\\-\\-base\\-url\\fR"),
            "{name}:\n{text}"
        );
    }
    assert!(page.contains("\\fB\\-\\-base\\-url\\fR"));

    // `man` itself renders it, warning about nothing.
    if let Ok(rendered) = std::process::Command::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(page.as_bytes())?;
            child.wait_with_output()
        })
    {
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(rendered.status.success(), "{rendered:?}");
        assert!(
            rendered.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        assert!(text.contains("aws-ilm plan"), "{text}");
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
