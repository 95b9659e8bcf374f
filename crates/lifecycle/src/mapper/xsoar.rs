//! Import of Cortex XSOAR mapper exports (the "classifier/mapper" JSON), so users bring the
//! mappers they already run with the seed.
//!
//! The export looks like
//! `{"type": "mapping-outgoing", "mapping": {"User Profile": {"internalMapping": {"<target>": {…}}}}}`
//! where each entry is `{"simple": "<source path>"}` or
//! `{"complex": {"root": "<source>", "accessor": "<sub path>", "filters": [], "transformers": [...]}}`.
//! Supported transformers: `concat` (prefix/suffix, literal or `isContext` field values) and
//! `ParseJSON` — the pair XSOAR's ILM mappers use to build `emails` — plus `toLowerCase`,
//! `toUpperCase` and `Trim`. Anything else (and any filter) is a clear error naming the operator
//! and the target, never a silently different mapping.
//!
//! Which mapping type is used: the only one, else `User Profile` (the type ILM mappers map).

use serde_json::{Map, Value};

use super::MapError;
use super::rules::{Direction, Part, Rule, RuleSet, Source, Transform, source_path};
use crate::profile::json_kind;

/// The XSOAR type ILM mappers are written for.
const USER_PROFILE_TYPE: &str = "User Profile";

/// Whether a decoded document is an XSOAR mapper export.
pub fn is_xsoar(doc: &Value) -> bool {
    doc.get("mapping").is_some_and(Value::is_object)
}

/// Converts an XSOAR mapper export into rules.
pub fn import(doc: &Value, origin: &str, wanted: Direction) -> Result<RuleSet, MapError> {
    let err = |reason: String| MapError::Xsoar {
        origin: origin.to_owned(),
        reason,
    };
    if let Some(kind) = doc.get("type").and_then(Value::as_str) {
        let found = match kind {
            "mapping-outgoing" => Some(Direction::Outgoing),
            "mapping-incoming" => Some(Direction::Incoming),
            _ => None,
        };
        if let Some(found) = found
            && found != wanted
        {
            return Err(MapError::Direction {
                origin: origin.to_owned(),
                found: found.as_str(),
                wanted: wanted.as_str(),
            });
        }
    }
    let types = doc
        .get("mapping")
        .and_then(Value::as_object)
        .ok_or_else(|| err("no `mapping` object".into()))?;
    let (_, chosen) = match types.len() {
        1 => types.iter().next(),
        _ => types.iter().find(|(k, _)| k.as_str() == USER_PROFILE_TYPE),
    }
    .ok_or_else(|| {
        err(format!(
            "it maps the types {:?}; aws-ilm reads the single type or '{USER_PROFILE_TYPE}'",
            types.keys().collect::<Vec<_>>()
        ))
    })?;
    let internal = chosen
        .get("internalMapping")
        .and_then(Value::as_object)
        .ok_or_else(|| err("the mapping type has no `internalMapping` object".into()))?;
    let mut rules = Vec::with_capacity(internal.len());
    for (target, entry) in internal {
        if let Some(rule) = import_entry(target, entry)? {
            rules.push(rule);
        }
    }
    Ok(RuleSet {
        direction: wanted,
        rules,
        origin: origin.to_owned(),
    })
}

fn import_entry(target: &str, entry: &Value) -> Result<Option<Rule>, MapError> {
    let bad = |reason: String| MapError::Rule {
        target: target.to_owned(),
        reason,
    };
    let complex = entry.get("complex").filter(|c| !c.is_null());
    if let Some(c) = complex {
        let c = c
            .as_object()
            .ok_or_else(|| bad(format!("`complex` must be an object, not {}", json_kind(c))))?;
        let root = c.get("root").and_then(Value::as_str).unwrap_or("");
        let accessor = c.get("accessor").and_then(Value::as_str).unwrap_or("");
        if root.is_empty() {
            return Err(bad("`complex` has no `root`".into()));
        }
        let source = if accessor.is_empty() {
            root.to_owned()
        } else {
            format!("{root}.{accessor}")
        };
        if c.get("filters")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            return Err(bad(
                "XSOAR filters are not supported; remove them or write an aws-ilm mapping file"
                    .into(),
            ));
        }
        let mut transforms = Vec::new();
        for t in c
            .get("transformers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            transforms.push(transformer(target, t)?);
        }
        return Rule::new(target, source_path(target, &source)?, transforms).map(Some);
    }
    match entry.get("simple") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Rule::new(target, source_path(target, s)?, Vec::new()).map(Some)
        }
        // An entry with an empty `simple` and no `complex` maps nothing (XSOAR leaves such
        // placeholders in exports).
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
        Some(other) => Err(bad(format!(
            "`simple` must be a string, not {}",
            json_kind(other)
        ))),
    }
}

fn transformer(target: &str, t: &Value) -> Result<Transform, MapError> {
    let operator = t.get("operator").and_then(Value::as_str).unwrap_or("");
    let args = t.get("args").and_then(Value::as_object);
    match operator {
        "concat" => Ok(Transform::Concat {
            prefix: concat_part(target, args, "prefix")?,
            suffix: concat_part(target, args, "suffix")?,
        }),
        "ParseJSON" => Ok(Transform::ParseJson),
        "toLowerCase" => Ok(Transform::Lowercase),
        "toUpperCase" => Ok(Transform::Uppercase),
        "Trim" => Ok(Transform::Trim),
        other => Err(MapError::UnknownOperator {
            target: target.to_owned(),
            operator: other.to_owned(),
        }),
    }
}

/// A concat argument: a plain string, or XSOAR's `{"value": {"simple": "…"}, "isContext": bool}`
/// where `isContext: true` means "the value of that field".
fn concat_part(
    target: &str,
    args: Option<&Map<String, Value>>,
    name: &str,
) -> Result<Option<Part>, MapError> {
    let Some(arg) = args.and_then(|a| a.get(name)) else {
        return Ok(None);
    };
    match arg {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Part::Text(s.clone()))),
        Value::Object(o) => {
            let text = o
                .get("value")
                .and_then(|v| v.get("simple"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let is_context = o.get("isContext").and_then(Value::as_bool).unwrap_or(false);
            if is_context {
                match source_path(target, text)? {
                    Source::Field(p) => Ok(Some(Part::Field(p))),
                    Source::Constant(_) => Ok(None),
                }
            } else {
                Ok(Some(Part::Text(text.to_owned())))
            }
        }
        other => Err(MapError::Rule {
            target: target.to_owned(),
            reason: format!(
                "concat `{name}` must be a string or an object, not {}",
                json_kind(other)
            ),
        }),
    }
}
