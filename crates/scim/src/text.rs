//! Server text is data, not terminal control: the one definition of what must not reach a
//! terminal raw, and the escaping both the client (error details, a redirect's `Location`) and
//! the lifecycle's output (tables, the `error:` line) apply (docs/output.md).
//!
//! It lives in this lowest crate so that every end of the workspace escapes the same characters
//! the same way.

use std::borrow::Cow;

/// Whether `c` would act on a terminal instead of printing: a C0 control (U+0000–U+001F,
/// newline and tab included), DEL (U+007F) or a C1 control (U+0080–U+009F) — Unicode's
/// control category, `char::is_control`.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// `text` with every control character written as a visible escape (`\u{1b}`). With
/// `keep_newlines`, `\n` stays a line break (text that is meant to span lines); every other
/// control, `\r` included, is escaped. Borrowed when there is nothing to escape.
pub fn neutralise(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    escape_where(
        text,
        |c| is_control(c) && !(keep_newlines && c == '\n'),
        |out, c| {
            out.extend(c.escape_unicode());
            Ok(())
        },
    )
}

/// `text` with each character `hit` picks written by `escape`; borrowed when there is none.
pub fn escape_where(
    text: &str,
    hit: impl Fn(char) -> bool,
    escape: impl Fn(&mut String, char) -> std::fmt::Result,
) -> Cow<'_, str> {
    if !text.chars().any(&hit) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hit(c) {
            // Writing to a String cannot fail.
            let _ = escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_becomes_visible() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}31md\u{7f}e\u{85}f\u{0}";
        let out = neutralise(hostile, false);
        assert_eq!(
            out,
            "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[2Jc\\u{9b}31md\\u{7f}e\\u{85}f\\u{0}"
        );
        assert!(!out.chars().any(is_control));
        // Printable text, non-Latin letters and U+00A0 and up are left alone, unallocated.
        let plain = "Zoë Ωμέγα 日本 \u{a0}|<br/>";
        assert!(matches!(neutralise(plain, false), Cow::Borrowed(_)));
    }

    #[test]
    fn newlines_are_kept_only_when_asked() {
        assert_eq!(neutralise("a\nb\rc\td", true), "a\nb\\u{d}c\\u{9}d");
        assert_eq!(neutralise("a\nb", false), "a\\u{a}b");
    }
}
