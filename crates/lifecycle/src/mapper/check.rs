//! Load-time checks of an outgoing mapper against what AWS's user schema can hold
//! (docs/mappers.md, "What reaches AWS").
//!
//! - A target indexing past the first element (`emails.[1].value`) is refused: AWS keeps one
//!   value per list, so that rule could never be sent.
//! - Enterprise attributes AWS's schema lacks are dropped, with one warning for the whole file.
//!   The seed's published mapper builds its enterprise block with `countryCode` and
//!   `managerflag`, keys of another directory's schema; sent, they make AWS refuse every create,
//!   so the rest of the block (department, cost center, …) would never arrive.
//! - Any other target that is not an AWS user attribute gets one warning, not an error: AWS
//!   explains its own refusal, but a typo would otherwise drop data silently.

use std::collections::BTreeSet;

use aws_ilm_scim::schema::{self, Attribute};
use aws_ilm_scim::{key, urn};

use super::MapError;
use super::fields;
use super::rules::{Rule, RuleSet, Source};
use super::template::Shape;
use crate::text::one_line;

pub(crate) fn outgoing(set: &mut RuleSet) -> Result<(), MapError> {
    let mut dropped = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    let origin = set.origin.clone();
    for rules in set.all_rules_mut() {
        for rule in rules.iter() {
            if let Some(n) = rule.target_path.index_beyond_first() {
                return Err(MapError::Rule {
                    target: rule.target.clone(),
                    reason: format!(
                        "AWS keeps one value in each list, so element [{n}] cannot be written; \
                         use [0]"
                    ),
                });
            }
        }
        rules.retain_mut(|rule| keep_enterprise(rule, &mut dropped));
        for rule in rules.iter() {
            unknown.extend(
                leaf_paths(rule)
                    .into_iter()
                    .filter(|p| !fields::is_known(p)),
            );
        }
    }
    // Names come from the file: neutralised, so no control character reaches the terminal.
    let list = |names: BTreeSet<String>| {
        one_line(&names.into_iter().collect::<Vec<_>>().join(", ")).into_owned()
    };
    let origin = one_line(&origin);
    if !dropped.is_empty() {
        tracing::warn!(
            "mapping {origin}: the enterprise attributes {} are not sent: AWS's enterprise schema does not have them",
            list(dropped)
        );
    }
    if !unknown.is_empty() {
        tracing::warn!(
            "mapping {origin}: targets that are not AWS user attributes (see get-mapping-fields): {}",
            list(unknown)
        );
    }
    Ok(())
}

fn allowed(keys: &[Attribute], k: &str) -> bool {
    keys.iter().any(|a| key::is(a.name, k))
}

/// Drops what AWS's enterprise schema cannot hold from `rule`; `false` when nothing is left.
fn keep_enterprise(rule: &mut Rule, dropped: &mut BTreeSet<String>) -> bool {
    let keys: Vec<String> = rule.target_path.keys().map(str::to_owned).collect();
    if keys.first().map(String::as_str) != Some(urn::ENTERPRISE_USER) {
        return true;
    }
    match keys.get(1) {
        None => {
            if let Source::Json(Shape::Object(entries)) = &mut rule.source {
                prune_block(entries, "", dropped);
            }
            true
        }
        Some(attr) if !allowed(schema::ENTERPRISE_USER.attributes, attr) => {
            dropped.insert(attr.clone());
            false
        }
        Some(attr) if attr.eq_ignore_ascii_case("manager") => match keys.get(2) {
            Some(sub) if !allowed(schema::MANAGER.sub_attributes, sub) => {
                dropped.insert(format!("manager.{sub}"));
                false
            }
            Some(_) => true,
            None => {
                if let Source::Json(Shape::Object(entries)) = &mut rule.source {
                    prune_block(entries, "manager.", dropped);
                }
                true
            }
        },
        Some(_) => true,
    }
}

/// Keeps the enterprise (`prefix` "") or manager (`prefix` "manager.") keys AWS knows.
fn prune_block(entries: &mut Vec<(String, Shape)>, prefix: &str, dropped: &mut BTreeSet<String>) {
    let known = if prefix.is_empty() {
        schema::ENTERPRISE_USER.attributes
    } else {
        schema::MANAGER.sub_attributes
    };
    entries.retain_mut(|(k, shape)| {
        if !allowed(known, k) {
            dropped.insert(format!("{prefix}{k}"));
            return false;
        }
        if prefix.is_empty()
            && k.eq_ignore_ascii_case("manager")
            && let Shape::Object(inner) = shape
        {
            prune_block(inner, "manager.", dropped);
        }
        true
    });
}

/// The attribute paths a rule writes: its target, or for built JSON each of its leaves.
fn leaf_paths(rule: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    let target = rule.target_path.schema_path();
    match &rule.source {
        Source::Json(shape) => leaves(target, shape, &mut out),
        _ => out.push(target),
    }
    out
}

fn leaves(path: String, shape: &Shape, out: &mut Vec<String>) {
    match shape {
        Shape::Object(entries) => {
            for (k, s) in entries {
                leaves(format!("{path}.{k}"), s, out);
            }
        }
        Shape::Array(items) => items.iter().for_each(|s| leaves(path.clone(), s, out)),
        Shape::Const(_) | Shape::Text(_) => out.push(path),
    }
}
