//! The User resource with exactly the attributes AWS supports (docs/schema.md); a unit test in
//! [`crate::schema`] keeps these fields and the attribute table the same.
//!
//! Every field is optional at the type level: what is *required* differs between a create, a
//! replace and a response, so [`crate::rules`] checks it per operation. Absent fields are left out
//! when serializing (`skip_serializing_none`), never sent as empty strings or nulls (AWS rejects
//! empty strings).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::urn;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub meta: Option<Meta>,
    pub user_name: Option<String>,
    pub name: Option<Name>,
    pub display_name: Option<String>,
    pub nick_name: Option<String>,
    pub profile_url: Option<String>,
    pub title: Option<String>,
    pub user_type: Option<String>,
    pub preferred_language: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")]
    pub enterprise: Option<EnterpriseUser>,
}

impl User {
    /// The primary email, else the first one.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or_else(|| self.emails.first())
            .and_then(|e| e.value.as_deref())
    }

    /// Sets `schemas` to what AWS returns: core, plus the enterprise URN when that block is
    /// present (docs/schema.md).
    pub fn set_schemas(&mut self) {
        self.schemas = vec![urn::USER.to_owned()];
        if self.enterprise.is_some() {
            self.schemas.push(urn::ENTERPRISE_USER.to_owned());
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub resource_type: String,
    pub created: String,
    pub last_modified: String,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Name {
    pub formatted: Option<String>,
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub honorific_prefix: Option<String>,
    pub honorific_suffix: Option<String>,
}

/// One element of `emails`, `phoneNumbers` or `roles`: the three share their sub-attributes.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypedValue {
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub primary: Option<bool>,
}

pub type Email = TypedValue;
pub type PhoneNumber = TypedValue;
pub type Role = TypedValue;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub street_address: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub formatted: Option<String>,
    pub primary: Option<bool>,
}

/// RFC 7643 §4.3 enterprise extension, as far as AWS supports it.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnterpriseUser {
    pub employee_number: Option<String>,
    pub cost_center: Option<String>,
    pub organization: Option<String>,
    pub division: Option<String>,
    pub department: Option<String>,
    pub manager: Option<Manager>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Manager {
    pub value: Option<String>,
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_seed_example_without_adding_empties() {
        let raw = serde_json::json!({
            "active": false, "displayName": "test",
            "emails": [{"primary": true, "type": "work", "value": "john.doe@example.com"}],
            "id": "123456",
            "meta": {"created": "2021-08-23T12:53:51Z", "lastModified": "2021-08-23T12:53:51Z",
                     "resourceType": "User"},
            "name": {"familyName": "test", "givenName": "test"},
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "test"
        });
        let u: User = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(u.primary_email(), Some("john.doe@example.com"));
        assert_eq!(serde_json::to_value(&u).unwrap(), raw);
    }

    #[test]
    fn enterprise_block_uses_the_rfc_urn() {
        let mut u = User {
            enterprise: Some(EnterpriseUser {
                department: Some("R&D".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        u.set_schemas();
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(v[urn::ENTERPRISE_USER]["department"], "R&D");
        assert_eq!(v["schemas"][1], urn::ENTERPRISE_USER);
    }
}
