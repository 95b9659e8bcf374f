//! ListResponse (RFC 7644 §3.4.2) in AWS's two shapes: without a cursor it carries
//! `totalResults`/`itemsPerPage`/`startIndex`; with a cursor only `itemsPerPage` and, while more
//! pages remain, `nextCursor` (docs/emulator.md, "Lists and paging").

use serde::{Deserialize, Serialize};

use crate::urn;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_per_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    #[serde(rename = "Resources", default = "Vec::new")]
    pub resources: Vec<T>,
}

impl<T> ListResponse<T> {
    /// The non-cursor shape. `totalResults` counts the page, as AWS's examples do.
    pub fn page(resources: Vec<T>) -> Self {
        let n = resources.len() as u64;
        ListResponse {
            schemas: vec![urn::LIST_RESPONSE.to_owned()],
            total_results: Some(n),
            items_per_page: Some(n),
            start_index: Some(1),
            next_cursor: None,
            resources,
        }
    }

    /// The cursor shape.
    pub fn cursor_page(resources: Vec<T>, next_cursor: Option<String>) -> Self {
        ListResponse {
            schemas: vec![urn::LIST_RESPONSE.to_owned()],
            total_results: None,
            items_per_page: Some(resources.len() as u64),
            start_index: None,
            next_cursor,
            resources,
        }
    }
}
