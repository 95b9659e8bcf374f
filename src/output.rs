//! Rendering of a command's outcome: `--output human` prints the seed's "Human Readable Output"
//! (a `### Title` and a markdown table, as XSOAR's `tableToMarkdown` writes it), `--output json`
//! the seed's "Context Output" document, pretty-printed.
//!
//! Cells are made safe for a one-line markdown row: `|` is escaped as `\|` and line breaks
//! become `<br/>` (the seed's own separator inside the `details` cell).

use aws_ilm_lifecycle::{HumanTable, Outcome};
use serde_json::Value;

use crate::cli::OutputFormat;

/// The text to print on stdout for `outcome` (ends with a newline).
pub fn render(format: OutputFormat, outcome: &Outcome) -> String {
    match format {
        OutputFormat::Human => human(&outcome.human),
        OutputFormat::Json => json(&outcome.context),
    }
}

/// The seed's markdown for a table.
pub fn human(table: &HumanTable) -> String {
    markdown(&table.title, &table.headers, &table.rows)
}

/// `### title`, the header row, the `|---|` row, one line per row; `**No entries.**` for an
/// empty table, as `tableToMarkdown` does.
pub fn markdown(title: &str, headers: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    if !title.is_empty() {
        out.push_str("### ");
        out.push_str(&title.replace(['\n', '\r'], " "));
        out.push('\n');
    }
    if rows.is_empty() || headers.is_empty() {
        out.push_str("**No entries.**\n");
        return out;
    }
    out.push('|');
    for h in headers {
        out.push_str(&cell(h));
        out.push('|');
    }
    out.push('\n');
    out.push('|');
    for _ in headers {
        out.push_str("---|");
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for i in 0..headers.len() {
            out.push(' ');
            out.push_str(&cell(row.get(i).map(String::as_str).unwrap_or("")));
            out.push_str(" |");
        }
        out.push('\n');
    }
    out
}

fn cell(s: &str) -> String {
    s.replace("\r\n", "<br/>")
        .replace(['\n', '\r'], "<br/>")
        .replace('|', "\\|")
}

/// The context document, pretty-printed with a trailing newline.
pub fn json(context: &Value) -> String {
    let mut s = serde_json::to_string_pretty(context).unwrap_or_else(|_| context.to_string());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn seed_markdown_shape() {
        let out = markdown(
            "Get User Results (AWS-ILM)",
            &s(&["brand", "success"]),
            &[s(&["AWS-ILM", "true"])],
        );
        assert_eq!(
            out,
            "### Get User Results (AWS-ILM)\n|brand|success|\n|---|---|\n| AWS-ILM | true |\n"
        );
    }

    #[test]
    fn pipes_are_escaped_and_newlines_become_br() {
        let out = markdown("T", &s(&["a|b"]), &[s(&["x|y\nz"])]);
        assert_eq!(out, "### T\n|a\\|b|\n|---|\n| x\\|y<br/>z |\n");
    }

    #[test]
    fn short_rows_are_padded_and_empty_tables_say_so() {
        let out = markdown("T", &s(&["a", "b"]), &[s(&["1"])]);
        assert!(out.ends_with("| 1 |  |\n"), "{out}");
        assert_eq!(markdown("T", &s(&["a"]), &[]), "### T\n**No entries.**\n");
    }
}
