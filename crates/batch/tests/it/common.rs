//! Shared helpers: an emulator, the engine wired to it as the CLI wires it, and (from
//! `events.rs`) event lines and what a run wrote.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aws_ilm_batch::{Format, IlmExecutor, Io, Journal, Options, RateLimiter, Summary, Target};
use aws_ilm_client::{ClientConfig, Endpoint, ScimClient};
use aws_ilm_emulator::{Config, Running};
use aws_ilm_lifecycle::{Ilm, IlmSettings};
use serde_json::Value;

pub use crate::events::*;

pub async fn emulator(config: Config) -> Running {
    aws_ilm_emulator::spawn(config).await.unwrap()
}

pub fn client_config(emu: &Running) -> ClientConfig {
    ClientConfig::new(
        Endpoint::parse(&emu.root_url(), &emu.tenant_id.clone()).unwrap(),
        emu.token.clone(),
    )
}

pub fn client(emu: &Running) -> ScimClient {
    ScimClient::new(client_config(emu)).unwrap()
}

/// All users of `emu`, by case-folded userName.
pub async fn users(emu: &Running) -> HashMap<String, Value> {
    users_of(&client(emu)).await
}

/// The directory a journal of a run against `emu` is bound to, as the binary records it.
pub fn target(emu: &Running) -> Target {
    let c = client(emu);
    Target::of(c.endpoint())
}

#[derive(Clone, Default)]
pub struct Buf(pub Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    pub fn lines(&self) -> Vec<Value> {
        json_lines(&String::from_utf8(self.0.lock().unwrap().clone()).unwrap())
    }
}

/// Runs a batch in-process exactly as `aws-ilm batch` does (limiter hooked to the client),
/// with the default (lookup-first) settings.
pub async fn run_batch(
    emu: &Running,
    input: String,
    format: Format,
    concurrency: usize,
    max_rps: f64,
    journal: Option<&Path>,
) -> (Summary, Vec<Value>) {
    run_batch_with(
        emu,
        input,
        format,
        concurrency,
        max_rps,
        journal,
        IlmSettings::default(),
    )
    .await
}

/// [`run_batch`] with the given lifecycle settings.
pub async fn run_batch_with(
    emu: &Running,
    input: String,
    format: Format,
    concurrency: usize,
    max_rps: f64,
    journal: Option<&Path>,
    settings: IlmSettings,
) -> (Summary, Vec<Value>) {
    let mut b = Batch::new(client_config(emu), input, format);
    b.concurrency = concurrency;
    b.max_rps = max_rps;
    b.journal = journal.map(Path::to_path_buf);
    b.settings = settings;
    b.run().await
}

/// One in-process run, wired exactly as `aws-ilm batch` wires it (limiter and breaker hooked
/// to the client, the binary's retry budget, a journal bound to the client's directory);
/// fields left alone keep the binary's defaults.
pub struct Batch {
    pub cfg: ClientConfig,
    pub input: String,
    pub format: Format,
    pub concurrency: usize,
    pub max_rps: f64,
    pub journal: Option<PathBuf>,
    pub settings: IlmSettings,
    pub max_record_bytes: usize,
    pub max_no_answer: u32,
}

impl Batch {
    pub fn new(cfg: ClientConfig, input: String, format: Format) -> Batch {
        Batch {
            cfg,
            input,
            format,
            concurrency: 8,
            max_rps: 0.0,
            journal: None,
            settings: IlmSettings::default(),
            max_record_bytes: aws_ilm_batch::DEFAULT_MAX_RECORD_BYTES,
            max_no_answer: aws_ilm_batch::DEFAULT_MAX_NO_ANSWER,
        }
    }

    pub async fn run(self) -> (Summary, Vec<Value>) {
        let limiter = Arc::new(RateLimiter::new(self.max_rps));
        let (cfg, breaker) =
            aws_ilm_batch::client::configure(self.cfg, &limiter, self.max_no_answer);
        let client = ScimClient::new(cfg).unwrap();
        let target = Target::of(client.endpoint());
        let ilm = Ilm::new(client, self.settings);
        let exec =
            Arc::new(IlmExecutor::new(ilm).with_rerun_pause(std::time::Duration::from_millis(200)));
        let buf = Buf::default();
        let io = Io {
            input: aws_ilm_batch::spawn_reader(
                std::io::Cursor::new(self.input),
                self.format,
                256,
                self.max_record_bytes,
            ),
            journal: self
                .journal
                .as_deref()
                .map(|p| Journal::open(p, &target).unwrap()),
            results: Box::new(buf.clone()),
        };
        let mut options = Options::new(self.concurrency);
        options.breaker = Some(breaker);
        let summary = aws_ilm_batch::run(exec, limiter, io, options)
            .await
            .unwrap();
        (summary, buf.lines())
    }
}

/// Asserts each line number appears exactly once among the results.
pub fn each_line_once(results: &[Value], expected: impl IntoIterator<Item = u64>) {
    let mut lines: Vec<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    let expected: Vec<u64> = expected.into_iter().collect();
    assert_eq!(lines, expected);
}

/// The emulator's request counts (`/_emulator/stats`): `(total, per operation)`.
pub async fn emulator_stats(emu: &Running) -> (u64, Value) {
    let s = emu.stats();
    (s.total, serde_json::to_value(&s.operations).unwrap())
}

/// Lifecycle settings with create-first on, as `aws-ilm batch` runs by default.
pub fn create_first() -> IlmSettings {
    IlmSettings {
        create_first: true,
        ..Default::default()
    }
}
