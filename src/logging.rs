//! Logging to stderr through `tracing-subscriber`: `-v` info, `-vv` debug, `-vvv` trace;
//! `RUST_LOG` replaces the verbosity-derived filter.
//!
//! Without `-v` only aws-ilm's own warnings are shown: a failure is reported once, as the
//! one-line `error:` of `main`, not also as a TLS library's ERROR log.
//!
//! Whatever the filter, events at `trace` from the HTTP stack (`hyper`, `hyper_util`, `reqwest`,
//! `h2`, `rustls`) are dropped: at that level those crates may print request headers, and one of
//! them is `Authorization: Bearer <token>` (docs/configuration.md, "The token": it never reaches the logs).
//!
//! Lines are written to stderr directly, except while a [`QueueGuard`] from [`queue_stderr`] is
//! held (`aws-ilm serve`, which logs a line per request): then they are queued in memory and a
//! log thread writes them in batches, so a request never waits on a write to the terminal or
//! pipe. That queue is bounded and lossy — see [`queue_stderr`]. The filter and the HTTP-stack
//! rule above apply to both paths alike: only where a line goes changes.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::EitherWriter;
use tracing_subscriber::prelude::*;

/// Crates whose trace-level events may carry request headers.
const HTTP_STACK: &[&str] = &["hyper", "hyper_util", "reqwest", "h2", "rustls", "http"];

/// Our own crates: the only ones that speak without `-v`.
const OURS: &[&str] = &[
    "aws_ilm",
    "aws_ilm_scim",
    "aws_ilm_client",
    "aws_ilm_lifecycle",
    "aws_ilm_batch",
    "aws_ilm_emulator",
];

/// The filter for `verbose` `-v` flags and an optional `RUST_LOG` value.
pub fn filter_spec(verbose: u8, rust_log: Option<&str>) -> String {
    if let Some(s) = rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        return s.to_string();
    }
    match verbose {
        0 => {
            let mut spec = "off".to_string();
            for c in OURS {
                spec.push_str(&format!(",{c}=warn"));
            }
            spec
        }
        1 => "info".into(),
        2 => "debug".into(),
        _ => "trace".into(),
    }
}

/// Whether an event may be printed at all, whatever the filter: not trace from the HTTP stack.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    if *meta.level() != Level::TRACE {
        return true;
    }
    let target = meta.target();
    let krate = target.split("::").next().unwrap_or(target);
    !HTTP_STACK.contains(&krate)
}

/// Installs the stderr subscriber. A `RUST_LOG` that does not parse falls back to the
/// verbosity's default with a warning rather than failing the command.
pub fn init(verbose: u8) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = match EnvFilter::try_new(filter_spec(verbose, rust_log.as_deref())) {
        Ok(f) => f,
        Err(e) => {
            crate::output::warn(&format!("ignoring RUST_LOG ({e})"));
            EnvFilter::new(filter_spec(verbose, None))
        }
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(Stderr)
        .with_target(true)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_filter(filter_fn(allowed));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

/// Queued bytes beyond which new lines are dropped (and counted): about 20,000 request lines.
const QUEUE_BYTES: usize = 4 << 20;
/// The log thread writes what is queued at least this often...
const FLUSH_EVERY: Duration = Duration::from_millis(20);
/// ...and at once when this much is waiting.
const WAKE_AT: usize = 256 << 10;
/// How long dropping the guard waits for the last lines to be written.
const FINAL_FLUSH: Duration = Duration::from_secs(2);

/// Lines waiting for the log thread.
struct Pending {
    buf: Vec<u8>,
    dropped: u64,
    stop: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    buf: Vec::new(),
    dropped: 0,
    stop: false,
});
static WAKE: Condvar = Condvar::new();
/// Whether lines go to [`PENDING`] (while a [`QueueGuard`] is active) or straight to stderr.
static QUEUED: AtomicBool = AtomicBool::new(false);

fn pending() -> MutexGuard<'static, Pending> {
    // Nothing panics while holding the lock; if something did, the bytes are still usable.
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The subscriber's writer: the queue while it is on, stderr otherwise.
struct Stderr;

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = EitherWriter<Queue, std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        if QUEUED.load(Ordering::Acquire) {
            EitherWriter::A(Queue)
        } else {
            EitherWriter::B(std::io::stderr())
        }
    }
}

/// Appends a formatted line (tracing-subscriber writes each event with one `write_all`) to
/// the queue: a copy under a lock, no system call.
struct Queue;

impl Write for Queue {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut p = pending();
        if p.buf.len() + line.len() > QUEUE_BYTES {
            p.dropped += 1;
        } else {
            let before = p.buf.len();
            p.buf.extend_from_slice(line);
            // Wake the log thread for the first line of a batch (it sleeps while there is
            // nothing to write) and when a batch is big enough to write at once.
            if before == 0 || (before < WAKE_AT && p.buf.len() >= WAKE_AT) {
                WAKE.notify_one();
            }
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log thread: it sleeps while nothing is queued; once a line arrives it gathers more for
/// [`FLUSH_EVERY`] (less when [`WAKE_AT`] bytes wait), takes the batch and writes it to stderr
/// outside the lock, so a slow stderr never holds up a request. Ends after writing everything
/// once `stop` is set.
fn write_out(done: mpsc::Sender<()>) {
    let mut out = std::io::stderr();
    let mut batch = Vec::new();
    loop {
        let stop = {
            let mut p = pending();
            while p.buf.is_empty() && !p.stop {
                p = WAKE.wait(p).unwrap_or_else(PoisonError::into_inner);
            }
            if p.buf.len() < WAKE_AT && !p.stop {
                p = WAKE
                    .wait_timeout(p, FLUSH_EVERY)
                    .map_or_else(|e| e.into_inner().0, |(p, _)| p);
            }
            std::mem::swap(&mut p.buf, &mut batch);
            p.stop
        };
        if !batch.is_empty() {
            let _ = out.write_all(&batch);
            batch.clear();
            // After a burst, give back what the burst needed.
            batch.shrink_to(WAKE_AT);
        }
        if stop {
            let _ = out.flush();
            let _ = done.send(());
            return;
        }
    }
}

/// Keeps log lines going through the log thread; dropping it writes out every queued line
/// (waiting at most [`FINAL_FLUSH`]) and sends later lines to stderr directly again.
#[must_use = "lines are queued only while the guard is held"]
pub struct QueueGuard {
    done: Option<mpsc::Receiver<()>>,
}

/// From now until the returned guard is dropped, log lines are queued in memory and written
/// to stderr in batches by a log thread, instead of one `write` to stderr per line on the
/// request's thread (for `aws-ilm serve`, where that write was 15–25% of a lookup's cost). A
/// line reaches stderr within [`FLUSH_EVERY`].
///
/// Decision — lossy, not blocking: when stderr cannot keep up (a pipe nobody reads, a stalled
/// terminal) and [`QUEUE_BYTES`] are waiting, further lines are dropped rather than making
/// requests wait, and the number dropped is printed when the guard is dropped. A blocking
/// queue would let a slow log reader throttle or freeze the server (with a direct write, a
/// full pipe stops every request), which is worse for an emulator that tests drive and
/// measure. A SIGKILL loses the lines of the last [`FLUSH_EVERY`].
///
/// Only one guard is active at a time; a second one while the first lives changes nothing.
pub fn queue_stderr() -> QueueGuard {
    if QUEUED.swap(true, Ordering::AcqRel) {
        return QueueGuard { done: None };
    }
    {
        let mut p = pending();
        p.stop = false;
        p.dropped = 0;
    }
    let (tx, rx) = mpsc::channel();
    match std::thread::Builder::new()
        .name("aws-ilm-log".into())
        .spawn(move || write_out(tx))
    {
        Ok(_) => QueueGuard { done: Some(rx) },
        Err(_) => {
            // No thread, no queue: lines keep going to stderr directly.
            QUEUED.store(false, Ordering::Release);
            QueueGuard { done: None }
        }
    }
}

impl Drop for QueueGuard {
    fn drop(&mut self) {
        let Some(done) = self.done.take() else {
            return;
        };
        QUEUED.store(false, Ordering::Release);
        let dropped = {
            let mut p = pending();
            p.stop = true;
            p.dropped
        };
        WAKE.notify_one();
        // Bounded: a stderr that never drains must not stop the process from exiting.
        let flushed = done.recv_timeout(FINAL_FLUSH).is_ok();
        if flushed && dropped > 0 {
            eprintln!("warning: {dropped} log line(s) were dropped: stderr could not keep up");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_levels() {
        assert!(filter_spec(0, None).starts_with("off,aws_ilm=warn"));
        assert_eq!(filter_spec(1, None), "info");
        assert_eq!(filter_spec(3, None), "trace");
        assert_eq!(filter_spec(0, Some("hyper=trace")), "hyper=trace");
        for v in 0..4 {
            EnvFilter::try_new(filter_spec(v, None)).unwrap();
        }
    }

    #[test]
    fn queue_guard_routes_lines_and_restores_stderr() {
        assert!(matches!(Stderr.make_writer(), EitherWriter::B(_)));
        let guard = queue_stderr();
        assert!(matches!(Stderr.make_writer(), EitherWriter::A(_)));
        // A second guard while the first lives is inert: dropping it changes nothing.
        drop(queue_stderr());
        assert!(matches!(Stderr.make_writer(), EitherWriter::A(_)));
        Stderr
            .make_writer()
            .write_all(b"logging test: a queued line\n")
            .unwrap();
        drop(guard);
        assert!(matches!(Stderr.make_writer(), EitherWriter::B(_)));
        assert!(pending().buf.is_empty(), "the last lines were written out");
        // And it can be started again.
        let again = queue_stderr();
        assert!(matches!(Stderr.make_writer(), EitherWriter::A(_)));
        drop(again);
    }
}
