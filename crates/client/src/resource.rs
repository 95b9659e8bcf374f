//! What a user or group in a success answer must be before anyone may report it as done.
//!
//! A 2xx answer is only as good as what it carries: every later step (an update, a membership
//! change, the `id` the caller is told) addresses the resource by its `id`. So a resource whose
//! `id` is missing, empty or not a string, or an answer that is not a JSON object at all, is a
//! broken answer ([`ClientError::Decode`]), never a success (docs/client.md). Every path that
//! hands a resource to a caller (get, list, find, create, PATCH/PUT answers) goes through
//! [`checked`].
//!
//! An answer to a request for one resource by id must also be that resource: a server that
//! answers `GET /Users/a` with user `b` would otherwise have the caller report on, and update,
//! the wrong user. Every by-id path (GET, and PATCH/PUT answers) goes through [`checked_as`].

use serde_json::Value;

use crate::error::ClientError;

/// `value` if it is a JSON object with a non-empty string `id`.
pub(crate) fn checked(value: Value) -> Result<Value, ClientError> {
    let problem = match &value {
        Value::Object(o) => match o.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => return Ok(value),
            Some(Value::String(_)) => "an empty `id`",
            Some(Value::Null) | None => "no `id`",
            Some(_) => "an `id` that is not a string",
        },
        _ => "not a JSON object",
    };
    let shown = match &value {
        Value::Object(_) => "a resource with",
        _ => "a resource that is",
    };
    Err(ClientError::Decode(format!(
        "the server answered success with {shown} {problem}"
    )))
}

/// How much of a server's id a mismatch message shows: enough to tell ids apart, short enough
/// that a hostile id cannot flood the error line.
const SHOWN_ID_CHARS: usize = 64;

/// `value` if [`checked`] passes it and its `id` is exactly `id` (ids are opaque and
/// case-sensitive), the id asked for in a request to `resource/id`.
pub(crate) fn checked_as(value: Value, resource: &str, id: &str) -> Result<Value, ClientError> {
    let value = checked(value)?;
    match value.get("id").and_then(Value::as_str) {
        Some(got) if got == id => Ok(value),
        got => Err(ClientError::Decode(format!(
            "asked for {resource} id {} but the server answered success with id {}",
            shown(id),
            shown(got.unwrap_or_default())
        ))),
    }
}

/// An id as a message shows it: quoted, control characters escaped, cut to [`SHOWN_ID_CHARS`].
fn shown(id: &str) -> String {
    let cut: String = id.chars().take(SHOWN_ID_CHARS).collect();
    let more = if cut.len() < id.len() { "…" } else { "" };
    format!("\"{}{more}\"", aws_ilm_scim::text::neutralise(&cut, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_objects_with_a_non_empty_string_id_pass() {
        assert!(checked(json!({"id": "u-1"})).is_ok());
        for bad in [
            json!({}),
            json!({"id": null}),
            json!({"id": ""}),
            json!({"id": "  "}),
            json!({"id": 7}),
            json!({"id": ["u-1"]}),
            json!([{"id": "u-1"}]),
            json!("u-1"),
            json!(null),
        ] {
            let e = checked(bad.clone()).unwrap_err();
            assert!(
                matches!(&e, ClientError::Decode(m) if m.contains("success")),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn a_by_id_answer_must_carry_exactly_that_id() {
        assert!(checked_as(json!({"id": "u-1"}), "Users", "u-1").is_ok());
        for (got, shown) in [
            (json!({"id": "u-2"}), "\"u-2\""),
            (json!({"id": "U-1"}), "\"U-1\""),
            (json!({"id": "u-1 "}), "\"u-1 \""),
            (json!({"id": "\u{1b}[2J"}), r#""\u{1b}[2J""#),
        ] {
            let e = checked_as(got.clone(), "Users", "u-1").unwrap_err();
            let ClientError::Decode(m) = &e else {
                panic!("{got}: {e:?}")
            };
            assert_eq!(
                m,
                &format!(
                    "asked for Users id \"u-1\" but the server answered success with id {shown}"
                )
            );
        }
        let long = "x".repeat(1000);
        let e = checked_as(json!({ "id": long }), "Groups", "g-1").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.ends_with(&format!("\"{}…\"", "x".repeat(SHOWN_ID_CHARS))),
            "{msg}"
        );
        assert!(matches!(
            checked_as(json!({}), "Users", "u-1"),
            Err(ClientError::Decode(m)) if m.contains("no `id`")
        ));
    }
}
