//! The seed's "Human Readable Output": a titled markdown table built from a result document by
//! the rules of XSOAR's `tableToMarkdown(title, document, headers, removeNull=True)`, and the
//! one markdown renderer of aws-ilm (docs/output.md).
//!
//! Building ([`HumanTable::from_document`]): the columns are the document's keys in the
//! document's order, or the seed's explicit header list where it passes one (the user
//! commands); a column whose value is empty (`null`, `""`, `[]`, `{}`) is dropped, so a table
//! never shows an empty cell the seed would not. Cells render values as the seed's cells do,
//! with two deliberate differences (JSON, not Python reprs; list items on one line), both in
//! docs/output.md.
//!
//! Rendering ([`HumanTable::to_markdown`]): `### title`, the header row, `|---|`, one line per
//! row; a line break inside a cell becomes `<br/>`, `|` becomes `\|`, and every other control
//! character is made visible by [`crate::text::neutralise`] — server text is data.

use serde::Serialize;
use serde_json::Value;

use crate::text;

/// A markdown table: `### title`, a header row, rows of cells (rendered text, not yet escaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HumanTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Which keys of a document become columns.
#[derive(Debug, Clone, Copy)]
pub enum Columns<'a> {
    /// Every key, in the document's order (`tableToMarkdown` without `headers`).
    All,
    /// These keys, in this order (the seed's explicit `headers`).
    Only(&'a [&'a str]),
}

impl HumanTable {
    /// One row from `doc` (an object): the chosen keys, less those whose value is empty.
    pub fn from_document(title: &str, doc: &Value, columns: Columns<'_>) -> HumanTable {
        let empty = serde_json::Map::new();
        let fields = doc.as_object().unwrap_or(&empty);
        let keys: Vec<&str> = match columns {
            Columns::All => fields.keys().map(String::as_str).collect(),
            Columns::Only(keys) => keys.to_vec(),
        };
        let (headers, row) = keys
            .into_iter()
            .filter_map(|k| {
                let v = fields.get(k)?;
                (!is_empty(v)).then(|| (k.to_owned(), cell(v)))
            })
            .unzip();
        HumanTable {
            title: title.to_owned(),
            headers,
            rows: vec![row],
        }
    }

    /// The markdown text, ending with a newline. `**No entries.**` stands for a table without
    /// columns or rows, as `tableToMarkdown` writes it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::with_capacity(128 + 64 * self.headers.len());
        if !self.title.is_empty() {
            out.push_str("### ");
            out.push_str(&text::one_line(&self.title));
            out.push('\n');
        }
        if self.headers.is_empty() || self.rows.is_empty() {
            out.push_str("**No entries.**\n");
            return out;
        }
        out.push('|');
        for h in &self.headers {
            out.push_str(&escape(h));
            out.push('|');
        }
        out.push('\n');
        out.push('|');
        for _ in &self.headers {
            out.push_str("---|");
        }
        out.push('\n');
        for row in &self.rows {
            out.push('|');
            for i in 0..self.headers.len() {
                out.push(' ');
                out.push_str(&escape(row.get(i).map(String::as_str).unwrap_or("")));
                out.push_str(" |");
            }
            out.push('\n');
        }
        out
    }
}

/// The seed's `removeNull`: these values leave their column out (`false` and `0` do not).
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// A cell, as the seed's `formatCell` flattens one: a string as is, an object as
/// `key: value` lines in its own key order (the server's, for `details`), a list as its items;
/// nested values as compact JSON.
pub fn cell(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) => {
            // Written into one string: every result builds this cell (the batch profile showed
            // the per-item strings among its larger costs).
            out.reserve(64 * m.len());
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(k);
                out.push_str(": ");
                push_value(&mut out, v);
            }
        }
        other => push_value(&mut out, other),
    }
    out
}

/// A value inside a cell: text raw, null empty, a list's items joined by `, `, anything else
/// compact JSON (with DEL and C1 escaped as JSON escapes too, so that a nested value reads as
/// one consistent JSON text).
fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            for (j, item) in items.iter().enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                match item {
                    Value::Array(_) => push_json(out, item),
                    other => push_value(out, other),
                }
            }
        }
        other => push_json(out, other),
    }
}

fn push_json(out: &mut String, v: &Value) {
    out.push_str(&text::escape_json(&v.to_string()));
}

/// A cell or header made safe for one table row: line breaks as `<br/>` (the seed's separator),
/// controls visible, `|` escaped.
fn escape(s: &str) -> String {
    let lines = if s.contains(['\n', '\r']) {
        s.replace("\r\n", "<br/>").replace(['\n', '\r'], "<br/>")
    } else {
        s.to_owned()
    };
    text::neutralise(&lines, false).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn seed_markdown_shape() {
        let t = HumanTable {
            title: "Get User Results (AWS-ILM)".into(),
            headers: s(&["brand", "success"]),
            rows: vec![s(&["AWS-ILM", "true"])],
        };
        assert_eq!(
            t.to_markdown(),
            "### Get User Results (AWS-ILM)\n|brand|success|\n|---|---|\n| AWS-ILM | true |\n"
        );
    }

    #[test]
    fn pipes_newlines_and_controls_in_cells_headers_and_title() {
        let t = HumanTable {
            title: "T\n\u{1b}]0;x\u{7}".into(),
            headers: s(&["a|b"]),
            rows: vec![s(&["x|y\r\nz\u{9b}2J\rw"])],
        };
        assert_eq!(
            t.to_markdown(),
            "### T \\u{1b}]0;x\\u{7}\n|a\\|b|\n|---|\n| x\\|y<br/>z\\u{9b}2J<br/>w |\n"
        );
    }

    #[test]
    fn short_rows_are_padded_and_empty_tables_say_so() {
        let t = HumanTable {
            title: "T".into(),
            headers: s(&["a", "b"]),
            rows: vec![s(&["1"])],
        };
        assert!(t.to_markdown().ends_with("| 1 |  |\n"));
        let empty = HumanTable::from_document("T", &json!({"a": null}), Columns::All);
        assert_eq!(empty.to_markdown(), "### T\n**No entries.**\n");
    }

    #[test]
    fn columns_follow_the_document_and_empty_ones_are_dropped() {
        let doc = json!({"z": "1", "a": null, "m": "", "b": false, "c": 0, "d": [], "e": {}});
        let t = HumanTable::from_document("T", &doc, Columns::All);
        assert_eq!(t.headers, ["z", "b", "c"]);
        assert_eq!(t.rows, [s(&["1", "false", "0"])]);
        let t = HumanTable::from_document("T", &doc, Columns::Only(&["c", "a", "z", "nope"]));
        assert_eq!(t.headers, ["c", "z"]);
    }

    #[test]
    fn cells_flatten_objects_in_their_own_order() {
        let user = json!({
            "id": "u-1", "active": true, "emails": [{"value": "a@x", "primary": true}, "b@x"],
            "meta": null, "name": {"givenName": "Ada"}, "tags": [], "n": [[1, 2]]
        });
        assert_eq!(
            cell(&user),
            "id: u-1\nactive: true\nemails: {\"value\":\"a@x\",\"primary\":true}, b@x\nmeta: \
             \nname: {\"givenName\":\"Ada\"}\ntags: \nn: [1,2]"
        );
        assert_eq!(cell(&json!("plain")), "plain");
        assert_eq!(cell(&json!(404)), "404");
        assert_eq!(cell(&json!(["a", {"b": 1}])), "a, {\"b\":1}");
        assert_eq!(
            cell(&json!([{"b": "\u{1b}\u{9b}"}])),
            "{\"b\":\"\\u001b\\u009b\"}"
        );
    }
}
