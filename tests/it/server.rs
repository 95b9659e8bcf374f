//! `aws-ilm serve` as a child process, for the tests that need the real server binary rather
//! than the in-process emulator (crash safety across restarts, the banner, signals, what
//! reaches the process's stdout and stderr), and the one raw HTTP/1.1 exchange every test of
//! this binary uses to talk to a server without a client library: a cut connection shows up
//! as an `Err`, which is what the crash test needs to tell "unknown outcome" from an answer.
//!
//! One builder serves every way the tests start the server: database path, tenant, tokens on
//! the command line or in `AWS_ILM_EMULATOR_TOKEN` (the README's way), stderr to a file, extra
//! flags such as `--fault-rate`, `-vvv` with `RUST_LOG=trace`, a working directory, a shell
//! command run first (`umask`, `ulimit`).

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::BIN;

/// How to start `aws-ilm serve` (on 127.0.0.1:0): [`Serve::new`], options, [`Serve::start`].
#[must_use]
pub struct Serve {
    db: String,
    tenant: Option<String>,
    token_flag: Option<String>,
    token_env: Option<String>,
    stderr: Option<PathBuf>,
    extra: Vec<String>,
    trace: bool,
    cwd: Option<PathBuf>,
    shell: Option<String>,
}

impl Serve {
    /// A server on `db` (a SQLite file or `:memory:`), with a generated tenant and token, its
    /// stderr discarded, and neither an inherited `AWS_ILM_EMULATOR_TOKEN` nor `RUST_LOG`.
    pub fn new(db: &str) -> Serve {
        Serve {
            db: db.to_owned(),
            tenant: None,
            token_flag: None,
            token_env: None,
            stderr: None,
            extra: Vec::new(),
            trace: false,
            cwd: None,
            shell: None,
        }
    }

    /// `--tenant-id`.
    pub fn tenant(mut self, tenant: &str) -> Serve {
        self.tenant = Some(tenant.to_owned());
        self
    }

    /// The accepted token, given as `--token`.
    pub fn token(mut self, token: &str) -> Serve {
        self.token_flag = Some(token.to_owned());
        self
    }

    /// The accepted token, given in `AWS_ILM_EMULATOR_TOKEN` (not visible in `ps`).
    pub fn token_env(mut self, token: &str) -> Serve {
        self.token_env = Some(token.to_owned());
        self
    }

    /// The server's stderr (its request log) written to this file.
    pub fn stderr_to(mut self, path: &Path) -> Serve {
        self.stderr = Some(path.to_owned());
        self
    }

    /// Further `serve` flags (`--fault-rate 0.3`, `--throttle-write 5`, …).
    pub fn args(mut self, args: &[&str]) -> Serve {
        self.extra.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// `aws-ilm -vvv serve` with `RUST_LOG=trace`: every log line the server can write.
    pub fn trace(mut self) -> Serve {
        self.trace = true;
        self
    }

    /// The working directory of the server process.
    pub fn current_dir(mut self, dir: &Path) -> Serve {
        self.cwd = Some(dir.to_owned());
        self
    }

    /// Runs this shell command first, in the shell that then `exec`s the server (`umask 000`,
    /// `ulimit -n 128`): process settings a test cannot give a child without unsafe code.
    pub fn shell_first(mut self, command: &str) -> Serve {
        self.shell = Some(command.to_owned());
        self
    }

    /// Spawns the server and reads its banner (bounded: a handful of lines, up to `stats:`).
    /// Its stdout is drained afterwards so that the server never blocks on a full pipe.
    pub fn start(self) -> Server {
        let mut cmd = match &self.shell {
            None => Command::new(BIN),
            Some(first) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("{first} && exec \"$0\" \"$@\""), BIN]);
                sh
            }
        };
        if self.trace {
            cmd.arg("-vvv");
        }
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--db", &self.db]);
        if let Some(t) = &self.tenant {
            cmd.args(["--tenant-id", t]);
        }
        if let Some(t) = &self.token_flag {
            cmd.args(["--token", t]);
        }
        cmd.args(&self.extra)
            .env_remove("AWS_ILM_EMULATOR_TOKEN")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        if let Some(t) = &self.token_env {
            cmd.env("AWS_ILM_EMULATOR_TOKEN", t);
        }
        if self.trace {
            cmd.env("RUST_LOG", "trace");
        }
        match &self.stderr {
            Some(path) => cmd.stderr(File::create(path).expect("server stderr file")),
            None => cmd.stderr(Stdio::null()),
        };
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("spawn aws-ilm serve");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = Vec::new();
        for _ in 0..20 {
            let mut line = String::new();
            if out.read_line(&mut line).expect("read stdout") == 0 {
                break;
            }
            banner.push(line.trim_end().to_owned());
            if line.starts_with("stats:") {
                break;
            }
        }
        std::thread::spawn(move || {
            let mut sink = String::new();
            while out.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let base = banner
            .iter()
            .find_map(|l| l.strip_prefix("base URL:"))
            .unwrap_or_else(|| panic!("no base URL in the banner: {banner:?}"))
            .trim();
        let rest = base.strip_prefix("http://").expect("an http base URL");
        let (addr, path) = rest.split_once('/').expect("a base path");
        // A given token is never printed: the banner names it only when it generated one.
        let token = match self.token_flag.or(self.token_env) {
            Some(given) => given,
            None => banner
                .iter()
                .find_map(|l| l.strip_prefix("token:"))
                .expect("a generated token on the banner")
                .trim()
                .to_owned(),
        };
        Server {
            child,
            scim: Scim {
                addr: addr.to_owned(),
                base_path: format!("/{path}"),
                token,
            },
            banner,
        }
    }
}

/// A running server process, killed (SIGKILL) and reaped when dropped.
pub struct Server {
    pub child: Child,
    /// Where to send SCIM requests, with the token the server accepts.
    pub scim: Scim,
    /// What it printed to stdout before serving, one entry a line.
    pub banner: Vec<String>,
}

impl Server {
    /// The banner as printed.
    pub fn banner_text(&self) -> String {
        self.banner.join("\n")
    }

    /// `http://127.0.0.1:<port>`, what `AWS_ILM_BASE_URL` takes.
    pub fn root(&self) -> String {
        format!("http://{}", self.scim.addr)
    }

    /// The tenant id (the first segment of the base path).
    pub fn tenant(&self) -> &str {
        self.scim.base_path[1..]
            .split('/')
            .next()
            .unwrap_or_default()
    }

    /// `kill -9` now, and reap the process.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL aws-ilm serve");
        self.child.wait().expect("reap aws-ilm serve");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A child already reaped is not signalled again (std keeps its status).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server's SCIM endpoint and accepted token; cheap to clone into threads.
#[derive(Clone)]
pub struct Scim {
    pub addr: String,
    /// `/{tenant}/scim/v2`.
    pub base_path: String,
    pub token: String,
}

impl Scim {
    /// One authenticated request to `base_path` + `path` on its own connection.
    pub fn request(&self, method: &str, path: &str, body: &str) -> io::Result<(u16, String)> {
        http(
            &self.addr,
            method,
            &format!("{}{path}", self.base_path),
            Some(&self.token),
            body,
        )
    }
}

/// One request on its own connection: `(status, body)`. `Err`: the connection failed or broke,
/// or the answer was cut short — the outcome is unknown (that is what a kill mid-request looks
/// like). Bounded by a 60 s timeout.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> io::Result<(u16, String)> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(0)
        .build()
        .map_err(io::Error::other)?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(io::Error::other)?;
    let mut req = client.request(method, format!("http://{addr}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if !body.is_empty() {
        req = req
            .header(reqwest::header::CONTENT_TYPE, "application/scim+json")
            .body(body.to_owned());
    }
    let res = req.send().map_err(io::Error::other)?;
    let status = res.status().as_u16();
    // A body shorter than its length or a chunked body without its last chunk is an error here.
    let text = res.text().map_err(io::Error::other)?;
    Ok((status, text))
}
