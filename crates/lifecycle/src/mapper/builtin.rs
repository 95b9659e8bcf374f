//! The built-in mappers, equivalent to the seed's "User Profile - AWS-ILM" outgoing and incoming
//! mappers (docs/mappers.md, "Built-in mappers"), expressed as rules on the same engine a mapping
//! file uses.
//!
//! Outgoing writes the enterprise extension under the RFC 7643 §4.3 URN
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, which AWS reads (the seed wrote
//! the 1.0 URN, so department and cost center never reached AWS). The email is sent as the one
//! `work` email marked `primary` (AWS: the email must be primary), the mobile phone as the one
//! phone number, of type `work` as the seed's mapper sends it, and address fields as the one
//! `work` address.
//!
//! The incoming mapper returns exactly the seed's nine `IAM.UserProfile` keys: a playbook reading
//! them sees what it saw with the seed (docs/mappers.md, "Built-in mappers").

use std::sync::LazyLock;

use aws_ilm_scim::urn;
use serde_json::{Map, Value, json};

use super::MapError;
use super::path::FieldPath;
use super::rules::{Direction, Rule, RuleSet, Source, Transform};

/// Profile field → SCIM attribute path, for the outgoing direction.
pub const OUTGOING: &[(&str, &str)] = &[
    ("username", "userName"),
    ("employeeid", "externalId"),
    ("displayname", "displayName"),
    ("givenname", "name.givenName"),
    ("surname", "name.familyName"),
    ("middlename", "name.middleName"),
    ("nickname", "nickName"),
    ("title", "title"),
    ("employeetype", "userType"),
    ("preferredlanguage", "preferredLanguage"),
    ("locale", "locale"),
    ("timezone", "timezone"),
    ("email", "emails.value"),
    ("mobilephone", "phoneNumbers.value"),
    ("streetaddress", "addresses.streetAddress"),
    ("city", "addresses.locality"),
    ("state", "addresses.region"),
    ("zipcode", "addresses.postalCode"),
    ("countrycode", "addresses.country"),
    ("employeenumber", "ENT.employeeNumber"),
    ("costcentercode", "ENT.costCenter"),
    ("company", "ENT.organization"),
    ("division", "ENT.division"),
    ("department", "ENT.department"),
];

/// Profile field (as the seed's incoming mapper names it) ← SCIM attribute path: the seed's
/// nine, read from where the outgoing mapper writes them, in the seed's (alphabetical) order —
/// the order of the keys in `IAM.UserProfile`.
pub const INCOMING: &[(&str, &str)] = &[
    ("Cost Center Code", "ENT.costCenter"),
    ("Department", "ENT.department"),
    ("Email", "emails.value"),
    ("Employee ID", "externalId"),
    ("Given Name", "name.givenName"),
    ("Mobile Phone", "phoneNumbers.value"),
    ("Surname", "name.familyName"),
    ("Title", "title"),
    ("Username", "userName"),
];

/// `ENT.x` in the tables above is shorthand for the enterprise extension.
pub fn expand(path: &str) -> String {
    match path.strip_prefix("ENT.") {
        Some(rest) => format!("{}.{rest}", urn::ENTERPRISE_USER),
        None => path.to_owned(),
    }
}

/// The built-in rules for one direction, built once: they are the same for every profile, and
/// building them (24 paths parsed) was a third of a create's CPU in the batch profile.
pub fn cached(direction: Direction) -> Result<&'static RuleSet, MapError> {
    static OUTGOING_RULES: LazyLock<Result<RuleSet, MapError>> =
        LazyLock::new(|| rules(Direction::Outgoing));
    static INCOMING_RULES: LazyLock<Result<RuleSet, MapError>> =
        LazyLock::new(|| rules(Direction::Incoming));
    let built = match direction {
        Direction::Outgoing => &*OUTGOING_RULES,
        Direction::Incoming => &*INCOMING_RULES,
    };
    built.as_ref().map_err(Clone::clone)
}

/// The built-in rules for one direction.
pub fn rules(direction: Direction) -> Result<RuleSet, MapError> {
    let table = match direction {
        Direction::Outgoing => OUTGOING,
        Direction::Incoming => INCOMING,
    };
    let mut rules = Vec::with_capacity(table.len());
    for (field, scim) in table {
        let scim = expand(scim);
        let (target, source) = match direction {
            Direction::Outgoing => (scim.as_str(), *field),
            Direction::Incoming => (*field, scim.as_str()),
        };
        let path = FieldPath::parse(source).map_err(|e| MapError::Rule {
            target: target.to_owned(),
            reason: format!("built-in source path: {e}"),
        })?;
        // Every built-in target is a SCIM string (and every incoming field text): a profile
        // that carries `"employeeid": 42` sends `"42"`.
        rules.push(Rule::new(
            target,
            Source::Field(path),
            vec![Transform::Text],
        )?);
    }
    Ok(RuleSet::new(direction, rules, "built-in"))
}

/// Adds the `type` the seed's mapper gives the single email, phone number and address — `work`
/// for each — when the mapping produced one without it.
pub fn add_types(user: &mut Map<String, Value>) {
    for attr in ["emails", "phoneNumbers", "addresses"] {
        if let Some(Value::Array(items)) = user.get_mut(attr) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                item.entry("type").or_insert(json!("work"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_reads_only_what_outgoing_writes_and_names_the_seed_keys() {
        for (label, scim) in INCOMING {
            assert!(
                OUTGOING.iter().any(|(_, s)| s == scim),
                "{label} reads {scim}, which is never written"
            );
        }
        let labels: Vec<&str> = INCOMING.iter().map(|(l, _)| *l).collect();
        let mut sorted = labels.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(labels, sorted);
        assert_eq!(labels.len(), 9);
    }
}
