//! Running the real `aws-ilm` binary against a real emulator started in this test process.
//!
//! Every run gets a scrubbed environment (no inherited `AWS_ILM_*`, HOME and XDG_CONFIG_HOME
//! pointing at an empty temporary folder) so that nothing on the developer's machine can change
//! a result (ARCHITECTURE practice 8). On failure the assertion prints the command line, stdout,
//! stderr and status.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

use aws_ilm_client::{ClientConfig, Endpoint, ScimClient};
use aws_ilm_emulator::{Config, Running};
use regex::Regex;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

pub const BIN: &str = env!("CARGO_BIN_EXE_aws-ilm");

/// One emulator, a private HOME, and the settings that reach it.
pub struct Env {
    pub emu: Running,
    pub home: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        Env::with_config(Config::ephemeral()).await
    }

    pub async fn with_config(config: Config) -> Env {
        let emu = aws_ilm_emulator::spawn(config)
            .await
            .expect("emulator starts");
        let home = tempfile::tempdir().expect("temp home");
        Env { emu, home }
    }

    /// An emulator serving https with a self-signed certificate for 127.0.0.1 and localhost,
    /// one this machine does not trust (the certificate problems doctor and every command
    /// must name plainly).
    pub async fn with_self_signed_tls() -> Env {
        let certs = tempfile::tempdir().expect("temp dir");
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("certificate");
        let cert_path = certs.path().join("cert.pem");
        let key_path = certs.path().join("key.pem");
        std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
        let mut config = Config::ephemeral();
        config.tls = Some(aws_ilm_emulator::TlsFiles {
            cert: cert_path,
            key: key_path,
        });
        // The emulator reads the files as it starts; they may go with `certs` after.
        Env::with_config(config).await
    }

    /// A command with the emulator's URL, tenant and token in `AWS_ILM_*` variables.
    pub fn cmd(&self) -> Cmd {
        self.bare()
            .env("AWS_ILM_BASE_URL", &self.emu.root_url())
            .env("AWS_ILM_TENANT_ID", &self.emu.tenant_id)
            .env("AWS_ILM_TOKEN", self.emu.token.expose())
    }

    /// A command with the scrubbed environment only (no settings at all).
    pub fn bare(&self) -> Cmd {
        Cmd::scrubbed(self.home.path())
    }

    /// A SCIM client of the emulator, for setting up or checking state behind the binary's back.
    pub fn client(&self) -> ScimClient {
        ScimClient::new(ClientConfig::new(
            Endpoint::parse(&self.emu.root_url(), &self.emu.tenant_id.clone()).unwrap(),
            self.emu.token.clone(),
        ))
        .expect("client")
    }

    pub fn token(&self) -> &str {
        self.emu.token.expose()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p
    }

    /// The emulator's per-operation request counts.
    /// (`Running::stats`, as a document for the assertions that index it.)
    pub async fn stats(&self) -> Value {
        serde_json::to_value(self.emu.stats()).expect("stats json")
    }

    pub async fn reset_stats(&self) {
        self.emu.reset_stats();
    }

    /// `aws-ilm --output json <args>` with the emulator's settings, run to completion.
    pub async fn run_json(&self, args: &[&str]) -> Out {
        self.cmd().args(["--output", "json"]).args(args).run().await
    }

    /// Creates a user through the binary and returns its id.
    pub async fn create_user(&self, username: &str) -> String {
        let profile = serde_json::json!({
            "username": username, "email": username, "givenname": "Given", "surname": "Sur",
            "displayname": format!("Given Sur {username}")
        });
        let out = self
            .run_json(&["iam-create-user", "--user-profile", &profile.to_string()])
            .await;
        out.code(0);
        out.json()["IAM"]["Vendor"]["id"]
            .as_str()
            .expect("user id")
            .to_string()
    }

    /// Creates a group through the binary and returns its id.
    pub async fn create_group(&self, name: &str) -> String {
        let scim = serde_json::json!({ "displayName": name });
        let out = self
            .run_json(&["iam-create-group", "--scim", &scim.to_string()])
            .await;
        out.code(0);
        out.json()["CreateGroup"]["id"]
            .as_str()
            .expect("group id")
            .to_string()
    }
}

/// A command line to run.
pub struct Cmd {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<String>,
}

impl Cmd {
    /// A command with nothing in its environment but HOME and XDG_CONFIG_HOME in `home`.
    pub fn scrubbed(home: &Path) -> Cmd {
        Cmd {
            args: Vec::new(),
            env: vec![
                ("HOME".into(), home.display().to_string()),
                (
                    "XDG_CONFIG_HOME".into(),
                    home.join(".config").display().to_string(),
                ),
            ],
            stdin: None,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    pub fn arg1(mut self, arg: &str) -> Cmd {
        self.args.push(arg.to_string());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cmd {
        self.env.retain(|(k, _)| k != key);
        self
    }

    pub fn stdin(mut self, text: &str) -> Cmd {
        self.stdin = Some(text.into());
        self
    }

    fn command(&self) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(BIN);
        c.args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        c.stderr(Stdio::piped()).kill_on_drop(true);
        c
    }

    /// Starts the command and leaves it running (for a test that kills it part-way): stdout
    /// discarded (nobody reads it while it runs), stderr piped for `wait_with_output`.
    pub fn spawn(self) -> tokio::process::Child {
        assert!(self.stdin.is_none(), "spawn() writes no stdin");
        let mut c = self.command();
        c.stdout(Stdio::null());
        c.spawn().expect("spawn aws-ilm")
    }

    pub async fn run(self) -> Out {
        let mut c = self.command();
        c.stdout(Stdio::piped());
        let mut child = c.spawn().expect("spawn aws-ilm");
        if let Some(text) = &self.stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).await.expect("write stdin");
            drop(pipe);
        }
        // Bounded: no command of these tests should take more than a minute even on a slow
        // machine (the client's own timeouts are far shorter).
        let output = tokio::time::timeout(
            std::time::Duration::from_secs(120),
            child.wait_with_output(),
        )
        .await
        .expect("aws-ilm finished within 120 s")
        .expect("aws-ilm output");
        self.out(output)
    }

    /// Runs the command with its stdout and stderr on a pseudo-terminal, as a person at a
    /// terminal runs it, through util-linux `script`; `None`, with the reason printed, where
    /// `script` is not installed. Both streams arrive merged in `stdout`, the terminal's `\r\n`
    /// line ends made `\n`.
    pub async fn run_on_terminal(self) -> Option<Out> {
        assert!(self.stdin.is_none(), "run_on_terminal() writes no stdin");
        let Some(script) = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("script"))
                .find(|p| p.is_file())
        }) else {
            eprintln!(
                "skipped: util-linux `script` is not on PATH, so there is no terminal to run on"
            );
            return None;
        };
        let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
        let line: Vec<String> = std::iter::once(BIN)
            .chain(self.args.iter().map(String::as_str))
            .map(quote)
            .collect();
        let mut c = tokio::process::Command::new(script);
        c.args(["-qec", &line.join(" "), "/dev/null"])
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = tokio::time::timeout(std::time::Duration::from_secs(120), c.output())
            .await
            .expect("aws-ilm finished within 120 s")
            .expect("script output");
        let mut out = self.out(output);
        out.stdout = out.stdout.replace("\r\n", "\n");
        Some(out)
    }

    fn out(&self, output: std::process::Output) -> Out {
        Out {
            line: format!("aws-ilm {}", self.args.join(" ")),
            env: self
                .env
                .iter()
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
                .join(","),
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// What a run printed and returned.
#[derive(Debug)]
pub struct Out {
    pub line: String,
    pub env: String,
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nenv set: {}\nstatus: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.line, self.env, self.status, self.stdout, self.stderr
        )
    }

    /// Asserts the exit status.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Out {
        assert_eq!(
            self.status,
            Some(code),
            "unexpected exit status\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Out {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Out {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// The error is one line (plus nothing else): no stack trace, no usage dump.
    #[track_caller]
    pub fn one_line_error(&self) -> &Out {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("error: "),
            "expected a single `error:` line\n{}",
            self.describe()
        );
        assert!(
            self.stdout.is_empty(),
            "no output on error\n{}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.describe()))
    }

    /// stdout with ids, timestamps and the emulator's address and tenant redacted.
    pub fn redacted(&self, env: &Env) -> String {
        redact(&self.stdout, env)
    }
}

/// Replaces what changes from run to run with stable placeholders.
pub fn redact(text: &str, env: &Env) -> String {
    static RES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let res =
        RES.get_or_init(|| {
            [
            // AWS-style ids ("9067729b3d-94f1e0b3-c394-48d5-8ab1-2c122a167074") and UUIDs.
            (
                r"\b([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                "[id]",
            ),
            // RFC 3339 timestamps.
            (
                r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
                "[time]",
            ),
            // HTTP dates ("Mon, 23 Aug 2021 12:54:08 GMT").
            (
                r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
                "[date]",
            ),
            // SHA-256 hashes (the audit log's chain and head).
            (r"\b[0-9a-f]{64}\b", "[hash]"),
            // Ids cut short in a plan's text ("(id 47e32b8d…)").
            (r"\b[0-9a-f]{8}…", "[id]…"),
            // A batch or apply summary's time and rate.
            (r"\d+\.\d+ s, \d+\.\d+ events/s", "[seconds] s, [rate] events/s"),
            // doctor's clock check: the skew in whole seconds depends on the moment.
            (r"agree \(within \d+ s\)", "agree (within [n] s)"),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("regex"), to))
        .collect()
        });
    let root = env.emu.root_url();
    let mut out = text.replace(&root, "[emulator]");
    // The emulator's address without the scheme (doctor's tcp check).
    out = out.replace(
        root.split_once("://").map_or(root.as_str(), |(_, a)| a),
        "[emulator-address]",
    );
    out = out.replace(&env.emu.tenant_id, "[tenant]");
    // The test's temporary folder (plan files, the audit log); JSON escapes nothing in it.
    out = out.replace(&env.home.path().display().to_string(), "[home]");
    // This machine's name and this build's version in audit lines, as text and as JSON.
    let host = aws_ilm_audit::who::host();
    out = out.replace(&format!("@{host} via "), "@[host] via ");
    out = out.replace(&format!("\"host\": \"{host}\""), "\"host\": \"[host]\"");
    let version = env!("CARGO_PKG_VERSION");
    out = out.replace(
        &format!("\"version\": \"{version}\""),
        "\"version\": \"[version]\"",
    );
    for (re, to) in res {
        out = re.replace_all(&out, *to).into_owned();
    }
    out
}

pub use crate::unanswered::closed_url;

/// A path as a string, for argv.
pub fn s(p: &Path) -> String {
    p.display().to_string()
}
