//! The User operations, one module each, and what they share: turning a request body into a
//! stored [`User`] under AWS's rules.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod patch;
pub mod replace;

use aws_ilm_scim::ci::CiStr;
use aws_ilm_scim::{Meta, User, rules, urn};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::body::typed;
use crate::error::ApiError;
use crate::state::App;
use crate::store::users::{self as store, UserRow};

/// `schemas`, when sent, must name the core User schema and nothing but it and the enterprise
/// extension (RFC 7643 §3). Leaving `schemas` out is tolerated.
fn check_schemas(v: &Value) -> Result<(), ApiError> {
    let Some(s) = v.get("schemas").filter(|s| !s.is_null()) else {
        return Ok(());
    };
    let list: Vec<String> = typed(s.clone())?;
    let known =
        |u: &String| CiStr(u) == CiStr(urn::USER) || CiStr(u) == CiStr(urn::ENTERPRISE_USER);
    if let Some(bad) = list.iter().find(|u| !known(u)) {
        return Err(ApiError::bad_request(format!(
            "{} Unknown schema '{}'.",
            aws_ilm_scim::error::detail::UNPARSABLE,
            crate::error::printable(bad)
        )));
    }
    if !list.iter().any(|u| CiStr(u) == CiStr(urn::USER)) {
        return Err(ApiError::bad_request(format!(
            "{} schemas must include {}.",
            aws_ilm_scim::error::detail::UNPARSABLE,
            urn::USER
        )));
    }
    Ok(())
}

/// A CreateUser or PutUser body → the user to store, with `id` and `meta` set.
///
/// AWS rules applied: unsupported attributes refused, required names, one value per multi-valued
/// attribute, a primary email, lengths and characters (docs/schema.md; docs/emulator.md, "The API
/// it answers", Bodies). Decisions: `active` left out means inactive (the seed's create example
/// answers `"active": false`); `manager.$ref` is dropped from what is stored, since AWS answers
/// `manager` as `{value}` only.
pub fn from_body(mut v: Value, id: String, created: Option<String>) -> Result<User, ApiError> {
    rules::canonicalize_user(&mut v);
    rules::check_user_keys(&v)?;
    check_schemas(&v)?;
    let u: User = typed(v)?;
    finish(u, id, created)
}

/// Validates a user and sets what the server owns: id, meta, schemas, the `active` default.
pub fn finish(mut u: User, id: String, created: Option<String>) -> Result<User, ApiError> {
    rules::validate_user(&u)?;
    let now = crate::clock::meta_now();
    u.id = Some(id);
    u.meta = Some(Meta {
        resource_type: "User".to_owned(),
        created: created.unwrap_or_else(|| now.clone()),
        last_modified: now,
    });
    if u.active.is_none() {
        u.active = Some(false);
    }
    if let Some(m) = u.enterprise.as_mut().and_then(|e| e.manager.as_mut()) {
        m.reference = None;
    }
    if u.enterprise
        .as_ref()
        .is_some_and(|e| *e == Default::default())
    {
        u.enterprise = None;
    }
    u.set_schemas();
    Ok(u)
}

/// The `created` time of a stored user body.
pub fn created_of(body: &str) -> Option<String> {
    let u: User = serde_json::from_str(body).ok()?;
    u.meta.map(|m| m.created)
}

/// A JSON answer from an already serialised body.
pub fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// PutUser and PatchUser: `build` turns the stored user's body (404 when there is none) and its id
/// into the user stored in its place, in the same transaction; the answer is 200 with it whole.
async fn rewrite(
    app: &App,
    id: String,
    build: impl FnOnce(&str, String) -> Result<User, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let out = app
        .store
        .write(move |tx| {
            let existing = store::get(tx, &id)?.ok_or_else(|| ApiError::user_not_found(&id))?;
            let row = UserRow::from_user(&build(&existing, id)?)?;
            store::update(tx, &row)?;
            Ok::<_, ApiError>(row.body)
        })
        .await?;
    Ok(json(StatusCode::OK, out))
}

/// Ids in paths that AWS could never have issued are simply not found.
pub fn check_id(id: &str) -> Result<(), ApiError> {
    crate::resource::USERS.check_id(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonicalizes_case() {
        let mut v = json!({"USERNAME": "a", "Name": {"GIVENNAME": "x"}, "emails": [{"VALUE": "e", "Primary": true}]});
        rules::canonicalize_user(&mut v);
        assert_eq!(
            v,
            json!({"userName": "a", "name": {"givenName": "x"}, "emails": [{"value": "e", "primary": true}]})
        );
    }

    #[test]
    fn defaults_to_inactive() {
        let v = json!({"userName": "a", "displayName": "A", "name": {"givenName": "A", "familyName": "B"}});
        let u = from_body(v, crate::ids::new_id(), None).unwrap();
        assert_eq!(u.active, Some(false));
        assert_eq!(u.schemas, vec![urn::USER.to_owned()]);
    }
}
