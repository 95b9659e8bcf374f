//! The resume journal (`--journal FILE`): append-only, one JSON line per finished event, made
//! durable (fdatasync) before the event's result is reported.
//!
//! ```text
//! {"aws-ilm-batch-journal":1}
//! {"line":12,"hash":"9c1d0a7e2f3b4c5d","status":"success"}
//! ```
//!
//! Decisions where the spec is silent:
//! - Events journaled `success` or `skipped` are done: a rerun neither runs nor reports them,
//!   and the summary counts them as "already done". Events journaled `failed` are run again
//!   (fix the data or wait out the outage, rerun, and only the failures are retried);
//!   `invalid` lines and events cut short by a fatal error are never journaled.
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
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::BatchError;
use crate::executor::EventStatus;

const HEADER: &str = "{\"aws-ilm-batch-journal\":1}";

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
    /// Opens (or creates) the journal and reads what previous runs recorded.
    pub fn open(path: &Path) -> Result<(Journal, Done), BatchError> {
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
        let len = file.metadata().map_err(|e| err(e.to_string()))?.len();
        let mut done = Done::default();
        if len == 0 {
            file.write_all(format!("{HEADER}\n").as_bytes())
                .map_err(|e| err(e.to_string()))?;
            file.sync_all().map_err(|e| err(e.to_string()))?;
        } else {
            let mut reader = BufReader::new(&file);
            let mut first = String::new();
            reader
                .read_line(&mut first)
                .map_err(|e| err(e.to_string()))?;
            if first.trim() != HEADER {
                return Err(err(
                    "not an aws-ilm batch journal (its first line is not the journal header)"
                        .into(),
                ));
            }
            let mut line = String::new();
            loop {
                line.clear();
                let n = reader
                    .read_line(&mut line)
                    .map_err(|e| err(e.to_string()))?;
                if n == 0 {
                    break;
                }
                let t = line.trim();
                if t.is_empty() {
                    continue;
                }
                match serde_json::from_str::<Record>(t)
                    .ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopen_and_only_done_events_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, done) = Journal::open(&path).unwrap();
        assert!(done.is_empty());
        j.record(1, 0xabc, EventStatus::Success);
        j.record(2, 0xdef, EventStatus::Failed);
        j.record(3, 0x123, EventStatus::Skipped);
        j.commit().unwrap();
        drop(j);
        let (_, done) = Journal::open(&path).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!(done.check(1, 0xabc), Previous::Done);
        assert_eq!(done.check(1, 0xabd), Previous::Changed);
        assert_eq!(done.check(2, 0xdef), Previous::NotDone);
        assert_eq!(done.check(3, 0x123), Previous::Done);
        assert_eq!(done.unreadable, 0);
    }

    #[test]
    fn a_torn_last_record_is_ignored_and_does_not_swallow_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = Journal::open(&path).unwrap();
        j.record(1, 1, EventStatus::Success);
        j.commit().unwrap();
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"line\":2,\"ha").unwrap();
        drop(f);
        let (mut j, done) = Journal::open(&path).unwrap();
        assert_eq!(done.unreadable, 1);
        assert_eq!(done.check(2, 2), Previous::NotDone);
        j.record(2, 2, EventStatus::Success);
        j.commit().unwrap();
        drop(j);
        let (_, done) = Journal::open(&path).unwrap();
        assert_eq!(done.check(1, 1), Previous::Done);
        assert_eq!(done.check(2, 2), Previous::Done);
        assert_eq!(done.unreadable, 1);
    }

    #[test]
    fn events_done_but_not_reported_run_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = Journal::open(&path).unwrap();
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
        let (_, mut done) = Journal::open(&path).unwrap();
        assert_eq!(done.keep_reported(&results).unwrap(), 3);
        let state: Vec<Previous> = (1..=5).map(|l| done.check(l, l)).collect();
        use Previous::{Done as D, NotDone as N};
        assert_eq!(state, [D, D, N, N, N]);
        // Results going to a new file: the journal alone decides.
        let (_, mut done) = Journal::open(&path).unwrap();
        assert_eq!(done.keep_reported(&dir.path().join("new")).unwrap(), 0);
        assert_eq!(done.len(), 5);
    }

    #[test]
    fn a_file_that_is_not_a_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, "email,name\n").unwrap();
        let e = Journal::open(&path).unwrap_err();
        assert!(
            e.to_string().contains("not an aws-ilm batch journal"),
            "{e}"
        );
        // And it was left alone.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "email,name\n");
    }
}
