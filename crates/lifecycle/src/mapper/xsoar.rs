//! Import of Cortex XSOAR mapper exports (the "classifier/mapper" JSON), so users bring the
//! mappers they already run with the seed (docs/mappers.md, "XSOAR mapper exports").
//!
//! The export looks like
//! `{"type": "mapping-outgoing", "mapping": {"<type>": {"internalMapping": {"<target>": {…}}}}}`
//! where each entry is `{"simple": "<source path>"}` or
//! `{"complex": {"root": "<source>", "accessor": "<sub path>", "filters": [], "transformers": [...]}}`.
//! A `root` holding `${field}` is built text; so is a concat argument's literal holding one.
//! Supported transformers: `concat` (prefix/suffix, literal or `isContext` field values) and
//! `ParseJSON` — the pair XSOAR's ILM mappers use to build `emails`, `name` and the enterprise
//! block — plus `toLowerCase`, `toUpperCase` and `Trim`. Anything else (and any filter) is a
//! clear error naming the operator and the target, never a silently different mapping.
//!
//! Which mapping types are used: an outgoing mapper's "User Profile - Create" for creation and
//! "User Profile - Update" for updates, as the seed's ILM commands ask for them; failing those,
//! "User Profile", failing that the only type. An incoming mapper's "User Profile", else its
//! only type.

use aws_ilm_scim::key;
use serde_json::{Map, Value};

use super::MapError;
use super::path::FieldPath;
use super::rules::{Direction, Rule, RuleSet, Source, Step, Transform, source_path};
use super::template::Template;
use crate::json::json_kind;

/// The XSOAR type ILM mappers are written for.
const USER_PROFILE_TYPE: &str = "User Profile";
/// The types the seed's ILM commands map a profile with for a creation and an update.
const CREATE_TYPE: &str = "User Profile - Create";
const UPDATE_TYPE: &str = "User Profile - Update";

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
    let pick = |preferred: &[&str]| -> Result<(&String, &Value), MapError> {
        preferred
            .iter()
            .find_map(|name| types.iter().find(|(k, _)| key::is(k.trim(), name)))
            .or_else(|| (types.len() == 1).then(|| types.iter().next()).flatten())
            .ok_or_else(|| {
                err(format!(
                    "it maps the types {:?}; aws-ilm reads {} or a single type",
                    types.keys().collect::<Vec<_>>(),
                    preferred
                        .iter()
                        .map(|t| format!("'{t}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    };
    let rules_of = |(name, mapping): (&String, &Value)| -> Result<Vec<Rule>, MapError> {
        let internal = mapping
            .get("internalMapping")
            .and_then(Value::as_object)
            .ok_or_else(|| err(format!("the type '{name}' has no `internalMapping` object")))?;
        let mut rules = Vec::with_capacity(internal.len());
        for (target, entry) in internal {
            if let Some(rule) = import_entry(target, entry)? {
                rules.push(rule);
            }
        }
        Ok(rules)
    };
    let mut set = RuleSet::new(wanted, Vec::new(), origin);
    match wanted {
        Direction::Incoming => set.rules = rules_of(pick(&[USER_PROFILE_TYPE])?)?,
        Direction::Outgoing => {
            let create = pick(&[CREATE_TYPE, USER_PROFILE_TYPE])?;
            let update = pick(&[UPDATE_TYPE, USER_PROFILE_TYPE])?;
            set.rules = rules_of(create)?;
            if update.0 != create.0 {
                set.update_rules = Some(rules_of(update)?);
            }
        }
    }
    Ok(set)
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
        let text = |key: &str| match c.get(key) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s.trim()),
            Some(other) => Err(bad(format!(
                "`complex.{key}` must be a string, not {}",
                json_kind(other)
            ))),
        };
        let (root, accessor) = (text("root")?, text("accessor")?);
        if root.is_empty() {
            return Err(bad("`complex` has no `root`".into()));
        }
        if c.get("filters")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            return Err(bad(
                "XSOAR filters are not supported; remove them or write an aws-ilm mapping file"
                    .into(),
            ));
        }
        let source = if root.contains("${") {
            if !accessor.is_empty() {
                return Err(bad(format!(
                    "an `accessor` ('{accessor}') on a built root ('{root}') is not supported"
                )));
            }
            let t = Template::parse(root).map_err(|e| bad(format!("root: {e}")))?;
            Source::Template(t)
        } else if accessor.is_empty() {
            source_path(target, root)?
        } else {
            source_path(target, &format!("{root}.{accessor}"))?
        };
        let mut steps = Vec::new();
        for t in c
            .get("transformers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            steps.push(transformer(target, t)?);
        }
        return Rule::compile(target, source, steps).map(Some);
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

fn transformer(target: &str, t: &Value) -> Result<Step, MapError> {
    let operator = t.get("operator").and_then(Value::as_str).unwrap_or("");
    let args = t.get("args").and_then(Value::as_object);
    let step = |t: Transform| Ok(Step::Transform(t));
    match operator {
        "concat" => Ok(Step::Concat {
            prefix: concat_part(target, args, "prefix")?,
            suffix: concat_part(target, args, "suffix")?,
        }),
        "ParseJSON" => step(Transform::ParseJson),
        "toLowerCase" => step(Transform::Lowercase),
        "toUpperCase" => step(Transform::Uppercase),
        "Trim" => step(Transform::Trim),
        other => Err(MapError::UnknownOperator {
            target: target.to_owned(),
            operator: other.to_owned(),
        }),
    }
}

/// A concat argument: a plain string, or XSOAR's `{"value": {"simple": "…"}, "isContext": bool}`
/// where `isContext: true` means "the value of that field" and otherwise the text is literal
/// (with `${field}` standing for a field's value). A `value.complex` is an XSOAR expression
/// aws-ilm does not evaluate: refused.
fn concat_part(
    target: &str,
    args: Option<&Map<String, Value>>,
    name: &str,
) -> Result<Option<Template>, MapError> {
    let bad = |reason: String| MapError::Rule {
        target: target.to_owned(),
        reason: format!("concat `{name}`: {reason}"),
    };
    let Some(arg) = args.and_then(|a| a.get(name)) else {
        return Ok(None);
    };
    let (text, is_context) = match arg {
        Value::Null => return Ok(None),
        Value::String(s) => (s.as_str(), false),
        Value::Object(o) => {
            let is_context = o.get("isContext").and_then(Value::as_bool).unwrap_or(false);
            let value = match o.get("value") {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Object(v)) => v,
                Some(other) => {
                    return Err(bad(format!(
                        "`value` must be an object, not {}",
                        json_kind(other)
                    )));
                }
            };
            if value.get("complex").is_some_and(|c| !c.is_null()) {
                return Err(bad(
                    "a `complex` value is an XSOAR expression aws-ilm does not evaluate; use \
                     `simple` with a literal or a field (`isContext: true`)"
                        .into(),
                ));
            }
            match value.get("simple") {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::String(s)) => (s.as_str(), is_context),
                Some(other) => {
                    return Err(bad(format!(
                        "`simple` must be a string, not {}",
                        json_kind(other)
                    )));
                }
            }
        }
        other => {
            return Err(bad(format!(
                "must be a string or an object, not {}",
                json_kind(other)
            )));
        }
    };
    if is_context {
        let path = FieldPath::parse(text).map_err(|e| bad(e.to_string()))?;
        return Ok(Some(Template::field(path, Vec::new())));
    }
    Template::parse(text)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}
