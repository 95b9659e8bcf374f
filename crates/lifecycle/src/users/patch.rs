//! An existing user brought to what the profile says: one PATCH (`iam-update-user`, and
//! `iam-create-user` when the user already exists).
//!
//! The PATCH carries only what the mapped profile carries and the user does not already have:
//! `replace` for attributes the user has, `add` for those it lacks (docs/commands.md, "User
//! commands"). Values equal to the current ones are left out, and when nothing differs no PATCH is
//! sent at all (one request, `success: true`, `details` = the user as it is) — a no-op write would
//! only bump `lastModified` and spend AWS's write quota. If the user is inactive, `allow-enable` is
//! true and the instance's `allow_enable` is on, `active: true` goes into the same PATCH (AWS
//! allows one operation on `active` per request, so a mapped `active` is replaced by it).
//!
//! Paths: top-level attributes by name; `name` and the enterprise extension per sub-attribute
//! (`name.givenName`, `urn:…:enterprise:2.0:User:department`), so that other sub-attributes stay;
//! the single-valued lists (`emails`, `phoneNumbers`, `addresses`, `roles`) as a whole, since
//! AWS keeps one value each.

use aws_ilm_client::PatchOp;
use aws_ilm_scim::{Op, PatchOperation, key, urn};
use serde_json::{Map, Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, classify};
use crate::mapper::Purpose;
use crate::outcome::{Outcome, VendorResult};
use crate::users::{Prepared, failed, finish, is_active, user_id};

/// PATCHes an existing user with what differs (also used by create when the user exists).
pub(crate) async fn update_existing(
    ilm: &Ilm,
    cmd: &Command,
    p: &Prepared<'_>,
    user: &Value,
) -> Result<Outcome, IlmError> {
    let wanted = p.mapped_for(ilm, Purpose::Update)?;
    let mut ops = diff(&wanted, user);
    let enable = !is_active(user) && cmd.allow_enable && ilm.settings().allow_enable;
    if enable {
        ops.retain(|o| !o.path.as_deref().is_some_and(|x| key::is(x, "active")));
        ops.push(PatchOperation::new(
            Op::Replace,
            Some("active"),
            Some(json!(true)),
        ));
    }
    let done = |u: &Value| {
        VendorResult {
            action: "update",
            ..Default::default()
        }
        .with_user(u)
    };
    if ops.is_empty() {
        tracing::debug!("nothing to change; no PATCH sent");
        return Ok(finish(ilm, done(user), p));
    }
    let id = match user_id(user) {
        Ok(id) => id,
        Err(f) => return Ok(finish(ilm, failed("update", f), p)),
    };
    let result = match ilm.client().patch_user(&id, &PatchOp::new(ops)).await {
        Ok(updated) => done(&updated),
        Err(e) => failed("update", classify(e)?),
    };
    Ok(finish(ilm, result, p))
}

/// The operations that make `current` carry what `mapped` carries.
pub fn diff(mapped: &Map<String, Value>, current: &Value) -> Vec<PatchOperation> {
    let mut ops = Vec::new();
    for (path, want) in paths(mapped) {
        let have = value_at(current, &path);
        let op = match have {
            Some(h) if same(h, want) => continue,
            Some(Value::Null) | None => Op::Add,
            Some(_) => Op::Replace,
        };
        ops.push(PatchOperation::new(op, Some(&path), Some(want.clone())));
    }
    ops
}

/// The PATCH paths of a mapped user with their values, in the document's order (see the module
/// doc for the path rules; reconcile compares users path by path with the same rules).
pub fn paths(mapped: &Map<String, Value>) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (key, want) in mapped {
        if key == "schemas" {
            continue;
        }
        match want {
            Value::Object(subs) if is_split(key) => {
                let sep = separator(key);
                for (sub, sub_want) in subs {
                    out.push((format!("{key}{sep}{sub}"), sub_want));
                }
            }
            _ => out.push((key.clone(), want)),
        }
    }
    out
}

/// The value a user has at a path of [`paths`].
pub fn value_at<'a>(user: &'a Value, path: &str) -> Option<&'a Value> {
    for key in ["name", urn::ENTERPRISE_USER] {
        if let Some(sub) = path
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(separator(key)))
        {
            return key::get_in(user, key).and_then(|h| key::get_in(h, sub));
        }
    }
    key::get_in(user, path)
}

/// `name` and the enterprise extension are compared and patched per sub-attribute.
fn is_split(key: &str) -> bool {
    key == "name" || key == urn::ENTERPRISE_USER
}

fn separator(key: &str) -> char {
    if key == "name" { '.' } else { ':' }
}

/// Equal as far as the mapped value says: every key it sets has the same value in `have`
/// (AWS may echo extra sub-attributes, such as a `type` we did not send).
pub fn same(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| same(hv, wv))),
        (Value::Array(h), Value::Array(w)) => {
            h.len() == w.len() && h.iter().zip(w).all(|(hv, wv)| same(hv, wv))
        }
        _ => have == want,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_what_exists_adds_what_does_not_skips_what_is_equal() {
        let current = json!({
            "userName": "ada", "displayName": "Ada", "name": {"givenName": "Ada", "familyName": "L"},
            "emails": [{"value": "a@x", "type": "work", "primary": true}],
            urn::ENTERPRISE_USER: {"department": "R&D"}
        });
        let mapped = json!({
            "schemas": [urn::USER], "userName": "ada", "displayName": "Ada Lovelace", "title": "CEO",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x", "primary": true}],
            urn::ENTERPRISE_USER: {"department": "R&D", "costCenter": "42"}
        });
        let ops = diff(mapped.as_object().unwrap(), &current);
        let got: Vec<(&str, &str)> = ops
            .iter()
            .map(|o| (o.op.as_str(), o.path.as_deref().unwrap()))
            .collect();
        let ent_cc = format!("{}:costCenter", urn::ENTERPRISE_USER);
        // In the mapped profile's order.
        assert_eq!(
            got,
            [
                ("replace", "displayName"),
                ("add", "title"),
                ("replace", "name.familyName"),
                ("add", ent_cc.as_str()),
            ]
        );
        // Every path is one AWS accepts.
        for o in &ops {
            aws_ilm_scim::PatchPath::parse(o.path.as_deref().unwrap()).unwrap();
        }
    }
}
