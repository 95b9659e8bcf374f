//! The user profile: the seed's "User Profile indicator", a JSON object of lower-case keys
//! (`username`, `email`, `givenname`, …), optionally carrying `olduserdata` — the values the
//! user had before this event, so that a rename is found by its old name (a mover, not a new
//! joiner).
//!
//! Keys are read case-insensitively (a profile exported with `userName` still works), and a
//! value counts only when it is a non-empty string or a number: an empty string is "absent",
//! because AWS rejects empty strings and the seed sent them anyway.

use aws_ilm_scim::key;
use serde_json::{Map, Value};

use crate::error::InputError;
use crate::json::{json_kind, text_of};

/// The key under which the seed's profiles keep the previous values.
pub const OLD_USER_DATA: &str = "olduserdata";

/// A user profile as given by the caller, with its `olduserdata` read once, when it is parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserProfile {
    fields: Map<String, Value>,
    /// `olduserdata`, parsed; the old data's own `olduserdata` is not read (it means nothing).
    old: Option<Box<UserProfile>>,
}

impl UserProfile {
    /// The profile `fields`, whose `olduserdata` is an object or a JSON string holding one; an
    /// empty or null `olduserdata` is no old data at all.
    pub fn parse(fields: Map<String, Value>) -> Result<Self, InputError> {
        let arg = "user-profile.olduserdata";
        let old = match key::get(&fields, OLD_USER_DATA) {
            None | Some(Value::Null) => None,
            // Empty means "no previous values", whichever way it is spelled.
            Some(v) => match json_object(arg, Some(v)) {
                Ok(m) if m.is_empty() => None,
                Ok(m) => Some(Box::new(UserProfile {
                    fields: m,
                    old: None,
                })),
                Err(InputError::Missing(_)) => None,
                Err(e) => return Err(e),
            },
        };
        Ok(UserProfile { fields, old })
    }

    /// The profile exactly as given (the seed echoes it as `IAM.UserProfile`).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The raw value of `key`, matched case-insensitively (exact match first).
    pub fn get(&self, key: &str) -> Option<&Value> {
        key::get(&self.fields, key)
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
        let mut current = self.fields.clone();
        key::remove_all(&mut current, OLD_USER_DATA);
        current
    }

    /// The previous values (`olduserdata`), when the profile has any.
    pub fn old(&self) -> Option<&UserProfile> {
        self.old.as_deref()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile(v: Value) -> UserProfile {
        UserProfile::parse(v.as_object().unwrap().clone()).unwrap()
    }

    fn parse(v: Value) -> Result<UserProfile, InputError> {
        UserProfile::parse(v.as_object().unwrap().clone())
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
        assert_eq!(p.old().unwrap().text("username").as_deref(), Some("old"));
        assert!(!p.current().contains_key("olduserdata"));
        let p = profile(json!({"olduserdata": "{\"username\": \"old\"}"}));
        assert_eq!(p.old().unwrap().text("username").as_deref(), Some("old"));
        assert_eq!(profile(json!({"olduserdata": ""})).old(), None);
        assert_eq!(profile(json!({"olduserdata": {}})).old(), None);
        assert!(matches!(
            parse(json!({"olduserdata": "{oops"})),
            Err(InputError::InvalidJson { .. })
        ));
        assert!(matches!(
            parse(json!({"olduserdata": [1]})),
            Err(InputError::WrongType { .. })
        ));
    }
}
