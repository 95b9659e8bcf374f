//! Everything aws-ilm prints goes through here, the one place that makes server text safe to
//! show (docs/output.md): the configured token is masked — in the document or table before it
//! is rendered, and in the finished text — and control characters are made visible
//! (`aws_ilm_lifecycle::text`), on stdout (markdown and JSON alike) and on stderr (the `error:`
//! line, warnings, batch messages).
//!
//! `--output markdown` prints the seed's "Human Readable Output" (a `### Title` and a markdown
//! table built by the seed's rules, `aws_ilm_lifecycle::table`); `--output human` the same
//! result laid out for a terminal (`crate::render`); `--output json` the seed's "Context Output"
//! document, pretty-printed, with DEL and C1 escaped as well as C0.

use std::io::Write;

use aws_ilm_lifecycle::text::{self, escape_json, mask, mask_value};
use aws_ilm_lifecycle::{HumanTable, Outcome};
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::render::Terminal;

/// The text to print on stdout for `outcome` (ends with a newline), `secret` masked. The human
/// format is laid out for stdout as it is now (`render::Terminal::detect`).
pub fn render(format: OutputFormat, outcome: &Outcome, secret: &str) -> String {
    match format {
        OutputFormat::Human => {
            let term = Terminal::detect();
            let mut text = crate::render::human(outcome, secret, &term);
            // Further tables (a user's groups) after the result, each as a table.
            for table in &outcome.more {
                text.push('\n');
                text.push_str(&crate::render::human_table(table, secret, &term));
            }
            text
        }
        OutputFormat::Markdown => {
            // The seed's table first, then any further table (a user's groups), each as is.
            let mut text = markdown(&outcome.human, secret);
            for table in &outcome.more {
                text.push('\n');
                text.push_str(&markdown(table, secret));
            }
            text
        }
        OutputFormat::Json => json(&outcome.context, secret),
    }
}

/// The table as markdown, `secret` masked in every cell before the cells are escaped.
pub fn markdown(table: &HumanTable, secret: &str) -> String {
    let masked = |s: &String| mask(s, secret).into_owned();
    let table = HumanTable {
        title: masked(&table.title),
        headers: table.headers.iter().map(masked).collect(),
        rows: table
            .rows
            .iter()
            .map(|row| row.iter().map(masked).collect())
            .collect(),
    };
    mask(&table.to_markdown(), secret).into_owned()
}

/// The document, pretty-printed with a trailing newline: `secret` masked in every string
/// before serializing (an escape could split it), DEL and C1 escaped after.
pub fn json(doc: &Value, secret: &str) -> String {
    let mut doc = doc.clone();
    mask_value(&mut doc, secret);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| doc.to_string());
    let mut s = mask(&escape_json(&pretty), secret).into_owned();
    s.push('\n');
    s
}

/// A line for stderr: `secret` masked, line breaks as spaces, controls visible.
pub fn line(text: &str, secret: &str) -> String {
    text::one_line(&mask(text, secret)).into_owned()
}

/// Text of several lines for stderr (a batch summary): `secret` masked, line breaks kept,
/// every other control visible.
pub fn block(text: &str, secret: &str) -> String {
    text::neutralise(&mask(text, secret), true).into_owned()
}

/// Prints `warning: <message>` on stderr, on one line with controls made visible (a warning
/// may quote a URL, a path or a variable a user or a file supplied).
pub fn warn(message: &str) {
    eprintln!("warning: {}", line(message, ""));
}

/// Where the result lines of `batch` and `apply` go, and in which form (docs/batch.md,
/// "Results"): to `file` when there is one, else to stdout; JSON lines, but for a person —
/// stdout a terminal and the human format — one readable line each. The one place that
/// decides it for both commands.
pub fn results(
    file: Option<std::fs::File>,
    format: OutputFormat,
    secret: &str,
) -> Box<dyn Write + Send> {
    use std::io::IsTerminal;
    match file {
        Some(f) => Box::new(SafeLines::new(f, secret)),
        None => {
            let stdout = std::io::stdout();
            if readable_results(format, stdout.is_terminal()) {
                Box::new(SafeLines::human(stdout, secret, Terminal::detect()))
            } else {
                Box::new(SafeLines::new(stdout, secret))
            }
        }
    }
}

/// Result lines on stdout are read by a person only on a terminal, and only when the format is
/// human: a pipe is read by a program, `--output json` asks for JSON wherever it goes, and
/// `--output markdown` is for XSOAR, which reads the JSON lines.
fn readable_results(format: OutputFormat, terminal: bool) -> bool {
    terminal && format == OutputFormat::Human
}

/// A writer of JSON lines (`aws-ilm batch` and `apply` results) that masks `secret` and
/// escapes DEL and C1 in every complete line before passing it on — or, for a terminal, shows
/// each as a readable line (`render::result_line`). Bytes after the last newline wait for the
/// rest of their line (the writer upstream may cut a line anywhere, inside the token too) and
/// are passed on when the writer is dropped.
pub struct SafeLines<W: Write> {
    inner: W,
    secret: String,
    pending: Vec<u8>,
    /// Where readable lines go; `None`: JSON lines.
    human: Option<Terminal>,
}

impl<W: Write> SafeLines<W> {
    pub fn new(inner: W, secret: &str) -> Self {
        SafeLines {
            inner,
            secret: secret.to_owned(),
            pending: Vec::new(),
            human: None,
        }
    }

    /// Readable lines for `term` instead of JSON lines.
    pub fn human(inner: W, secret: &str, term: Terminal) -> Self {
        let mut lines = SafeLines::new(inner, secret);
        lines.human = Some(term);
        lines
    }

    fn emit(&mut self, lines: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(lines);
        let Some(term) = self.human else {
            let safe = escape_json(&mask(&text, &self.secret)).into_owned();
            return self.inner.write_all(safe.as_bytes());
        };
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            match serde_json::from_str::<Value>(line) {
                Ok(mut result) => {
                    mask_value(&mut result, &self.secret);
                    out.push_str(&crate::render::result_line(&result, &term));
                }
                // Not a result line (none is expected): shown as it came, made safe.
                Err(_) => out.push_str(&text::one_line(line.trim_end_matches('\n'))),
            }
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
        self.inner.write_all(mask(&out, &self.secret).as_bytes())
    }
}

impl<W: Write> Write for SafeLines<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            let rest = self.pending.split_off(end + 1);
            let lines = std::mem::replace(&mut self.pending, rest);
            self.emit(&lines)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for SafeLines<W> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let _ = self.emit(&rest);
            let _ = self.inner.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TOKEN: &str = "tok-3f9a7c";

    fn table(cell: &str) -> HumanTable {
        HumanTable {
            title: "T".into(),
            headers: vec!["errorMessage".into()],
            rows: vec![vec![cell.into()]],
        }
    }

    #[test]
    fn markdown_masks_the_token_and_neutralises_controls() {
        let out = markdown(&table(&format!("Bearer {TOKEN}|\u{1b}[2J\u{9b}1m")), TOKEN);
        assert_eq!(
            out,
            "### T\n|errorMessage|\n|---|\n| Bearer (redacted)\\|\\u{1b}[2J\\u{9b}1m |\n"
        );
    }

    #[test]
    fn json_masks_the_token_even_where_escaping_would_split_it() {
        let secret = "a\"b";
        let doc = json!({"detail": format!("Bearer {secret}\u{9b}"), secret: 1});
        let out = json(&doc, secret);
        assert!(!out.contains("a\\\"b") && !out.contains(secret), "{out}");
        assert!(out.contains("Bearer (redacted)\\u009b"), "{out}");
        assert!(out.ends_with("}\n"));
    }

    #[test]
    fn stderr_lines_are_one_line_masked_and_inert() {
        assert_eq!(
            line(&format!("HTTP 400: Bearer {TOKEN}\n\u{1b}]0;x\u{7}"), TOKEN),
            "HTTP 400: Bearer (redacted) \\u{1b}]0;x\\u{7}"
        );
    }

    #[test]
    fn only_a_terminal_with_the_human_format_gets_readable_results() {
        assert!(readable_results(OutputFormat::Human, true));
        assert!(!readable_results(OutputFormat::Human, false));
        assert!(!readable_results(OutputFormat::Json, true));
        assert!(!readable_results(OutputFormat::Markdown, true));
    }

    /// What `w` passes on of `text` written in two pieces, cut at byte `at`, then dropped.
    fn in_two(w: SafeLines<&mut Vec<u8>>, text: &str, at: usize) {
        let mut w = w;
        let (a, b) = text.split_at(at);
        w.write_all(a.as_bytes()).unwrap();
        w.write_all(b.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    #[test]
    fn readable_lines_mask_the_token_cut_across_writes() {
        let mut out = Vec::new();
        let term = Terminal {
            width: None,
            colour: false,
        };
        let text = format!(
            "{{\"line\":1,\"status\":\"invalid\",\"error\":\"Bearer {TOKEN}\"}}\nnot json\n"
        );
        in_two(SafeLines::human(&mut out, TOKEN, term), &text, 40);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "! 1: Bearer (redacted)\nnot json\n"
        );
    }

    #[test]
    fn safe_lines_handle_a_token_cut_across_writes() {
        let mut out = Vec::new();
        let text = format!("{{\"e\":\"{TOKEN}\u{85}\"}}\n{{\"e\":\"{TOKEN}\"}}");
        in_two(SafeLines::new(&mut out, TOKEN), &text, 10);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"e\":\"(redacted)\\u0085\"}\n{\"e\":\"(redacted)\"}"
        );
    }
}
