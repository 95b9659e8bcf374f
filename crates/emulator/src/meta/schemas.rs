//! Schemas: `GET /Schemas` (a ListResponse of User, Group and EnterpriseUser) and
//! `GET /Schemas/{urn}` (one schema object without `schemas`/`meta`, like AWS's example). Both
//! render the attribute table of `aws_ilm_scim::schema` (docs/schema.md).

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::schema::{self, Attribute, Schema, Type};
use aws_ilm_scim::urn;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, printable};
use crate::state::App;

/// One attribute as a schema document lists it (RFC 7643 §7): `caseExact` for strings and
/// references, `uniqueness` for all but booleans, `subAttributes` for complex ones.
fn attribute(a: &Attribute) -> Value {
    let mut v = json!({
        "name": a.name, "type": a.kind.as_str(), "multiValued": a.multi_valued,
        "description": a.description, "required": a.required,
    });
    if matches!(a.kind, Type::String | Type::Reference) {
        v["caseExact"] = json!(a.case_exact);
    }
    v["mutability"] = json!(a.mutability.as_str());
    v["returned"] = json!("default");
    if a.kind != Type::Boolean {
        v["uniqueness"] = json!(a.uniqueness.as_str());
    }
    if a.kind == Type::Complex {
        v["subAttributes"] = Value::Array(a.sub_attributes.iter().map(attribute).collect());
    }
    v
}

fn document(s: &Schema) -> Value {
    json!({
        "id": s.id, "name": s.name, "description": s.description,
        "attributes": s.attributes.iter().map(attribute).collect::<Vec<_>>(),
    })
}

fn all() -> Vec<Value> {
    schema::ALL.iter().map(|s| document(s)).collect()
}

pub async fn list() -> Response {
    let doc = json!({
        "schemas": [urn::LIST_RESPONSE],
        "totalResults": schema::ALL.len(), "itemsPerPage": schema::ALL.len(), "startIndex": 1,
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
