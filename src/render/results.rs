//! A result line of `batch` or `apply` for a person at a terminal (docs/batch.md, "Results"):
//! the JSON result line read back and shown as one line of text. Read back from the JSON,
//! rather than built beside it, so the engine keeps one form of a result and every other
//! destination (a pipe, `--results`, the journal's resumption) stays exactly as it was.
//!
//! `✓ 12 iam-create-user user jane@example.com (id 6f0c…)`: the mark says how the event ended
//! (the marks of `aws-ilm doctor`), then the input line (a plan's change number for `apply`),
//! the command, what it acted on and its id when known, and, for a skip, a failure or an
//! invalid line, why. Server text is neutralised and kept on the line; a long message is cut
//! to the terminal's width, as the full text is one `--output json` away.

use aws_ilm_lifecycle::outcome::result_of;
use aws_ilm_lifecycle::text::one_line;
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Palette, Terminal, paint};

/// Most columns a message gets when the terminal's width is unknown.
const MAX_MESSAGE: usize = 200;
/// Fewest columns a message gets, however narrow the terminal: a cut that leaves nothing
/// readable helps nobody; a terminal wraps the rest.
const MIN_MESSAGE: usize = 40;

/// The line (without its newline) for `result`, one JSON result line as
/// `aws_ilm_batch::ResultLine` writes it; the token is masked by the caller beforehand.
pub fn result_line(result: &Value, term: &Terminal) -> String {
    let palette = Palette::new(term.colour);
    let status = text(result, "status").unwrap_or_default();
    let (mark, style) = match status {
        "success" => ("✓", palette.good),
        "skipped" => ("-", palette.note),
        "failed" => ("✗", palette.bad),
        "invalid" => ("!", palette.bad),
        _ => ("?", palette.note),
    };
    let doc = result.get("result").unwrap_or(&Value::Null);
    // A lifecycle event's `IAM.Vendor` or group document; an apply change's document itself.
    let subject = result_of(doc).unwrap_or(doc);

    let mut head = result
        .get("line")
        .and_then(Value::as_u64)
        .map_or_else(|| "?".to_owned(), |n| n.to_string());
    if let Some(command) = text(result, "command") {
        head.push(' ');
        head.push_str(command);
    }
    if let Some((kind, name)) = target(subject) {
        head.push_str(&format!(" {kind} {name}"));
    }
    if let Some(id) = text(subject, "id") {
        head.push_str(&format!(" (id {id})"));
    }
    let head = one_line(&head);

    let mut out = String::new();
    paint(&mut out, style, mark);
    out.push(' ');
    out.push_str(&head);
    if let Some(message) = message(status, result, subject) {
        let message = one_line(&message);
        let used = head.width() + 4; // the mark, its space, ": "
        let room = term
            .width
            .map_or(MAX_MESSAGE, |w| w.saturating_sub(used))
            .clamp(MIN_MESSAGE, MAX_MESSAGE);
        out.push_str(": ");
        out.push_str(&cut(&message, room));
    }
    out
}

/// A non-empty string field of `doc`.
fn text<'a>(doc: &'a Value, key: &str) -> Option<&'a str> {
    doc.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// What the event acted on: an apply change's `user` or `group`, a user result's `username`
/// (the SCIM user's `userName` in `details` when the result has no username), a group
/// result's `displayName`.
fn target(subject: &Value) -> Option<(&'static str, &str)> {
    let user = text(subject, "user")
        .or_else(|| text(subject, "username"))
        .or_else(|| subject.get("details").and_then(|d| text(d, "userName")));
    if let Some(name) = user {
        return Some(("user", name));
    }
    text(subject, "group")
        .or_else(|| text(subject, "displayName"))
        .map(|name| ("group", name))
}

/// Why the event did not succeed: an invalid line's `error`, a failure's error message with
/// its HTTP status, a skip's reason; `None` for a success.
fn message(status: &str, result: &Value, subject: &Value) -> Option<String> {
    match status {
        "invalid" => text(result, "error").map(str::to_owned),
        "skipped" => text(subject, "reason").map(str::to_owned),
        "success" => None,
        _ => {
            let error = text(subject, "errorMessage").or_else(|| text(subject, "error"));
            match (subject.get("errorCode").and_then(Value::as_u64), error) {
                (Some(code), Some(e)) if !e.contains(&code.to_string()) => {
                    Some(format!("{e} (HTTP {code})"))
                }
                (Some(code), None) => Some(format!("HTTP {code}")),
                (_, e) => e.map(str::to_owned),
            }
        }
    }
}

/// `text` within `columns` columns, its end replaced by `…` when it is longer.
fn cut(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PLAIN: Terminal = Terminal {
        width: None,
        colour: false,
    };

    fn line(result: Value) -> String {
        result_line(&result, &PLAIN)
    }

    #[test]
    fn a_batch_event_names_its_user_and_id() {
        let result = json!({"line": 12, "command": "iam-create-user", "status": "success",
            "result": {"IAM": {"UserProfile": {"username": "jane@example.com"},
                "Vendor": {"success": true, "username": "jane@example.com", "id": "u-1",
                    "errorMessage": "", "reason": ""}}}});
        assert_eq!(
            line(result),
            "✓ 12 iam-create-user user jane@example.com (id u-1)"
        );
    }

    #[test]
    fn a_group_event_names_its_group() {
        let result = json!({"line": 3, "command": "iam-create-group", "status": "success",
            "result": {"CreateGroup": {"displayName": "Eng", "id": "g-1", "username": null}}});
        assert_eq!(line(result), "✓ 3 iam-create-group group Eng (id g-1)");
    }

    #[test]
    fn an_apply_change_names_its_target_and_says_why_it_was_skipped() {
        let result = json!({"line": 4, "command": "add-members", "status": "skipped",
            "result": {"change": "add-members", "line": 4, "group": "Eng",
                "status": "skipped", "reason": "already in effect"}});
        assert_eq!(line(result), "- 4 add-members group Eng: already in effect");
    }

    #[test]
    fn a_failure_gives_its_error_and_status() {
        let result = json!({"line": 7, "command": "update-user", "status": "failed",
            "result": {"change": "update-user", "line": 7, "user": "bob", "id": "u-2",
                "error": "uniqueness violated", "errorCode": 409, "status": "failed"}});
        assert_eq!(
            line(result),
            "✗ 7 update-user user bob (id u-2): uniqueness violated (HTTP 409)"
        );
        let said = json!({"line": 8, "command": "iam-update-user", "status": "failed",
            "result": {"IAM": {"Vendor": {"username": null, "errorCode": 404,
                "errorMessage": "HTTP 404: User not found", "details": {"userName": "carl"}}}}});
        assert_eq!(
            line(said),
            "✗ 8 iam-update-user user carl: HTTP 404: User not found"
        );
    }

    #[test]
    fn an_invalid_line_gives_its_error() {
        let result = json!({"line": 2, "status": "invalid", "error": "malformed JSON: EOF"});
        assert_eq!(line(result), "! 2: malformed JSON: EOF");
        let named = json!({"line": 5, "command": "iam-frob", "status": "invalid",
            "error": "unknown command"});
        assert_eq!(line(named), "! 5 iam-frob: unknown command");
    }

    #[test]
    fn control_characters_and_line_breaks_stay_visible_on_one_line() {
        let result = json!({"line": 9, "command": "iam-get-user", "status": "failed",
            "result": {"IAM": {"Vendor": {"username": "eve\u{1b}]0;x\u{7}",
                "errorMessage": "bad\nthing\u{9b}2J"}}}});
        let out = line(result);
        assert_eq!(
            out,
            "✗ 9 iam-get-user user eve\\u{1b}]0;x\\u{7}: bad thing\\u{9b}2J"
        );
        assert!(!out.chars().any(char::is_control), "{out}");
    }

    #[test]
    fn a_long_error_is_cut_to_the_width() {
        let result = json!({"line": 1, "status": "invalid", "error": "x".repeat(500)});
        let unknown = line(result.clone());
        assert_eq!(unknown, format!("! 1: {}…", "x".repeat(MAX_MESSAGE - 1)));
        let narrow = result_line(
            &result,
            &Terminal {
                width: Some(80),
                colour: false,
            },
        );
        assert_eq!(narrow.width(), 80, "{narrow}");
        assert!(narrow.ends_with("x…"), "{narrow}");
        let tiny = result_line(
            &result,
            &Terminal {
                width: Some(20),
                colour: false,
            },
        );
        assert_eq!(tiny, format!("! 1: {}…", "x".repeat(MIN_MESSAGE - 1)));
    }

    #[test]
    fn colour_paints_the_mark_only() {
        let result = json!({"line": 1, "command": "iam-create-user", "status": "success",
            "result": {"IAM": {"Vendor": {"username": "jane"}}}});
        let coloured = result_line(
            &result,
            &Terminal {
                width: None,
                colour: true,
            },
        );
        assert!(coloured.starts_with('\u{1b}'), "{coloured}");
        assert!(
            coloured.ends_with("✓\u{1b}[0m 1 iam-create-user user jane"),
            "{coloured:?}"
        );
    }
}
