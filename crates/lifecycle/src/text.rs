//! Server text is data, not terminal control, and the token is never printed: the functions
//! every output path of aws-ilm runs text through before it is shown (docs/output.md).
//!
//! A directory's answer (a `detail`, a user's `displayName`, a header) can hold escape sequences
//! that retitle a window, clear the screen or recolour it, C1 controls such as U+009B (a
//! one-character CSI on many terminals), and even the bearer token when a server echoes the
//! request back. So:
//! - [`is_control`] is the one definition of what must not reach a terminal raw: C0 controls,
//!   DEL and C1 controls; [`neutralise`] writes each of them as a visible `\u{1b}` (markdown
//!   tables, the human output, the `error:` line and warnings). Both live in
//!   [`aws_ilm_scim::text`], so the client escapes server text with the same rule;
//! - [`escape_json`] makes JSON output carry DEL and C1 as `\u009b` escapes too (serde_json
//!   already escapes C0), so `--output json` on a terminal is as inert as the tables;
//! - [`mask`] and [`mask_value`] replace the configured token with `(redacted)` in text and in a
//!   document before it is rendered (escaping a document could split a token the final text
//!   pass would then miss).

use std::borrow::Cow;
use std::fmt::Write;

use aws_ilm_scim::text::escape_where;
pub use aws_ilm_scim::text::{is_control, neutralise};
use serde_json::{Map, Value};

pub use aws_ilm_scim::secret::REDACTED;

/// `text` on one line: each line break (`\r\n`, `\r`, `\n`) becomes a space, then the rest is
/// [`neutralise`]d. For the `error:` line and warnings, which a reader or a log scanner takes
/// line by line.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return neutralise(text, false);
    }
    let joined = text.replace("\r\n", " ").replace(['\n', '\r'], " ");
    Cow::Owned(neutralise(&joined, false).into_owned())
}

/// Serialized JSON with DEL and the C1 controls escaped as `\u007f`, `\u009b`, … (serde_json
/// escapes only C0, as JSON requires). Applied to the finished text: in valid JSON these
/// characters can only occur inside strings (they are neither whitespace nor structure), where
/// the escape means the same character, so the document is unchanged for any JSON reader.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    // C0 never occurs unescaped in serialized JSON but as structural whitespace (a pretty
    // document's newlines), which stays.
    escape_where(
        json,
        |c| is_control(c) && c > '\u{1f}',
        |out, c| write!(out, "\\u{:04x}", u32::from(c)),
    )
}

/// `text` with every occurrence of `secret` replaced by [`REDACTED`]. An empty secret masks
/// nothing.
pub fn mask<'a>(text: &'a str, secret: &str) -> Cow<'a, str> {
    if secret.is_empty() || !text.contains(secret) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.replace(secret, REDACTED))
    }
}

/// [`mask`] applied to every string of `doc`, object keys included.
pub fn mask_value(doc: &mut Value, secret: &str) {
    if secret.is_empty() {
        return;
    }
    match doc {
        Value::String(s) => {
            if let Cow::Owned(m) = mask(s, secret) {
                *s = m;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, secret)),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains(secret)) {
                // Rebuilt in order, so the document keeps its key order.
                let old = std::mem::take(map);
                *map = old
                    .into_iter()
                    .map(|(k, v)| (mask(&k, secret).into_owned(), v))
                    .collect::<Map<String, Value>>();
            }
            map.values_mut().for_each(|v| mask_value(v, secret));
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_joins_lines_and_escapes_the_rest() {
        assert_eq!(one_line("a\r\nb\nc\rd\u{1b}"), "a b c d\\u{1b}");
    }

    #[test]
    fn json_escapes_del_and_c1_and_stays_the_same_document() {
        let doc = json!({"detail": "x\u{9b}2J\u{1b}y\u{7f}", "k\u{85}": ["\u{80}"]});
        let text = serde_json::to_string(&doc).unwrap();
        let escaped = escape_json(&text);
        assert!(!escaped.chars().any(is_control), "{escaped}");
        assert!(escaped.contains("\\u009b") && escaped.contains("\\u001b"));
        assert!(escaped.contains("\\u007f") && escaped.contains("\\u0085"));
        let back: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn the_secret_is_masked_in_text_and_documents() {
        assert_eq!(
            mask("Bearer tok-1 and tok-1", "tok-1"),
            "Bearer (redacted) and (redacted)"
        );
        assert_eq!(mask("nothing", ""), "nothing");
        let mut doc = json!({"a": "Bearer tok-1", "tok-1": [{"b": "xtok-1x"}], "n": 1});
        mask_value(&mut doc, "tok-1");
        assert_eq!(
            doc,
            json!({"a": "Bearer (redacted)", "(redacted)": [{"b": "x(redacted)x"}], "n": 1})
        );
        assert!(!doc.to_string().contains("tok-1"));
    }
}
