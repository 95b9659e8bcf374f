//! `aws-ilm batch FILE`: many lifecycle events from a JSON-lines or CSV file, run concurrently,
//! rate-limited, in per-user order, with an optional resume journal (docs/batch.md). The
//! engine lives in `aws_ilm_batch`; this layer parses flags, opens files and maps the summary
//! to the exit status.
//!
//! The client configuration and the lifecycle settings come from the run's `Settings` exactly
//! as for a single command; `aws_ilm_batch::client::configure` makes the client a batch's
//! (retry policy, rate limiter, breaker), and `--create-strategy` sets
//! `IlmSettings::create_first`.
//!
//! Ctrl-C and SIGTERM stop the run gracefully (docs/batch.md, "Stopping"): the first one asks
//! the engine to admit nothing more and to let the events in flight finish (at most 30 s), the
//! summary says the run was interrupted, and the exit status is 130 (SIGINT) or 143 (SIGTERM),
//! as a shell reports a command a signal stopped. A second one exits at once: the journal
//! already holds every event synced so far, and an event cut short is simply run again.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_ilm_audit::Durability;
use aws_ilm_batch::{
    BatchError, DEFAULT_MAX_NO_ANSWER, DEFAULT_MAX_RECORD_BYTES, Ending, Format, IlmExecutor, Io,
    Journal, OnGroup, Options, Progress, RateLimiter, Target,
};
use aws_ilm_client::ScimClient;
use aws_ilm_lifecycle::Ilm;

use crate::audit::{Recorder, Source as AuditSource};
use crate::error::{CliError, Exit, Signal};
use crate::output;
use crate::settings::Settings;

/// Run many lifecycle events from a file: one JSON object per line
/// (`{"command": "iam-create-user", "args": {"user-profile": {...}}}`), or a CSV of user
/// profiles with --command. Results are JSON lines (completion order, each with its line
/// number), one readable line each on a terminal unless --output json; the summary goes to
/// stderr. Exit 0 all succeeded or skipped, 1 some failed, 2 bad input lines, 3 connection or
/// journal failure, 130/143 interrupted by Ctrl-C/SIGTERM (the events in flight are finished
/// first; a second Ctrl-C stops at once).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file, or - for standard input
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Read FILE as a CSV of user profiles (header row = profile fields) and run this command
    /// for each row: iam-create-user, iam-update-user, iam-disable-user, iam-enable-user, ...
    #[arg(long, value_name = "COMMAND")]
    pub command: Option<String>,
    /// With --command iam-create-user or iam-update-user: the allow-enable argument of every
    /// row's command [default: the command's own, true]
    #[arg(long = "allow-enable", value_name = "BOOL", action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_enable: Option<bool>,
    /// Events running at once; events of one user (or group) always run in input order
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Write requests per second at most (reads: 40/25 of it, AWS's quota ratio); lowered
    /// automatically on 429 and raised again while the server keeps up. 0 = unlimited
    #[arg(long, value_name = "R", default_value_t = 20.0, value_parser = parse_rps)]
    pub max_rps: f64,
    /// Write result lines here instead of stdout (appended to when --journal is given, so a
    /// resumed run completes the same file)
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Record each finished event durably here; rerunning the same input with the same journal
    /// runs only what is left
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Never show the progress bar (it is shown only when stderr is a terminal)
    #[arg(long)]
    pub no_progress: bool,
    /// How iam-create-user events go: create-first POSTs at once and looks the user up only
    /// on a 409 (1 request per new user, 2-3 per existing one); lookup-first looks up, then
    /// POSTs or PATCHes (2 requests either way). Profiles with id or olduserdata always look
    /// up first
    #[arg(long, value_name = "STRATEGY", value_enum, default_value_t = CreateStrategy::CreateFirst)]
    pub create_strategy: CreateStrategy,
    /// Longest input record: a JSON line, or a CSV row with its quoted line breaks (in memory:
    /// its text plus 8 bytes per field). A longer one is reported invalid with its line and
    /// never held whole
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=(1 << 30)))]
    pub max_record_bytes: usize,
    /// Stop the run (exit 3) after this many requests in a row got no answer (connection
    /// refused or lost, timeout): nothing starts after that, and the events in flight get one
    /// request timeout to be answered. 0 = never
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_NO_ANSWER)]
    pub max_no_answer: u32,
}

/// `--create-strategy`: see `docs/batch.md` for why create-first is the batch's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CreateStrategy {
    CreateFirst,
    LookupFirst,
}

/// `--max-rps`: a rate, or 0 for none.
pub(crate) fn parse_rps(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err("must be a number ≥ 0 (0 = unlimited)".into()),
    }
}

/// Runs the batch. The token is masked, as in every printed text, in the result lines and the
/// summary (docs/output.md).
pub async fn run(args: Args, settings: &Settings) -> Result<Exit, CliError> {
    let secret = settings.token.expose();
    let format = match &args.command {
        None if args.file.to_ascii_lowercase().ends_with(".csv") => {
            return Err(CliError::usage(
                "a CSV input needs --command (e.g. --command iam-create-user)",
            ));
        }
        None if args.allow_enable.is_some() => {
            return Err(CliError::usage(
                "--allow-enable goes with --command (a JSON line carries its own)",
            ));
        }
        None => Format::JsonLines,
        Some(c) => Format::csv(c, args.allow_enable).map_err(batch_error)?,
    };

    let reader: Box<dyn BufRead + Send> = if args.file == "-" {
        Box::new(BufReader::with_capacity(256 * 1024, std::io::stdin()))
    } else {
        let f = File::open(&args.file)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", args.file)))?;
        Box::new(BufReader::with_capacity(256 * 1024, f))
    };
    let limiter = Arc::new(RateLimiter::new(args.max_rps));
    // Lines are appended as writes happen and synced with the journal, before results are
    // reported (docs/audit.md).
    let recorder = Recorder::open(
        settings,
        Durability::OnSync,
        AuditSource::Batch {
            file: if args.file == "-" {
                "(stdin)".to_owned()
            } else {
                args.file.clone()
            },
        },
    )?;
    let mut config = super::ilm::client_config(settings);
    if let Some(r) = &recorder {
        r.hook(&mut config);
    }
    let (client, breaker) = aws_ilm_batch::client::configure(config, &limiter, args.max_no_answer);
    let client = ScimClient::new(client).map_err(|e| CliError::from_client(&e, settings))?;
    let mut ilm = super::ilm::ilm_settings(settings)?;
    ilm.create_first = args.create_strategy == CreateStrategy::CreateFirst;
    let journal = match &args.journal {
        Some(p) => {
            // The journal is only valid against the directory its events were done in.
            let (journal, mut done) =
                Journal::open(p, &Target::of(client.endpoint())).map_err(batch_error)?;
            // A kill between a journal sync and the result lines: report those events now.
            if let Some(results) = &args.results {
                let again = done.keep_reported(results).map_err(batch_error)?;
                if again > 0 {
                    let note = format!(
                        "batch: {again} events journaled as done have no result line in {}; \
                         running them again",
                        results.display()
                    );
                    eprintln!("{}", output::line(&note, secret));
                }
            }
            Some((journal, done))
        }
        None => None,
    };
    let file = args
        .results
        .as_deref()
        .map(|p| open_results(p, args.journal.is_some()))
        .transpose()?;
    let results = output::results(file, settings.output, secret);
    let progress = if !args.no_progress && std::io::stderr().is_terminal() {
        let total = if args.file == "-" {
            None
        } else {
            count_events(Path::new(&args.file), &format)
        };
        Progress::stderr(total)
    } else {
        Progress::hidden()
    };

    let exec = Arc::new(IlmExecutor::new(Ilm::new(client, ilm)));

    let mut options = Options::new(args.concurrency as usize);
    options.progress = progress;
    options.breaker = Some(breaker);
    if let Some(r) = &recorder {
        let r = Arc::clone(r);
        options.on_group = Some(OnGroup(Arc::new(move || r.sync())));
    }
    let stop = GracefulStop::install("batch", options.grace, recorder.clone())?;
    options.shutdown = Some(stop.shutdown());
    let io = Io {
        input: aws_ilm_batch::spawn_reader(reader, format, 1024, args.max_record_bytes),
        journal,
        results,
    };
    let summary = run_on_own_thread(exec, limiter, io, options)
        .await?
        .map_err(batch_error)?;
    let signal = stop.finish();
    eprint!("{}", output::block(&format!("{summary}\n"), secret));
    crate::audit::finish(
        recorder,
        match summary.ending() {
            Ending::AllDone => Exit::Success,
            Ending::SomeFailed => Exit::Failed,
            Ending::SomeInvalid | Ending::Stopped { bad_input: true } => Exit::Usage,
            Ending::Stopped { bad_input: false } => Exit::Config,
            Ending::Interrupted => Exit::Interrupted(signal),
        },
    )
}

/// A whole-run failure: bad or unreadable input and a journal of another directory are the
/// user's to fix (exit 2); the rest are configuration or I/O failures (exit 3).
fn batch_error(e: BatchError) -> CliError {
    match e {
        BatchError::Input(_) | BatchError::Read(_) | BatchError::JournalMismatch { .. } => {
            CliError::usage(e.to_string())
        }
        _ => CliError::config(e.to_string()),
    }
}

/// Runs the engine on a current-thread runtime of its own thread. The engine's work is a
/// stream of small tasks (one HTTP exchange each) that share one scheduler loop; on the
/// multi-threaded runtime every completion crossed threads (futex wake-ups, cache traffic),
/// which cost more CPU than the work itself, on a machine whose other cores the directory may
/// need (bench-batch.sh: client and emulator share 2 cores). Reading the input and writing the
/// journal and results keep their own threads.
async fn run_on_own_thread(
    exec: Arc<IlmExecutor>,
    limiter: Arc<RateLimiter>,
    io: Io,
    options: Options,
) -> Result<Result<aws_ilm_batch::Summary, BatchError>, CliError> {
    on_own_thread("batch", move || {
        aws_ilm_batch::run(exec, limiter, io, options)
    })
    .await
}

/// Runs the future `work` makes on a current-thread runtime of a thread of its own (see
/// [`run_on_own_thread`] for why); `apply` runs its engine the same way.
pub(crate) async fn on_own_thread<T, F>(
    name: &str,
    work: impl FnOnce() -> F + Send + 'static,
) -> Result<T, CliError>
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("aws-ilm-{name}"))
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(work()));
            let _ = tx.send(result);
        })
        .map_err(|e| CliError::config(format!("cannot start the {name} thread: {e}")))?;
    let result = rx
        .await
        .map_err(|e| CliError::config(format!("the {name} thread stopped: {e}")))?;
    result.map_err(|e| CliError::config(format!("cannot start the {name} runtime: {e}")))
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM, listened for from before the run starts.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next signal.
    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Signal::Int,
                _ = self.term.recv() => Signal::Term,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Int
        }
    }
}

/// Ctrl-C and SIGTERM wired to a run's graceful stop (`batch`, `apply`): what the engine's
/// `shutdown` watches, and which signal came first.
pub(crate) struct GracefulStop {
    shutdown: tokio::sync::watch::Receiver<bool>,
    interrupted: Arc<OnceLock<Signal>>,
    listener: tokio::task::JoinHandle<()>,
}

impl GracefulStop {
    /// Listens from now on; `name` prefixes the messages (`batch:`, `apply:`); `audit` is the
    /// run's audit log, flushed before a second signal exits.
    pub(crate) fn install(
        name: &'static str,
        grace: Duration,
        audit: Option<Arc<Recorder>>,
    ) -> Result<GracefulStop, CliError> {
        let (stop_tx, shutdown) = tokio::sync::watch::channel(false);
        let signals = Signals::install()
            .map_err(|e| CliError::config(format!("cannot listen for Ctrl-C: {e}")))?;
        let interrupted = Arc::new(OnceLock::new());
        let listener = tokio::spawn(on_signals(
            name,
            signals,
            stop_tx,
            Arc::clone(&interrupted),
            grace,
            audit,
        ));
        Ok(GracefulStop {
            shutdown,
            interrupted,
            listener,
        })
    }

    pub(crate) fn shutdown(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.clone()
    }

    /// Stops listening once the run is over; the signal that interrupted it (Ctrl-C when
    /// none did: only read when the run says it was interrupted).
    pub(crate) fn finish(self) -> Signal {
        self.listener.abort();
        self.interrupted.get().copied().unwrap_or(Signal::Int)
    }
}

/// First signal: ask the engine to stop gracefully and remember which signal it was. Second
/// signal: exit at once. That is safe: the output thread syncs the journal before it writes any
/// result line, a torn last journal record is ignored on resume, and an event cut short was
/// never journaled, so the rerun does it again. The audit lines of the writes done so far are
/// still queued for the log's writer thread: they are appended and synced first (docs/audit.md,
/// "Writing"), a matter of milliseconds.
async fn on_signals(
    name: &'static str,
    mut signals: Signals,
    stop: tokio::sync::watch::Sender<bool>,
    interrupted: Arc<OnceLock<Signal>>,
    grace: Duration,
    audit: Option<Arc<Recorder>>,
) {
    let signal = signals.next().await;
    let _ = interrupted.set(signal);
    let _ = stop.send(true);
    eprintln!(
        "{name}: {}: no new events; finishing those in flight (at most {} s). Press Ctrl-C again \
         to stop at once",
        match signal {
            Signal::Term => "SIGTERM",
            Signal::Int => "Ctrl-C",
        },
        grace.as_secs()
    );
    let again = signals.next().await;
    eprintln!(
        "{name}: stopped at once; rerun the same command with the same --journal to do the rest"
    );
    if let Some(audit) = audit
        && let Err(e) = audit.sync()
    {
        eprintln!("{name}: {}", output::line(&e, ""));
    }
    std::process::exit(i32::from(Exit::Interrupted(again).code()));
}

pub(crate) fn open_results(path: &Path, append: bool) -> Result<File, CliError> {
    let failed = |e: std::io::Error| {
        CliError::config(format!("cannot write results to {}: {e}", path.display()))
    };
    let mut o = OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    let mut f = o.open(path).map_err(failed)?;
    // A line torn by a kill must not swallow the first line of this run.
    if append && ends_without_newline(path) {
        f.write_all(b"\n").map_err(failed)?;
    }
    Ok(f)
}

fn ends_without_newline(path: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).is_ok() && f.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

/// Non-blank lines of the file (less the CSV header), for the progress bar's length.
fn count_events(path: &Path, format: &Format) -> Option<u64> {
    let mut f = BufReader::with_capacity(256 * 1024, File::open(path).ok()?);
    let mut buf = vec![0u8; 256 * 1024];
    let (mut lines, mut blank) = (0u64, true);
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                if !blank {
                    lines += 1;
                }
                blank = true;
            } else if !b.is_ascii_whitespace() {
                blank = false;
            }
        }
    }
    if !blank {
        lines += 1;
    }
    Some(match format {
        Format::Csv { .. } => lines.saturating_sub(1),
        Format::JsonLines => lines,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::Cli;

    /// `--max-rps` is range-checked by its clap parser (was: a check in `run` that printed its
    /// own `error:` line): a usage error, exit 2, naming the rule.
    #[test]
    fn max_rps_is_checked_by_its_parser() {
        for bad in ["-1", "NaN", "inf", "fast"] {
            let flag = format!("--max-rps={bad}");
            let e = Cli::try_parse_from(["aws-ilm", "batch", "f.jsonl", &flag]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().contains("must be a number ≥ 0"), "{bad}: {e}");
        }
        for good in ["0", "2.5", "40"] {
            assert!(Cli::try_parse_from(["aws-ilm", "batch", "f", "--max-rps", good]).is_ok());
        }
    }
}
