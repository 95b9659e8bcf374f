//! The Group operations, one module each, and what they share.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod patch;

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::{Group, Meta, rules, urn};
use serde_json::{Map, Value};

use crate::body::typed;
use crate::error::ApiError;

const TOP: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "meta",
    "displayName",
    "members",
];
const MEMBER: &[&str] = &["value", "$ref", "type"];

fn canon_keys(v: &mut Value, known: &[&str]) {
    let Some(map) = v.as_object_mut() else {
        return;
    };
    let renamed: Map<String, Value> = std::mem::take(map)
        .into_iter()
        .map(
            |(k, v)| match known.iter().find(|n| CiStr(n) == CiStr(&k)) {
                Some(n) => ((*n).to_owned(), v),
                None => (k, v),
            },
        )
        .collect();
    *map = renamed;
}

/// Attribute names to their canonical spelling (RFC 7643 §2.1: names are case-insensitive).
pub fn canonicalize(v: &mut Value) {
    canon_keys(v, TOP);
    if let Some(Value::Array(items)) = v.get_mut("members") {
        items.iter_mut().for_each(|i| canon_keys(i, MEMBER));
    }
}

/// A CreateGroup body → the group (members still in it), validated.
pub fn from_body(mut v: Value, id: String) -> Result<Group, ApiError> {
    canonicalize(&mut v);
    rules::check_group_keys(&v)?;
    if let Some(s) = v.get("schemas").filter(|s| !s.is_null()) {
        let list: Vec<String> = typed(s.clone())?;
        if list.len() != 1 || CiStr(&list[0]) != CiStr(urn::GROUP) {
            return Err(crate::patch::invalid(format!(
                "schemas must be [\"{}\"].",
                urn::GROUP
            )));
        }
    }
    let g: Group = typed(v)?;
    finish(g, id, None)
}

/// Validates and sets id, meta and schemas.
pub fn finish(mut g: Group, id: String, created: Option<String>) -> Result<Group, ApiError> {
    rules::validate_group(&g)?;
    let now = crate::clock::meta_now();
    g.id = Some(id);
    g.meta = Some(Meta {
        resource_type: "Group".to_owned(),
        created: created.unwrap_or_else(|| now.clone()),
        last_modified: now,
    });
    g.schemas = vec![urn::GROUP.to_owned()];
    Ok(g)
}

/// A stored group as group reads answer it: AWS never returns members, only an empty list.
pub fn with_empty_members(body: String) -> String {
    match body.strip_suffix('}') {
        Some(head) if head.trim_end().ends_with('{') => format!("{head}\"members\":[]}}"),
        Some(head) => format!("{head},\"members\":[]}}"),
        None => body,
    }
}

pub fn check_id(id: &str) -> Result<(), ApiError> {
    if crate::ids::is_valid(id) {
        Ok(())
    } else {
        Err(ApiError::group_not_found(id))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_members_are_appended() {
        assert_eq!(
            super::with_empty_members("{\"id\":\"g\"}".into()),
            "{\"id\":\"g\",\"members\":[]}"
        );
        assert_eq!(super::with_empty_members("{}".into()), "{\"members\":[]}");
    }
}
