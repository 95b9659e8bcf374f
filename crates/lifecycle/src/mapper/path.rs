//! Attribute paths used by mapping rules: `userName`, `name.givenName`, `emails.value`,
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department` (or `…:User:department`).
//!
//! Schema URNs contain dots (`2.0`), so a path that starts with a known URN takes the URN as its
//! first segment instead of splitting it. The seed's mappers wrote the enterprise block under the
//! SCIM 1.1 URN `urn:scim:schemas:extension:enterprise:1.0`, which AWS ignores; such paths are
//! read as the RFC 7643 §4.3 URN so imported mappers land where AWS reads them.
//!
//! AWS keeps one value per multi-valued attribute (spec §4), so a path through `emails`,
//! `phoneNumbers`, `addresses` or `roles` addresses that single element: reading takes the
//! first element, writing creates a one-element array.

use aws_ilm_scim::urn;
use serde_json::{Map, Value};

/// The SCIM 1.1 enterprise URN the seed's mappers used.
const LEGACY_ENTERPRISE: &str = "urn:scim:schemas:extension:enterprise:1.0";
/// Multi-valued User attributes; AWS allows one value in each.
const MULTI_VALUED: [&str; 4] = ["emails", "phoneNumbers", "addresses", "roles"];

/// A parsed path: one or more attribute names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<String>,
}

impl FieldPath {
    /// Parses a path; `None` when it is empty or has an empty segment.
    pub fn parse(s: &str) -> Option<FieldPath> {
        let s = s.trim();
        let mut segments = Vec::new();
        let mut rest = s;
        for (known, canonical) in [
            (urn::ENTERPRISE_USER, urn::ENTERPRISE_USER),
            (LEGACY_ENTERPRISE, urn::ENTERPRISE_USER),
            (urn::USER, urn::USER),
        ] {
            let Some(head) = s.get(..known.len()) else {
                continue;
            };
            if head.eq_ignore_ascii_case(known) {
                let tail = &s[known.len()..];
                if tail.is_empty() || tail.starts_with(['.', ':']) {
                    if canonical != urn::USER {
                        segments.push(canonical.to_owned());
                    }
                    rest = tail.get(1..).unwrap_or("");
                    break;
                }
            }
        }
        if !rest.is_empty() || segments.is_empty() {
            for seg in rest.split('.') {
                if seg.is_empty() {
                    return None;
                }
                segments.push(seg.to_owned());
            }
        }
        (!segments.is_empty()).then_some(FieldPath { segments })
    }

    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Reads the value at this path. Keys match exactly first, then case-insensitively (RFC 7643
    /// §2.1); arrays on the way yield their first element.
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        let mut cur = doc;
        for seg in &self.segments {
            cur = first_if_array(cur);
            let obj = cur.as_object()?;
            cur = get_ci(obj, seg)?;
        }
        Some(cur)
    }

    /// Writes `value` at this path inside `doc`, creating objects (and one-element arrays for
    /// multi-valued attributes) on the way. An existing non-object in the way is replaced.
    pub fn set(&self, doc: &mut Map<String, Value>, value: Value) {
        let mut cur = doc;
        let last = self.segments.len() - 1;
        for (i, seg) in self.segments.iter().enumerate() {
            let key = existing_key(cur, seg).unwrap_or_else(|| seg.clone());
            if i == last {
                cur.insert(key, value);
                return;
            }
            let multi = MULTI_VALUED.iter().any(|m| m.eq_ignore_ascii_case(seg));
            let slot = cur.entry(key).or_insert(Value::Null);
            if multi {
                if !matches!(slot, Value::Array(a) if a.first().is_some_and(Value::is_object)) {
                    *slot = Value::Array(vec![Value::Object(Map::new())]);
                }
                let Value::Array(items) = slot else { return };
                let Some(Value::Object(first)) = items.first_mut() else {
                    return;
                };
                cur = first;
            } else {
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                let Value::Object(next) = slot else { return };
                cur = next;
            }
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.segments.join("."))
    }
}

fn first_if_array(v: &Value) -> &Value {
    match v {
        Value::Array(items) => items.first().unwrap_or(v),
        _ => v,
    }
}

fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn existing_key(obj: &Map<String, Value>, key: &str) -> Option<String> {
    if obj.contains_key(key) {
        return Some(key.to_owned());
    }
    obj.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urn_paths_keep_their_dots() {
        for s in [
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "urn:scim:schemas:extension:enterprise:1.0.department",
        ] {
            let p = FieldPath::parse(s).unwrap();
            assert_eq!(p.segments(), [urn::ENTERPRISE_USER, "department"], "{s}");
        }
        let p = FieldPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName");
        assert_eq!(p.unwrap().segments(), ["name", "givenName"]);
        assert!(FieldPath::parse("").is_none());
        assert!(FieldPath::parse("name..givenName").is_none());
    }

    #[test]
    fn reads_through_single_valued_arrays_case_insensitively() {
        let doc = json!({"emails": [{"value": "a@b"}], "Name": {"givenName": "Ada"}});
        assert_eq!(
            FieldPath::parse("emails.value").unwrap().get(&doc),
            Some(&json!("a@b"))
        );
        assert_eq!(
            FieldPath::parse("name.GIVENNAME").unwrap().get(&doc),
            Some(&json!("Ada"))
        );
        assert_eq!(FieldPath::parse("title").unwrap().get(&doc), None);
    }

    #[test]
    fn writes_nested_and_single_valued() {
        let mut doc = Map::new();
        FieldPath::parse("emails.value")
            .unwrap()
            .set(&mut doc, json!("a@b"));
        FieldPath::parse("emails.type")
            .unwrap()
            .set(&mut doc, json!("work"));
        FieldPath::parse("name.givenName")
            .unwrap()
            .set(&mut doc, json!("Ada"));
        assert_eq!(
            Value::Object(doc),
            json!({"emails": [{"value": "a@b", "type": "work"}], "name": {"givenName": "Ada"}})
        );
    }
}
