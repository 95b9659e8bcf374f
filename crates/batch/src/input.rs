//! Streaming input: JSON lines or a CSV of user profiles, read on a blocking thread that feeds
//! a bounded channel, so memory stays flat however long the file (issue 4: "Input is streamed").
//!
//! JSON lines use the CLI's own vocabulary: `{"command": "iam-create-user", "args": {...}}`,
//! `args` optional. Blank lines are not events. A line that is not such an object becomes an
//! `invalid` event carrying its line number; reading goes on. A CSV's header row names the
//! profile fields; each record becomes `{"user-profile": {field: value}, "allow-enable": ..}`
//! for the one `--command`, with empty cells left out (AWS rejects empty strings, PRODUCT.md
//! §3.3).
//!
//! Every event carries its 1-based line number (for CSV, the csv reader's count, which leaves
//! out blank lines) and a stable 64-bit FNV-1a hash of its content,
//! which the journal uses to notice that the input changed between runs.

use std::hash::Hasher;
use std::io::{BufRead, ErrorKind};

use fnv::FnvHasher;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::error::BatchError;

/// Longest accepted line; longer ones are reported invalid without being held in memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Commands a CSV of user profiles can drive (each takes a `user-profile`).
pub const CSV_COMMANDS: &[&str] = &[
    "iam-create-user",
    "iam-update-user",
    "iam-get-user",
    "iam-disable-user",
    "iam-enable-user",
    "iam-delete-user",
];

/// How to read the input.
#[derive(Debug, Clone)]
pub enum Format {
    JsonLines,
    Csv { command: String, allow_enable: bool },
}

/// One event as read, before the executor parses it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    pub line: u64,
    pub hash: u64,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Command {
        name: String,
        args: Map<String, Value>,
    },
    Invalid(String),
}

/// A stable hash (FNV-1a 64): the same bytes give the same value on every run and platform.
pub fn content_hash(parts: &[&[u8]]) -> u64 {
    let mut h = FnvHasher::default();
    for p in parts {
        h.write(p);
        h.write(&[0x1f]);
    }
    h.finish()
}

/// Starts the reader thread. Items arrive in input order; an I/O error ends the stream with
/// `Err`. The thread stops early when the receiver is dropped.
pub fn spawn_reader<R>(
    reader: R,
    format: Format,
    capacity: usize,
) -> mpsc::Receiver<Result<RawEvent, BatchError>>
where
    R: BufRead + Send + 'static,
{
    let (tx, rx) = mpsc::channel(capacity.max(1));
    std::thread::spawn(move || {
        let result = match format {
            Format::JsonLines => read_json_lines(reader, &tx),
            Format::Csv {
                command,
                allow_enable,
            } => read_csv(reader, &command, allow_enable, &tx),
        };
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

type Tx = mpsc::Sender<Result<RawEvent, BatchError>>;

/// Sends one event; `false` when the engine has stopped listening.
fn send(tx: &Tx, ev: RawEvent) -> bool {
    tx.blocking_send(Ok(ev)).is_ok()
}

fn read_json_lines<R: BufRead>(mut reader: R, tx: &Tx) -> Result<(), BatchError> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let (read, too_long) = read_bounded_line(&mut reader, &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        line_no += 1;
        if too_long {
            let ev = RawEvent {
                line: line_no,
                hash: 0,
                body: Body::Invalid(format!("line is longer than {MAX_LINE_BYTES} bytes")),
            };
            if !send(tx, ev) {
                return Ok(());
            }
            continue;
        }
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        let ev = RawEvent {
            line: line_no,
            hash: content_hash(&[trimmed]),
            body: parse_json_line(trimmed),
        };
        if !send(tx, ev) {
            return Ok(());
        }
    }
}

/// Reads one line (without its newline) into `buf`, keeping at most `MAX_LINE_BYTES`.
/// Returns the bytes consumed (0 at end of input) and whether the line was cut.
fn read_bounded_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> Result<(usize, bool), BatchError> {
    let mut consumed = 0usize;
    let mut too_long = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(BatchError::Read(e.to_string())),
        };
        if chunk.is_empty() {
            return Ok((consumed, too_long));
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if buf.len() + part.len() > MAX_LINE_BYTES {
            too_long = true;
        } else if !too_long {
            buf.extend_from_slice(part);
        }
        let used = done.unwrap_or(chunk.len());
        reader.consume(used);
        consumed += used;
        if done.is_some() {
            return Ok((consumed, too_long));
        }
    }
}

/// `{"command": NAME, "args": {...}}` → the command's name and arguments.
pub fn parse_json_line(bytes: &[u8]) -> Body {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Body::Invalid(format!("malformed JSON: {e}")),
    };
    let Value::Object(mut obj) = value else {
        return Body::Invalid("expected a JSON object {\"command\": ..., \"args\": {...}}".into());
    };
    if let Some(k) = obj
        .keys()
        .find(|k| k.as_str() != "command" && k.as_str() != "args")
    {
        return Body::Invalid(format!("unknown key '{k}' (expected 'command' and 'args')"));
    }
    let name = match obj.remove("command") {
        Some(Value::String(s)) => s,
        Some(_) => return Body::Invalid("'command' must be a string".into()),
        None => return Body::Invalid("missing 'command'".into()),
    };
    let args = match obj.remove("args") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Body::Invalid("'args' must be a JSON object".into()),
    };
    Body::Command { name, args }
}

fn read_csv<R: BufRead>(
    reader: R,
    command: &str,
    allow_enable: bool,
    tx: &Tx,
) -> Result<(), BatchError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| BatchError::Input(format!("CSV header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().any(String::is_empty) {
        return Err(BatchError::Input(
            "CSV header row: every column needs a profile field name".into(),
        ));
    }
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].iter().any(|o| o.eq_ignore_ascii_case(h)) {
            return Err(BatchError::Input(format!(
                "CSV header row: column '{h}' appears twice"
            )));
        }
    }
    let header_bytes = headers.join("\x1f");
    let flag: &[u8] = if allow_enable { b"true" } else { b"false" };
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let mut parts: Vec<&[u8]> = vec![command.as_bytes(), flag, header_bytes.as_bytes()];
                parts.extend(record.iter().map(str::as_bytes));
                let hash = content_hash(&parts);
                let body = if record.len() != headers.len() {
                    Body::Invalid(format!(
                        "CSV record has {} fields, the header has {}",
                        record.len(),
                        headers.len()
                    ))
                } else {
                    let mut profile = Map::new();
                    for (h, v) in headers.iter().zip(record.iter()) {
                        if !v.trim().is_empty() {
                            profile.insert(h.clone(), Value::String(v.to_string()));
                        }
                    }
                    let mut args = Map::new();
                    args.insert("user-profile".into(), Value::Object(profile));
                    args.insert("allow-enable".into(), Value::Bool(allow_enable));
                    Body::Command {
                        name: command.to_string(),
                        args,
                    }
                };
                if !send(tx, RawEvent { line, hash, body }) {
                    return Ok(());
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(io) => return Err(BatchError::Read(io.to_string())),
                    _ => {
                        let ev = RawEvent {
                            line,
                            hash: 0,
                            body: Body::Invalid(format!("CSV: {e}")),
                        };
                        if !send(tx, ev) {
                            return Ok(());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &str, format: Format) -> Vec<Result<RawEvent, BatchError>> {
        let mut rx = spawn_reader(std::io::Cursor::new(input.to_string()), format, 2);
        let mut out = Vec::new();
        while let Some(ev) = rx.blocking_recv() {
            out.push(ev);
        }
        out
    }

    #[test]
    fn json_lines_keep_line_numbers_and_skip_blank_lines() {
        let input = "{\"command\":\"iam-get-user\",\"args\":{\"user-profile\":{\"email\":\"a@x\"}}}\n\n  \n{\"command\":\"test-module\"}\r\nnot json\n[1]\n{\"command\":1}\n{\"command\":\"x\",\"extra\":1}";
        let evs: Vec<RawEvent> = collect(input, Format::JsonLines)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let lines: Vec<u64> = evs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 4, 5, 6, 7, 8]);
        assert!(matches!(&evs[0].body, Body::Command { name, args }
            if name == "iam-get-user" && args.contains_key("user-profile")));
        assert!(matches!(&evs[1].body, Body::Command { name, args }
            if name == "test-module" && args.is_empty()));
        for e in &evs[2..] {
            assert!(matches!(e.body, Body::Invalid(_)), "{e:?}");
        }
        assert!(matches!(&evs[5].body, Body::Invalid(m) if m.contains("extra")));
    }

    #[test]
    fn the_hash_ignores_surrounding_whitespace_and_sees_any_change() {
        let a = collect("{\"command\":\"a\"}\n", Format::JsonLines);
        let b = collect("  {\"command\":\"a\"}  \r\n", Format::JsonLines);
        let c = collect("{\"command\":\"b\"}\n", Format::JsonLines);
        let h = |v: &Vec<Result<RawEvent, BatchError>>| v[0].as_ref().unwrap().hash;
        assert_eq!(h(&a), h(&b));
        assert_ne!(h(&a), h(&c));
        // Stable across runs and builds: FNV-1a of fixed bytes.
        assert_eq!(content_hash(&[b"x"]), content_hash(&[b"x"]));
        assert_ne!(content_hash(&[b"ab", b"c"]), content_hash(&[b"a", b"bc"]));
    }

    #[test]
    fn an_overlong_line_is_invalid_and_reading_goes_on() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let input = format!("{long}\n{{\"command\":\"test-module\"}}\n");
        let evs: Vec<RawEvent> = collect(&input, Format::JsonLines)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(evs.len(), 2);
        assert!(matches!(&evs[0].body, Body::Invalid(m) if m.contains("longer")));
        assert_eq!(evs[1].line, 2);
    }

    #[test]
    fn csv_rows_become_profiles_without_empty_cells() {
        let input = "email,givenname, surname\na@x.test,Ann,Lee\nb@x.test,,Bo\n\nc@x.test,Cy\n";
        let fmt = Format::Csv {
            command: "iam-create-user".into(),
            allow_enable: false,
        };
        let evs: Vec<RawEvent> = collect(input, fmt)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(evs.len(), 3);
        assert_eq!(evs[0].line, 2);
        let Body::Command { name, args } = &evs[1].body else {
            panic!("{evs:?}")
        };
        assert_eq!(name, "iam-create-user");
        assert_eq!(args["allow-enable"], Value::Bool(false));
        assert_eq!(
            args["user-profile"],
            serde_json::json!({"email": "b@x.test", "surname": "Bo"})
        );
        // The csv reader does not count blank lines.
        assert_eq!(evs[2].line, 4);
        assert!(matches!(&evs[2].body, Body::Invalid(m) if m.contains("2 fields")));
    }

    #[test]
    fn a_csv_header_with_an_empty_or_repeated_name_is_bad_input() {
        let fmt = || Format::Csv {
            command: "iam-create-user".into(),
            allow_enable: true,
        };
        let r = collect("email,,x\n1,2,3\n", fmt());
        assert!(matches!(r.last(), Some(Err(BatchError::Input(_)))));
        let r = collect("email,Email\n1,2\n", fmt());
        assert!(matches!(r.last(), Some(Err(BatchError::Input(m))) if m.contains("twice")));
    }
}
