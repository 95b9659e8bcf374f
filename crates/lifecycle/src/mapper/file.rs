//! aws-ilm's own mapping file format, JSON or TOML (documented for users in
//! `docs/mappers.md`, "aws-ilm mapping files").
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
//! `{concat = {prefix, suffix}}` (where `${field}` is that field's value).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::MapError;
use super::rules::{Direction, Rule, RuleSet, Source, Step, Transform, source_path};
use super::template::Template;

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
        let (source, steps) = match field {
            FieldSpec::Source(s) => (source_path(&target, &s)?, Vec::new()),
            FieldSpec::Full(full) => {
                let source = match (full.source, full.value) {
                    (Some(s), None) => source_path(&target, &s)?,
                    (None, Some(v)) => Source::Constant(v),
                    _ => return Err(bad("give exactly one of `source` or `value`".into())),
                };
                let steps = full
                    .transform
                    .into_iter()
                    .map(|t| match t {
                        TransformSpec::Name(n) => match n.to_ascii_lowercase().as_str() {
                            "trim" => Ok(Step::Transform(Transform::Trim)),
                            "lowercase" => Ok(Step::Transform(Transform::Lowercase)),
                            "uppercase" => Ok(Step::Transform(Transform::Uppercase)),
                            "parse_json" => Ok(Step::Transform(Transform::ParseJson)),
                            "text" => Ok(Step::Transform(Transform::Text)),
                            _ => Err(bad(format!(
                                "unknown transform '{n}': use trim, lowercase, uppercase, \
                                 parse_json, text or {{concat = {{prefix, suffix}}}}"
                            ))),
                        },
                        TransformSpec::Concat { concat } => {
                            let piece = |text: Option<String>| {
                                text.map(|t| Template::parse(&t))
                                    .transpose()
                                    .map_err(|e| bad(format!("concat: {e}")))
                            };
                            Ok(Step::Concat {
                                prefix: piece(concat.prefix)?,
                                suffix: piece(concat.suffix)?,
                            })
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (source, steps)
            }
        };
        rules.push(Rule::compile(&target, source, steps)?);
    }
    Ok(RuleSet::new(wanted, rules, origin))
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
}
