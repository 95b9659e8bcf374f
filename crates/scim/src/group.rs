//! The Group resource. AWS never returns `members` on reads (docs/schema.md), so the field is only
//! meaningful in requests.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::user::Meta;

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub meta: Option<Meta>,
    pub display_name: Option<String>,
    pub members: Option<Vec<Member>>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub value: String,
    #[serde(rename = "$ref", default)]
    pub reference: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Never accepted by AWS; present so a client can fill it from a membership query.
    #[serde(default)]
    pub display: Option<String>,
}

impl Member {
    pub fn id(value: impl Into<String>) -> Self {
        Member {
            value: value.into(),
            ..Default::default()
        }
    }
}
