//! Values built from literal text and profile fields: what a chain of `concat` transformations
//! makes, and the JSON a `ParseJSON` after it makes (docs/mappers.md, "Built values").
//!
//! XSOAR's ILM mappers build `name`, `emails`, `phoneNumbers` and the enterprise block by
//! concatenating JSON text around field values and parsing the result. Doing that literally
//! breaks on a value holding a quote (or lets the value add keys), and turns an absent field
//! into `""`. So the chain is compiled when the mapper is loaded: the text is parsed once with a
//! marker where each field goes, and becomes a [`Shape`] — JSON whose strings are [`Template`]s.
//! Applying it puts each field's value into its string as is. A string whose field is absent is
//! absent, and an object or list all of whose field-fed members are absent is absent too (its
//! constant decorations, such as `"type": "work"`, do not keep it alive).
//!
//! `${field}` inside literal text (and as an XSOAR `root`) is the field's value; only plain
//! paths are read (`${givenname}`, `${olduserdata.email}`), anything else is a load-time error.

use serde_json::{Map, Value};

use super::MapError;
use super::path::FieldPath;
use super::rules::{Transform, apply_transform, scalar_text};
use crate::table::is_empty;

/// Marks where a field goes while a template's text is parsed as JSON; private-use characters,
/// refused in literal text so that the marks cannot be forged.
const MARK_START: char = '\u{F8F0}';
const MARK_END: char = '\u{F8F1}';

/// A piece of built text.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// A field's value, through transformations that came before it was concatenated.
    Field {
        path: FieldPath,
        transforms: Vec<Transform>,
    },
}

/// Text built from literal pieces and field values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// JSON built by `ParseJSON` from a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Const(Value),
    Text(Template),
    Object(Vec<(String, Shape)>),
    Array(Vec<Shape>),
}

/// Why literal text or a built JSON document cannot be read; the caller names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("'{0}' has a `${{` without its closing `}}`")]
    Unclosed(String),
    #[error(
        "'${{{0}}}' is not a field reference (aws-ilm reads `${{field}}` and `${{a.b}}`, not \
         XSOAR expressions)"
    )]
    Expression(String),
    #[error(
        "ParseJSON: the concatenated text is not JSON once its fields are filled in ({0}); a \
         field must sit inside a JSON string"
    )]
    NotJson(String),
    #[error("ParseJSON: a field in a JSON key is not supported")]
    FieldInKey,
    #[error("the text contains a private-use character aws-ilm reserves")]
    Reserved,
}

impl Template {
    /// Literal text in which `${path}` stands for a field's value.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| TemplateError::Unclosed(text.to_owned()))?;
            let expr = &after[..end];
            let path =
                plain_path(expr).ok_or_else(|| TemplateError::Expression(expr.to_owned()))?;
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_owned()));
            }
            parts.push(Part::Field {
                path,
                transforms: Vec::new(),
            });
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    pub fn field(path: FieldPath, transforms: Vec<Transform>) -> Template {
        Template {
            parts: vec![Part::Field { path, transforms }],
        }
    }

    pub fn has_fields(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Field { .. }))
    }

    /// `prefix + self + suffix`.
    pub fn wrap(self, prefix: Option<Template>, suffix: Option<Template>) -> Template {
        let mut parts = prefix.map(|t| t.parts).unwrap_or_default();
        parts.extend(self.parts);
        parts.extend(suffix.map(|t| t.parts).unwrap_or_default());
        Template { parts }
    }

    /// The text, or `None` when a field it uses is absent or empty.
    pub fn render(&self, doc: &Value, target: &str) -> Result<Option<String>, MapError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field { path, transforms } => {
                    let Some(mut v) = path.get(doc).filter(|v| !is_empty(v)).cloned() else {
                        return Ok(None);
                    };
                    for t in transforms {
                        v = apply_transform(t, v, target)?;
                    }
                    if is_empty(&v) {
                        return Ok(None);
                    }
                    out.push_str(&scalar_text(&v));
                }
            }
        }
        Ok((!out.is_empty()).then_some(out))
    }

    /// Compiles `ParseJSON` of this template's text.
    pub fn into_shape(self) -> Result<Shape, TemplateError> {
        let mut text = String::new();
        let mut fields = Vec::new();
        for part in self.parts {
            match part {
                Part::Text(t) => {
                    if t.contains([MARK_START, MARK_END]) {
                        return Err(TemplateError::Reserved);
                    }
                    text.push_str(&t);
                }
                field => {
                    text.push_str(&format!("{MARK_START}{}{MARK_END}", fields.len()));
                    fields.push(field);
                }
            }
        }
        let value: Value =
            serde_json::from_str(&text).map_err(|e| TemplateError::NotJson(e.to_string()))?;
        to_shape(value, &fields)
    }
}

impl Shape {
    /// Whether any string in it is fed by a field.
    pub fn has_fields(&self) -> bool {
        match self {
            Shape::Const(_) => false,
            Shape::Text(t) => t.has_fields(),
            Shape::Object(entries) => entries.iter().any(|(_, s)| s.has_fields()),
            Shape::Array(items) => items.iter().any(Shape::has_fields),
        }
    }

    /// The JSON for `doc`; `None` when every field it uses is absent.
    pub fn build(&self, doc: &Value, target: &str) -> Result<Option<Value>, MapError> {
        Ok(match self {
            Shape::Const(v) => Some(v.clone()),
            Shape::Text(t) => t.render(doc, target)?.map(Value::String),
            Shape::Object(entries) => {
                let mut out = Map::new();
                let mut fed = false;
                for (key, shape) in entries {
                    let Some(v) = shape.build(doc, target)? else {
                        continue;
                    };
                    fed |= shape.has_fields();
                    out.insert(key.clone(), v);
                }
                (fed || !self.has_fields()).then_some(Value::Object(out))
            }
            Shape::Array(items) => {
                let mut out = Vec::new();
                let mut fed = false;
                for shape in items {
                    let Some(v) = shape.build(doc, target)? else {
                        continue;
                    };
                    fed |= shape.has_fields();
                    out.push(v);
                }
                (fed || !self.has_fields()).then_some(Value::Array(out))
            }
        })
    }
}

/// A `${…}` body that is a plain field path; XSOAR's expressions (`.=val…`, functions,
/// operators, quoted keys) are not.
fn plain_path(expr: &str) -> Option<FieldPath> {
    let plain = expr.chars().all(|c| {
        c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | ':' | '[' | ']' | '\\')
    });
    if !plain {
        return None;
    }
    FieldPath::parse(expr).ok()
}

fn to_shape(value: Value, fields: &[Part]) -> Result<Shape, TemplateError> {
    Ok(match value {
        Value::String(s) if s.contains(MARK_START) => Shape::Text(unmark(&s, fields)),
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                if k.contains(MARK_START) {
                    return Err(TemplateError::FieldInKey);
                }
                entries.push((k, to_shape(v, fields)?));
            }
            Shape::Object(entries)
        }
        Value::Array(items) => Shape::Array(
            items
                .into_iter()
                .map(|v| to_shape(v, fields))
                .collect::<Result<_, _>>()?,
        ),
        other => Shape::Const(other),
    })
}

/// A parsed JSON string with field marks back into a template.
fn unmark(s: &str, fields: &[Part]) -> Template {
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(MARK_START) {
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + MARK_START.len_utf8()..];
        let end = after.find(MARK_END).unwrap_or(after.len());
        // The marks were written by `into_shape` around an index into `fields`.
        if let Some(field) = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| fields.get(i))
        {
            parts.push(field.clone());
        }
        rest = after.get(end + MARK_END.len_utf8()..).unwrap_or("");
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Template { parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(text: &str) -> Shape {
        Template::parse(text).unwrap().into_shape().unwrap()
    }

    #[test]
    fn fields_fill_strings_and_absence_propagates() {
        let s = shape(
            r#"[{"value": "${email}", "type": "work", "primary": true, "display": "${a} ${b}"}]"#,
        );
        let doc = json!({"email": "x\"y@z", "a": "A"});
        assert_eq!(
            s.build(&doc, "emails").unwrap(),
            Some(json!([{"value": "x\"y@z", "type": "work", "primary": true}]))
        );
        assert_eq!(s.build(&json!({"a": "A"}), "emails").unwrap(), None);
        // Nothing field-fed: a constant document stays.
        assert_eq!(
            shape(r#"{"a": 1}"#).build(&json!({}), "t").unwrap(),
            Some(json!({"a": 1}))
        );
    }

    #[test]
    fn unreadable_text_is_an_error() {
        assert!(matches!(
            Template::parse("a ${b"),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            Template::parse("${a.=val}"),
            Err(TemplateError::Expression(_))
        ));
        let not_json = Template::parse(r#"{"n": ${n}}"#).unwrap().into_shape();
        assert!(matches!(not_json, Err(TemplateError::NotJson(_))));
        let key = Template::parse(r#"{"${k}": 1}"#).unwrap().into_shape();
        assert_eq!(key, Err(TemplateError::FieldInKey));
        let forged = Template::parse("\"\u{F8F0}0\u{F8F1}\"")
            .unwrap()
            .into_shape();
        assert_eq!(forged, Err(TemplateError::Reserved));
    }
}
