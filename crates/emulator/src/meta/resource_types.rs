//! ResourceTypes: `GET /ResourceTypes` → User and Group (docs/emulator.md, "Discovery"), with
//! `meta.location` under this emulator's base URL. `/ResourceTypes/{id}` is not documented by AWS
//! and answers 404 here.

use aws_ilm_scim::urn;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::state::App;

pub async fn handle(State(app): State<App>) -> Response {
    let base = &app.base_url;
    let doc = json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": 2,
        "itemsPerPage": 2,
        "startIndex": 1,
        "Resources": [
            {
                "schemas": [urn::RESOURCE_TYPE],
                "id": "User",
                "name": "User",
                "endpoint": "/Users",
                "description": "User Account",
                "schema": urn::USER,
                "schemaExtensions": [{"schema": urn::ENTERPRISE_USER, "required": true}],
                "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
            },
            {
                "schemas": [urn::RESOURCE_TYPE],
                "id": "Group",
                "name": "Group",
                "endpoint": "/Groups",
                "description": "Group",
                "schema": urn::GROUP,
                "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
            }
        ]
    });
    crate::users::json(StatusCode::OK, doc.to_string())
}
