//! How the engine reads loose JSON values: a scalar as text, and a value's type named for a
//! message. Shared by the profile, the arguments, the groups and the mapper.

use serde_json::Value;

/// A scalar as text; empty strings, nulls, arrays and objects are not text.
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The JSON type of a value, for error messages ("must be an object, not a string").
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
