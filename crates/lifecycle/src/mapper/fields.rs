//! `get-mapping-fields`: the AWS user schema fields a mapper can target (spec §4), with the
//! profile field the built-in outgoing mapper feeds each from.
//!
//! Left out on purpose: `id`, `meta` and `groups` (read-only or refused by AWS), `password`,
//! `ims`, `photos`, `entitlements`, `x509Certificates` and every `display` sub-attribute
//! (unsupported by AWS, spec §4), and `manager.displayName`.

use aws_ilm_scim::urn;

use super::builtin;

/// One targetable attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingField {
    /// The path a mapping rule writes to (`name.givenName`, `emails.value`, `urn:…:User.department`).
    pub path: String,
    pub kind: &'static str,
    pub description: &'static str,
    /// The profile field the built-in outgoing mapper reads for it, if any.
    pub builtin_source: Option<&'static str>,
}

const FIELDS: &[(&str, &str, &str)] = &[
    (
        "userName",
        "string",
        "Unique sign-in name; required; 1-128 visible characters",
    ),
    (
        "externalId",
        "string",
        "Identifier in the source system; unique; 1-256 characters",
    ),
    ("displayName", "string", "Name shown in AWS; required"),
    ("name.givenName", "string", "First name; required"),
    ("name.familyName", "string", "Last name; required"),
    ("name.middleName", "string", "Middle name"),
    ("name.formatted", "string", "Full name as displayed"),
    (
        "name.honorificPrefix",
        "string",
        "Honorific prefix (Ms., Dr.)",
    ),
    (
        "name.honorificSuffix",
        "string",
        "Honorific suffix (III, PhD)",
    ),
    ("nickName", "string", "Casual name"),
    ("profileUrl", "string", "Profile URL"),
    ("title", "string", "Job title"),
    (
        "userType",
        "string",
        "Relationship to the organisation (Employee, Contractor)",
    ),
    ("preferredLanguage", "string", "Preferred language (en-US)"),
    ("locale", "string", "Locale (en-US)"),
    ("timezone", "string", "Time zone (America/New_York)"),
    ("active", "boolean", "Whether the user may sign in"),
    (
        "emails.value",
        "string",
        "The single email; unique; sent as primary",
    ),
    ("emails.type", "string", "Email type (work)"),
    ("emails.primary", "boolean", "Must be true"),
    ("phoneNumbers.value", "string", "The single phone number"),
    ("phoneNumbers.type", "string", "Phone type (mobile, work)"),
    ("addresses.type", "string", "Address type (work)"),
    ("addresses.streetAddress", "string", "Street address"),
    ("addresses.locality", "string", "City"),
    ("addresses.region", "string", "State or region"),
    ("addresses.postalCode", "string", "Postal code"),
    ("addresses.country", "string", "Country code"),
    ("addresses.formatted", "string", "Full address as displayed"),
    ("addresses.primary", "boolean", "Primary address"),
    ("roles.value", "string", "Role"),
    ("roles.type", "string", "Role type"),
    ("roles.primary", "boolean", "Primary role"),
    (
        "ENT.employeeNumber",
        "string",
        "Employee number (enterprise extension)",
    ),
    (
        "ENT.costCenter",
        "string",
        "Cost center (enterprise extension)",
    ),
    (
        "ENT.organization",
        "string",
        "Organisation (enterprise extension)",
    ),
    ("ENT.division", "string", "Division (enterprise extension)"),
    (
        "ENT.department",
        "string",
        "Department (enterprise extension)",
    ),
    (
        "ENT.manager.value",
        "string",
        "The manager's AWS user id (enterprise extension)",
    ),
];

/// Every field a mapper can target, in schema order.
pub fn mapping_fields() -> Vec<MappingField> {
    FIELDS
        .iter()
        .map(|(path, kind, description)| MappingField {
            path: builtin::expand(path),
            kind,
            description,
            builtin_source: builtin::OUTGOING
                .iter()
                .find(|(_, p)| p == path)
                .map(|(f, _)| *f),
        })
        .collect()
}

/// Whether `path` is one of the fields above, or holds some of them (`name`, `emails`, the
/// enterprise block): used to warn about typos in mapping files.
pub fn is_known(path: &str) -> bool {
    let p = path
        .replace(
            &format!("{}:", urn::ENTERPRISE_USER),
            &format!("{}.", urn::ENTERPRISE_USER),
        )
        .to_ascii_lowercase();
    let parent = format!("{p}.");
    mapping_fields().iter().any(|f| {
        let f = f.path.to_ascii_lowercase();
        f == p || f.starts_with(&parent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_target_is_a_mapping_field() {
        for (_, scim) in builtin::OUTGOING {
            assert!(is_known(&builtin::expand(scim)), "{scim}");
        }
        assert!(!is_known("password"));
        assert!(is_known("name") && is_known("EMAILS") && is_known(urn::ENTERPRISE_USER));
        assert!(!is_known("nam") && !is_known("emails.display"));
        assert!(is_known(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
        ));
    }

    /// This list and the attribute rules in `aws_ilm_scim::rules` (which the emulator enforces)
    /// must agree until they become one table: every field here is one AWS accepts, and every
    /// enterprise attribute there is offered here.
    #[test]
    fn agrees_with_the_scim_attribute_rules() {
        use super::super::path::FieldPath;
        use aws_ilm_scim::rules::{ENTERPRISE_KEYS, check_user_keys};
        for f in mapping_fields() {
            let mut user = serde_json::Map::new();
            FieldPath::parse(&f.path)
                .unwrap()
                .set(&mut user, serde_json::json!("x"));
            assert_eq!(
                check_user_keys(&serde_json::Value::Object(user)),
                Ok(()),
                "{}",
                f.path
            );
        }
        for key in ENTERPRISE_KEYS {
            let prefix = format!("{}.{key}", urn::ENTERPRISE_USER);
            assert!(is_known(&prefix), "{key}");
        }
    }
}
