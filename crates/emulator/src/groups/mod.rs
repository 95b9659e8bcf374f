//! The Group operations, one module each, and what they share.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod patch;

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::{Group, Meta, rules, urn};
use serde_json::Value;

use crate::body::typed;
use crate::error::ApiError;

/// A CreateGroup body → the group (members still in it), validated.
pub fn from_body(mut v: Value, id: String) -> Result<Group, ApiError> {
    rules::canonicalize_group(&mut v);
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
    crate::resource::GROUPS.check_id(id)
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
