//! The warnings a run prints before it starts (docs/configuration.md, "Warnings"): plain
//! `http://` to a host that is not this machine, and a token file others can read. Each is one
//! `warning:` line on stderr, never holding the token. `get-mapping-fields` needs the settings
//! but no request, so the remote host is never contacted.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::harness::{Cmd, Out, s};

const TOKEN: &str = "warn-test-token-5f0c2a9e71";

/// The `warning:` lines of a successful run, after checking the token is nowhere.
#[track_caller]
fn warnings(out: &Out) -> Vec<String> {
    out.code(0);
    assert!(
        !out.stderr.contains(TOKEN) && !out.stdout.contains(TOKEN),
        "the token leaked\n{}",
        out.describe()
    );
    let lines: Vec<String> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert!(
        lines.iter().all(|l| l.starts_with("warning: ")),
        "only warnings on stderr\n{}",
        out.describe()
    );
    lines
}

fn run(home: &Path, base_url: &str) -> Cmd {
    Cmd::scrubbed(home)
        .args(["--base-url", base_url, "--tenant-id", "t1"])
        .arg1("get-mapping-fields")
}

fn token_file(home: &Path, mode: u32) -> String {
    let p = home.join("token");
    std::fs::write(&p, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    s(&p)
}

#[tokio::test]
async fn plain_http_to_a_remote_host_warns_once() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let out = run(home, "http://scim.example.com")
        .env("AWS_ILM_TOKEN", TOKEN)
        .run()
        .await;
    let w = warnings(&out);
    assert_eq!(w.len(), 1, "{}", out.describe());
    assert!(
        w[0].contains("http://") && w[0].contains("scim.example.com"),
        "{}",
        w[0]
    );
    for quiet in [
        "https://scim.example.com",
        "http://127.0.0.1:1",
        "http://localhost:1",
        "http://[::1]:1",
    ] {
        let out = run(home, quiet).env("AWS_ILM_TOKEN", TOKEN).run().await;
        assert_eq!(warnings(&out), Vec::<String>::new(), "{quiet}");
    }
}

#[tokio::test]
async fn a_token_file_others_can_read_warns_once() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    for mode in [0o644, 0o640, 0o604] {
        let path = token_file(home, mode);
        let out = run(home, "https://scim.example.com")
            .args(["--token-file", &path])
            .run()
            .await;
        let w = warnings(&out);
        assert_eq!(w.len(), 1, "{mode:o}\n{}", out.describe());
        assert!(
            w[0].contains(&path)
                && w[0].contains(&format!("{mode:04o}"))
                && w[0].contains("chmod 600"),
            "{}",
            w[0]
        );
    }
    let path = token_file(home, 0o600);
    let out = run(home, "https://scim.example.com")
        .env("AWS_ILM_TOKEN_FILE", &path)
        .run()
        .await;
    assert_eq!(warnings(&out), Vec::<String>::new());
}

#[tokio::test]
async fn both_risks_give_one_line_each() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let path = token_file(home, 0o644);
    let out = run(home, "http://10.1.2.3:8080")
        .args(["--token-file", &path])
        .run()
        .await;
    let w = warnings(&out);
    assert_eq!(w.len(), 2, "{}", out.describe());
    assert!(
        w[0].contains("10.1.2.3") && w[1].contains("chmod 600"),
        "{w:?}"
    );
}
