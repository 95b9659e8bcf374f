//! The chain: each line's `prev` is the SHA-256 of the exact bytes of the line before it
//! (without its newline); the first line's is [`GENESIS`] (docs/audit.md, "The chain").
//!
//! [`verify`] walks the file once and names the first line that does not follow: one that is
//! not a record (edited into bad JSON, torn by a crash), or whose `prev` is not the hash of the
//! line before (that line, or this one, was edited; a line between was deleted; lines were
//! reordered). The hash of the last line is the log's head; a head recorded earlier (elsewhere)
//! must be the hash of one of the lines, or lines were removed from the end or the file was
//! rewritten.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::AuditError;
use crate::log::MAX_LINE_BYTES;

/// The `prev` of a log's first line: 64 zeros (no line hashes to it).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of `line` (its bytes without the newline), lower-case hex.
pub fn hash_line(line: &[u8]) -> String {
    let digest = Sha256::digest(line);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A verified chain: how many lines, and the last one's hash ([`GENESIS`] for an empty log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub lines: u64,
    pub hash: String,
}

/// The only key of a line the chain needs.
#[derive(serde::Deserialize)]
struct Prev {
    prev: String,
}

/// Checks the whole chain of the log at `path`, and, with `recorded`, that the head recorded
/// then is the hash of one of its lines (the log may have grown since). A missing file is an
/// error: an audit log that vanished is not an empty one.
pub fn verify(path: &Path, recorded: Option<&str>) -> Result<Head, AuditError> {
    let mut lines = Lines::open(path)?;
    let recorded = recorded.map(|h| h.trim().to_ascii_lowercase());
    let mut seen_recorded = recorded.as_deref() == Some(GENESIS);
    let mut expected = GENESIS.to_owned();
    let bad = |line: u64, why: String| AuditError::BadLine {
        path: path.to_path_buf(),
        line,
        why,
    };
    while let Some((n, ended)) = lines.next()? {
        let line = &lines.buf;
        match ended {
            Ending::TooLong => {
                return Err(bad(n, format!("longer than {MAX_LINE_BYTES} bytes")));
            }
            Ending::Eof => {
                return Err(bad(
                    n,
                    "no newline at its end: a write cut short (crash or full disk), or the file \
                     was edited"
                        .into(),
                ));
            }
            Ending::Newline => {}
        }
        let prev = match serde_json::from_slice::<Prev>(line) {
            Ok(p) => p.prev,
            Err(e) => return Err(bad(n, format!("not an audit record ({e})"))),
        };
        if prev != expected {
            return Err(bad(
                n,
                if n == 1 {
                    format!(
                        "its prev is {prev}, not the genesis value: lines before it were removed"
                    )
                } else {
                    format!(
                        "its prev is {prev}, not the hash of line {} ({expected}): line {} or \
                         this one was edited, or lines between them were deleted or reordered",
                        n - 1,
                        n - 1
                    )
                },
            ));
        }
        expected = hash_line(line);
        if recorded.as_deref() == Some(expected.as_str()) {
            seen_recorded = true;
        }
    }
    let n = lines.n;
    if let Some(head) = recorded
        && !seen_recorded
    {
        return Err(AuditError::HeadNotFound {
            path: path.to_path_buf(),
            head,
            lines: n,
            last: expected,
        });
    }
    Ok(Head {
        lines: n,
        hash: expected,
    })
}

/// The log's head: the hash of its last line, after checking the chain (a head of a broken
/// chain would vouch for it).
pub fn head(path: &Path) -> Result<Head, AuditError> {
    verify(path, None)
}

/// The numbered lines of a log file, each read with the [`MAX_LINE_BYTES`] bound: what
/// `verify` and `show` both walk.
pub(crate) struct Lines<'p> {
    path: &'p Path,
    reader: BufReader<File>,
    /// Lines read so far.
    pub(crate) n: u64,
    /// The last line read, without its newline.
    pub(crate) buf: Vec<u8>,
}

impl<'p> Lines<'p> {
    pub(crate) fn open(path: &'p Path) -> Result<Lines<'p>, AuditError> {
        let file = File::open(path).map_err(|e| AuditError::io(path, e))?;
        Ok(Lines {
            path,
            reader: BufReader::with_capacity(256 * 1024, file),
            n: 0,
            buf: Vec::new(),
        })
    }

    /// Reads the next line into `buf`: its number and how it ended; `None` at the end.
    pub(crate) fn next(&mut self) -> Result<Option<(u64, Ending)>, AuditError> {
        self.buf.clear();
        let ended =
            read_line(&mut self.reader, &mut self.buf).map_err(|e| AuditError::io(self.path, e))?;
        if self.buf.is_empty() && ended == Ending::Eof {
            return Ok(None);
        }
        self.n += 1;
        Ok(Some((self.n, ended)))
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    Newline,
    Eof,
    TooLong,
}

/// One line into `buf` (without its `\n`), never more than [`MAX_LINE_BYTES`] of it held.
pub(crate) fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Ending> {
    let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    let n = reader.by_ref().take(limit).read_until(b'\n', buf)?;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Ending::Newline);
    }
    if u64::try_from(n).unwrap_or(u64::MAX) >= limit {
        // Skip the rest of the line so a caller that goes on starts at the next one.
        loop {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    reader.consume(i + 1);
                    break;
                }
                None => {
                    let len = chunk.len();
                    reader.consume(len);
                }
            }
        }
        return Ok(Ending::TooLong);
    }
    Ok(Ending::Eof)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            hash_line(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(GENESIS.len(), 64);
    }
}
