//! The resume journal (`--journal FILE`): append-only, one JSON line per finished event, made
//! durable (fdatasync) before the event's result is reported.
//!
//! ```text
//! {"aws-ilm-batch-journal":2,"endpoint":"https://scim.us-east-1.amazonaws.com","tenant":"d-9067…"}
//! {"line":12,"hash":"9c1d0a7e2f3b4c5d","status":"success"}
//! ```
//!
//! Decisions where the spec is silent (docs/batch.md, "Resume"):
//! - The header names the directory the events were done in: the client's normalised base URL
//!   and the tenant. A rerun against another one is refused (exit 2, saying which differs): its
//!   events were not done there. A journal of format 1 (no directory recorded; also numbered
//!   CSV lines the old, wrong way) is refused too, with what to do: adopting it could skip
//!   events never done in this directory.
//! - The file is locked (an exclusive advisory lock, `flock` on Unix) for as long as the run
//!   holds it open; a second run given the same journal stops at once (exit 3) instead of
//!   doing every event a second time. The lock goes with the process, even after `kill -9`.
//! - Events journaled `success` or `skipped` are done: a rerun neither runs nor reports them,
//!   and the summary counts them as "already done". Events journaled `failed` are run again
//!   (fix the data or wait out the outage, rerun, and only the failures are retried);
//!   `invalid` lines, events cut short by a fatal error and events skipped only because an
//!   instance switch was off (the engine does not hand those in) are never journaled.
//! - Each record carries the hash of its input line. When the line at that number now has
//!   another hash the input changed: the event is run (it is not the one that was done; every
//!   command looks up before it writes, so running it is safe) and the summary counts it as
//!   "changed".
//! - A kill can tear the last record. On open, a file that does not end in a newline gets one,
//!   so the fragment stands alone, and unreadable records are ignored (counted, with a
//!   warning): the event they stood for runs again, which is safe for the same reason.
//! - Records are written in groups: the output thread appends every finished event it has at
//!   hand, syncs once, then reports them all (group commit), so durability costs one fdatasync
//!   per group rather than per event.
//! - A kill after a group's sync but before its result lines are written would leave events
//!   done but never reported. So a resumed run that appends to the same results file first reads
//!   it ([`Done::keep_reported`]): an event journaled done whose last result line there is not
//!   `success`/`skipped` (or that has none) is run again and reported, so each event is reported
//!   once across the runs (running it again is safe, as for any event cut short).

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::BatchError;
use crate::executor::EventStatus;
use crate::input::read_bounded_line;

/// The header's key, and the format this build writes.
const MAGIC: &str = "aws-ilm-batch-journal";
const FORMAT: u64 = 2;
/// Longest journal line read (records are under 100 bytes; the header holds a URL).
const MAX_JOURNAL_LINE: usize = 64 * 1024;

/// The directory a journal's events were done in; a journal is only valid against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The base URL as the client normalised it ([`aws_ilm_client::BaseUrl`]).
    pub endpoint: String,
    pub tenant: String,
}

impl Target {
    pub fn new(endpoint: impl Into<String>, tenant: impl Into<String>) -> Target {
        Target {
            endpoint: endpoint.into(),
            tenant: tenant.into(),
        }
    }

    /// The directory an endpoint names.
    pub fn of(endpoint: &aws_ilm_client::Endpoint) -> Target {
        Target::new(endpoint.base().as_str(), endpoint.tenant_id())
    }

    fn header(&self) -> String {
        serde_json::json!({MAGIC: FORMAT, "endpoint": self.endpoint, "tenant": self.tenant})
            .to_string()
    }

    /// What differs between the journal's directory (`self`) and this run's, if anything.
    fn differences(&self, run: &Target) -> Vec<String> {
        let mut out = Vec::new();
        if self.endpoint != run.endpoint {
            out.push(format!(
                "the endpoint differs (journal: {}, this run: {})",
                self.endpoint, run.endpoint
            ));
        }
        if self.tenant != run.tenant {
            out.push(format!(
                "the tenant differs (journal: {}, this run: {})",
                self.tenant, run.tenant
            ));
        }
        out
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    line: u64,
    hash: String,
    status: String,
}

/// What a previous run left: the events already done, by line.
#[derive(Debug, Default)]
pub struct Done {
    by_line: HashMap<u64, u64>,
    /// Records that could not be read (a torn last write, or damage).
    pub unreadable: u64,
}

/// Whether an input event was done by a previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    NotDone,
    Done,
    /// The journal has this line done, with other content.
    Changed,
}

impl Done {
    pub fn check(&self, line: u64, hash: u64) -> Previous {
        match self.by_line.get(&line) {
            None => Previous::NotDone,
            Some(h) if *h == hash => Previous::Done,
            Some(_) => Previous::Changed,
        }
    }

    /// Forgets the events the results file at `results` does not show as reported done (its
    /// last line for that event number is not `success`/`skipped`), so that they run and are
    /// reported again; returns how many. A missing or empty file changes nothing: the results
    /// of this run go somewhere new, on purpose. Torn or foreign lines are ignored.
    pub fn keep_reported(&mut self, results: &Path) -> Result<u64, BatchError> {
        #[derive(Deserialize)]
        struct Reported<'a> {
            line: u64,
            #[serde(borrow)]
            status: std::borrow::Cow<'a, str>,
        }
        let err = |e: std::io::Error| BatchError::Results(format!("{}: {e}", results.display()));
        let file = match File::open(results) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(err(e)),
        };
        if self.by_line.is_empty() || file.metadata().map_err(err)?.len() == 0 {
            return Ok(0);
        }
        let mut reported: HashMap<u64, bool> = HashMap::with_capacity(self.by_line.len());
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).map_err(err)? == 0 {
                break;
            }
            if let Ok(r) = serde_json::from_slice::<Reported>(&buf) {
                reported.insert(r.line, r.status == "success" || r.status == "skipped");
            }
        }
        let before = self.by_line.len();
        self.by_line
            .retain(|line, _| reported.get(line).copied().unwrap_or(false));
        Ok((before - self.by_line.len()) as u64)
    }

    pub fn len(&self) -> usize {
        self.by_line.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_line.is_empty()
    }
}

/// An open journal, positioned for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
}

impl Journal {
    /// Opens (or creates) the journal for a run against `target`, locks it, and reads what
    /// previous runs recorded.
    pub fn open(path: &Path, target: &Target) -> Result<(Journal, Done), BatchError> {
        let err = |detail: String| BatchError::Journal {
            path: path.display().to_string(),
            detail,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| err(e.to_string()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(BatchError::JournalBusy {
                    path: path.display().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(err(format!("cannot lock it: {e}"))),
        }
        let len = file.metadata().map_err(|e| err(e.to_string()))?.len();
        let mut done = Done::default();
        if len == 0 {
            file.write_all(format!("{}\n", target.header()).as_bytes())
                .map_err(|e| err(e.to_string()))?;
            file.sync_all().map_err(|e| err(e.to_string()))?;
        } else {
            let mut reader = BufReader::new(&file);
            let read_line = |reader: &mut BufReader<&File>, buf: &mut Vec<u8>| {
                buf.clear();
                read_bounded_line(reader, buf, MAX_JOURNAL_LINE).map_err(|e| match e {
                    BatchError::Read(m) => err(m),
                    other => err(other.to_string()),
                })
            };
            let mut line = Vec::new();
            let (_, too_long) = read_line(&mut reader, &mut line)?;
            let recorded = if too_long { None } else { written_for(&line) };
            check_target(path, recorded, target)?;
            loop {
                let (n, too_long) = read_line(&mut reader, &mut line)?;
                if n == 0 {
                    break;
                }
                let t = line.trim_ascii();
                if t.is_empty() {
                    continue;
                }
                match serde_json::from_slice::<Record>(t)
                    .ok()
                    .filter(|_| !too_long)
                    .and_then(|r| u64::from_str_radix(&r.hash, 16).ok().map(|h| (r, h)))
                {
                    Some((r, h)) if r.status == "success" || r.status == "skipped" => {
                        done.by_line.insert(r.line, h);
                    }
                    Some(_) => {}
                    None => done.unreadable += 1,
                }
            }
            // A torn last record (kill -9 mid-write) must not swallow the next one.
            let mut last = [0u8; 1];
            file.seek(SeekFrom::End(-1))
                .map_err(|e| err(e.to_string()))?;
            file.read_exact(&mut last).map_err(|e| err(e.to_string()))?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(|e| err(e.to_string()))?;
                file.sync_data().map_err(|e| err(e.to_string()))?;
            }
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                buf: Vec::with_capacity(64 * 1024),
            },
            done,
        ))
    }

    /// A second handle on the same open journal, sharing its lock: a caller that runs the
    /// engine several times over one journal (reconcile's apply, one run per phase) hands each
    /// run a clone and keeps the lock for the whole job, so no other process can take the
    /// journal between two runs.
    pub fn try_clone(&self) -> Result<Journal, BatchError> {
        let file = self.file.try_clone().map_err(|e| BatchError::Journal {
            path: self.path.display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Journal {
            path: self.path.clone(),
            file,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    /// Buffers one record; nothing is durable until [`Journal::commit`].
    pub fn record(&mut self, line: u64, hash: u64, status: EventStatus) {
        let rec = Record {
            line,
            hash: format!("{hash:016x}"),
            status: status.as_str().into(),
        };
        // Serializing three plain fields cannot fail; fall back to nothing rather than panic.
        if let Ok(s) = serde_json::to_string(&rec) {
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'\n');
        }
    }

    /// Appends the buffered records and waits until they are on disk.
    pub fn commit(&mut self) -> Result<(), BatchError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let err = |e: std::io::Error| BatchError::Journal {
            path: self.path.display().to_string(),
            detail: e.to_string(),
        };
        self.file.write_all(&self.buf).map_err(err)?;
        self.file.sync_data().map_err(err)?;
        self.buf.clear();
        Ok(())
    }
}

/// What a journal's first line says: `None` when it is not a journal header at all;
/// `Some((format, target))`, the target `None` for a format that records none.
fn written_for(first: &[u8]) -> Option<(u64, Option<Target>)> {
    let v: serde_json::Value = serde_json::from_slice(first.trim_ascii()).ok()?;
    let format = v.get(MAGIC)?.as_u64()?;
    let target = serde_json::from_value::<Target>(v).ok();
    Some((format, target))
}

/// Refuses a journal that is not one, or that was written for another directory.
fn check_target(
    path: &Path,
    recorded: Option<(u64, Option<Target>)>,
    run: &Target,
) -> Result<(), BatchError> {
    let path = path.display().to_string();
    let mismatch = |detail: String| BatchError::JournalMismatch {
        path: path.clone(),
        detail,
    };
    match recorded {
        None => Err(BatchError::Journal {
            path: path.clone(),
            detail: "not an aws-ilm batch journal (its first line is not the journal header)"
                .into(),
        }),
        Some((FORMAT, Some(t))) => {
            let diffs = t.differences(run);
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(mismatch(format!(
                    "written for another directory: {}. Its events were not done in this one: \
                     point the run at the journal's directory, or give it another --journal",
                    diffs.join("; ")
                )))
            }
        }
        Some((f, _)) if f > FORMAT => Err(mismatch(format!(
            "written by a newer aws-ilm (journal format {f}; this one reads {FORMAT})"
        ))),
        Some(_) => Err(mismatch(
            "written by an earlier aws-ilm, which did not record the endpoint and tenant its \
             events were done in (and counted CSV lines differently), so it cannot be trusted \
             here. Start a new journal (another --journal, or remove this file): rerunning \
             done events is safe, every command looks up before it writes"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target::new("http://127.0.0.1:1", "t-1")
    }

    /// A journal at `path` with line 1 (hash 1) done.
    fn one_done(path: &Path) {
        let (mut j, _) = Journal::open(path, &target()).unwrap();
        j.record(1, 1, EventStatus::Success);
        j.commit().unwrap();
    }

    #[test]
    fn records_survive_reopen_and_only_done_events_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, done) = Journal::open(&path, &target()).unwrap();
        assert!(done.is_empty());
        j.record(1, 0xabc, EventStatus::Success);
        j.record(2, 0xdef, EventStatus::Failed);
        j.record(3, 0x123, EventStatus::Skipped);
        j.commit().unwrap();
        drop(j);
        let (_, done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!(done.check(1, 0xabc), Previous::Done);
        assert_eq!(done.check(1, 0xabd), Previous::Changed);
        assert_eq!(done.check(2, 0xdef), Previous::NotDone);
        assert_eq!(done.check(3, 0x123), Previous::Done);
        assert_eq!(done.unreadable, 0);
    }

    #[test]
    fn a_clone_appends_to_the_same_journal_and_the_lock_lasts_while_either_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (j, _) = Journal::open(&path, &target()).unwrap();
        let mut c = j.try_clone().unwrap();
        c.record(1, 1, EventStatus::Success);
        c.commit().unwrap();
        drop(c);
        assert!(matches!(
            Journal::open(&path, &target()),
            Err(BatchError::JournalBusy { .. })
        ));
        let mut c = j.try_clone().unwrap();
        drop(j);
        c.record(2, 2, EventStatus::Success);
        c.commit().unwrap();
        assert!(matches!(
            Journal::open(&path, &target()),
            Err(BatchError::JournalBusy { .. })
        ));
        drop(c);
        let (_, done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.check(1, 1), Previous::Done);
        assert_eq!(done.check(2, 2), Previous::Done);
    }

    #[test]
    fn a_torn_last_record_is_ignored_and_does_not_swallow_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        one_done(&path);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"line\":2,\"ha").unwrap();
        drop(f);
        let (mut j, done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.unreadable, 1);
        assert_eq!(done.check(2, 2), Previous::NotDone);
        j.record(2, 2, EventStatus::Success);
        j.commit().unwrap();
        drop(j);
        let (_, done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.check(1, 1), Previous::Done);
        assert_eq!(done.check(2, 2), Previous::Done);
        assert_eq!(done.unreadable, 1);
    }

    #[test]
    fn events_done_but_not_reported_run_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = Journal::open(&path, &target()).unwrap();
        for line in 1..=5 {
            j.record(line, line, EventStatus::Success);
        }
        j.commit().unwrap();
        drop(j);
        let results = dir.path().join("results");
        // 1 reported; 2 reported failed in an earlier run, then success; 3 failed last; 4 and
        // 5 lost at the kill (5 torn mid-line).
        std::fs::write(
            &results,
            concat!(
                "{\"line\":1,\"command\":\"c\",\"status\":\"success\",\"result\":{}}\n",
                "{\"line\":2,\"status\":\"failed\"}\n",
                "{\"line\":3,\"status\":\"skipped\"}\n",
                "{\"line\":2,\"status\":\"success\"}\n",
                "{\"line\":3,\"status\":\"failed\"}\n",
                "{\"line\":5,\"sta"
            ),
        )
        .unwrap();
        let (_, mut done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.keep_reported(&results).unwrap(), 3);
        let state: Vec<Previous> = (1..=5).map(|l| done.check(l, l)).collect();
        use Previous::{Done as D, NotDone as N};
        assert_eq!(state, [D, D, N, N, N]);
        // Results going to a new file: the journal alone decides.
        let (_, mut done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.keep_reported(&dir.path().join("new")).unwrap(), 0);
        assert_eq!(done.len(), 5);
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, "email,name\n").unwrap();
        let e = Journal::open(&path, &target()).unwrap_err();
        assert!(
            e.to_string().contains("not an aws-ilm batch journal"),
            "{e}"
        );
        // And it was left alone.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "email,name\n");
    }

    #[test]
    fn a_journal_of_another_directory_is_refused_saying_what_differs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        one_done(&path);
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(
            first.starts_with(
                "{\"aws-ilm-batch-journal\":2,\"endpoint\":\"http://127.0.0.1:1\",\"tenant\":\"t-1\"}\n"
            ),
            "{first}"
        );
        let other_endpoint = Target::new("http://127.0.0.1:2", "t-1");
        let e = Journal::open(&path, &other_endpoint).unwrap_err();
        assert!(matches!(e, BatchError::JournalMismatch { .. }), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains(
                "the endpoint differs (journal: http://127.0.0.1:1, this run: http://127.0.0.1:2)"
            ),
            "{m}"
        );
        assert!(!m.contains("tenant differs"), "{m}");
        let e = Journal::open(&path, &Target::new("http://127.0.0.1:1", "t-2"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the tenant differs (journal: t-1, this run: t-2)"),
            "{e}"
        );
        assert!(!e.contains("endpoint differs"), "{e}");
        // Refused without a change to the file.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
        let (_, done) = Journal::open(&path, &target()).unwrap();
        assert_eq!(done.check(1, 1), Previous::Done);
    }

    #[test]
    fn a_journal_of_the_earlier_format_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let old =
            "{\"aws-ilm-batch-journal\":1}\n{\"line\":1,\"hash\":\"01\",\"status\":\"success\"}\n";
        std::fs::write(&path, old).unwrap();
        let e = Journal::open(&path, &target()).unwrap_err();
        assert!(matches!(e, BatchError::JournalMismatch { .. }), "{e:?}");
        assert!(e.to_string().contains("Start a new journal"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), old);
    }

    #[test]
    fn a_journal_in_use_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (held, _) = Journal::open(&path, &target()).unwrap();
        let e = Journal::open(&path, &target()).unwrap_err();
        assert!(matches!(e, BatchError::JournalBusy { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("in use by another aws-ilm batch run")
        );
        drop(held);
        assert!(
            Journal::open(&path, &target()).is_ok(),
            "free again once closed"
        );
    }
}
