//! What a user or group in a success answer must be before anyone may report it as done.
//!
//! A 2xx answer is only as good as what it carries: every later step (an update, a membership
//! change, the `id` the caller is told) addresses the resource by its `id`. So a resource whose
//! `id` is missing, empty or not a string, or an answer that is not a JSON object at all, is a
//! broken answer ([`ClientError::Decode`]), never a success (docs/client.md). Every path that
//! hands a resource to a caller (get, list, find, create, PATCH/PUT answers) goes through
//! [`checked`].

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
}
