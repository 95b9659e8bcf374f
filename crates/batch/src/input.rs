//! Streaming input: JSON lines or a CSV of user profiles, read on a blocking thread that feeds
//! a bounded channel, so memory stays flat however long the file (docs/batch.md, "Input").
//!
//! JSON lines use the CLI's own vocabulary: `{"command": "iam-create-user", "args": {...}}`,
//! `args` optional. Blank lines are not events. A line that is not such an object becomes an
//! `invalid` event carrying its line number; reading goes on. A CSV's header row names the
//! profile fields; each record becomes `{"user-profile": {field: value}}` for the one
//! `--command` (plus `allow-enable` when given, for the commands that take it), with empty
//! cells left out (AWS rejects empty strings: docs/schema.md, "Values").
//!
//! Every event carries its 1-based physical line number (for CSV, the line its record starts
//! on, see [`crate::csv_rows`]) and a stable 64-bit FNV-1a hash of its content, which the
//! journal uses to notice that the input changed between runs. One record (a JSON line, a CSV
//! row with its quoted line breaks) may be at most `max_record_bytes` long
//! ([`DEFAULT_MAX_RECORD_BYTES`], `--max-record-bytes`); a longer one is reported invalid
//! without being held in memory, and reading goes on after it.

use std::hash::Hasher;
use std::io::{BufRead, ErrorKind};

use aws_ilm_lifecycle::CommandName;
use aws_ilm_lifecycle::command::{ALLOW_ENABLE, USER_PROFILE};
use fnv::FnvHasher;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::csv_rows::CsvRows;
use crate::error::BatchError;

/// The default bound on one input record (1 MiB): far above any real profile, small enough
/// that a broken file cannot take the memory of the machine.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;

/// The commands a CSV of user profiles can drive: every command that takes a `user-profile`
/// (derived from the commands' own argument lists, so the two cannot disagree).
pub fn csv_commands() -> Vec<&'static str> {
    CommandName::ALL
        .into_iter()
        .filter(|c| c.is_user_command())
        .map(CommandName::as_str)
        .collect()
}

/// How to read the input.
#[derive(Debug, Clone)]
pub enum Format {
    JsonLines,
    /// A CSV of user profiles, one `command` event per row. `allow_enable` is given to every
    /// row's command when set; [`Format::csv`] lets it be set only for commands that take it.
    Csv {
        command: CommandName,
        allow_enable: Option<bool>,
    },
}

impl Format {
    /// The CSV format for `--command NAME [--allow-enable BOOL]`: `Err` (bad input, exit 2)
    /// for a command that takes no user profile, or an `--allow-enable` the command does not
    /// take (it would be refused on every row).
    pub fn csv(command: &str, allow_enable: Option<bool>) -> Result<Format, BatchError> {
        let name = command
            .parse::<CommandName>()
            .ok()
            .filter(|c| c.is_user_command())
            .ok_or_else(|| {
                BatchError::Input(format!(
                    "--command {command}: a CSV of user profiles drives one of {}",
                    csv_commands().join(", ")
                ))
            })?;
        if allow_enable.is_some() && !name.accepts(ALLOW_ENABLE) {
            return Err(BatchError::Input(format!(
                "--allow-enable: {name} takes no allow-enable argument (it accepts {})",
                name.arguments().join(", ")
            )));
        }
        Ok(Format::Csv {
            command: name,
            allow_enable,
        })
    }
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
/// `Err`. The thread stops early when the receiver is dropped. `max_record_bytes` bounds one
/// JSON line or CSV record (see the module doc).
pub fn spawn_reader<R>(
    reader: R,
    format: Format,
    capacity: usize,
    max_record_bytes: usize,
) -> mpsc::Receiver<Result<RawEvent, BatchError>>
where
    R: BufRead + Send + 'static,
{
    let (tx, rx) = mpsc::channel(capacity.max(1));
    std::thread::spawn(move || {
        let result = match format {
            Format::JsonLines => read_json_lines(reader, max_record_bytes, &tx),
            Format::Csv {
                command,
                allow_enable,
            } => read_csv(
                CsvRows::new(reader, max_record_bytes),
                command,
                allow_enable,
                &tx,
            ),
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

fn invalid(line: u64, why: String) -> RawEvent {
    RawEvent {
        line,
        hash: 0,
        body: Body::Invalid(why),
    }
}

fn read_json_lines<R: BufRead>(mut reader: R, max: usize, tx: &Tx) -> Result<(), BatchError> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let (read, too_long) = read_bounded_line(&mut reader, &mut buf, max)?;
        if read == 0 {
            return Ok(());
        }
        line_no += 1;
        if too_long {
            let why = format!("line is longer than {max} bytes (--max-record-bytes)");
            if !send(tx, invalid(line_no, why)) {
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

/// Reads one line (without its newline) into `buf`, keeping at most `max` bytes.
/// Returns the bytes consumed (0 at end of input) and whether the line was cut.
pub(crate) fn read_bounded_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
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
        if buf.len() + part.len() > max {
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

/// The fields of the current record as text; the first field that is not UTF-8 is an error.
/// Shared with reconcile's CSV source, which reads the same files.
pub fn text_fields<R: BufRead>(rows: &CsvRows<R>) -> Result<Vec<&str>, String> {
    rows.fields()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f).map_err(|_| format!("CSV field {} is not valid UTF-8", i + 1))
        })
        .collect()
}

/// Reads the header row of a CSV of user profiles: the profile field names, trimmed, none
/// empty, none twice. `Ok(None)` for an empty input. Shared with reconcile's CSV source, so a
/// file `batch` reads is read the same way there.
pub fn read_csv_header<R: BufRead>(
    rows: &mut CsvRows<R>,
) -> Result<Option<Vec<String>>, BatchError> {
    let header_err = |m: String| BatchError::Input(format!("CSV header row: {m}"));
    let headers: Vec<String> = match rows.next_record()? {
        None => return Ok(None),
        Some(r) if r.too_long => {
            return Err(header_err(format!(
                "longer than {} bytes (--max-record-bytes)",
                rows.max_bytes()
            )));
        }
        Some(_) => text_fields(rows)
            .map_err(header_err)?
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect(),
    };
    if headers.is_empty() || headers.iter().any(String::is_empty) {
        return Err(header_err("every column needs a profile field name".into()));
    }
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].iter().any(|o| o.eq_ignore_ascii_case(h)) {
            return Err(header_err(format!("column '{h}' appears twice")));
        }
    }
    Ok(Some(headers))
}

/// One CSV row as a user profile: header → cell, with empty cells left out (AWS rejects empty
/// strings: docs/schema.md, "Values"). The caller has checked that the counts match.
pub fn csv_profile<'a>(
    headers: impl IntoIterator<Item = &'a String>,
    cells: &[&str],
) -> Map<String, Value> {
    let mut profile = Map::new();
    for (h, v) in headers.into_iter().zip(cells) {
        if !v.trim().is_empty() {
            profile.insert(h.clone(), Value::String((*v).to_string()));
        }
    }
    profile
}

fn read_csv<R: BufRead>(
    mut rows: CsvRows<R>,
    command: CommandName,
    allow_enable: Option<bool>,
    tx: &Tx,
) -> Result<(), BatchError> {
    let Some(headers) = read_csv_header(&mut rows)? else {
        return Ok(());
    };
    let header_bytes = headers.join("\x1f");
    // Part of every row's hash: a rerun with another allow-enable is another event.
    let flag: &[u8] = match (command.accepts(ALLOW_ENABLE), allow_enable) {
        (false, _) => b"",
        (true, Some(false)) => b"false",
        (true, _) => b"true",
    };
    while let Some(rec) = rows.next_record()? {
        let line = rec.line;
        if rec.too_long {
            let why = format!(
                "CSV record is longer than {} bytes (--max-record-bytes; an unclosed quote?)",
                rows.max_bytes()
            );
            if !send(tx, invalid(line, why)) {
                return Ok(());
            }
            continue;
        }
        let cells = match text_fields(&rows) {
            Ok(c) => c,
            Err(why) => {
                if !send(tx, invalid(line, why)) {
                    return Ok(());
                }
                continue;
            }
        };
        if cells.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut parts: Vec<&[u8]> =
            vec![command.as_str().as_bytes(), flag, header_bytes.as_bytes()];
        parts.extend(cells.iter().map(|c| c.as_bytes()));
        let hash = content_hash(&parts);
        let body = if cells.len() != headers.len() {
            Body::Invalid(format!(
                "CSV record has {} fields, the header has {}",
                cells.len(),
                headers.len()
            ))
        } else {
            let profile = csv_profile(&headers, &cells);
            let mut args = Map::new();
            args.insert(USER_PROFILE.into(), Value::Object(profile));
            if let Some(b) = allow_enable {
                args.insert(ALLOW_ENABLE.into(), Value::Bool(b));
            }
            Body::Command {
                name: command.as_str().to_string(),
                args,
            }
        };
        if !send(tx, RawEvent { line, hash, body }) {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_max(input: &str, format: Format, max: usize) -> Vec<Result<RawEvent, BatchError>> {
        let mut rx = spawn_reader(std::io::Cursor::new(input.to_string()), format, 2, max);
        let mut out = Vec::new();
        while let Some(ev) = rx.blocking_recv() {
            out.push(ev);
        }
        out
    }

    fn collect(input: &str, format: Format) -> Vec<Result<RawEvent, BatchError>> {
        collect_max(input, format, DEFAULT_MAX_RECORD_BYTES)
    }

    fn events(input: &str, format: Format) -> Vec<RawEvent> {
        collect(input, format)
            .into_iter()
            .map(Result::unwrap)
            .collect()
    }

    fn csv(command: &str) -> Format {
        Format::csv(command, None).unwrap()
    }

    #[test]
    fn json_lines_keep_line_numbers_and_skip_blank_lines() {
        let input = "{\"command\":\"iam-get-user\",\"args\":{\"user-profile\":{\"email\":\"a@x\"}}}\n\n  \n{\"command\":\"test-module\"}\r\nnot json\n[1]\n{\"command\":1}\n{\"command\":\"x\",\"extra\":1}";
        let evs = events(input, Format::JsonLines);
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
        let long = "x".repeat(5000);
        let input = format!("{long}\n{{\"command\":\"test-module\"}}\n");
        let evs: Vec<RawEvent> = collect_max(&input, Format::JsonLines, 4096)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(evs.len(), 2);
        assert!(matches!(&evs[0].body, Body::Invalid(m) if m.contains("longer than 4096")));
        assert_eq!(evs[1].line, 2);
    }

    #[test]
    fn csv_rows_become_profiles_without_empty_cells() {
        let input = "email,givenname, surname\na@x.test,Ann,Lee\nb@x.test,,Bo\n\nc@x.test,Cy\n";
        let evs = events(input, csv("iam-create-user"));
        assert_eq!(evs.len(), 3);
        assert_eq!(evs[0].line, 2);
        let Body::Command { name, args } = &evs[1].body else {
            panic!("{evs:?}")
        };
        assert_eq!(name, "iam-create-user");
        // Not given: left to the command's default.
        assert!(!args.contains_key("allow-enable"));
        assert_eq!(
            args["user-profile"],
            serde_json::json!({"email": "b@x.test", "surname": "Bo"})
        );
        // The blank line counts: this row is on line 5.
        assert_eq!(evs[2].line, 5);
        assert!(matches!(&evs[2].body, Body::Invalid(m) if m.contains("2 fields")));
    }

    #[test]
    fn csv_allow_enable_goes_only_to_the_commands_that_take_it() {
        let f = Format::csv("iam-update-user", Some(false)).unwrap();
        let evs = events("username\na\n", f);
        let Body::Command { args, .. } = &evs[0].body else {
            panic!("{evs:?}")
        };
        assert_eq!(args["allow-enable"], Value::Bool(false));
        for c in [
            "iam-get-user",
            "iam-disable-user",
            "iam-enable-user",
            "iam-delete-user",
        ] {
            let e = Format::csv(c, Some(true)).unwrap_err().to_string();
            assert!(e.contains("takes no allow-enable argument"), "{e}");
            let evs = events("username\na\n", csv(c));
            let Body::Command { name, args } = &evs[0].body else {
                panic!("{evs:?}")
            };
            assert_eq!((name.as_str(), args.len()), (c, 1), "{args:?}");
        }
        let e = Format::csv("iam-get-group", None).unwrap_err().to_string();
        assert!(e.contains("iam-create-user, iam-update-user"), "{e}");
    }

    #[test]
    fn every_user_command_is_a_csv_command() {
        assert_eq!(
            csv_commands(),
            [
                "iam-create-user",
                "iam-update-user",
                "iam-get-user",
                "iam-disable-user",
                "iam-enable-user",
                "iam-delete-user"
            ]
        );
    }

    #[test]
    fn crlf_csv_rows_carry_their_physical_line() {
        let input =
            "email,title\r\na@x.test,\"two\r\nlines\"\r\n\r\nb@x.test,T\r\n\"c@x.test\",\r\n";
        let evs = events(input, csv("iam-create-user"));
        let lines: Vec<u64> = evs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 5, 6]);
        let Body::Command { args, .. } = &evs[0].body else {
            panic!("{evs:?}")
        };
        assert_eq!(args["user-profile"]["title"], "two\r\nlines");
        // Same content, other line endings: same hash (the line numbers match too).
        let lf = events(&input.replace("\r\n", "\n"), csv("iam-create-user"));
        assert_eq!(lf.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 5, 6]);
        assert_eq!(lf[1].hash, evs[1].hash);
    }

    #[test]
    fn an_overlong_csv_record_is_invalid_with_its_line_and_reading_goes_on() {
        let input = format!("email\na@x.test\n\"{}\nb@x.test\n", "x".repeat(10_000));
        let evs: Vec<RawEvent> = collect_max(&input, csv("iam-create-user"), 1024)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        // The unclosed quote swallows the rest of the file: one invalid record, on line 3.
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[1].line, 3);
        assert!(matches!(&evs[1].body, Body::Invalid(m) if m.contains("longer than 1024")));
    }

    #[test]
    fn a_csv_header_with_an_empty_or_repeated_name_is_bad_input() {
        let fmt = || csv("iam-create-user");
        let r = collect("email,,x\n1,2,3\n", fmt());
        assert!(matches!(r.last(), Some(Err(BatchError::Input(_)))));
        let r = collect("email,Email\n1,2\n", fmt());
        assert!(matches!(r.last(), Some(Err(BatchError::Input(m))) if m.contains("twice")));
        let bytes = b"email\na@x.test\n\xff\n".to_vec();
        let mut rx = spawn_reader(std::io::Cursor::new(bytes), fmt(), 2, 1024);
        let _first = rx.blocking_recv();
        let ev = rx.blocking_recv().unwrap().unwrap();
        assert!(
            ev.line == 3 && matches!(&ev.body, Body::Invalid(m) if m.contains("UTF-8")),
            "{ev:?}"
        );
    }
}
