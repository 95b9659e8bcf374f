//! PatchGroup operations (docs/emulator.md, "PATCH"): only `displayName`, `externalId` and
//! `members` may change; at most 100 member changes per request (AWS: 400 beyond); no `replace` of
//! members and no `remove` of all members (AWS's current docs: ValidationException) — so `remove`
//! on `members` needs a non-empty value list or a `members[value eq "…"]` path; `remove` without a
//! path is "Missing path in PATCH request". A pathless replace with an object value is accepted, as
//! in AWS's rename example (which also carries the group's own `id`).

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::patch::MAX_MEMBER_CHANGES;
use aws_ilm_scim::{Op, PatchOperation, PatchPath, key};
use serde_json::{Map, Value};

use super::invalid;
use crate::error::{ApiError, printable};

/// One membership change, in request order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Add(String),
    Remove(String),
}

/// Applies `ops` to the group document `doc` (attributes) and returns the member changes to
/// make. `group_id` is the group's own id, which a pathless replace may repeat.
pub fn apply(
    doc: &mut Value,
    group_id: &str,
    ops: &[PatchOperation],
) -> Result<Vec<MemberChange>, ApiError> {
    let mut changes = Vec::new();
    for op in ops {
        match &op.path {
            None => pathless(doc, group_id, op, &mut changes)?,
            Some(p) => {
                let path = PatchPath::parse(p)?;
                if path.schema.is_some() && path.attr.is_empty() {
                    return Err(invalid("A group attribute path is required."));
                }
                one(doc, op.op, &path, op.value.as_ref(), &mut changes)?;
            }
        }
        if changes.len() > MAX_MEMBER_CHANGES {
            // AWS: PatchGroup takes at most 100 member changes per request.
            return Err(invalid(format!(
                "At most {MAX_MEMBER_CHANGES} member changes are allowed per request."
            )));
        }
    }
    Ok(changes)
}

fn pathless(
    doc: &mut Value,
    group_id: &str,
    op: &PatchOperation,
    changes: &mut Vec<MemberChange>,
) -> Result<(), ApiError> {
    let (Op::Add | Op::Replace, Some(Value::Object(m))) = (op.op, &op.value) else {
        return Err(match op.op {
            Op::Remove => invalid("Missing path in PATCH request"),
            _ => invalid("An operation without a path needs an object value."),
        });
    };
    for (k, v) in m {
        if CiStr(k) == CiStr("id") {
            if v.as_str() == Some(group_id) {
                continue;
            }
            return Err(invalid("Attribute 'id' cannot be modified."));
        }
        let path = PatchPath::parse(k)?;
        one(doc, op.op, &path, Some(v), changes)?;
    }
    Ok(())
}

fn one(
    doc: &mut Value,
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
    changes: &mut Vec<MemberChange>,
) -> Result<(), ApiError> {
    if path.is("members") {
        return members(op, path, value, changes);
    }
    let attr = if path.is("displayName") {
        "displayName"
    } else if path.is("externalId") {
        "externalId"
    } else {
        return Err(invalid(format!(
            "Attribute '{}' cannot be modified.",
            printable(&path.attr)
        )));
    };
    if path.sub_attr.is_some() || path.value_filter.is_some() {
        return Err(invalid(format!(
            "Attribute '{attr}' has no sub-attributes."
        )));
    }
    let Some(map) = doc.as_object_mut() else {
        return Err(ApiError::internal("stored group is not an object"));
    };
    match (op, value) {
        (Op::Remove, _) if attr == "displayName" => {
            Err(invalid("displayName is required and cannot be removed."))
        }
        (Op::Remove, _) => {
            map.remove(attr);
            Ok(())
        }
        (_, Some(v @ Value::String(_))) => {
            map.insert(attr.to_owned(), v.clone());
            Ok(())
        }
        (_, Some(_)) => Err(invalid(format!("Attribute '{attr}' must be a string."))),
        (_, None) => Err(invalid(format!("Operation {} needs a value.", op.as_str()))),
    }
}

fn members(
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
    changes: &mut Vec<MemberChange>,
) -> Result<(), ApiError> {
    if path.sub_attr.is_some() {
        return Err(invalid("Member sub-attributes cannot be modified."));
    }
    match (op, &path.value_filter) {
        (Op::Replace, _) => Err(invalid(
            "Replacing members is not supported; add and remove members instead.",
        )),
        (Op::Remove, Some((attr, id))) if CiStr(attr) == CiStr("value") => {
            if value.is_some_and(|v| !v.is_null()) {
                return Err(invalid("A filtered members path takes no value."));
            }
            changes.push(MemberChange::Remove(id.clone()));
            Ok(())
        }
        (_, Some(_)) => Err(invalid(
            "Only remove with members[value eq \"…\"] is supported as a filtered members path.",
        )),
        (Op::Add, None) => {
            for id in member_ids(value)? {
                changes.push(MemberChange::Add(id));
            }
            Ok(())
        }
        (Op::Remove, None) => {
            let ids = match value {
                None | Some(Value::Null) => Vec::new(),
                v => member_ids(v)?,
            };
            if ids.is_empty() {
                return Err(invalid(
                    "Removing all members is not supported; list the members to remove.",
                ));
            }
            changes.extend(ids.into_iter().map(MemberChange::Remove));
            Ok(())
        }
    }
}

/// `[{"value": "<userId>"}, …]` (a single object is taken as a list of one).
fn member_ids(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let items = match value {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ Value::Object(_)) => vec![v.clone()],
        _ => {
            return Err(invalid(
                "members must be an array of {\"value\": \"<userId>\"}.",
            ));
        }
    };
    items.iter().map(member_id).collect()
}

/// The id of one member object; `display` and unknown keys are refused, as AWS does.
pub fn member_id(item: &Value) -> Result<String, ApiError> {
    let Some(m) = item.as_object() else {
        return Err(invalid("Each member must be an object."));
    };
    check_member_keys(m)?;
    match key::get(m, "value") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(invalid("Each member needs a non-empty string 'value'.")),
    }
}

fn check_member_keys(m: &Map<String, Value>) -> Result<(), ApiError> {
    for k in m.keys() {
        if !["value", "$ref", "type"]
            .iter()
            .any(|a| CiStr(a) == CiStr(k))
        {
            return Err(invalid(format!(
                "attribute 'members.{}' is not supported",
                printable(k)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Vec<PatchOperation> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn member_changes_and_rename() {
        let mut d = json!({"displayName": "g"});
        let c = apply(
            &mut d,
            "gid",
            &ops(json!([
                {"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]},
                {"op": "remove", "path": "members[value eq \"u1\"]"},
                {"op": "REMOVE", "path": "members", "value": [{"value": "u2"}]},
                {"op": "replace", "value": {"id": "gid", "displayName": "new"}}
            ])),
        )
        .unwrap();
        assert_eq!(
            c,
            vec![
                MemberChange::Add("u1".into()),
                MemberChange::Add("u2".into()),
                MemberChange::Remove("u1".into()),
                MemberChange::Remove("u2".into()),
            ]
        );
        assert_eq!(d["displayName"], "new");
    }

    #[test]
    fn refusals() {
        let many: Vec<Value> = (0..101)
            .map(|i| json!({"value": format!("u{i}")}))
            .collect();
        for bad in [
            json!([{"op": "replace", "path": "members", "value": [{"value": "u"}]}]),
            json!([{"op": "remove", "path": "members"}]),
            json!([{"op": "remove", "path": "members", "value": []}]),
            json!([{"op": "remove"}]),
            json!([{"op": "add", "path": "members", "value": many}]),
            json!([{"op": "add", "path": "members", "value": [{"value": "u", "display": "x"}]}]),
            json!([{"op": "remove", "path": "displayName"}]),
            json!([{"op": "replace", "path": "description", "value": "x"}]),
            json!([{"op": "replace", "value": {"id": "other"}}]),
            json!([{"op": "replace", "path": "displayName", "value": 5}]),
        ] {
            let mut d = json!({"displayName": "g"});
            assert!(apply(&mut d, "gid", &ops(bad.clone())).is_err(), "{bad}");
        }
    }
}
