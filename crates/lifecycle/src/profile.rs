//! The user profile: the seed's "User Profile indicator", a JSON object of lower-case keys
//! (`username`, `email`, `givenname`, …), optionally carrying `olduserdata` — the values the
//! user had before this event, so that a rename is found by its old name (a mover, not a new
//! joiner).
//!
//! Keys are read case-insensitively (a profile exported with `userName` still works), and a
//! value counts only when it is a non-empty string or a number: an empty string is "absent",
//! because AWS rejects empty strings and the seed sent them anyway.

use serde_json::{Map, Value};

use crate::error::InputError;

/// The key under which the seed's profiles keep the previous values.
pub const OLD_USER_DATA: &str = "olduserdata";

/// A user profile as given by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserProfile {
    fields: Map<String, Value>,
}

impl UserProfile {
    pub fn new(fields: Map<String, Value>) -> Self {
        UserProfile { fields }
    }

    /// The profile exactly as given (the seed echoes it as `IAM.UserProfile`).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The raw value of `key`, matched case-insensitively (exact match first).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).or_else(|| {
            self.fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }

    /// The value of `key` as text, when it is a non-empty string, a number or a boolean.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(text_of)
    }

    /// `id` carried by the profile itself: the SCIM id of the user in AWS.
    pub fn id(&self) -> Option<String> {
        self.text("id")
    }

    /// The profile without `olduserdata`, which is what a mapper sees.
    pub fn current(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(OLD_USER_DATA))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The previous values (`olduserdata`), given as an object or as a JSON string holding one.
    /// An empty or null `olduserdata` is no old data at all.
    pub fn old(&self) -> Result<Option<UserProfile>, InputError> {
        let arg = "user-profile.olduserdata";
        match self.get(OLD_USER_DATA) {
            None | Some(Value::Null) => Ok(None),
            // Empty means "no previous values", whichever way it is spelled.
            Some(v) => match json_object(arg, Some(v)) {
                Ok(m) if m.is_empty() => Ok(None),
                Ok(m) => Ok(Some(UserProfile::new(m))),
                Err(InputError::Missing(_)) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}

/// A scalar as text; empty strings, nulls, arrays and objects are not text.
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A JSON object argument, given as an object or as a string holding one (the seed's arguments
/// arrive as strings from XSOAR, as objects from batch files).
pub(crate) fn json_object(
    arg: &'static str,
    v: Option<&Value>,
) -> Result<Map<String, Value>, InputError> {
    match v {
        None => Err(InputError::Missing(arg)),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Err(InputError::Missing(arg)),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(other) => Err(InputError::WrongType {
                arg: arg.into(),
                expected: "a JSON object",
                got: json_kind(&other),
            }),
            Err(e) => Err(InputError::InvalidJson {
                arg,
                reason: e.to_string(),
            }),
        },
        Some(other) => Err(InputError::WrongType {
            arg: arg.into(),
            expected: "a JSON object",
            got: json_kind(other),
        }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile(v: Value) -> UserProfile {
        UserProfile::new(v.as_object().unwrap().clone())
    }

    #[test]
    fn keys_are_case_insensitive_and_empty_is_absent() {
        let p = profile(json!({"UserName": "ada", "email": "", "employeeid": 42}));
        assert_eq!(p.text("username").as_deref(), Some("ada"));
        assert_eq!(p.text("email"), None);
        assert_eq!(p.text("employeeid").as_deref(), Some("42"));
    }

    #[test]
    fn old_user_data_as_object_or_string() {
        let p = profile(json!({"username": "new", "olduserdata": {"username": "old"}}));
        assert_eq!(
            p.old().unwrap().unwrap().text("username").as_deref(),
            Some("old")
        );
        assert!(!p.current().contains_key("olduserdata"));
        let p = profile(json!({"olduserdata": "{\"username\": \"old\"}"}));
        assert_eq!(
            p.old().unwrap().unwrap().text("username").as_deref(),
            Some("old")
        );
        assert_eq!(profile(json!({"olduserdata": ""})).old().unwrap(), None);
        assert_eq!(profile(json!({"olduserdata": {}})).old().unwrap(), None);
        assert!(matches!(
            profile(json!({"olduserdata": "{oops"})).old(),
            Err(InputError::InvalidJson { .. })
        ));
        assert!(matches!(
            profile(json!({"olduserdata": [1]})).old(),
            Err(InputError::WrongType { .. })
        ));
    }
}
