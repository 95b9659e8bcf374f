//! Schemas: `GET /Schemas` (a ListResponse of User, Group and EnterpriseUser) and
//! `GET /Schemas/{urn}` (one schema object without `schemas`/`meta`, like AWS's example; spec
//! §3.13). The attributes listed are the ones AWS supports (spec §4).

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::urn;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::app::App;
use crate::error::{ApiError, printable};

fn attr(name: &str, kind: &str, required: bool, case_exact: bool, uniqueness: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": name,
        "required": required, "caseExact": case_exact, "mutability": "readWrite",
        "returned": "default", "uniqueness": uniqueness
    })
}

fn text(name: &str) -> Value {
    attr(name, "string", false, false, "none")
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    json!({
        "name": name, "type": "complex", "multiValued": multi, "description": name,
        "required": false, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none", "subAttributes": subs
    })
}

fn bool_attr(name: &str) -> Value {
    json!({
        "name": name, "type": "boolean", "multiValued": false, "description": name,
        "required": false, "mutability": "readWrite", "returned": "default"
    })
}

fn user() -> Value {
    let mv = |n: &str| {
        complex(
            n,
            true,
            vec![text("value"), text("type"), bool_attr("primary")],
        )
    };
    json!({
        "id": urn::USER, "name": "User", "description": "User Account",
        "attributes": [
            attr("userName", "string", true, false, "server"),
            complex("name", false, ["formatted", "familyName", "givenName", "middleName",
                "honorificPrefix", "honorificSuffix"].iter().map(|n| text(n)).collect()),
            attr("displayName", "string", true, false, "none"),
            text("nickName"), text("profileUrl"), text("title"), text("userType"),
            text("preferredLanguage"), text("locale"), text("timezone"),
            bool_attr("active"),
            mv("emails"), mv("phoneNumbers"),
            complex("addresses", true, vec![text("formatted"), text("streetAddress"),
                text("locality"), text("region"), text("postalCode"), text("country"),
                text("type"), bool_attr("primary")]),
            mv("roles"),
            attr("externalId", "string", false, true, "server"),
        ]
    })
}

fn group() -> Value {
    json!({
        "id": urn::GROUP, "name": "Group", "description": "Group",
        "attributes": [
            attr("displayName", "string", true, false, "server"),
            complex("members", true, vec![text("value"), text("$ref"), text("type")]),
            attr("externalId", "string", false, true, "server"),
        ]
    })
}

fn enterprise() -> Value {
    json!({
        "id": urn::ENTERPRISE_USER, "name": "EnterpriseUser", "description": "Enterprise User",
        "attributes": [
            text("employeeNumber"), text("costCenter"), text("organization"),
            text("division"), text("department"),
            complex("manager", false, vec![text("value"), text("$ref")]),
        ]
    })
}

fn all() -> [Value; 3] {
    [user(), group(), enterprise()]
}

pub async fn list() -> Response {
    let doc = json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": 3, "itemsPerPage": 3, "startIndex": 1,
        "Resources": all(),
    });
    crate::users::json(StatusCode::OK, doc.to_string())
}

pub async fn get(
    State(_app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let found = all()
        .into_iter()
        .find(|s| s["id"].as_str().is_some_and(|i| CiStr(i) == CiStr(&id)));
    match found {
        Some(s) => Ok(crate::users::json(StatusCode::OK, s.to_string())),
        None => Err(ApiError::not_found(format!(
            "Schema {} does not exist.",
            printable(&id)
        ))),
    }
}
