//! `get-mapping-fields`: the AWS user schema fields a mapper can target, derived from the
//! attribute table in `aws_ilm_scim::schema`, with the profile field the built-in outgoing
//! mapper feeds each from.
//!
//! Left out (docs/schema.md, "Mapping fields"): the read-only `id` and `meta`; what AWS refuses
//! and the table therefore lacks (`groups`, `password`, `ims`, `photos`, `entitlements`,
//! `x509Certificates`, every `display` sub-attribute, `manager.displayName`); and the two
//! attributes the table marks not mappable, `phoneNumbers.primary` and `manager.$ref`.

use aws_ilm_scim::schema::{self, Attribute, Mutability, Type};
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

/// Every field a mapper can target, in schema order: the writable leaves of the core User and
/// enterprise schemas that the attribute table marks mappable.
pub fn mapping_fields() -> Vec<MappingField> {
    let enterprise = format!("{}.", urn::ENTERPRISE_USER);
    let mut out = Vec::new();
    leaves(schema::USER.attributes, "", &mut out);
    leaves(schema::ENTERPRISE_USER.attributes, &enterprise, &mut out);
    out
}

fn leaves(attrs: &'static [Attribute], prefix: &str, out: &mut Vec<MappingField>) {
    for a in attrs
        .iter()
        .filter(|a| a.mappable && a.mutability == Mutability::ReadWrite)
    {
        let path = format!("{prefix}{}", a.name);
        if a.kind == Type::Complex {
            leaves(a.sub_attributes, &format!("{path}."), out);
            continue;
        }
        out.push(MappingField {
            builtin_source: builtin::OUTGOING
                .iter()
                .find(|(_, p)| builtin::expand(p) == path)
                .map(|(f, _)| *f),
            path,
            kind: a.kind.as_str(),
            description: a.description,
        });
    }
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

    /// Every field here is one the key checks of `aws_ilm_scim::rules` (which the emulator
    /// enforces) accept, and every enterprise attribute is offered here.
    #[test]
    fn agrees_with_the_scim_attribute_rules() {
        use super::super::path::FieldPath;
        use aws_ilm_scim::rules::check_user_keys;
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
        for key in schema::ENTERPRISE_USER.attributes.iter().map(|a| a.name) {
            let prefix = format!("{}.{key}", urn::ENTERPRISE_USER);
            assert!(is_known(&prefix), "{key}");
        }
    }
}
