//! The AWS user and group schemas as one table: every attribute AWS supports, with its type,
//! cardinality, mutability, requirement, case-exactness, uniqueness, description and
//! sub-attributes (docs/schema.md).
//!
//! Everything that needs these facts reads them here: the key checks and canonical spelling in
//! [`crate::rules`], the emulator's PatchUser and `/Schemas` document, the mapper's list handling
//! and `get-mapping-fields`. An attribute AWS refuses (`password`, `ims`, `groups`, every
//! `display` sub-attribute, `manager.displayName`) is simply absent, so a body naming it is
//! refused and no mapper offers it.

use crate::ci::CiStr;
use crate::urn;

/// The SCIM data type (RFC 7643 §2.3) of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Boolean,
    /// A URI (`$ref`): not text under AWS's length and character rules.
    Reference,
    Complex,
}

impl Type {
    /// The spelling in a schema document.
    pub fn as_str(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Boolean => "boolean",
            Type::Reference => "reference",
            Type::Complex => "complex",
        }
    }
}

/// Who may write an attribute (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the server only (`id`, `meta`).
    ReadOnly,
    ReadWrite,
}

impl Mutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
        }
    }
}

/// Whether the server refuses a second resource with the same value (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
}

impl Uniqueness {
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
        }
    }
}

/// One attribute of a schema, or one sub-attribute of a complex attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    /// The canonical spelling; names match case-insensitively (RFC 7643 §2.1).
    pub name: &'static str,
    pub kind: Type,
    /// A list on the wire. AWS keeps at most one element in every list of a user.
    pub multi_valued: bool,
    pub mutability: Mutability,
    /// CreateUser/PutUser (or CreateGroup) refuse a resource without it.
    pub required: bool,
    pub case_exact: bool,
    pub uniqueness: Uniqueness,
    /// What the attribute holds, as `/Schemas` and `get-mapping-fields` show it.
    pub description: &'static str,
    pub sub_attributes: &'static [Attribute],
    /// PatchUser may change it: AWS's list of modifiable attributes leaves `roles` out even
    /// though CreateUser and PutUser take it (docs/schema.md, "roles").
    pub patchable: bool,
    /// `get-mapping-fields` offers it as a target (docs/schema.md, "Mapping fields").
    pub mappable: bool,
}

impl Attribute {
    const fn new(name: &'static str, kind: Type, description: &'static str) -> Attribute {
        Attribute {
            name,
            kind,
            multi_valued: false,
            mutability: Mutability::ReadWrite,
            required: false,
            case_exact: false,
            uniqueness: Uniqueness::None,
            description,
            sub_attributes: &[],
            patchable: true,
            mappable: true,
        }
    }

    /// The attribute with one property changed from [`Attribute::new`]'s defaults.
    const fn with(self, flag: Flag) -> Attribute {
        let mut a = self;
        match flag {
            Flag::Required => a.required = true,
            Flag::Unique => a.uniqueness = Uniqueness::Server,
            Flag::CaseExact => a.case_exact = true,
            Flag::Multi => a.multi_valued = true,
            Flag::ReadOnly => {
                a.mutability = Mutability::ReadOnly;
                a.patchable = false;
                a.mappable = false;
            }
            Flag::NotPatchable => a.patchable = false,
            Flag::NotMappable => a.mappable = false,
        }
        a
    }

    /// A sub-attribute by name, case-insensitively.
    pub fn sub(&self, name: &str) -> Option<&'static Attribute> {
        find(self.sub_attributes, name)
    }
}

/// What [`Attribute::with`] changes; the table reads as a list of attributes with their
/// exceptions to the defaults.
#[derive(Clone, Copy)]
enum Flag {
    Required,
    Unique,
    CaseExact,
    Multi,
    /// Set by the server only; so neither patchable nor mappable.
    ReadOnly,
    NotPatchable,
    NotMappable,
}

use Flag::*;

const fn text(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, Type::String, description)
}

const fn reference(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, Type::Reference, description)
}

const fn boolean(name: &'static str, description: &'static str) -> Attribute {
    Attribute::new(name, Type::Boolean, description)
}

const fn complex(
    name: &'static str,
    description: &'static str,
    subs: &'static [Attribute],
) -> Attribute {
    Attribute {
        sub_attributes: subs,
        ..Attribute::new(name, Type::Complex, description)
    }
}

/// A schema as `/Schemas` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The schema URN.
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

impl Schema {
    /// An attribute by name, case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.attributes, name)
    }
}

fn find(attrs: &'static [Attribute], name: &str) -> Option<&'static Attribute> {
    attrs.iter().find(|a| CiStr(a.name) == CiStr(name))
}

/// The attributes every resource carries besides its schema's own (RFC 7643 §3.1); AWS's
/// `/Schemas` does not list them.
pub const COMMON: &[Attribute] = &[
    text("schemas", "The schema URNs of the resource").with(Multi),
    text("id", "Identifier assigned by AWS")
        .with(CaseExact)
        .with(Unique)
        .with(ReadOnly),
    complex(
        "meta",
        "Resource type and timestamps, set by AWS",
        &[
            text("resourceType", "User or Group"),
            text("created", "When the resource was created"),
            text("lastModified", "When the resource was last changed"),
        ],
    )
    .with(ReadOnly),
];

/// The externalId of users and groups alike.
const EXTERNAL_ID: Attribute = text(
    "externalId",
    "Identifier in the source system; unique; 1-256 characters",
)
.with(CaseExact)
.with(Unique);

/// The sub-attributes of `emails`, `phoneNumbers` and `roles` differ only in their
/// descriptions, so each has its own slice.
const EMAIL_SUBS: &[Attribute] = &[
    text("value", "The single email; unique; sent as primary")
        .with(Required)
        .with(Unique),
    text("type", "Email type (work)"),
    boolean("primary", "Must be true"),
];

const PHONE_SUBS: &[Attribute] = &[
    text("value", "The single phone number"),
    text("type", "Phone type (mobile, work)"),
    // AWS documents value and type only; its examples carry primary, so it is accepted.
    boolean("primary", "Primary phone number").with(NotMappable),
];

const ROLE_SUBS: &[Attribute] = &[
    text("value", "Role"),
    text("type", "Role type"),
    boolean("primary", "Primary role"),
];

/// The core User schema, in the order `get-mapping-fields` lists it.
pub const USER: Schema = Schema {
    id: urn::USER,
    name: "User",
    description: "User Account",
    attributes: &[
        text(
            "userName",
            "Unique sign-in name; required; 1-128 visible characters",
        )
        .with(Required)
        .with(Unique),
        EXTERNAL_ID,
        text("displayName", "Name shown in AWS; required").with(Required),
        complex(
            "name",
            "The parts of the user's name",
            &[
                text("givenName", "First name; required").with(Required),
                text("familyName", "Last name; required").with(Required),
                text("middleName", "Middle name"),
                text("formatted", "Full name as displayed"),
                text("honorificPrefix", "Honorific prefix (Ms., Dr.)"),
                text("honorificSuffix", "Honorific suffix (III, PhD)"),
            ],
        )
        .with(Required),
        text("nickName", "Casual name"),
        text("profileUrl", "Profile URL"),
        text("title", "Job title"),
        text(
            "userType",
            "Relationship to the organisation (Employee, Contractor)",
        ),
        text("preferredLanguage", "Preferred language (en-US)"),
        text("locale", "Locale (en-US)"),
        text("timezone", "Time zone (America/New_York)"),
        boolean("active", "Whether the user may sign in"),
        complex("emails", "The user's one email", EMAIL_SUBS).with(Multi),
        complex("phoneNumbers", "The user's one phone number", PHONE_SUBS).with(Multi),
        complex(
            "addresses",
            "The user's one address",
            &[
                text("type", "Address type (work)"),
                text("streetAddress", "Street address"),
                text("locality", "City"),
                text("region", "State or region"),
                text("postalCode", "Postal code"),
                text("country", "Country code"),
                text("formatted", "Full address as displayed"),
                boolean("primary", "Primary address"),
            ],
        )
        .with(Multi),
        complex(
            "roles",
            "The user's one role; PatchUser cannot change it",
            ROLE_SUBS,
        )
        .with(Multi)
        .with(NotPatchable),
    ],
};

/// The manager of the enterprise extension: AWS answers it as `{value}` only.
pub const MANAGER: Attribute = complex(
    "manager",
    "The user's manager (enterprise extension)",
    &[
        text("value", "The manager's AWS user id (enterprise extension)"),
        reference("$ref", "URI of the manager; AWS does not return it").with(NotMappable),
    ],
);

/// The enterprise extension (RFC 7643 §4.3), as far as AWS supports it.
pub const ENTERPRISE_USER: Schema = Schema {
    id: urn::ENTERPRISE_USER,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: &[
        text("employeeNumber", "Employee number (enterprise extension)"),
        text("costCenter", "Cost center (enterprise extension)"),
        text("organization", "Organisation (enterprise extension)"),
        text("division", "Division (enterprise extension)"),
        text("department", "Department (enterprise extension)"),
        MANAGER,
    ],
};

/// The enterprise extension as the one key of a User body that holds it.
pub const ENTERPRISE_BLOCK: Attribute = complex(
    urn::ENTERPRISE_USER,
    "The enterprise extension",
    ENTERPRISE_USER.attributes,
);

/// The core Group schema.
pub const GROUP: Schema = Schema {
    id: urn::GROUP,
    name: "Group",
    description: "Group",
    attributes: &[
        text("displayName", "Name of the group; required; unique")
            .with(Required)
            .with(Unique),
        complex(
            "members",
            "Users in the group; AWS never returns them",
            &[
                text("value", "The member's AWS user id"),
                reference("$ref", "URI of the member"),
                text("type", "Member type (User)"),
            ],
        )
        .with(Multi),
        EXTERNAL_ID,
    ],
};

/// The schemas `/Schemas` lists, in its order.
pub const ALL: [&Schema; 3] = [&USER, &GROUP, &ENTERPRISE_USER];

/// The keys a User body may carry at its top level: the common attributes, the core User
/// attributes and the enterprise block.
pub fn user_keys() -> impl Iterator<Item = &'static Attribute> {
    COMMON
        .iter()
        .chain(USER.attributes)
        .chain(std::iter::once(&ENTERPRISE_BLOCK))
}

/// The keys a Group body may carry at its top level.
pub fn group_keys() -> impl Iterator<Item = &'static Attribute> {
    COMMON.iter().chain(GROUP.attributes)
}

/// A top-level User key, case-insensitively.
pub fn user_key(name: &str) -> Option<&'static Attribute> {
    user_keys().find(|a| CiStr(a.name) == CiStr(name))
}

/// A top-level Group key, case-insensitively.
pub fn group_key(name: &str) -> Option<&'static Attribute> {
    group_keys().find(|a| CiStr(a.name) == CiStr(name))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::user::{Address, Email, EnterpriseUser, Manager, Meta, Name, User};

    /// The keys of `v` and of its objects below, as `a.b` paths.
    fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
        let v = match v {
            Value::Array(items) => items.first().unwrap_or(&Value::Null),
            other => other,
        };
        if let Value::Object(m) = v {
            for (k, x) in m {
                let p = format!("{prefix}{k}");
                out.push(p.clone());
                paths(x, &format!("{p}."), out);
            }
        }
    }

    fn table_paths(
        attrs: &mut dyn Iterator<Item = &'static Attribute>,
        prefix: &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for a in attrs {
            let p = format!("{prefix}{}", a.name);
            out.push(p.clone());
            out.extend(table_paths(&mut a.sub_attributes.iter(), &format!("{p}.")));
        }
        out.sort();
        out
    }

    /// The keys `resource` serializes to are exactly the paths of `table`.
    fn assert_same_keys(
        resource: &impl serde::Serialize,
        table: &mut dyn Iterator<Item = &'static Attribute>,
    ) {
        let mut got = Vec::new();
        paths(&serde_json::to_value(resource).unwrap(), "", &mut got);
        got.sort();
        assert_eq!(got, table_paths(table, ""));
    }

    /// `User`'s serde fields are the table's keys: a user with every field set serializes to
    /// exactly the paths the table lists, so neither can gain an attribute alone.
    #[test]
    fn the_user_type_holds_exactly_the_table() {
        let s = || Some("x".to_owned());
        let typed = || Email {
            value: s(),
            kind: s(),
            primary: Some(true),
        };
        let mut u = User {
            schemas: vec!["x".into()],
            id: s(),
            external_id: s(),
            meta: Some(Meta::default()),
            user_name: s(),
            name: Some(Name {
                formatted: s(),
                family_name: s(),
                given_name: s(),
                middle_name: s(),
                honorific_prefix: s(),
                honorific_suffix: s(),
            }),
            display_name: s(),
            nick_name: s(),
            profile_url: s(),
            title: s(),
            user_type: s(),
            preferred_language: s(),
            locale: s(),
            timezone: s(),
            active: Some(true),
            emails: vec![typed()],
            addresses: vec![Address {
                kind: s(),
                street_address: s(),
                locality: s(),
                region: s(),
                postal_code: s(),
                country: s(),
                formatted: s(),
                primary: Some(true),
            }],
            phone_numbers: vec![typed()],
            roles: vec![typed()],
            enterprise: Some(EnterpriseUser {
                employee_number: s(),
                cost_center: s(),
                organization: s(),
                division: s(),
                department: s(),
                manager: Some(Manager {
                    value: s(),
                    reference: s(),
                }),
            }),
        };
        u.set_schemas();
        assert_same_keys(&u, &mut user_keys());
    }

    #[test]
    fn the_group_type_holds_exactly_the_table() {
        let v = serde_json::json!({
            "schemas": ["x"], "id": "g", "externalId": "e", "displayName": "d",
            "meta": {"resourceType": "Group", "created": "c", "lastModified": "l"},
            "members": [{"value": "u", "$ref": "r", "type": "User"}]
        });
        let g: crate::group::Group = serde_json::from_value(v).unwrap();
        assert_same_keys(&g, &mut group_keys());
    }

    /// Facts written down by hand from AWS's documentation, so the table is checked against
    /// something other than itself.
    #[test]
    fn known_facts_of_aws() {
        let user_name = USER.attribute("USERNAME").unwrap();
        assert!(user_name.required && !user_name.case_exact);
        assert_eq!(user_name.uniqueness, Uniqueness::Server);
        let roles = USER.attribute("roles").unwrap();
        assert!(roles.multi_valued && !roles.patchable);
        for multi in ["emails", "phoneNumbers", "addresses", "roles"] {
            assert!(USER.attribute(multi).unwrap().multi_valued, "{multi}");
        }
        assert!(USER.attribute("password").is_none());
        assert!(USER.attribute("emails").unwrap().sub("display").is_none());
        assert!(MANAGER.sub("displayName").is_none());
        assert_eq!(
            ENTERPRISE_USER.attribute("costcenter").map(|a| a.name),
            Some("costCenter")
        );
        assert_eq!(
            user_key(urn::ENTERPRISE_USER).map(|a| a.kind),
            Some(Type::Complex)
        );
        assert_eq!(group_key("MEMBERS").map(|a| a.name), Some("members"));
        assert_eq!(
            user_key("id").map(|a| a.mutability),
            Some(Mutability::ReadOnly)
        );
    }
}
