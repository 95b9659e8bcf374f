//! Attribute names as keys of a JSON object, matched without regard to case.
//!
//! RFC 7643 §2.1 makes attribute names case-insensitive, so a profile exported with `userName`,
//! an answer carrying `Members` or a mapping that says `EMAIL` must find the same key. Every
//! such lookup in the workspace goes through this module: the exact spelling wins, then the
//! first key (in the object's order) that is the same name as [`crate::CiStr`] compares names,
//! so keys agree with the attribute table ([`crate::schema`]) and with the emulator.

use serde_json::{Map, Value};

use crate::ci::fold;

/// Whether the key `key` names the attribute `name` ([`fold`] equality; two ASCII strings,
/// the usual case, are compared without allocating).
pub fn is(key: &str, name: &str) -> bool {
    key.eq_ignore_ascii_case(name)
        || (!(key.is_ascii() && name.is_ascii()) && fold(key) == fold(name))
}

/// The entry whose key names `name`: its spelling in the object, and its value.
pub fn entry<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<(&'a String, &'a Value)> {
    obj.get_key_value(name)
        .or_else(|| obj.iter().find(|(k, _)| is(k, name)))
}

/// The value of the attribute `name` in `obj`.
pub fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    entry(obj, name).map(|(_, v)| v)
}

/// The value of the attribute `name` of `v`, when `v` is an object.
pub fn get_in<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    get(v.as_object()?, name)
}

/// The spelling under which `obj` holds the attribute `name`.
pub fn spelling<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    entry(obj, name).map(|(k, _)| k)
}

/// Removes every key that names `name`, whatever its case.
pub fn remove_all(obj: &mut Map<String, Value>, name: &str) {
    obj.retain(|k, _| !is(k, name));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_spelling_wins_then_the_first_in_order() {
        let v = json!({"EMAIL": 1, "Email": 2, "email": 3, "userName": "a"});
        let o = v.as_object().unwrap();
        assert_eq!(get(o, "email"), Some(&json!(3)));
        assert_eq!(get(o, "eMail"), Some(&json!(1)));
        assert_eq!(
            spelling(o, "USERNAME").map(String::as_str),
            Some("userName")
        );
        assert_eq!(get(o, "user"), None);
        assert_eq!(get_in(&json!([1]), "x"), None);
        let mut o = o.clone();
        remove_all(&mut o, "email");
        assert_eq!(o.keys().collect::<Vec<_>>(), ["userName"]);
    }

    /// Keys compare as names do everywhere else ([`fold`]): full-width letters and `ſ` are
    /// the same name, a look-alike from another script is not.
    #[test]
    fn keys_compare_like_names() {
        let v = json!({"ＭＥＭＢＥＲＳ": 1, "ſtreet": 2, "\u{430}ctive": 3});
        let o = v.as_object().unwrap();
        assert_eq!(get(o, "members"), Some(&json!(1)));
        assert_eq!(get(o, "street"), Some(&json!(2)));
        assert_eq!(get(o, "active"), None);
        assert!(is("userName", "USERNAME") && !is("userName", "user"));
    }
}
