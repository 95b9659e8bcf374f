//! Every command and every branch of docs/commands.md — success, skip and failure of each — run in
//! order against a fresh emulator, once per output format; the redacted transcript (command
//! line, exit status, stdout, and stderr for errors) is a snapshot. A change to any title, key,
//! cell or exit code shows up here. A command whose failure the emulator can only produce by
//! refusing the request (disable, enable, delete, test-module) fails with a wrong token (exit 3);
//! failed outcomes with a server's text for every command are in `hostile.rs`.

use serde_json::{Value, json};

use crate::harness::{Cmd, Env, redact};

/// A run of commands against one emulator in one output format, recorded as text.
pub struct Transcript<'a> {
    pub env: &'a Env,
    pub format: &'static str,
    pub text: String,
    /// Variables every command of this transcript gets, after the emulator's.
    pub vars: Vec<(&'static str, String)>,
    /// Record stderr whatever the exit status (commands that report on stderr as they go:
    /// `plan`, `apply`), not only for errors.
    pub all_stderr: bool,
}

impl<'a> Transcript<'a> {
    pub fn new(env: &'a Env, format: &'static str) -> Transcript<'a> {
        Transcript {
            env,
            format,
            text: String::new(),
            vars: Vec::new(),
            all_stderr: false,
        }
    }

    /// The command every entry starts from: the emulator's settings, [`Transcript::vars`], a
    /// fixed width and no colour, so the human output is laid out the same on any machine
    /// (docs/output.md, "Human output"); markdown and JSON ignore both.
    pub fn cmd(&self) -> Cmd {
        let mut cmd = self.env.cmd().env("COLUMNS", "100").env("NO_COLOR", "1");
        for (k, v) in &self.vars {
            cmd = cmd.env(k, v);
        }
        cmd
    }

    /// Runs `argv` (settings flags first, as a user would) and records it.
    pub async fn run(&mut self, label: &str, argv: &[&str]) -> i32 {
        self.run_as(label, None, argv).await
    }

    /// [`Transcript::run`] with another token than the emulator's.
    pub async fn run_as(&mut self, label: &str, token: Option<&str>, argv: &[&str]) -> i32 {
        let mut cmd = self.cmd();
        if let Some(t) = token {
            cmd = cmd.env("AWS_ILM_TOKEN", t);
        }
        self.record(label, cmd, argv).await
    }

    /// Runs `cmd` with `--output FORMAT` and `argv`, and records its command line, exit status,
    /// stdout and stderr (for errors, or always with [`Transcript::all_stderr`]).
    pub async fn record(&mut self, label: &str, cmd: Cmd, argv: &[&str]) -> i32 {
        let out = cmd.args(["--output", self.format]).args(argv).run().await;
        let code = out.status.unwrap_or(-1);
        self.text
            .push_str(&format!("## {label}\n$ {}\nexit: {code}\n", out.line));
        self.text.push_str(&out.stdout);
        if code >= 2 || (self.all_stderr && !out.stderr.is_empty()) {
            self.text.push_str(&format!("stderr: {}", out.stderr));
        }
        self.text.push('\n');
        code
    }

    /// A lookup that is not part of the transcript (to learn an id).
    pub async fn json(&self, argv: &[&str]) -> Value {
        let out = self
            .env
            .cmd()
            .args(["--output", "json"])
            .args(argv)
            .run()
            .await;
        out.json()
    }
}

async fn transcript(format: &'static str) -> String {
    let env = Env::start().await;
    let mut t = Transcript::new(&env, format);
    let jane = json!({"username": "jane@example.com", "email": "jane@example.com",
        "givenname": "Jane", "surname": "Doe", "displayname": "Jane Doe", "title": "Engineer",
        "department": "Identity", "employeeid": "E1"})
    .to_string();
    let jane_u = r#"{"username":"jane@example.com"}"#;
    let ghost = r#"{"username":"ghost@example.com"}"#;
    let bob = json!({"username": "bob@example.com", "email": "bob@example.com",
        "givenname": "Bob", "surname": "Roe", "displayname": "Bob Roe"})
    .to_string();

    // Users (§3.1).
    assert_eq!(
        t.run(
            "create: new user",
            &["iam-create-user", "--user-profile", &jane]
        )
        .await,
        0
    );
    t.run(
        "create: existing user is updated",
        &["iam-create-user", "--user-profile", &jane],
    )
    .await;
    t.run(
        "create: failed, the employee id is another user's",
        &[
            "iam-create-user",
            "--user-profile",
            r#"{"username":"clash@example.com","givenname":"C","surname":"L","displayname":"C L","employeeid":"E1"}"#,
        ],
    )
    .await;
    t.run(
        "create: disabled by allow_create",
        &[
            "--allow-create",
            "false",
            "iam-create-user",
            "--user-profile",
            &bob,
        ],
    )
    .await;
    t.run(
        "get: by userName",
        &["iam-get-user", "--user-profile", jane_u],
    )
    .await;
    t.run(
        "get: by externalId",
        &["iam-get-user", "--user-profile", r#"{"employeeid":"E1"}"#],
    )
    .await;
    t.run("get: not found", &["iam-get-user", "--user-profile", ghost])
        .await;
    let mover = r#"{"username":"jane@example.com","title":"Lead","department":"Security"}"#;
    t.run(
        "update: mover",
        &["iam-update-user", "--user-profile", mover],
    )
    .await;
    let rename = r#"{"username":"jane.roe@example.com","surname":"Roe","olduserdata":{"username":"jane@example.com"}}"#;
    t.run(
        "update: rename through olduserdata",
        &["iam-update-user", "--user-profile", rename],
    )
    .await;
    let jane_u = r#"{"username":"jane.roe@example.com"}"#;
    t.run(
        "update: disabled by allow_update",
        &[
            "--allow-update",
            "false",
            "iam-update-user",
            "--user-profile",
            jane_u,
        ],
    )
    .await;
    t.run(
        "update: not found, create_if_not_exists off",
        &[
            "--create-if-not-exists",
            "false",
            "iam-update-user",
            "--user-profile",
            &bob,
        ],
    )
    .await;
    t.run(
        "update: not found, created",
        &["iam-update-user", "--user-profile", &bob],
    )
    .await;
    t.run(
        "update: failed, the employee id is another user's",
        &[
            "iam-update-user",
            "--user-profile",
            r#"{"username":"bob@example.com","employeeid":"E1"}"#,
        ],
    )
    .await;
    t.run("disable", &["iam-disable-user", "--user-profile", jane_u])
        .await;
    t.run(
        "disable: already disabled",
        &["iam-disable-user", "--user-profile", jane_u],
    )
    .await;
    t.run(
        "disable: not found",
        &["iam-disable-user", "--user-profile", ghost],
    )
    .await;
    t.run(
        "disable: disabled by allow_disable",
        &[
            "--allow-disable",
            "false",
            "iam-disable-user",
            "--user-profile",
            jane_u,
        ],
    )
    .await;
    t.run(
        "update: inactive user, --allow-enable false keeps it inactive",
        &[
            "iam-update-user",
            "--user-profile",
            jane_u,
            "--allow-enable",
            "false",
        ],
    )
    .await;
    t.run(
        "update: inactive user is re-enabled",
        &["iam-update-user", "--user-profile", jane_u],
    )
    .await;
    t.run(
        "disable bob",
        &[
            "iam-disable-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    t.run(
        "enable",
        &[
            "iam-enable-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    t.run(
        "enable: already enabled",
        &[
            "iam-enable-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    t.run(
        "enable: not found",
        &["iam-enable-user", "--user-profile", ghost],
    )
    .await;
    t.run(
        "enable: disabled by allow_enable",
        &[
            "--allow-enable",
            "false",
            "iam-enable-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    for (label, argv) in [
        ("get: failed, the token is refused", "iam-get-user"),
        ("disable: failed, the token is refused", "iam-disable-user"),
        ("enable: failed, the token is refused", "iam-enable-user"),
        ("delete: failed, the token is refused", "iam-delete-user"),
    ] {
        t.run_as(
            label,
            Some("not-the-emulators-token"),
            &[argv, "--user-profile", jane_u],
        )
        .await;
    }

    // Groups (§3.2).
    let jane_id = t.json(&["iam-get-user", "--user-profile", jane_u]).await["IAM"]["Vendor"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.run(
        "create group",
        &["iam-create-group", "--scim", r#"{"displayName":"Eng"}"#],
    )
    .await;
    t.run(
        "create group: duplicate",
        &["iam-create-group", "--scim", r#"{"displayName":"Eng"}"#],
    )
    .await;
    let gid = t
        .json(&["iam-get-group", "--scim", r#"{"displayName":"Eng"}"#])
        .await["GetGroup"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_id = json!({"id": gid}).to_string();
    t.run(
        "update group: add a member",
        &[
            "iam-update-group",
            "--scim",
            &by_id,
            "--memberIdsToAdd",
            &jane_id,
        ],
    )
    .await;
    t.run(
        "get group: by name, with members",
        &["iam-get-group", "--scim", r#"{"displayName":"Eng"}"#],
    )
    .await;
    t.run("get group: by id", &["iam-get-group", "--scim", &by_id])
        .await;
    t.run(
        "get group: not found",
        &["iam-get-group", "--scim", r#"{"displayName":"Nope"}"#],
    )
    .await;
    t.run(
        "update group: failed, no such member",
        &[
            "iam-update-group",
            "--scim",
            &by_id,
            "--memberIdsToAdd",
            "11111111-1111-1111-1111-111111111111",
        ],
    )
    .await;
    t.run(
        "update group: failed, no such group",
        &[
            "iam-update-group",
            "--scim",
            r#"{"displayName":"Nope"}"#,
            "--memberIdsToAdd",
            &jane_id,
        ],
    )
    .await;
    t.run(
        "get group: not found by id",
        &[
            "iam-get-group",
            "--scim",
            r#"{"id":"22222222-2222-2222-2222-222222222222"}"#,
        ],
    )
    .await;
    t.run(
        "update group: remove the member, by displayName",
        &[
            "iam-update-group",
            "--scim",
            r#"{"displayName":"Eng"}"#,
            "--memberIdsToDelete",
            &jane_id,
        ],
    )
    .await;
    t.run("delete group", &["iam-delete-group", "--scim", &by_id])
        .await;
    t.run(
        "delete group: not found",
        &["iam-delete-group", "--scim", &by_id],
    )
    .await;
    t.run(
        "delete user: disabled by allow_disable",
        &[
            "--allow-disable",
            "false",
            "iam-delete-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    t.run(
        "delete user",
        &[
            "iam-delete-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;
    t.run(
        "delete user: not found",
        &[
            "iam-delete-user",
            "--user-profile",
            r#"{"username":"bob@example.com"}"#,
        ],
    )
    .await;

    // The rest, and input errors.
    t.run("get-mapping-fields", &["get-mapping-fields"]).await;
    t.run(
        "get-mapping-fields: failed, no such mapper file",
        &["--mapper-out", "no-such-mapper.json", "get-mapping-fields"],
    )
    .await;
    t.run("test-module", &["test-module"]).await;
    t.run_as(
        "test-module: failed, the token is refused",
        Some("not-the-emulators-token"),
        &["test-module"],
    )
    .await;
    t.run(
        "bad input: no identifier",
        &["iam-get-user", "--user-profile", r#"{"title":"x"}"#],
    )
    .await;
    t.run(
        "bad input: no group identifier",
        &["iam-get-group", "--scim", "{}"],
    )
    .await;
    redact(&t.text, &env)
}

/// docs/output.md, "Human output": every command's `--output human` at 100 columns.
#[tokio::test]
async fn every_branch_human() {
    insta::assert_snapshot!("transcript_human", transcript("human").await);
}

/// docs/output.md, "Tables: the seed's rules": every command's `--output markdown`, success, skip
/// and failure.
#[tokio::test]
async fn every_branch_markdown() {
    insta::assert_snapshot!("transcript_markdown", transcript("markdown").await);
}

#[tokio::test]
async fn every_branch_json() {
    insta::assert_snapshot!("transcript_json", transcript("json").await);
}
