//! Reading a whole file or stream into memory, never more than a named number of bytes.
//!
//! Whatever aws-ilm reads whole (a mapping file, the config file, the token file, a JSON
//! argument, a reconcile source, a plan file) comes from a path or a pipe someone else may
//! control: `--mapper-out /dev/zero`, a token file pointing at a huge file or `--scim
//! @/dev/zero` would otherwise grow memory until the process is killed. So every such read goes
//! through [`read_to_string`] (or [`read_bytes`]) with a [`Limit`] naming the kind of input, and
//! a larger input is an error that says which limit it hit (docs/configuration.md, "Input size
//! limits"). Only one byte past the limit is ever read, so an oversized input costs the limit in
//! memory, not its own size.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// A bound on one kind of input: at most `bytes`, and what the input is, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    /// The input as the message names it: "a mapping file".
    pub what: &'static str,
}

/// Why a bounded read gave no text. The messages never quote the input (it may be a token).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is larger than {} (the limit for {})", size(.0.bytes), .0.what)]
    TooLarge(Limit),
    #[error("it is not UTF-8 text")]
    NotUtf8,
}

/// All of `reader` as text, if it holds at most `limit.bytes` bytes of UTF-8.
pub fn read_to_string(reader: impl Read, limit: Limit) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(reader, limit)?).map_err(|_| ReadError::NotUtf8)
}

/// All of `reader`, if it holds at most `limit.bytes` bytes (for a parser that takes bytes).
pub fn read_bytes(reader: impl Read, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    // One byte past the bound tells an input of exactly `limit.bytes` from a larger one.
    reader
        .take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// [`read_to_string`] of the file at `path`.
pub fn read_file(path: &Path, limit: Limit) -> Result<String, ReadError> {
    read_to_string(File::open(path)?, limit)
}

/// `bytes` as a person reads a limit: `16 MiB`, `64 KiB`, else `1000 bytes`.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN: Limit = Limit {
        bytes: 10,
        what: "a test input",
    };

    #[test]
    fn under_and_at_the_limit_read_whole() {
        assert_eq!(read_to_string(&b""[..], TEN).unwrap(), "");
        assert_eq!(read_to_string(&b"123456789"[..], TEN).unwrap(), "123456789");
        assert_eq!(
            read_to_string(&b"1234567890"[..], TEN).unwrap(),
            "1234567890"
        );
        // A character cut by the limit is not an issue when the whole input fits.
        assert_eq!(read_to_string("ééééé".as_bytes(), TEN).unwrap(), "ééééé");
        assert_eq!(read_bytes(&b"\xff\xfe"[..], TEN).unwrap(), b"\xff\xfe");
    }

    #[test]
    fn over_the_limit_names_the_limit() {
        let e = read_to_string(&b"12345678901"[..], TEN).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge(l) if l == TEN), "{e:?}");
        let e = read_bytes(&b"12345678901"[..], TEN).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge(l) if l == TEN), "{e:?}");
        assert_eq!(
            e.to_string(),
            "it is larger than 10 bytes (the limit for a test input)"
        );
    }

    #[test]
    fn an_endless_stream_stops_one_byte_past_the_limit() {
        let mut zeros = std::io::repeat(0);
        let e = read_to_string(&mut zeros, TEN).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge(_)));
        // Nothing more than limit + 1 was taken: the stream is still readable.
        let mut rest = [1u8; 4];
        zeros.read_exact(&mut rest).unwrap();
        assert_eq!(rest, [0; 4]);
    }

    #[test]
    fn non_utf8_is_an_error_without_the_bytes() {
        let e = read_to_string(&b"ab\xff\xfecd"[..], TEN).unwrap_err();
        assert!(matches!(e, ReadError::NotUtf8));
        assert_eq!(e.to_string(), "it is not UTF-8 text");
    }

    #[test]
    fn files_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_file(&p, TEN).unwrap(), "hello");
        std::fs::write(&p, "hello, world").unwrap();
        assert!(matches!(read_file(&p, TEN), Err(ReadError::TooLarge(_))));
        let e = read_file(&dir.path().join("missing"), TEN).unwrap_err();
        assert!(matches!(e, ReadError::Io(_)), "{e:?}");
    }

    #[test]
    fn sizes_read_as_a_person_writes_them() {
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(1 << 20), "1 MiB");
        assert_eq!(size(1000), "1000 bytes");
        assert_eq!(size((1 << 20) + 1024), "1025 KiB");
    }
}
