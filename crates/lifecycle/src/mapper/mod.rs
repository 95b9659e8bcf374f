//! Mappers: user profile → AWS SCIM user (outgoing) and AWS SCIM user → profile (incoming).
//!
//! A [`Mapper`] is either the built-in pair ([`builtin`], equivalent to the seed's AWS-ILM mappers)
//! or rules loaded from a file: aws-ilm's own format ([`file`], JSON or TOML) or an XSOAR mapper
//! export ([`xsoar`]). Every mapper runs on the same rule engine, and whatever it produces goes
//! through the same guarantees before it reaches AWS: no empty strings, nulls or empty objects (AWS
//! rejects them, docs/schema.md, "Values"); no read-only `id`/`meta`/`groups`; the single email
//! marked primary; `schemas` naming the enterprise URN only when that block is present.
//!
//! An outgoing mapper may map a creation and an update differently ([`Purpose`]): XSOAR's ILM
//! mappers have a "User Profile - Create" and a "User Profile - Update" type, and the seed's
//! update type leaves `displayName` alone.

pub mod builtin;
mod check;
pub mod fields;
pub mod file;
pub mod path;
pub mod rules;
pub mod template;
pub mod xsoar;

use std::path::Path;

use aws_ilm_scim::{key, urn};
use serde_json::{Map, Value, json};

use crate::bounded::{self, Limit};

pub use fields::{MappingField, mapping_fields};
pub use rules::{Direction, RuleSet};

/// The largest mapping file read (16 MiB): published XSOAR mappers are tens of KB, so this
/// leaves room for any real one while `--mapper-out /dev/zero` stops at once.
pub const MAPPING_FILE_LIMIT: Limit = Limit {
    bytes: 16 << 20,
    what: "a mapping file",
};

/// Why a mapper could not be loaded or applied. Messages name the file and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("cannot read mapping file {origin}: {reason}")]
    Read { origin: String, reason: String },
    #[error("mapping file {origin} is not valid: {reason}")]
    Syntax { origin: String, reason: String },
    #[error("mapping file {origin} is an {found} mapper but is used as the {wanted} mapper")]
    Direction {
        origin: String,
        found: &'static str,
        wanted: &'static str,
    },
    #[error("XSOAR mapper {origin}: {reason}")]
    Xsoar { origin: String, reason: String },
    #[error("mapping for '{target}': {reason}")]
    Rule { target: String, reason: String },
    #[error(
        "mapping for '{target}' uses the XSOAR transformer '{operator}', which aws-ilm does not \
         support (supported: concat, ParseJSON, toLowerCase, toUpperCase, Trim)"
    )]
    UnknownOperator { target: String, operator: String },
    #[error("mapping for '{target}': ParseJSON could not parse the value: {reason}")]
    ParseJson { target: String, reason: String },
}

/// What an outgoing mapping is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new user (every POST, also an update's create-if-not-exists).
    Create,
    /// An existing user (every PATCH), and the lookups of the commands that do not create.
    Update,
}

/// A mapper, used in one direction (`mapper_out` or `mapper_in`).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Mapper {
    /// The seed's AWS-ILM mappers, with the correct enterprise URN.
    #[default]
    Builtin,
    /// Rules from a mapping file or an XSOAR export.
    Rules(RuleSet),
}

impl Mapper {
    /// Loads a mapping file, at most [`MAPPING_FILE_LIMIT`]: aws-ilm's format in TOML (by
    /// extension `.toml`) or JSON, or an XSOAR mapper export (JSON with a `mapping` object).
    pub fn from_file(path: &Path, direction: Direction) -> Result<Mapper, MapError> {
        let origin = path.display().to_string();
        let text = bounded::read_file(path, MAPPING_FILE_LIMIT).map_err(|e| MapError::Read {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        let toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        Mapper::from_text(&text, &origin, toml, direction)
    }

    /// Parses mapping text; `toml` selects TOML, else JSON.
    pub fn from_text(
        text: &str,
        origin: &str,
        toml: bool,
        direction: Direction,
    ) -> Result<Mapper, MapError> {
        let syntax = |reason: String| MapError::Syntax {
            origin: origin.to_owned(),
            reason,
        };
        let doc: Value = if toml {
            let table: toml::Table = toml::from_str(text).map_err(|e| syntax(e.to_string()))?;
            serde_json::to_value(table).map_err(|e| syntax(e.to_string()))?
        } else {
            serde_json::from_str(text).map_err(|e| syntax(e.to_string()))?
        };
        let mut rules = if xsoar::is_xsoar(&doc) {
            xsoar::import(&doc, origin, direction)?
        } else {
            file::from_document(doc, origin, direction)?
        };
        if direction == Direction::Outgoing {
            check::outgoing(&mut rules)?;
        }
        Ok(Mapper::Rules(rules))
    }

    /// Where this mapper came from: "built-in" or the file.
    pub fn origin(&self) -> &str {
        match self {
            Mapper::Builtin => "built-in",
            Mapper::Rules(r) => &r.origin,
        }
    }

    /// Profile → the SCIM user to create in AWS (no `id`, `meta`; `schemas` set).
    pub fn map_out(&self, profile: &Map<String, Value>) -> Result<Map<String, Value>, MapError> {
        self.map_out_for(profile, Purpose::Create)
    }

    /// Profile → the SCIM user to send to AWS for a creation or an update.
    pub fn map_out_for(
        &self,
        profile: &Map<String, Value>,
        purpose: Purpose,
    ) -> Result<Map<String, Value>, MapError> {
        let doc = Value::Object(profile.clone());
        let mut user = match self {
            Mapper::Builtin => {
                let mut u = builtin::cached(Direction::Outgoing)?.apply(&doc)?;
                builtin::add_types(&mut u);
                u
            }
            Mapper::Rules(r) => {
                self.check(r, Direction::Outgoing)?;
                match purpose {
                    Purpose::Create => r.apply(&doc)?,
                    Purpose::Update => r.apply_update(&doc)?,
                }
            }
        };
        finish_outgoing(&mut user);
        Ok(user)
    }

    /// Whether creation and update map differently, so a mapping made for one cannot stand
    /// for the other.
    pub fn maps_update_apart(&self) -> bool {
        matches!(self, Mapper::Rules(r) if r.update_rules.is_some())
    }

    /// SCIM user from AWS → profile fields ("Email", "Given Name", …).
    pub fn map_in(&self, user: &Value) -> Result<Map<String, Value>, MapError> {
        match self {
            Mapper::Builtin => builtin::cached(Direction::Incoming)?.apply(user),
            Mapper::Rules(r) => {
                self.check(r, Direction::Incoming)?;
                r.apply(user)
            }
        }
    }

    fn check(&self, r: &RuleSet, wanted: Direction) -> Result<(), MapError> {
        if r.direction == wanted {
            Ok(())
        } else {
            Err(MapError::Direction {
                origin: r.origin.clone(),
                found: r.direction.as_str(),
                wanted: wanted.as_str(),
            })
        }
    }
}

/// The guarantees every outgoing user gets, whatever mapper made it.
fn finish_outgoing(user: &mut Map<String, Value>) {
    // Server-assigned or refused by AWS (docs/schema.md, "Values": `groups` is never sent).
    for name in ["id", "meta", "groups", "schemas"] {
        key::remove_all(user, name);
    }
    // AWS: the email must be marked primary.
    if let Some(Value::Array(emails)) = user.get_mut("emails") {
        for e in emails.iter_mut().filter_map(Value::as_object_mut) {
            e.entry("primary").or_insert(json!(true));
        }
    }
    rules::prune_map(user);
    let mut schemas = vec![json!(urn::USER)];
    if user.contains_key(urn::ENTERPRISE_USER) {
        schemas.push(json!(urn::ENTERPRISE_USER));
    }
    user.insert("schemas".into(), Value::Array(schemas));
}

#[cfg(test)]
mod tests;
