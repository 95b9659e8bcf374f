//! PatchOp (RFC 7644 §3.5.2) and the path forms AWS accepts.
//!
//! Ops are read case-insensitively because real IdPs send `Add` and `REMOVE` (docs/emulator.md,
//! "PATCH"). Paths are `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub`, each
//! optionally prefixed by a schema URN (`urn:…:enterprise:2.0:User:department`). Value filters
//! inside a path take only `eq`, as AWS does.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::ci::CiStr;
use crate::filter::{Filter, FilterError};
use crate::urn;

/// AWS: PatchGroup takes at most 100 member changes per request.
pub const MAX_MEMBER_CHANGES: usize = 100;

/// A PatchOp request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOp {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchOp {
    pub fn new(operations: Vec<PatchOperation>) -> Self {
        PatchOp {
            schemas: vec![urn::PATCH_OP.to_owned()],
            operations,
        }
    }
}

/// One operation of a PatchOp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    pub op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOperation {
    pub fn new(op: Op, path: Option<&str>, value: Option<Value>) -> Self {
        PatchOperation {
            op,
            path: path.map(str::to_owned),
            value,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Replace => "replace",
            Op::Remove => "remove",
        }
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.to_ascii_lowercase().as_str() {
            "add" => Ok(Op::Add),
            "replace" => Ok(Op::Replace),
            "remove" => Ok(Op::Remove),
            _ => Err(serde::de::Error::custom(format!(
                "unknown op '{s}': expected add, replace or remove"
            ))),
        }
    }
}

/// A parsed patch path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchPath {
    /// The schema URN prefix, when the path named one.
    pub schema: Option<String>,
    pub attr: String,
    /// `[sub eq "value"]`
    pub value_filter: Option<(String, String)>,
    pub sub_attr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("empty path")]
    Empty,
    #[error("invalid path '{0}'")]
    Invalid(String),
    #[error("invalid value filter in path: {0}")]
    Filter(#[from] FilterError),
}

impl PatchPath {
    pub fn parse(path: &str) -> Result<Self, PathError> {
        let path = path.trim();
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        let (schema, rest) = split_schema(path);
        let invalid = || PathError::Invalid(path.to_owned());
        if rest.is_empty() && schema.is_some() && !path.ends_with(':') {
            // The whole extension (`urn:…:enterprise:2.0:User`) is the target.
            return Ok(PatchPath {
                schema,
                attr: String::new(),
                value_filter: None,
                sub_attr: None,
            });
        }
        let (attr, value_filter, after) = match rest.find('[') {
            Some(open) => {
                let close = rest.rfind(']').filter(|&c| c > open).ok_or_else(invalid)?;
                let filter = Filter::parse(&rest[open + 1..close])?;
                let [clause] = filter.clauses.as_slice() else {
                    return Err(invalid());
                };
                if clause.attr.contains('.') {
                    return Err(invalid());
                }
                let vf = (clause.attr.clone(), clause.value.clone());
                (&rest[..open], Some(vf), &rest[close + 1..])
            }
            None => match rest.split_once('.') {
                Some((a, _)) => (a, None, &rest[a.len()..]),
                None => (rest, None, ""),
            },
        };
        let sub_attr = match after {
            "" => None,
            s => Some(
                s.strip_prefix('.')
                    .filter(|s| is_name(s))
                    .ok_or_else(invalid)?
                    .to_owned(),
            ),
        };
        if !is_name(attr) {
            return Err(invalid());
        }
        Ok(PatchPath {
            schema,
            attr: attr.to_owned(),
            value_filter,
            sub_attr,
        })
    }

    /// Whether the path names `attr` (case-insensitive), ignoring sub-attributes.
    pub fn is(&self, attr: &str) -> bool {
        CiStr(&self.attr) == CiStr(attr)
    }

    /// Whether the path is inside the enterprise extension.
    pub fn is_enterprise(&self) -> bool {
        self.schema
            .as_deref()
            .is_some_and(|s| CiStr(s) == CiStr(urn::ENTERPRISE_USER))
    }
}

/// Splits `urn:…:Schema:attr.sub` into the known schema URN and the attribute part. URNs contain
/// dots (`2.0`), so the split is by known prefix, not by searching for separators.
fn split_schema(path: &str) -> (Option<String>, &str) {
    for known in [urn::ENTERPRISE_USER, urn::USER, urn::GROUP] {
        let Some(head) = path.get(..known.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(known) {
            continue;
        }
        match path[known.len()..].strip_prefix(':') {
            Some(rest) => return (Some(known.to_owned()), rest),
            None if path.len() == known.len() => return (Some(known.to_owned()), ""),
            None => {}
        }
    }
    (None, path)
}

fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn op_is_case_insensitive() {
        let op: PatchOperation = serde_json::from_str(r#"{"op":"REMOVE","path":"title"}"#).unwrap();
        assert_eq!(op.op, Op::Remove);
        assert!(serde_json::from_str::<PatchOperation>(r#"{"op":"move"}"#).is_err());
    }

    #[test]
    fn parses_path_forms() {
        let p = PatchPath::parse("displayName").unwrap();
        assert_eq!(
            (p.attr.as_str(), p.sub_attr, p.value_filter),
            ("displayName", None, None)
        );
        let p = PatchPath::parse("name.givenName").unwrap();
        assert_eq!(
            (p.attr.as_str(), p.sub_attr.as_deref()),
            ("name", Some("givenName"))
        );
        let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.value_filter, Some(("type".into(), "work".into())));
        assert_eq!(p.sub_attr.as_deref(), Some("value"));
        let p = PatchPath::parse(r#"members[value eq "u1"]"#).unwrap();
        assert!(p.is("MEMBERS") && p.sub_attr.is_none());
        let p = PatchPath::parse(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        )
        .unwrap();
        assert!(p.is_enterprise());
        assert_eq!(
            (p.attr.as_str(), p.sub_attr.as_deref()),
            ("manager", Some("value"))
        );
        let p =
            PatchPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").unwrap();
        assert!(p.is_enterprise() && p.attr.is_empty());
        let p =
            PatchPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").unwrap();
        assert_eq!(
            (p.attr.as_str(), p.sub_attr.as_deref()),
            ("name", Some("givenName"))
        );
    }

    #[test]
    fn refuses_bad_paths() {
        for bad in [
            "",
            "a.b.c",
            "emails[type co \"w\"]",
            "emails[type eq \"w\"",
            "emails]",
            "1abc",
            "emails[type eq \"w\"]x",
            "emails[type eq \"a\" and value eq \"b\"]",
            "../../etc",
            "name.",
            "urn:ietf:params:scim:schemas:core:2.0:User:",
            "urn:unknown:thing",
        ] {
            assert!(PatchPath::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    proptest! {
        #[test]
        fn no_path_panics(s in any::<String>()) {
            let _ = PatchPath::parse(&s);
        }

        #[test]
        fn filter_values_round_trip(v in any::<String>()) {
            let path = format!("emails[{}].value", Filter::eq("type", &v));
            let p = PatchPath::parse(&path).unwrap();
            prop_assert_eq!(p.value_filter, Some(("type".to_owned(), v)));
        }
    }
}
