//! PatchUser operations applied to the user's JSON document.
//!
//! AWS constraints (docs/schema.md, docs/emulator.md): `op` add/replace/remove; `path` required for remove ("Missing
//! path in PATCH request"); `value` required for add and replace; only the modifiable attributes
//! (`roles`, `id`, `meta`, `groups` are not); no remove of `userName` or `active`; at most one
//! operation on each of `userName` and `active`; `"true"`/`"false"` strings for `active` are
//! coerced to booleans (AWS's own example sends `"false"`).
//!
//! Decisions where AWS is silent (docs/emulator.md): a pathless add/replace with an object value
//! is accepted (RFC 7644 §3.5.2.3; Okta sends it); add on a single-valued attribute replaces it;
//! add on a multi-valued attribute appends (so a second email is AWS's 400 "exceeds allowed limit
//! of 1") unless an element with the same `value` exists, which is then updated; a filtered path
//! (`emails[type eq "work"].value`) that matches nothing creates the element on add/replace (what
//! Entra ID relies on), and an email that becomes the only one is primary; a sub-attribute path
//! on a multi-valued attribute without a filter applies to every element.

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::schema::{self, Attribute};
use aws_ilm_scim::{Op, PatchOperation, PatchPath, key, urn};
use serde_json::{Map, Value};

use super::invalid;
use crate::error::ApiError;

/// A core User attribute PatchUser may change (docs/schema.md: AWS's modifiable list, which
/// leaves out `roles`, `id`, `meta` and `groups`), in its canonical spelling.
fn modifiable(name: &str) -> Option<&'static Attribute> {
    schema::USER.attribute(name).filter(|a| a.patchable)
}

/// Applies `ops` in order to `doc` (a stored user). Nothing is stored if any op fails.
pub fn apply(doc: &mut Value, ops: &[PatchOperation]) -> Result<(), ApiError> {
    let mut user_name_ops = 0;
    let mut active_ops = 0;
    for op in ops {
        let targets = targets_of(op)?;
        for (attr, _) in &targets {
            match attr.as_str() {
                "userName" => user_name_ops += 1,
                "active" => active_ops += 1,
                _ => {}
            }
        }
        if user_name_ops > 1 || active_ops > 1 {
            return Err(invalid(
                "At most one operation on userName and one on active are allowed per request.",
            ));
        }
        match &op.path {
            None => apply_pathless(doc, op)?,
            Some(p) => apply_path(doc, op.op, &PatchPath::parse(p)?, op.value.clone())?,
        }
    }
    Ok(())
}

/// The top-level attributes an operation touches, canonical spelling, checked as modifiable.
fn targets_of(op: &PatchOperation) -> Result<Vec<(String, ())>, ApiError> {
    let names: Vec<String> = match &op.path {
        Some(p) => {
            let path = PatchPath::parse(p)?;
            if path.is_enterprise() {
                vec![urn::ENTERPRISE_USER.to_owned()]
            } else {
                vec![path.attr]
            }
        }
        None => match (&op.op, &op.value) {
            (Op::Remove, _) => return Err(invalid("Missing path in PATCH request")),
            (_, Some(Value::Object(m))) => m.keys().cloned().collect(),
            _ => {
                return Err(invalid(
                    "An operation without a path needs an object value.",
                ));
            }
        },
    };
    names
        .into_iter()
        .map(|n| {
            if CiStr(&n) == CiStr(urn::ENTERPRISE_USER) {
                return Ok((urn::ENTERPRISE_USER.to_owned(), ()));
            }
            match modifiable(&n).map(|a| a.name) {
                Some(m) => {
                    if op.op == Op::Remove && matches!(m, "userName" | "active") {
                        return Err(invalid(format!("{m} cannot be removed.")));
                    }
                    Ok((m.to_owned(), ()))
                }
                None => Err(invalid(format!(
                    "Attribute '{}' cannot be modified.",
                    crate::error::printable(&n)
                ))),
            }
        })
        .collect()
}

fn apply_pathless(doc: &mut Value, op: &PatchOperation) -> Result<(), ApiError> {
    let Some(Value::Object(m)) = &op.value else {
        return Err(invalid(
            "An operation without a path needs an object value.",
        ));
    };
    for (k, v) in m {
        let path = PatchPath::parse(k)?;
        apply_path(doc, op.op, &path, Some(v.clone()))?;
    }
    Ok(())
}

fn root(doc: &mut Value) -> Result<&mut Map<String, Value>, ApiError> {
    doc.as_object_mut()
        .ok_or_else(|| ApiError::internal("stored user is not an object"))
}

fn apply_path(
    doc: &mut Value,
    op: Op,
    path: &PatchPath,
    value: Option<Value>,
) -> Result<(), ApiError> {
    if op != Op::Remove && value.is_none() {
        return Err(invalid(format!("Operation {} needs a value.", op.as_str())));
    }
    let value = value.map(coerce_active(path));
    let root = root(doc)?;
    if path.is_enterprise() {
        let ext = root
            .entry(urn::ENTERPRISE_USER)
            .or_insert_with(|| Value::Object(Map::new()));
        if !ext.is_object() {
            *ext = Value::Object(Map::new());
        }
        if path.attr.is_empty() {
            return match (op, value) {
                (Op::Remove, _) => {
                    root.remove(urn::ENTERPRISE_USER);
                    Ok(())
                }
                (_, Some(Value::Object(m))) => {
                    merge(ext, m);
                    Ok(())
                }
                _ => Err(invalid(
                    "The enterprise extension must be set to an object.",
                )),
            };
        }
        return set_in(ext, op, path, value);
    }
    let attr = modifiable(&path.attr)
        .ok_or_else(|| invalid(format!("Attribute '{}' cannot be modified.", path.attr)))?;
    let canonical = PatchPath {
        attr: attr.name.to_owned(),
        ..path.clone()
    };
    if attr.multi_valued {
        return multi(root, op, &canonical, value);
    }
    let mut holder = Value::Object(std::mem::take(root));
    let out = set_in(&mut holder, op, &canonical, value);
    if let Value::Object(m) = holder {
        *root = m;
    }
    out
}

/// `"true"`/`"false"` (any case) → booleans, for `active` only.
fn coerce_active(path: &PatchPath) -> impl Fn(Value) -> Value + '_ {
    move |v| match v {
        Value::String(s) if path.is("active") && path.sub_attr.is_none() => {
            match s.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(s),
            }
        }
        Value::Object(mut m) => {
            if let Some((k, Value::String(s))) =
                key::entry(&m, "active").map(|(k, v)| (k.clone(), v.clone()))
            {
                match s.to_ascii_lowercase().as_str() {
                    "true" => m.insert(k, Value::Bool(true)),
                    "false" => m.insert(k, Value::Bool(false)),
                    _ => None,
                };
            }
            Value::Object(m)
        }
        other => other,
    }
}

/// Sets or removes a single-valued attribute or complex sub-attribute inside `obj`.
fn set_in(obj: &mut Value, op: Op, path: &PatchPath, value: Option<Value>) -> Result<(), ApiError> {
    if path.value_filter.is_some() {
        return Err(invalid(format!(
            "Attribute '{}' is not multi-valued; a value filter does not apply.",
            path.attr
        )));
    }
    let Some(map) = obj.as_object_mut() else {
        return Err(ApiError::internal("patch target is not an object"));
    };
    let key = key::spelling(map, &path.attr)
        .cloned()
        .unwrap_or_else(|| path.attr.clone());
    match (&path.sub_attr, op, value) {
        (None, Op::Remove, _) => {
            map.remove(&key);
        }
        (None, _, Some(Value::Object(m))) if map.get(&key).is_some_and(Value::is_object) => {
            // RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged.
            if let Some(target) = map.get_mut(&key) {
                merge(target, m);
            }
        }
        (None, _, Some(v)) => {
            map.insert(key, v);
        }
        (Some(sub), op, value) => {
            let target = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !target.is_object() {
                return Err(invalid(format!(
                    "Attribute '{}' has no sub-attributes.",
                    path.attr
                )));
            }
            let inner = PatchPath {
                schema: None,
                attr: sub.clone(),
                value_filter: None,
                sub_attr: None,
            };
            return set_in(target, op, &inner, value);
        }
        (None, _, None) => {}
    }
    Ok(())
}

/// Merges the keys of `from` into the object `into` (case-insensitive key match).
fn merge(into: &mut Value, from: Map<String, Value>) {
    let Some(map) = into.as_object_mut() else {
        *into = Value::Object(from);
        return;
    };
    for (k, v) in from {
        let key = key::spelling(map, &k).cloned().unwrap_or(k);
        map.insert(key, v);
    }
}

fn matches(item: &Value, (attr, want): &(String, String)) -> bool {
    item.as_object()
        .and_then(|m| key::get(m, attr))
        .is_some_and(|v| match v {
            Value::String(s) => CiStr(s) == CiStr(want),
            Value::Bool(b) => b.to_string() == want.to_ascii_lowercase(),
            _ => false,
        })
}

/// The multi-valued attributes PatchUser may change: emails, addresses, phoneNumbers.
fn multi(
    root: &mut Map<String, Value>,
    op: Op,
    path: &PatchPath,
    value: Option<Value>,
) -> Result<(), ApiError> {
    let attr = path.attr.as_str();
    let mut items = match root.remove(attr) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(other) => vec![other],
    };
    let selected: Vec<usize> = match &path.value_filter {
        Some(f) => (0..items.len())
            .filter(|&i| matches(&items[i], f))
            .collect(),
        None => (0..items.len()).collect(),
    };
    match (&path.value_filter, &path.sub_attr, op) {
        // The whole attribute.
        (None, None, Op::Remove) => items.clear(),
        (None, None, Op::Replace) => items = as_items(attr, value)?,
        (None, None, Op::Add) => {
            for new in as_items(attr, value)? {
                let same = new.get("value").and_then(Value::as_str).and_then(|nv| {
                    items.iter().position(|i| {
                        i.get("value")
                            .and_then(Value::as_str)
                            .is_some_and(|v| CiStr(v) == CiStr(nv))
                    })
                });
                match (same, new) {
                    (Some(i), Value::Object(m)) => merge(&mut items[i], m),
                    (_, new) => items.push(new),
                }
            }
        }
        // Matching elements as a whole.
        (Some(_), None, Op::Remove) => {
            let mut i = 0;
            items.retain(|_| {
                let keep = !selected.contains(&i);
                i += 1;
                keep
            });
        }
        (Some(f), None, _) => {
            let Some(Value::Object(m)) = value else {
                return Err(invalid(format!(
                    "A filtered {attr} path needs an object value."
                )));
            };
            if selected.is_empty() {
                let mut new = Map::new();
                new.insert(f.0.clone(), Value::String(f.1.clone()));
                let mut new = Value::Object(new);
                merge(&mut new, m);
                items.push(new);
            } else {
                for &i in &selected {
                    merge(&mut items[i], m.clone());
                }
            }
        }
        // A sub-attribute of matching (or all) elements.
        (filter, Some(sub), op) => {
            if selected.is_empty() && op != Op::Remove {
                let mut new = Map::new();
                if let Some((fa, fv)) = filter {
                    new.insert(fa.clone(), Value::String(fv.clone()));
                }
                items.push(Value::Object(new));
                let last = items.len() - 1;
                set_sub(&mut items[last], sub, op, value)?;
            } else {
                for &i in &selected {
                    set_sub(&mut items[i], sub, op, value.clone())?;
                }
            }
        }
    }
    // One email is by definition the primary one.
    if attr == "emails"
        && items.len() == 1
        && let Some(m) = items[0].as_object_mut()
        && key::get(m, "primary").is_none()
    {
        m.insert("primary".into(), Value::Bool(true));
    }
    if !items.is_empty() {
        root.insert(attr.to_owned(), Value::Array(items));
    }
    Ok(())
}

fn set_sub(item: &mut Value, sub: &str, op: Op, value: Option<Value>) -> Result<(), ApiError> {
    let Some(m) = item.as_object_mut() else {
        return Err(invalid("A multi-valued element is not an object."));
    };
    let key = key::spelling(m, sub)
        .cloned()
        .unwrap_or_else(|| sub.to_owned());
    match (op, value) {
        (Op::Remove, _) => {
            m.remove(&key);
        }
        (_, Some(v)) => {
            m.insert(key, v);
        }
        (_, None) => {}
    }
    Ok(())
}

fn as_items(attr: &str, value: Option<Value>) -> Result<Vec<Value>, ApiError> {
    match value {
        Some(Value::Array(a)) => Ok(a),
        Some(v @ Value::Object(_)) => Ok(vec![v]),
        _ => Err(invalid(format!("{attr} must be an array of objects."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Vec<PatchOperation> {
        serde_json::from_value(v).unwrap()
    }

    fn ada() -> Value {
        json!({"userName": "ada", "active": true, "displayName": "Ada",
               "name": {"givenName": "Ada", "familyName": "L"},
               "emails": [{"value": "a@x", "type": "work", "primary": true}]})
    }

    #[test]
    fn replace_paths() {
        let mut d = ada();
        apply(&mut d, &ops(json!([
            {"op": "replace", "path": "displayName", "value": "Ada L."},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@x"},
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "add", "path": "name.middleName", "value": "K"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"}
        ]))).unwrap();
        assert_eq!(d["displayName"], "Ada L.");
        assert_eq!(
            d["emails"],
            json!([{"value": "new@x", "type": "work", "primary": true}])
        );
        assert_eq!(d["active"], false);
        assert_eq!(d["name"]["middleName"], "K");
        assert_eq!(d["name"]["givenName"], "Ada");
        assert_eq!(d[urn::ENTERPRISE_USER]["department"], "R&D");
    }

    #[test]
    fn pathless_replace_merges() {
        let mut d = ada();
        apply(&mut d, &ops(json!([{"op": "replace", "value": {"active": "true", "title": "Eng", "name": {"familyName": "K"}}}]))).unwrap();
        assert_eq!(d["active"], true);
        assert_eq!(d["title"], "Eng");
        assert_eq!(d["name"], json!({"givenName": "Ada", "familyName": "K"}));
    }

    #[test]
    fn refusals() {
        for bad in [
            json!([{"op": "remove"}]),
            json!([{"op": "remove", "path": "userName"}]),
            json!([{"op": "remove", "path": "active"}]),
            json!([{"op": "replace", "path": "roles", "value": []}]),
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            json!([{"op": "add", "path": "groups", "value": []}]),
            json!([{"op": "replace", "path": "title"}]),
            json!([{"op": "replace", "path": "active", "value": true}, {"op": "replace", "path": "active", "value": false}]),
            json!([{"op": "replace", "path": "displayName[value eq \"x\"]", "value": "y"}]),
        ] {
            let mut d = ada();
            assert!(apply(&mut d, &ops(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn add_email_appends() {
        let mut d = ada();
        apply(
            &mut d,
            &ops(json!([{"op": "add", "path": "emails", "value": [{"value": "b@x"}]}])),
        )
        .unwrap();
        assert_eq!(d["emails"].as_array().unwrap().len(), 2);
        let mut d = ada();
        apply(&mut d, &ops(json!([{"op": "add", "path": "emails", "value": [{"value": "A@x", "type": "home"}]}]))).unwrap();
        assert_eq!(d["emails"].as_array().unwrap().len(), 1);
        let mut d = ada();
        apply(
            &mut d,
            &ops(json!([{"op": "remove", "path": "emails[type eq \"work\"]"}])),
        )
        .unwrap();
        assert!(d.get("emails").is_none());
    }
}
