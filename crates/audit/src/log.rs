//! Appending to the log (docs/audit.md, "Writing").
//!
//! Lines are appended in groups (one line is a group of one), under an exclusive lock on the
//! file (`flock`) held only for that group: under the lock the last line's hash is read (from
//! our own last append when the file has not grown since, else from the file's tail), the
//! group's lines are chained from it and written with one `write` on an `O_APPEND`
//! descriptor, and the lock is released. Concurrent aws-ilm processes therefore interleave
//! whole groups and every line chains to the one really before it.
//!
//! Durability is the caller's choice ([`Durability`]): a single command syncs each line before
//! it prints its result; a batch run appends without syncing and calls [`AuditLog::sync`] in the
//! group commit that makes its journal durable, before it reports the group's results.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;

use crate::chain::{GENESIS, hash_line};
use crate::error::AuditError;
use crate::record::Record;

/// The longest line written or read. A record over it keeps everything but `sent`, which is
/// replaced by a note of its size (a membership PATCH of 100 members is about 6 KiB).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// When an appended line reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fdatasync` after every line (single commands).
    EachLine,
    /// Only at [`AuditLog::sync`] (batch runs: their group commit).
    OnSync,
}

/// An open audit log.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    durability: Durability,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    file: File,
    /// The file's length and last line's hash right after our own last append: when the length
    /// is still that, nobody appended since and the tail need not be read.
    known: Option<(u64, String)>,
    /// Lines appended since the last sync.
    unsynced: bool,
}

impl AuditLog {
    /// Opens the log at `path` for appending, creating it with mode 0600 (and its folder with
    /// 0700) when missing.
    pub fn open(path: &Path, durability: Durability) -> Result<AuditLog, AuditError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| AuditError::io(path, format!("cannot create its folder: {e}")))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| AuditError::io(path, e))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            durability,
            state: Mutex::new(State {
                file,
                known: None,
                unsynced: false,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` with its `prev` set to the chain's last hash; returns the new line's
    /// hash. With [`Durability::EachLine`] the line is on disk when this returns.
    pub fn append(&self, record: &mut Record) -> Result<String, AuditError> {
        self.append_group(std::slice::from_mut(record))
    }

    /// Appends `records` in their order as one group: one lock, one look at the chain's last
    /// hash, one `write` of all their lines, one unlock. Each record's `prev` is set to the
    /// hash of the line before it, the first's to the file's last line, so the group is chained
    /// whatever other processes appended between groups. Returns the last line's hash (`None`
    /// for no records). With [`Durability::EachLine`] the lines are on disk when this returns.
    pub fn append_all(&self, records: &mut [Record]) -> Result<Option<String>, AuditError> {
        if records.is_empty() {
            return Ok(None);
        }
        self.append_group(records).map(Some)
    }

    fn append_group(&self, records: &mut [Record]) -> Result<String, AuditError> {
        let io = |e: std::io::Error| AuditError::io(&self.path, e);
        let mut state = self
            .state
            .lock()
            .map_err(|_| AuditError::io(&self.path, "an earlier append panicked"))?;
        state.file.lock().map_err(io)?;
        let result = append_locked(&mut state, records, self.durability == Durability::EachLine);
        let unlocked = state.file.unlock();
        let hash = result.map_err(io)?;
        unlocked.map_err(io)?;
        Ok(hash)
    }

    /// Makes every line appended so far durable (`fdatasync`); nothing to do when none was.
    pub fn sync(&self) -> Result<(), AuditError> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| AuditError::io(&self.path, "an earlier append panicked"))?;
        if state.unsynced {
            state
                .file
                .sync_data()
                .map_err(|e| AuditError::io(&self.path, e))?;
            state.unsynced = false;
        }
        Ok(())
    }
}

/// The append itself, with the file lock held: the group's lines chained from the file's last
/// line and written at once; the last line's hash.
fn append_locked(state: &mut State, records: &mut [Record], sync: bool) -> std::io::Result<String> {
    let len = state.file.metadata()?.len();
    let (mut prev, torn) = match &state.known {
        Some((known_len, hash)) if *known_len == len => (hash.clone(), false),
        _ => last_hash(&state.file, len)?,
    };
    let mut buf = Vec::new();
    if torn {
        // A line cut short by a crash stays a (bad) line of its own; ours follow it.
        buf.push(b'\n');
    }
    for record in records.iter_mut() {
        record.prev = prev;
        let line = line_of(record)?;
        prev = hash_line(&line);
        buf.extend_from_slice(&line);
        buf.push(b'\n');
    }
    (&state.file).write_all(&buf)?;
    if sync {
        state.file.sync_data()?;
    } else {
        state.unsynced = true;
    }
    let new_len = len + u64::try_from(buf.len()).unwrap_or(u64::MAX);
    state.known = Some((new_len, prev.clone()));
    Ok(prev)
}

/// The record's line, its `sent` replaced by a note of its size when the line would be over
/// [`MAX_LINE_BYTES`].
fn line_of(record: &mut Record) -> std::io::Result<Vec<u8>> {
    let line = encode(record)?;
    if line.len() <= MAX_LINE_BYTES {
        return Ok(line);
    }
    let size = line.len();
    record.sent = json!({ "omitted": format!("{size} bytes: over the audit line limit") });
    encode(record)
}

/// The record as one JSON line. serde_json escapes C0 controls; DEL and the C1 controls (which
/// some terminals obey, U+009B is CSI) are escaped here too, so `cat` or `tail -f` of the log
/// shows server text inertly. The escapes are JSON: the values read back unchanged.
fn encode(record: &Record) -> std::io::Result<Vec<u8>> {
    let text = serde_json::to_string(record).map_err(std::io::Error::other)?;
    if !text.chars().any(char::is_control) {
        return Ok(text.into_bytes());
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Ok(out.into_bytes())
}

/// The hash of the file's last line (of `len` bytes), and whether that line lacks its newline
/// (a write cut short).
fn last_hash(file: &File, len: u64) -> std::io::Result<(String, bool)> {
    Ok(match last_line(file, len)? {
        None => (GENESIS.to_owned(), false),
        Some((line, torn)) => (hash_line(&line), torn),
    })
}

/// The file's last line (of `len` bytes) without its newline, and whether it lacks that
/// newline; `None` for an empty file. Reads backwards from the end, at most [`MAX_LINE_BYTES`]
/// and a bit.
fn last_line(file: &File, len: u64) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    if len == 0 {
        return Ok(None);
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1)?;
    let torn = last[0] != b'\n';
    let end = if torn { len } else { len - 1 };
    let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    let mut tail: Vec<u8> = Vec::new();
    let mut pos = end;
    const CHUNK: u64 = 16 * 1024;
    let start = loop {
        if pos == 0 {
            break 0;
        }
        let step = CHUNK.min(pos);
        let mut chunk = vec![0u8; usize::try_from(step).unwrap_or(0)];
        file.read_exact_at(&mut chunk, pos - step)?;
        pos -= step;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        if let Some(i) = tail
            .iter()
            .take(usize::try_from(end - pos).unwrap_or(usize::MAX))
            .rposition(|&b| b == b'\n')
        {
            break pos + u64::try_from(i).unwrap_or(0) + 1;
        }
        if end - pos > limit {
            return Err(std::io::Error::other(format!(
                "its last line is longer than {MAX_LINE_BYTES} bytes; not an audit log?"
            )));
        }
    };
    let from = usize::try_from(start - pos).unwrap_or(0);
    let to = usize::try_from(end - pos).unwrap_or(0);
    tail.truncate(to);
    tail.drain(..from);
    Ok(Some((tail, torn)))
}

/// The state of a log's last line, as `aws-ilm doctor` reports it without walking the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// No lines yet.
    Empty,
    /// The last line is a whole record.
    Whole,
    /// The last line has no newline: a write cut short (crash, full disk).
    Torn,
    /// The last line ends but is not a record (edited, or not an audit log).
    NotARecord,
}

/// How the log at `path` ends: one read of its last line, not a check of the chain
/// (`verify` is that).
pub fn tail(path: &Path) -> Result<Tail, AuditError> {
    let file = File::open(path).map_err(|e| AuditError::io(path, e))?;
    let len = file.metadata().map_err(|e| AuditError::io(path, e))?.len();
    let last = last_line(&file, len).map_err(|e| AuditError::io(path, e))?;
    Ok(match last {
        None => Tail::Empty,
        Some((_, true)) => Tail::Torn,
        Some((line, false)) => match serde_json::from_slice::<Record>(&line) {
            Ok(_) => Tail::Whole,
            Err(_) => Tail::NotARecord,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Origin, Outcome, Target};

    pub(crate) fn record(n: u32) -> Record {
        Record {
            time: "2026-01-01T00:00:00Z".into(),
            version: "0".into(),
            user: "u".into(),
            host: "h".into(),
            instance: "i".into(),
            tenant: "t".into(),
            endpoint: "e".into(),
            origin: Origin::Command {
                command: "iam-create-user".into(),
            },
            operation: "CreateUser".into(),
            target: Target {
                id: Some(n.to_string()),
                user_name: Some(format!("u{n}")),
                display_name: None,
            },
            sent: json!({"userName": format!("u{n}")}),
            outcome: Outcome {
                ok: true,
                status: Some(201),
                request_id: None,
                error: None,
            },
            prev: String::new(),
        }
    }

    #[test]
    fn lines_chain_across_opens_and_a_torn_line_stays_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.jsonl");
        let log = AuditLog::open(&path, Durability::EachLine).unwrap();
        let h1 = log.append(&mut record(1)).unwrap();
        let mut r2 = record(2);
        let h2 = log.append(&mut r2).unwrap();
        assert_eq!(r2.prev, h1);
        drop(log);
        // Another process appended meanwhile (here: another open of the file).
        let other = AuditLog::open(&path, Durability::OnSync).unwrap();
        let mut r3 = record(3);
        other.append(&mut r3).unwrap();
        other.sync().unwrap();
        assert_eq!(r3.prev, h2);
        let head = crate::verify(&path, Some(&h1)).unwrap();
        assert_eq!(head.lines, 3);
        // A crash mid-write: the cut line is bad, the chain after it goes on from its bytes.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"time\":").unwrap();
        let mut r4 = record(4);
        other.append(&mut r4).unwrap();
        assert_eq!(r4.prev, hash_line(b"{\"time\":"));
        let e = crate::verify(&path, None).unwrap_err();
        assert!(matches!(e, AuditError::BadLine { line: 4, .. }), "{e}");
    }

    #[test]
    fn controls_are_escaped_and_read_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = AuditLog::open(&path, Durability::OnSync).unwrap();
        let mut r = record(1);
        r.sent = json!({"x": "a\u{1b}[2J\u{9b}1m\u{7f}\u{85}b"});
        log.append(&mut r).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.trim_end().chars().any(char::is_control), "{text:?}");
        let back: Record = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(back.sent, r.sent);
    }

    #[test]
    fn the_tail_says_how_the_log_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = AuditLog::open(&path, Durability::EachLine).unwrap();
        assert_eq!(tail(&path).unwrap(), Tail::Empty);
        log.append(&mut record(1)).unwrap();
        log.append(&mut record(2)).unwrap();
        assert_eq!(tail(&path).unwrap(), Tail::Whole);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"time\":").unwrap();
        assert_eq!(tail(&path).unwrap(), Tail::Torn);
        f.write_all(b"\n").unwrap();
        assert_eq!(tail(&path).unwrap(), Tail::NotARecord);
        assert!(tail(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        AuditLog::open(&path, Durability::EachLine).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_long_tail_is_found_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = AuditLog::open(&path, Durability::OnSync).unwrap();
        let mut r = record(1);
        r.sent = json!({"big": "x".repeat(40_000)});
        let h = log.append(&mut r).unwrap();
        let file = File::open(&path).unwrap();
        let len = file.metadata().unwrap().len();
        assert_eq!(last_hash(&file, len).unwrap(), (h, false));
        let mut huge = record(2);
        huge.sent = json!({"big": "x".repeat(MAX_LINE_BYTES)});
        log.append(&mut huge).unwrap();
        assert!(huge.sent["omitted"].is_string());
        crate::verify(&path, None).unwrap();
    }

    #[test]
    fn a_group_is_chained_line_by_line_and_after_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = AuditLog::open(&path, Durability::OnSync).unwrap();
        let h0 = log.append(&mut record(0)).unwrap();
        assert_eq!(log.append_all(&mut []).unwrap(), None);
        let mut group: Vec<Record> = (1..=5).map(record).collect();
        let last = log.append_all(&mut group).unwrap();
        log.sync().unwrap();
        assert_eq!(group[0].prev, h0);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        for (i, r) in group.iter().enumerate() {
            assert_eq!(r.prev, hash_line(lines[i].as_bytes()));
        }
        assert_eq!(
            last.as_deref(),
            Some(hash_line(lines[5].as_bytes()).as_str())
        );
        let head = crate::verify(&path, Some(&h0)).unwrap();
        assert_eq!((head.lines, Some(head.hash)), (6, last));
    }

    #[test]
    fn groups_of_two_writers_interleave_into_one_chain() {
        // Two opens of the file take its lock as two processes do (a flock is per open).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let writers: Vec<_> = (0..2u32)
            .map(|w| {
                let log = AuditLog::open(&path, Durability::OnSync).unwrap();
                std::thread::spawn(move || {
                    for g in 0..40 {
                        let mut group: Vec<Record> =
                            (0..7).map(|i| record(w * 1000 + g * 10 + i)).collect();
                        log.append_all(&mut group).unwrap();
                    }
                    log.sync().unwrap();
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(crate::verify(&path, None).unwrap().lines, 2 * 40 * 7);
        // Each group's lines are consecutive: a group is written under one lock.
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<u32> = text
            .lines()
            .map(|l| {
                let r: Record = serde_json::from_str(l).unwrap();
                r.target.id.unwrap().parse().unwrap()
            })
            .collect();
        for chunk in ids.chunks(7) {
            assert!(chunk.iter().all(|id| id / 10 == chunk[0] / 10), "{chunk:?}");
        }
    }

    #[test]
    fn a_group_after_a_torn_line_follows_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, b"{\"time\":").unwrap();
        let log = AuditLog::open(&path, Durability::EachLine).unwrap();
        let mut group = vec![record(1), record(2)];
        log.append_all(&mut group).unwrap();
        assert_eq!(group[0].prev, hash_line(b"{\"time\":"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert_eq!(
            group[1].prev,
            hash_line(text.lines().nth(1).unwrap().as_bytes())
        );
    }
}
