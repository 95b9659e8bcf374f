//! The rule engine every mapper runs on.
//!
//! A mapper is a list of rules `target ← source`, each with optional transformations. Outgoing
//! (profile → AWS): the target is a SCIM attribute path ([`super::path`]) and the source a
//! profile field. Incoming (AWS → profile): the target is a profile field name, written as is
//! (`"Given Name"`), and the source a SCIM attribute path. Files of either format
//! ([`super::file`], [`super::xsoar`]) and the built-in mappers ([`super::builtin`]) all become
//! [`RuleSet`]s.
//!
//! A rule whose source is absent or empty writes nothing — transformations never turn "absent"
//! into a value, so a missing field can never become an empty string or a `[{"value": ""}]`
//! sent to AWS.
//!
//! Concatenations are compiled when the mapper is loaded ([`Rule::compile`]): the source and its
//! concats become one [`Template`], and a ParseJSON right after them a [`Shape`]
//! ([`super::template`]), so field values are never spliced into JSON text.

use crate::table::is_empty;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::MapError;
use super::path::FieldPath;
use super::template::{Part, Shape, Template};

/// Which way a mapper maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// User profile → AWS SCIM user (`mapper_out`).
    Outgoing,
    /// AWS SCIM user → user profile (`mapper_in`).
    Incoming,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
        }
    }
}

/// Where a rule's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Field(FieldPath),
    Constant(Value),
    /// Text from literals and fields (a source with its concatenations).
    Template(Template),
    /// JSON from a template (concatenations followed by ParseJSON).
    Json(Shape),
}

/// A transformation of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    Trim,
    Lowercase,
    Uppercase,
    ParseJson,
    /// Numbers and booleans become their text (`42` → `"42"`); SCIM string attributes need it.
    Text,
}

impl Transform {
    fn name(&self) -> &'static str {
        match self {
            Transform::Trim => "trim",
            Transform::Lowercase => "lowercase",
            Transform::Uppercase => "uppercase",
            Transform::ParseJson => "parse_json",
            Transform::Text => "text",
        }
    }
}

/// A step of a rule as a file writes it: a transformation, or a concatenation around the value.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Transform(Transform),
    Concat {
        prefix: Option<Template>,
        suffix: Option<Template>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// As written; incoming targets are used verbatim as profile keys.
    pub target: String,
    pub target_path: FieldPath,
    pub source: Source,
    /// Applied to the source's value, in order.
    pub transforms: Vec<Transform>,
}

/// A mapper loaded from a file (or built in): rules plus the direction they map.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub direction: Direction,
    /// The rules; for an outgoing mapper with two types, those of creation (every POST).
    pub rules: Vec<Rule>,
    /// An outgoing mapper's own rules for updates (every PATCH), when it has them (XSOAR's
    /// "User Profile - Update" type); `None`: `rules` serve both.
    pub update_rules: Option<Vec<Rule>>,
    /// Where the rules came from, for messages ("mappers/out.toml").
    pub origin: String,
}

impl RuleSet {
    /// One list of rules for both creation and update.
    pub fn new(direction: Direction, rules: Vec<Rule>, origin: &str) -> RuleSet {
        RuleSet {
            direction,
            rules,
            update_rules: None,
            origin: origin.to_owned(),
        }
    }

    /// Runs every rule over `doc` (the profile, or the SCIM user) and returns the result with
    /// empty values pruned.
    pub fn apply(&self, doc: &Value) -> Result<Map<String, Value>, MapError> {
        apply_rules(&self.rules, self.direction, doc)
    }

    /// As [`RuleSet::apply`], with the update rules when there are any.
    pub fn apply_update(&self, doc: &Value) -> Result<Map<String, Value>, MapError> {
        let rules = self.update_rules.as_deref().unwrap_or(&self.rules);
        apply_rules(rules, self.direction, doc)
    }

    /// Every list of rules (creation, then update).
    pub fn all_rules_mut(&mut self) -> impl Iterator<Item = &mut Vec<Rule>> {
        std::iter::once(&mut self.rules).chain(self.update_rules.as_mut())
    }
}

fn apply_rules(
    rules: &[Rule],
    direction: Direction,
    doc: &Value,
) -> Result<Map<String, Value>, MapError> {
    let mut out = Map::new();
    for rule in rules {
        let Some(value) = rule.evaluate(doc)? else {
            continue;
        };
        match direction {
            Direction::Outgoing => rule.target_path.set(&mut out, value),
            Direction::Incoming => {
                out.insert(rule.target.clone(), value);
            }
        }
    }
    prune_map(&mut out);
    Ok(out)
}

impl Rule {
    pub fn new(target: &str, source: Source, transforms: Vec<Transform>) -> Result<Rule, MapError> {
        let target_path = FieldPath::parse(target).map_err(|e| MapError::Rule {
            target: target.to_owned(),
            reason: format!("the target is not a valid attribute path: {e}"),
        })?;
        Ok(Rule {
            target: target.trim().to_owned(),
            target_path,
            source,
            transforms,
        })
    }

    /// A rule from a source and the steps a file lists, concatenations folded into a
    /// [`Template`] and a `parse_json` right after them into a [`Shape`].
    ///
    /// Transformations before the first concat apply to the source's value; `lowercase`,
    /// `uppercase` and `text` between concats apply to every piece so far; `trim` and
    /// `parse_json` between concats would need the text built at run time and are refused.
    pub fn compile(target: &str, source: Source, steps: Vec<Step>) -> Result<Rule, MapError> {
        let bad = |reason: String| MapError::Rule {
            target: target.to_owned(),
            reason,
        };
        let mut built = match source {
            Source::Template(t) => Err(t),
            other => Ok(other),
        };
        let mut pending = Vec::new();
        for step in steps {
            match step {
                Step::Transform(t) => pending.push(t),
                Step::Concat { prefix, suffix } => {
                    let inner = match built {
                        Err(t) => onto_parts(t, std::mem::take(&mut pending)).map_err(|op| {
                            bad(format!(
                                "'{op}' between two concatenations is not supported; move it                                  before the first or after the last"
                            ))
                        })?,
                        Ok(Source::Field(path)) => {
                            Template::field(path, std::mem::take(&mut pending))
                        }
                        Ok(Source::Constant(mut v)) => {
                            for t in pending.drain(..) {
                                v = apply_transform(&t, v, target)?;
                            }
                            Template {
                                parts: vec![Part::Text(scalar_text(&v))],
                            }
                        }
                        Ok(Source::Template(_) | Source::Json(_)) => {
                            return Err(bad("a built value cannot be concatenated again".into()));
                        }
                    };
                    built = Err(inner.wrap(prefix, suffix));
                }
            }
        }
        let (source, transforms) = match built {
            Ok(source) => (source, pending),
            // A lone field (`${x}` as the root): its value, transformed.
            Err(Template { parts }) if matches!(parts.as_slice(), [Part::Field { .. }]) => {
                let Some(Part::Field {
                    path,
                    mut transforms,
                }) = parts.into_iter().next()
                else {
                    return Err(bad("internal: lone field".into()));
                };
                transforms.extend(pending);
                (Source::Field(path), transforms)
            }
            Err(t) => match pending.iter().position(|t| *t == Transform::ParseJson) {
                Some(k) if pending[..k].iter().all(|t| *t != Transform::Trim) => {
                    let after = pending.split_off(k + 1);
                    pending.pop();
                    let t = onto_parts(t, pending).map_err(|op| bad(op.to_owned()))?;
                    let shape = t.into_shape().map_err(|e| bad(e.to_string()))?;
                    (Source::Json(shape), after)
                }
                _ => (Source::Template(t), pending),
            },
        };
        Rule::new(target, source, transforms)
    }

    fn evaluate(&self, doc: &Value) -> Result<Option<Value>, MapError> {
        let mut value = match &self.source {
            Source::Constant(v) => v.clone(),
            Source::Field(path) => match path.get(doc) {
                Some(v) if !is_empty(v) => v.clone(),
                _ => return Ok(None),
            },
            Source::Template(t) => match t.render(doc, &self.target)? {
                Some(s) => Value::String(s),
                None => return Ok(None),
            },
            Source::Json(shape) => match shape.build(doc, &self.target)? {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        for t in &self.transforms {
            value = apply_transform(t, value, &self.target)?;
        }
        Ok((!is_empty(&value)).then_some(value))
    }
}

/// Applies transformations to every piece of built text: to a lone field as they are,
/// otherwise only those that work piece by piece (`Err` names the first that does not).
fn onto_parts(mut t: Template, transforms: Vec<Transform>) -> Result<Template, &'static str> {
    if transforms.is_empty() {
        return Ok(t);
    }
    if let [
        Part::Field {
            transforms: own, ..
        },
    ] = t.parts.as_mut_slice()
    {
        own.extend(transforms);
        return Ok(t);
    }
    for tr in transforms {
        if matches!(tr, Transform::Trim | Transform::ParseJson) {
            return Err(tr.name());
        }
        for part in &mut t.parts {
            match part {
                Part::Text(s) => {
                    *s = match tr {
                        Transform::Lowercase => s.to_lowercase(),
                        Transform::Uppercase => s.to_uppercase(),
                        _ => std::mem::take(s),
                    }
                }
                Part::Field { transforms, .. } => transforms.push(tr.clone()),
            }
        }
    }
    Ok(t)
}

/// One transformation of a value. Case and trim leave non-text alone; ParseJSON of a value that
/// is already structured is that value.
pub(crate) fn apply_transform(
    t: &Transform,
    value: Value,
    target: &str,
) -> Result<Value, MapError> {
    Ok(match (t, value) {
        (Transform::Trim, Value::String(s)) => Value::String(s.trim().to_owned()),
        (Transform::Lowercase, Value::String(s)) => Value::String(s.to_lowercase()),
        (Transform::Uppercase, Value::String(s)) => Value::String(s.to_uppercase()),
        (Transform::ParseJson, Value::String(s)) => {
            serde_json::from_str(&s).map_err(|e| MapError::ParseJson {
                target: target.to_owned(),
                reason: e.to_string(),
            })?
        }
        (Transform::Text, v @ (Value::Number(_) | Value::Bool(_))) => Value::String(v.to_string()),
        (_, v) => v,
    })
}

/// A value as text: strings raw, everything else as compact JSON.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Removes empty strings, nulls and the empty objects and arrays that leaves, at any depth.
/// AWS rejects empty strings (docs/schema.md, "Values"), and "absent" must stay absent.
pub fn prune_map(map: &mut Map<String, Value>) {
    map.values_mut().for_each(prune);
    map.retain(|_, v| !is_empty(v));
}

fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => prune_map(m),
        Value::Array(items) => {
            items.iter_mut().for_each(prune);
            items.retain(|i| !is_empty(i));
        }
        _ => {}
    }
}

pub(crate) fn source_path(target: &str, s: &str) -> Result<Source, MapError> {
    FieldPath::parse(s)
        .map(Source::Field)
        .map_err(|e| MapError::Rule {
            target: target.to_owned(),
            reason: format!("the source '{s}' is not a valid field path: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_json_and_incoming_flat_targets() {
        let rules = RuleSet::new(
            Direction::Incoming,
            vec![
                Rule::new(
                    "Given Name",
                    source_path("x", "name.givenName").unwrap(),
                    vec![],
                )
                .unwrap(),
            ],
            "t",
        );
        let out = rules.apply(&json!({"name": {"givenName": "Ada"}})).unwrap();
        assert_eq!(Value::Object(out), json!({"Given Name": "Ada"}));
        let bad = Rule::new(
            "emails",
            Source::Constant(json!("[oops")),
            vec![Transform::ParseJson],
        )
        .unwrap();
        assert!(matches!(
            bad.evaluate(&json!({})),
            Err(MapError::ParseJson { .. })
        ));
    }

    #[test]
    fn prune_removes_empties_at_every_depth() {
        let mut m =
            json!({"a": "", "b": {"c": "", "d": null}, "e": [{"value": ""}], "f": "x", "g": false})
                .as_object()
                .unwrap()
                .clone();
        prune_map(&mut m);
        assert_eq!(Value::Object(m), json!({"f": "x", "g": false}));
    }
}
