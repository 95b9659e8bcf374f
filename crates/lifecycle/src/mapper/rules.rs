//! The rule engine every mapper runs on, and aws-ilm's own mapping file format.
//!
//! A mapper is a list of rules `target ← source`, each with optional transformations. Outgoing
//! (profile → AWS): the target is a SCIM attribute path ([`super::path`]) and the source a
//! profile field. Incoming (AWS → profile): the target is a profile field name, written as is
//! (`"Given Name"`), and the source a SCIM attribute path.
//!
//! # File format (JSON or TOML; documented for users in `docs/mappers.md`)
//!
//! ```toml
//! direction = "outgoing"                    # or "incoming"; optional, checked when given
//! [fields]
//! "userName" = "username"                   # target = source field
//! "name.givenName" = "givenname"
//! "emails.value" = { source = "email", transform = ["trim", "lowercase"] }
//! "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department" = "department"
//! "userType" = { value = "Employee" }       # a constant
//! "title" = { source = "title", transform = [{ concat = { prefix = "[", suffix = "]" } }] }
//! ```
//!
//! Transformations, applied in order: `trim`, `lowercase`, `uppercase`, `parse_json` (the text
//! becomes the JSON value it holds), `text` (a number or boolean becomes its text) and
//! `{concat = {prefix, suffix}}`. A rule whose source is
//! absent or empty writes nothing — transformations never turn "absent" into a value, so a
//! missing field can never become an empty string or a `[{"value": ""}]` sent to AWS.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::MapError;
use super::path::FieldPath;

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
}

/// A piece of a `concat`: literal text, or (XSOAR `isContext`) another field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Field(FieldPath),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    Trim,
    Lowercase,
    Uppercase,
    ParseJson,
    /// Numbers and booleans become their text (`42` → `"42"`); SCIM string attributes need it.
    Text,
    Concat {
        prefix: Option<Part>,
        suffix: Option<Part>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// As written; incoming targets are used verbatim as profile keys.
    pub target: String,
    pub target_path: FieldPath,
    pub source: Source,
    pub transforms: Vec<Transform>,
}

/// A mapper loaded from a file (or built in): rules plus the direction they map.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub direction: Direction,
    pub rules: Vec<Rule>,
    /// Where the rules came from, for messages ("mappers/out.toml").
    pub origin: String,
}

impl RuleSet {
    /// Runs every rule over `doc` (the profile, or the SCIM user) and returns the result with
    /// empty values pruned.
    pub fn apply(&self, doc: &Value) -> Result<Map<String, Value>, MapError> {
        let mut out = Map::new();
        for rule in &self.rules {
            let Some(value) = rule.evaluate(doc)? else {
                continue;
            };
            match self.direction {
                Direction::Outgoing => rule.target_path.set(&mut out, value),
                Direction::Incoming => {
                    out.insert(rule.target.clone(), value);
                }
            }
        }
        prune_map(&mut out);
        Ok(out)
    }
}

impl Rule {
    pub fn new(target: &str, source: Source, transforms: Vec<Transform>) -> Result<Rule, MapError> {
        let target_path = FieldPath::parse(target).ok_or_else(|| MapError::Rule {
            target: target.to_owned(),
            reason: "the target is not a valid attribute path".into(),
        })?;
        Ok(Rule {
            target: target.trim().to_owned(),
            target_path,
            source,
            transforms,
        })
    }

    fn evaluate(&self, doc: &Value) -> Result<Option<Value>, MapError> {
        let mut value = match &self.source {
            Source::Constant(v) => v.clone(),
            Source::Field(path) => match path.get(doc) {
                Some(v) if !is_empty(v) => v.clone(),
                _ => return Ok(None),
            },
        };
        for t in &self.transforms {
            value = match (t, value) {
                (Transform::Trim, Value::String(s)) => Value::String(s.trim().to_owned()),
                (Transform::Lowercase, Value::String(s)) => Value::String(s.to_lowercase()),
                (Transform::Uppercase, Value::String(s)) => Value::String(s.to_uppercase()),
                (Transform::ParseJson, Value::String(s)) => {
                    serde_json::from_str(&s).map_err(|e| MapError::ParseJson {
                        target: self.target.clone(),
                        reason: e.to_string(),
                    })?
                }
                (Transform::Text, v @ (Value::Number(_) | Value::Bool(_))) => {
                    Value::String(v.to_string())
                }
                (Transform::Concat { prefix, suffix }, v) => {
                    let mut s = part_text(prefix.as_ref(), doc);
                    s.push_str(&scalar_text(&v));
                    s.push_str(&part_text(suffix.as_ref(), doc));
                    Value::String(s)
                }
                // Case and trim transformations leave non-text values alone; ParseJSON of a value
                // that is already structured is that value.
                (_, v) => v,
            };
        }
        Ok((!is_empty(&value)).then_some(value))
    }
}

fn part_text(part: Option<&Part>, doc: &Value) -> String {
    match part {
        None => String::new(),
        Some(Part::Text(t)) => t.clone(),
        Some(Part::Field(p)) => p.get(doc).map(scalar_text).unwrap_or_default(),
    }
}

/// A value as text: strings raw, everything else as compact JSON.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Removes empty strings, nulls and the empty objects and arrays that leaves, at any depth.
/// AWS rejects empty strings (spec §4), and "absent" must stay absent.
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

// ---- the file format -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    direction: Option<Direction>,
    fields: BTreeMap<String, FieldSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FieldSpec {
    Source(String),
    Full(FullSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullSpec {
    source: Option<String>,
    value: Option<Value>,
    #[serde(default)]
    transform: Vec<TransformSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TransformSpec {
    Name(String),
    Concat { concat: ConcatSpec },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConcatSpec {
    prefix: Option<String>,
    suffix: Option<String>,
}

/// Parses aws-ilm's own mapping format from an already-decoded JSON or TOML document.
pub fn from_document(doc: Value, origin: &str, wanted: Direction) -> Result<RuleSet, MapError> {
    let spec: FileSpec = serde_json::from_value(doc).map_err(|e| MapError::Syntax {
        origin: origin.to_owned(),
        reason: format!(
            "{e} (expected `fields` = a table of target = source or {{source, value, transform}})"
        ),
    })?;
    if let Some(found) = spec.direction
        && found != wanted
    {
        return Err(MapError::Direction {
            origin: origin.to_owned(),
            found: found.as_str(),
            wanted: wanted.as_str(),
        });
    }
    let mut rules = Vec::with_capacity(spec.fields.len());
    for (target, field) in spec.fields {
        let bad = |reason: String| MapError::Rule {
            target: target.clone(),
            reason,
        };
        let (source, transforms) = match field {
            FieldSpec::Source(s) => (source_path(&target, &s)?, Vec::new()),
            FieldSpec::Full(full) => {
                let source = match (full.source, full.value) {
                    (Some(s), None) => source_path(&target, &s)?,
                    (None, Some(v)) => Source::Constant(v),
                    _ => return Err(bad("give exactly one of `source` or `value`".into())),
                };
                let transforms = full
                    .transform
                    .into_iter()
                    .map(|t| match t {
                        TransformSpec::Name(n) => match n.to_ascii_lowercase().as_str() {
                            "trim" => Ok(Transform::Trim),
                            "lowercase" => Ok(Transform::Lowercase),
                            "uppercase" => Ok(Transform::Uppercase),
                            "parse_json" => Ok(Transform::ParseJson),
                            "text" => Ok(Transform::Text),
                            _ => Err(bad(format!(
                                "unknown transform '{n}': use trim, lowercase, uppercase, \
                                 parse_json, text or {{concat = {{prefix, suffix}}}}"
                            ))),
                        },
                        TransformSpec::Concat { concat } => Ok(Transform::Concat {
                            prefix: concat.prefix.map(Part::Text),
                            suffix: concat.suffix.map(Part::Text),
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (source, transforms)
            }
        };
        rules.push(Rule::new(&target, source, transforms)?);
    }
    Ok(RuleSet {
        direction: wanted,
        rules,
        origin: origin.to_owned(),
    })
}

pub(crate) fn source_path(target: &str, s: &str) -> Result<Source, MapError> {
    FieldPath::parse(s)
        .map(Source::Field)
        .ok_or_else(|| MapError::Rule {
            target: target.to_owned(),
            reason: format!("the source '{s}' is not a valid field path"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn toml_doc(s: &str) -> Value {
        serde_json::to_value(toml::from_str::<toml::Table>(s).unwrap()).unwrap()
    }

    #[test]
    fn toml_file_with_every_rule_form() {
        let doc = toml_doc(
            r#"
            direction = "outgoing"
            [fields]
            "userName" = "username"
            "emails.value" = { source = "email", transform = ["trim", "lowercase"] }
            "userType" = { value = "Employee" }
            "title" = { source = "title", transform = [{ concat = { prefix = "[", suffix = "]" } }] }
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department" = "dept"
            "nickName" = "nick"
            "#,
        );
        let rules = from_document(doc, "t.toml", Direction::Outgoing).unwrap();
        let out = rules
            .apply(&json!({"username": "ada", "email": "  Ada@X.org ", "title": "CEO", "dept": "R&D", "nick": ""}))
            .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({
                "userName": "ada", "emails": [{"value": "ada@x.org"}], "userType": "Employee",
                "title": "[CEO]",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
            })
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = from_document(
            json!({"fields": {"a": {"source": "x", "transform": ["rot13"]}}}),
            "f",
            Direction::Outgoing,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown transform 'rot13'"), "{e}");
        let e = from_document(json!({"fields": {"a": {}}}), "f", Direction::Outgoing).unwrap_err();
        assert!(e.to_string().contains("exactly one of"), "{e}");
        let e = from_document(
            json!({"direction": "incoming", "fields": {}}),
            "f",
            Direction::Outgoing,
        )
        .unwrap_err();
        assert!(matches!(e, MapError::Direction { .. }), "{e}");
        let e = from_document(json!({"feilds": {}}), "f", Direction::Outgoing).unwrap_err();
        assert!(matches!(e, MapError::Syntax { .. }), "{e}");
    }

    #[test]
    fn parse_json_and_incoming_flat_targets() {
        let rules = RuleSet {
            direction: Direction::Incoming,
            origin: "t".into(),
            rules: vec![
                Rule::new(
                    "Given Name",
                    source_path("x", "name.givenName").unwrap(),
                    vec![],
                )
                .unwrap(),
            ],
        };
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
