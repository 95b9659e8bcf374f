//! A result as a titled block of fields (docs/output.md, "Human output"): one `key  value` line
//! a field, keys of one object aligned, an object or a list of objects indented under its key
//! (a list's items marked `- `), a list of plain values one item a line. Empty values are left
//! out, as the tables leave out empty columns. A value too wide for its line wraps under
//! itself; a key too wide for the key column, or a line too narrow to hold a value beside its
//! key, puts the value on the lines below the key.

use std::borrow::Cow;

use anstyle::Style;
use aws_ilm_lifecycle::error::split_request_ids;
use aws_ilm_lifecycle::table::is_empty;
use aws_ilm_lifecycle::text::{escape_json, neutralise, one_line};
use serde_json::Value;
use textwrap::{Options, WordSplitter};
use unicode_width::UnicodeWidthStr;

use super::{Palette, paint};

/// Indentation of one level of nesting.
const STEP: usize = 2;
/// The widest key shown beside its value; a wider one (an extension's URN) heads its value.
const KEY_MAX: usize = 20;
/// The fewest columns a value gets beside its key before it moves below the key.
const VALUE_MIN: usize = 16;
/// The fields that say how a command ended, in the order a block shows them, ahead of the rest.
const OUTCOME: &[&str] = &[
    "success",
    "skipped",
    "reason",
    "errorCode",
    "errorMessage",
    "requestId",
];
/// Fields of the result document the block leaves out: the brand is the same in every result.
const HIDDEN: &[&str] = &["brand"];

/// The block of a result: `title`, then the fields of `doc` named by `columns` (the table's
/// columns, so the same fields in the same order as the markdown), with an `errorMessage`'s
/// AWS request ids split off onto `requestId` lines.
pub(crate) fn result(
    title: &str,
    columns: &[String],
    doc: &Value,
    width: Option<usize>,
    palette: &Palette,
) -> String {
    let mut w = Writer {
        out: String::new(),
        width,
        palette,
    };
    w.title(title);
    let mut fields: Vec<Field<'_>> = Vec::with_capacity(columns.len() + 1);
    for key in columns {
        let Some(value) = doc.get(key) else { continue };
        if HIDDEN.contains(&key.as_str()) || is_empty(value) {
            continue;
        }
        if let (Value::String(message), "errorMessage") = (value, key.as_str()) {
            let (detail, ids) = split_request_ids(message);
            fields.push(Field::text(key, detail, palette.bad));
            for id in ids {
                fields.push(Field::text("requestId", id.to_owned(), palette.bad));
            }
            continue;
        }
        fields.push(Field {
            key: Cow::Borrowed(key),
            value: Cow::Borrowed(value),
            style: tone(key, value, palette),
        });
    }
    // How the command ended first, then the result's own fields, those with fields of their
    // own last: the order a reader checks them in.
    fields.sort_by_key(|f| {
        OUTCOME
            .iter()
            .position(|k| *k == f.key)
            .unwrap_or(OUTCOME.len() + usize::from(!inline(&f.value)))
    });
    w.fields(&fields, STEP);
    w.out
}

/// The style of a top-level value: how the command ended stands out.
fn tone(key: &str, value: &Value, palette: &Palette) -> Style {
    match (key, value) {
        ("success", Value::Bool(true)) => palette.good,
        ("success", Value::Bool(false)) | ("errorCode", _) => palette.bad,
        ("skipped", Value::Bool(true)) | ("reason", _) | ("active", Value::Bool(false)) => {
            palette.note
        }
        _ => Style::new(),
    }
}

struct Field<'a> {
    key: Cow<'a, str>,
    value: Cow<'a, Value>,
    style: Style,
}

impl<'a> Field<'a> {
    fn text(key: &'a str, text: String, style: Style) -> Field<'a> {
        Field {
            key: Cow::Borrowed(key),
            value: Cow::Owned(Value::String(text)),
            style,
        }
    }
}

/// Whether a value fits on the lines beside its key: a scalar, or a list of scalars.
fn inline(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items.iter().all(|i| !matches!(i, Value::Object(_))),
        _ => true,
    }
}

/// The text of an inline value, one paragraph an item; line breaks in a string kept (they are
/// laid out under the value), every other control made visible.
fn paragraphs(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter(|i| !is_empty(i))
            .flat_map(paragraphs)
            .collect(),
        Value::String(s) => neutralise(s, true).split('\n').map(str::to_owned).collect(),
        Value::Null => Vec::new(),
        other => vec![escape_json(&other.to_string()).into_owned()],
    }
}

struct Writer<'p> {
    out: String,
    width: Option<usize>,
    palette: &'p Palette,
}

impl Writer<'_> {
    fn title(&mut self, title: &str) {
        let title = one_line(title);
        for line in self.wrap(&title, 0) {
            let mut text = String::new();
            paint(&mut text, self.palette.title, &line);
            self.line(0, &text);
        }
    }

    /// The fields of one object at `indent`, keys of inline values aligned.
    fn fields(&mut self, fields: &[Field<'_>], indent: usize) {
        let keys: Vec<Cow<'_, str>> = fields.iter().map(|f| one_line(&f.key)).collect();
        let column = fields
            .iter()
            .zip(&keys)
            .filter(|(f, _)| inline(&f.value))
            .map(|(_, k)| k.width())
            .filter(|&w| w <= KEY_MAX)
            .max()
            .unwrap_or(0);
        for (field, key) in fields.iter().zip(&keys) {
            match field.value.as_ref() {
                Value::Object(map) => {
                    self.heading(indent, key);
                    self.fields(&plain_fields(map), indent + STEP);
                }
                value if !inline(value) => {
                    self.heading(indent, key);
                    if let Value::Array(items) = value {
                        for item in items.iter().filter(|i| !is_empty(i)) {
                            self.item(indent + STEP, item);
                        }
                    }
                }
                value => self.pair(indent, key, column, &paragraphs(value), field.style),
            }
        }
    }

    /// `key  value`, the value wrapped under itself; or the key alone and the value below it.
    fn pair(&mut self, indent: usize, key: &str, column: usize, text: &[String], style: Style) {
        let at = indent + column + 2;
        let beside = key.width() <= column && self.width.is_none_or(|w| w >= at + VALUE_MIN);
        if !beside {
            self.heading(indent, key);
            let lines: Vec<String> = text
                .iter()
                .flat_map(|p| self.wrap(p, indent + STEP))
                .collect();
            for line in lines {
                let mut painted = String::new();
                paint(&mut painted, style, &line);
                self.line(indent + STEP, &painted);
            }
            return;
        }
        let lines: Vec<String> = text.iter().flat_map(|p| self.wrap(p, at)).collect();
        let mut first = String::new();
        paint(&mut first, self.palette.key, key);
        first.push_str(&" ".repeat(at - indent - key.width()));
        if let Some(line) = lines.first() {
            paint(&mut first, style, line);
        }
        self.line(indent, &first);
        for line in lines.iter().skip(1) {
            let mut painted = String::new();
            paint(&mut painted, style, line);
            self.line(at, &painted);
        }
    }

    /// A key on its own line, its value on the lines below.
    fn heading(&mut self, indent: usize, key: &str) {
        for line in self.wrap(key, indent) {
            let mut painted = String::new();
            paint(&mut painted, self.palette.key, &line);
            self.line(indent, &painted);
        }
    }

    /// One item of a list under its key: `- ` then the item, its own fields indented past the
    /// marker.
    fn item(&mut self, indent: usize, item: &Value) {
        match item {
            Value::Object(map) => {
                let fields = plain_fields(map);
                let start = self.out.len();
                self.fields(&fields, indent + STEP);
                // Every line written starts with at least `indent + STEP` spaces: the first
                // one's last two become the marker.
                let marker = start + indent;
                if self.out.len() >= marker + STEP {
                    self.out.replace_range(marker..marker + STEP, "- ");
                }
            }
            other => {
                let text = match other {
                    Value::Array(_) => vec![escape_json(&other.to_string()).into_owned()],
                    _ => paragraphs(other),
                };
                let lines: Vec<String> = text
                    .iter()
                    .flat_map(|p| self.wrap(p, indent + STEP))
                    .collect();
                for (i, line) in lines.iter().enumerate() {
                    let marker = if i == 0 { "- " } else { "  " };
                    self.line(indent, &format!("{marker}{line}"));
                }
            }
        }
    }

    /// `text` wrapped to the columns left after `indent` (words longer than a line broken);
    /// unwrapped without a width.
    fn wrap(&self, text: &str, indent: usize) -> Vec<String> {
        match self.width {
            None => vec![text.to_owned()],
            Some(width) => {
                let room = width.saturating_sub(indent).max(1);
                let options = Options::new(room)
                    .break_words(true)
                    .word_splitter(WordSplitter::NoHyphenation);
                textwrap::wrap(text, options)
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect()
            }
        }
    }

    /// One line: `indent` spaces, `text`, no trailing blanks.
    fn line(&mut self, indent: usize, text: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        let end = self.out.trim_end_matches(' ').len();
        self.out.truncate(end);
        self.out.push('\n');
    }
}

/// The non-empty members of an object as unstyled fields, in the object's order.
fn plain_fields(map: &serde_json::Map<String, Value>) -> Vec<Field<'_>> {
    map.iter()
        .filter(|(_, v)| !is_empty(v))
        .map(|(k, v)| Field {
            key: Cow::Borrowed(k),
            value: Cow::Borrowed(v),
            style: Style::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn columns(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    fn user() -> Value {
        json!({
            "brand": "AWS-ILM", "instanceName": "prod", "success": true, "id": "u-1",
            "details": {
                "schemas": ["urn:a", "urn:b"], "userName": "ada", "meta": null,
                "name": {"familyName": "Lovelace", "givenName": "Ada"},
                "emails": [{"value": "ada@x", "primary": true}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
            }
        })
    }

    #[test]
    fn nested_values_are_indented_fields() {
        let cols = columns(&["brand", "instanceName", "success", "id", "details"]);
        let out = result("Get User", &cols, &user(), None, &Palette::new(false));
        assert_eq!(
            out,
            "Get User\n\
             \x20 success       true\n\
             \x20 instanceName  prod\n\
             \x20 id            u-1\n\
             \x20 details\n\
             \x20   schemas   urn:a\n\
             \x20             urn:b\n\
             \x20   userName  ada\n\
             \x20   name\n\
             \x20     familyName  Lovelace\n\
             \x20     givenName   Ada\n\
             \x20   emails\n\
             \x20     - value    ada@x\n\
             \x20       primary  true\n\
             \x20   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\n\
             \x20     department  R&D\n"
        );
    }

    #[test]
    fn a_failure_shows_detail_and_request_id_on_their_own_lines() {
        let doc = json!({"success": false, "errorCode": 409,
            "errorMessage": "Refused\u{1b}]0;x\u{7}. (request id r-1)", "details": {}});
        let cols = columns(&["success", "errorCode", "errorMessage", "details"]);
        let out = result("T", &cols, &doc, None, &Palette::new(false));
        assert_eq!(
            out,
            "T\n  success       false\n  errorCode     409\n  \
             errorMessage  Refused\\u{1b}]0;x\\u{7}.\n  requestId     r-1\n"
        );
    }

    #[test]
    fn a_width_wraps_values_under_themselves_and_long_keys_head_their_value() {
        let cols = columns(&["instanceName", "details"]);
        let doc = json!({"instanceName": "a b c d e f g h i j k l m n o p",
                         "details": {"a-key-longer-than-twenty": "v"}});
        let out = result("T", &cols, &doc, Some(32), &Palette::new(false));
        assert_eq!(
            out,
            "T\n  instanceName  a b c d e f g h\n                i j k l m n o p\n  details\n    \
             a-key-longer-than-twenty\n      v\n"
        );
        let out = result("T", &cols, &user(), Some(24), &Palette::new(false));
        assert!(out.lines().all(|l| l.width() <= 24), "{out}");
    }

    #[test]
    fn colour_marks_the_outcome() {
        let doc = json!({"success": false});
        let out = result("T", &columns(&["success"]), &doc, None, &Palette::new(true));
        assert!(out.contains("\u{1b}[1m"), "a bold title: {out:?}");
        assert!(out.contains("\u{1b}[1m\u{1b}[31mfalse"), "{out:?}");
    }
}
