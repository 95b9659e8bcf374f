//! CSV records with their true line numbers and a bounded size, read with `csv_core`.
//!
//! Why not `csv::Reader`: its record positions are off by one line in CRLF files (the first data
//! row reported as line 1, every later row one line early) and leave blank lines out, and it holds
//! a whole record in memory however long it grows, so one unclosed quote turned the rest of a file
//! into a single record of hundreds of megabytes (docs/batch.md, "Input"). Driving the parser
//! ourselves fixes both:
//!
//! - **Lines** are counted from the bytes themselves: every line break the parser consumes
//!   (`\n`, `\r\n` or a lone `\r`) is counted, and the line breaks between records (blank
//!   lines, the `\n` of a CRLF) are consumed here before the next record starts, so a record's
//!   line is the physical line of its first byte — what an editor shows — whatever the line
//!   endings, blank lines or quoted line breaks.
//! - **Size**: a record may take at most `max_bytes` in memory (its field text plus 8 bytes per
//!   field, the end offset kept for each). Past that its content is dropped while the parser
//!   runs on to the record's end, the record is reported as too long with its line, and reading
//!   goes on after it. An unclosed quote makes the rest of the input one such record: one
//!   invalid line, and memory stays within the bound.

use std::io::{BufRead, ErrorKind};

use csv_core::ReadRecordResult;

use crate::error::BatchError;

/// Bytes a field's end offset costs in memory, counted against the record size.
const END_BYTES: usize = std::mem::size_of::<usize>();

/// One record as read: its line and whether it fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// 1-based physical line of the record's first byte.
    pub line: u64,
    /// The record was larger than the bound; its fields were dropped.
    pub too_long: bool,
}

/// A CSV stream read record by record.
pub struct CsvRows<R> {
    reader: R,
    core: csv_core::Reader,
    max_bytes: usize,
    /// Field text of the current record; `ends[..len]` are the field ends in it.
    out: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    /// Line breaks consumed so far: `\n`, `\r\n` and a lone `\r` count one each.
    newlines: u64,
    /// The last byte consumed was `\r` (a `\n` right after it ends the same line).
    after_cr: bool,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(reader: R, max_bytes: usize) -> CsvRows<R> {
        CsvRows {
            reader,
            core: csv_core::Reader::new(),
            max_bytes: max_bytes.max(1),
            out: vec![0; 4096.min(max_bytes.max(1))],
            ends: vec![0; 64],
            len: 0,
            newlines: 0,
            after_cr: false,
        }
    }

    /// The bound on one record, for messages.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The fields of the record last returned by [`CsvRows::next_record`] (none when it was
    /// too long).
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        let ends = &self.ends[..self.len];
        (0..ends.len()).map(move |i| {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            &self.out[start..ends[i]]
        })
    }

    /// Reads the next record; `None` at the end of the input.
    pub fn next_record(&mut self) -> Result<Option<Record>, BatchError> {
        self.skip_line_breaks()?;
        let line = self.newlines + 1;
        let (mut outlen, mut endlen) = (0usize, 0usize);
        let mut too_long = false;
        // Where the rest of an oversized record goes: parsed, counted, dropped.
        let mut sink_out = [0u8; 4096];
        let mut sink_ends = [0usize; 64];
        loop {
            let input = fill(&mut self.reader)?;
            let (res, nin, nout, nend) = if too_long {
                self.core.read_record(input, &mut sink_out, &mut sink_ends)
            } else {
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..])
            };
            count_line_breaks(&input[..nin], &mut self.newlines, &mut self.after_cr);
            self.reader.consume(nin);
            if !too_long {
                outlen += nout;
                endlen += nend;
                too_long = outlen + endlen * END_BYTES > self.max_bytes;
            }
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if !too_long => {
                    grow(&mut self.out, self.max_bytes + 1);
                }
                ReadRecordResult::OutputEndsFull if !too_long => {
                    grow(&mut self.ends, self.max_bytes / END_BYTES + 1);
                }
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => {
                    self.len = if too_long { 0 } else { endlen };
                    return Ok(Some(Record { line, too_long }));
                }
                ReadRecordResult::End => {
                    self.len = 0;
                    return Ok(None);
                }
            }
        }
    }

    /// Consumes the line breaks before the next record (the `\n` of a CRLF, blank lines), so
    /// that the record's line is that of its first byte. The parser skips them the same way:
    /// a record never starts with a line break.
    fn skip_line_breaks(&mut self) -> Result<(), BatchError> {
        loop {
            let input = fill(&mut self.reader)?;
            let n = input
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            if n == 0 {
                return Ok(());
            }
            count_line_breaks(&input[..n], &mut self.newlines, &mut self.after_cr);
            self.reader.consume(n);
        }
    }
}

/// The reader's buffered bytes, refilled when empty (empty at the end of the input).
fn fill<R: BufRead>(reader: &mut R) -> Result<&[u8], BatchError> {
    // Retry an interrupted read, then borrow the buffer once more: returning the first borrow
    // from inside the loop is not accepted by the borrow checker, and the second call only
    // hands back what the first one buffered.
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(BatchError::Read(e.to_string())),
        }
    }
    reader
        .fill_buf()
        .map_err(|e| BatchError::Read(e.to_string()))
}

/// Adds the line breaks in `bytes` to `count`: `\n`, `\r\n` and a lone `\r` (old Mac files)
/// end one line each; `after_cr` carries a `\r` at the end of one chunk over to the next.
fn count_line_breaks(bytes: &[u8], count: &mut u64, after_cr: &mut bool) {
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !*after_cr) {
            *count += 1;
        }
        *after_cr = b == b'\r';
    }
}

/// Doubles `buf`, to at most `cap` items; no change when it is there already.
fn grow<T: Default + Clone>(buf: &mut Vec<T>, cap: usize) {
    let want = (buf.len() * 2).clamp(1, cap.max(1));
    if want > buf.len() {
        buf.resize(want, T::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, fields or None when too long) of every record.
    fn rows(input: &[u8], max: usize) -> Vec<(u64, Option<Vec<String>>)> {
        let mut r = CsvRows::new(std::io::Cursor::new(input.to_vec()), max);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            let fields = (!rec.too_long).then(|| {
                r.fields()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect()
            });
            out.push((rec.line, fields));
        }
        out
    }

    fn lines(input: &str) -> Vec<u64> {
        rows(input.as_bytes(), 1 << 20)
            .into_iter()
            .map(|(l, _)| l)
            .collect()
    }

    #[test]
    fn lines_are_physical_whatever_the_line_endings() {
        assert_eq!(lines("a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines("a,b\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        assert_eq!(lines("a,b\r1,2\r3,4"), [1, 2, 3]);
        // Blank lines count, and are not records.
        assert_eq!(lines("\na,b\n1,2\n\n\n3,4\n"), [2, 3, 6]);
        assert_eq!(lines("a,b\r\n1,2\r\n\r\n3,4\r\n\r\n"), [1, 2, 4]);
        // A quoted line break belongs to its record; the next record is on the line after.
        assert_eq!(lines("a,b\n\"x\ny\",2\n3,4\n"), [1, 2, 4]);
        assert_eq!(lines("a,b\r\n\"x\r\ny\r\nz\",2\r\n3,4\r\n"), [1, 2, 5]);
    }

    #[test]
    fn fields_are_unquoted_and_a_bom_is_dropped() {
        let got = rows(b"\xef\xbb\xbfa,b\r\n\"x,\"\"y\"\"\",\r\n", 1 << 20);
        assert_eq!(
            got,
            vec![
                (1, Some(vec!["a".to_string(), "b".to_string()])),
                (2, Some(vec!["x,\"y\"".to_string(), String::new()])),
            ]
        );
    }

    #[test]
    fn a_record_over_the_bound_is_reported_with_its_line_and_reading_goes_on() {
        let big = "x".repeat(10_000);
        let input = format!("a,b\n1,{big}\n3,4\n");
        let got = rows(input.as_bytes(), 1000);
        assert_eq!(got[1], (2, None));
        assert_eq!(got[2], (3, Some(vec!["3".to_string(), "4".to_string()])));
        // Many empty fields cost memory too.
        let commas = ",".repeat(1000);
        let got = rows(format!("a\n{commas}\nok\n").as_bytes(), 1000);
        assert_eq!(got[1], (2, None));
        assert_eq!(got[2].0, 3);
    }

    #[test]
    fn an_unclosed_quote_is_one_bounded_record_to_the_end() {
        let mut input = b"a,b\n1,2\n\"3,".to_vec();
        input.extend(std::iter::repeat_n(b"y,z\n".as_slice(), 100_000).flatten());
        let mut r = CsvRows::new(std::io::Cursor::new(input), 4096);
        let mut got = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            got.push(rec);
            assert!(r.out.len() <= 4097 && r.ends.len() <= 4096 / END_BYTES + 1);
        }
        assert_eq!(
            got.last(),
            Some(&Record {
                line: 3,
                too_long: true
            })
        );
        assert_eq!(got.len(), 3);
    }
}
