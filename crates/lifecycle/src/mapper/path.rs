//! Attribute paths used by mapping rules: `userName`, `name.givenName`, `emails.value`,
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department` (or `…:User:department`).
//!
//! Schema URNs contain dots (`2.0`), so a path that starts with a known URN takes the URN as its
//! first segment instead of splitting it. The seed's mappers wrote the enterprise block under the
//! SCIM 1.1 URN `urn:scim:schemas:extension:enterprise:1.0`, which AWS ignores; such paths are
//! read as the RFC 7643 §4.3 URN so imported mappers land where AWS reads them (docs/mappers.md).
//!
//! XSOAR's path syntax is read too: `\.` is a dot inside a name
//! (`urn:scim:schemas:extension:enterprise:1\.0.costCenter`) and `[n]` — also written `.[n]` —
//! picks element `n` of a list (`emails.[0].value`).
//!
//! AWS keeps one value per multi-valued attribute (docs/schema.md), so a path through `emails`,
//! `phoneNumbers`, `addresses` or `roles` addresses that single element: reading takes the
//! first element, writing creates a one-element array.

use aws_ilm_scim::{key, schema, urn};
use serde_json::{Map, Value};

/// The SCIM 1.1 enterprise URN the seed's mappers used.
const LEGACY_ENTERPRISE: &str = "urn:scim:schemas:extension:enterprise:1.0";
/// Whether `name` is a multi-valued User attribute (AWS allows one value in each).
fn multi_valued(name: &str) -> bool {
    schema::USER.attribute(name).is_some_and(|a| a.multi_valued)
}

/// Why a path cannot be read. The caller names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("the path '{0}' has an empty attribute name")]
    EmptyName(String),
    #[error("the path '{0}' has an index that is not `[number]`")]
    BadIndex(String),
}

/// One step of a path: an attribute name, or an element of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed path: one or more steps, the first an attribute name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    pub fn parse(s: &str) -> Result<FieldPath, PathError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(PathError::Empty);
        }
        let (mut segments, rest) = match known_urn(s) {
            Some((canonical, rest)) => {
                // Core attributes are top-level keys: their URN adds no step.
                let first = (canonical != urn::USER).then(|| Segment::Key(canonical.to_owned()));
                (first.into_iter().collect(), rest)
            }
            None => (Vec::new(), s),
        };
        split(s, rest, &mut segments)?;
        match segments.first() {
            Some(Segment::Key(_)) => Ok(FieldPath { segments }),
            Some(Segment::Index(_)) => Err(PathError::BadIndex(s.to_owned())),
            None => Err(PathError::Empty),
        }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The attribute names only (`emails[0].value` → `emails.value`): the form
    /// `get-mapping-fields` lists.
    pub fn schema_path(&self) -> String {
        self.keys().collect::<Vec<_>>().join(".")
    }

    /// The attribute names, without indexes.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
    }

    /// The first index above 0, if any: AWS keeps one value per list, so a target cannot
    /// address a second element.
    pub fn index_beyond_first(&self) -> Option<usize> {
        self.segments.iter().find_map(|s| match s {
            Segment::Index(n) if *n > 0 => Some(*n),
            _ => None,
        })
    }

    /// Reads the value at this path. Keys match exactly first, then case-insensitively (RFC 7643
    /// §2.1); a name reached through a list reads its first element, an index its element.
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        let mut cur = doc;
        for seg in &self.segments {
            cur = match seg {
                Segment::Key(k) => key::get(first_if_array(cur).as_object()?, k)?,
                Segment::Index(n) => match cur {
                    Value::Array(items) => items.get(*n)?,
                    other if *n == 0 => other,
                    _ => return None,
                },
            };
        }
        Some(cur)
    }

    /// Writes `value` at this path inside `doc`, creating objects (and one-element arrays for
    /// multi-valued attributes and indexed names) on the way. An existing non-object in the way
    /// is replaced; an object written where an object is merges into it, so two rules may fill
    /// one block (`name` and `name.middleName`). Indexes address the single element.
    pub fn set(&self, doc: &mut Map<String, Value>, value: Value) {
        let keys: Vec<(&str, bool)> = self
            .segments
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Segment::Key(k) => {
                    let indexed = matches!(self.segments.get(i + 1), Some(Segment::Index(_)));
                    Some((k.as_str(), indexed))
                }
                Segment::Index(_) => None,
            })
            .collect();
        let mut cur = doc;
        let last = keys.len().saturating_sub(1);
        for (i, (seg, indexed)) in keys.into_iter().enumerate() {
            let key = existing_key(cur, seg).unwrap_or_else(|| seg.to_owned());
            let list = indexed || multi_valued(seg);
            if i == last {
                let value = if indexed && !value.is_array() {
                    Value::Array(vec![value])
                } else {
                    value
                };
                merge_into(cur.entry(key).or_insert(Value::Null), value);
                return;
            }
            let slot = cur.entry(key).or_insert(Value::Null);
            if list {
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
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                // A known URN is read back whole, so it is written as is.
                Segment::Key(k) if i == 0 && k.starts_with("urn:") => f.write_str(k)?,
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(&k.replace('.', "\\."))?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A known schema URN at the start of `s` — as is, or with its dots escaped — and what follows
/// it after a `.` or `:`.
fn known_urn(s: &str) -> Option<(&'static str, &str)> {
    for (known, canonical) in [
        (urn::ENTERPRISE_USER, urn::ENTERPRISE_USER),
        (LEGACY_ENTERPRISE, urn::ENTERPRISE_USER),
        (urn::USER, urn::USER),
    ] {
        for spelling in [known.to_owned(), known.replace('.', "\\.")] {
            let Some(head) = s.get(..spelling.len()) else {
                continue;
            };
            if !head.eq_ignore_ascii_case(&spelling) {
                continue;
            }
            let tail = &s[spelling.len()..];
            if tail.is_empty() {
                return Some((canonical, tail));
            }
            if let Some(rest) = tail.strip_prefix(['.', ':']) {
                return Some((canonical, rest));
            }
        }
    }
    None
}

/// Splits `rest` (the part of `whole` after any URN) into names and indexes.
fn split(whole: &str, rest: &str, out: &mut Vec<Segment>) -> Result<(), PathError> {
    if rest.is_empty() {
        return if out.is_empty() {
            Err(PathError::Empty)
        } else {
            Ok(())
        };
    }
    let empty = || PathError::EmptyName(whole.to_owned());
    let mut name = String::new();
    // Whether the text since the last separator may be empty: right after an index.
    let mut after_index = false;
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => name.push(chars.next().unwrap_or('\\')),
            '.' => {
                if !name.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut name)));
                } else if !after_index {
                    return Err(empty());
                }
                after_index = false;
            }
            '[' => {
                if !name.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut name)));
                }
                let (inner, closed) = match chars.as_str().split_once(']') {
                    Some((inner, after)) => {
                        chars = after.chars();
                        (inner, true)
                    }
                    None => ("", false),
                };
                let n = inner
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| PathError::BadIndex(whole.to_owned()))?;
                if !closed || out.is_empty() {
                    return Err(PathError::BadIndex(whole.to_owned()));
                }
                out.push(Segment::Index(n));
                after_index = true;
                continue;
            }
            _ => {
                if after_index {
                    // `[0]value`: a name must follow an index after a dot.
                    return Err(PathError::BadIndex(whole.to_owned()));
                }
                name.push(c);
            }
        }
    }
    if !name.is_empty() {
        out.push(Segment::Key(name));
    } else if !after_index {
        return Err(empty());
    }
    Ok(())
}

/// Puts `value` into `slot`; objects merge key by key (the new value wins), anything else
/// replaces.
fn merge_into(slot: &mut Value, value: Value) {
    match (slot, value) {
        (Value::Object(have), Value::Object(new)) => {
            for (k, v) in new {
                let key = existing_key(have, &k).unwrap_or(k);
                merge_into(have.entry(key).or_insert(Value::Null), v);
            }
        }
        (slot, value) => *slot = value,
    }
}

fn first_if_array(v: &Value) -> &Value {
    match v {
        Value::Array(items) => items.first().unwrap_or(v),
        _ => v,
    }
}

fn existing_key(obj: &Map<String, Value>, name: &str) -> Option<String> {
    key::spelling(obj, name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(s: &str) -> Vec<String> {
        FieldPath::parse(s)
            .unwrap()
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Index(n) => format!("[{n}]"),
            })
            .collect()
    }

    #[test]
    fn urn_paths_keep_their_dots() {
        for s in [
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "urn:scim:schemas:extension:enterprise:1.0.department",
            r"urn:scim:schemas:extension:enterprise:1\.0.department",
            r"urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User.department",
        ] {
            assert_eq!(keys(s), [urn::ENTERPRISE_USER, "department"], "{s}");
        }
        assert_eq!(
            keys("urn:scim:schemas:extension:enterprise:1.0"),
            [urn::ENTERPRISE_USER]
        );
        assert_eq!(
            keys("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"),
            ["name", "givenName"]
        );
        assert_eq!(FieldPath::parse(""), Err(PathError::Empty));
        assert!(matches!(
            FieldPath::parse("name..givenName"),
            Err(PathError::EmptyName(_))
        ));
        assert!(FieldPath::parse(".name").is_err());
        assert!(FieldPath::parse("name.").is_err());
    }

    #[test]
    fn xsoar_index_syntax_and_escaped_dots() {
        assert_eq!(keys("emails.[0].value"), ["emails", "[0]", "value"]);
        assert_eq!(keys("emails[0].value"), ["emails", "[0]", "value"]);
        assert_eq!(keys("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(keys("roles[2]"), ["roles", "[2]"]);
        for bad in [
            "[0].value",
            "emails.[x].value",
            "emails[0]value",
            "emails.[0",
        ] {
            assert!(
                matches!(FieldPath::parse(bad), Err(PathError::BadIndex(_))),
                "{bad}"
            );
        }
        let p = FieldPath::parse("emails.[0].value").unwrap();
        assert_eq!(p.to_string(), "emails[0].value");
        assert_eq!(p.schema_path(), "emails.value");
        assert_eq!(FieldPath::parse(&p.to_string()).unwrap(), p);
        let doc = json!({"phoneNumbers": [{"value": "1"}, {"value": "2"}]});
        let second = FieldPath::parse("phoneNumbers.[1].value").unwrap();
        assert_eq!(second.get(&doc), Some(&json!("2")));
        assert_eq!(second.index_beyond_first(), Some(1));
        let third = FieldPath::parse("phoneNumbers.[2].value").unwrap();
        assert_eq!(third.get(&doc), None);
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
    fn writes_nested_single_valued_and_merges_objects() {
        let mut doc = Map::new();
        let set = |doc: &mut Map<String, Value>, p: &str, v: Value| {
            FieldPath::parse(p).unwrap().set(doc, v);
        };
        set(&mut doc, "emails.value", json!("a@b"));
        set(&mut doc, "emails.[0].type", json!("work"));
        set(&mut doc, "name.givenName", json!("Ada"));
        set(&mut doc, "name", json!({"familyName": "L"}));
        set(&mut doc, "phoneNumbers.[0]", json!({"value": "1"}));
        assert_eq!(
            Value::Object(doc),
            json!({"emails": [{"value": "a@b", "type": "work"}],
                   "name": {"givenName": "Ada", "familyName": "L"},
                   "phoneNumbers": [{"value": "1"}]})
        );
    }
}
