//! PutUser: `PUT /Users/{id}` → 200 with the replaced user (docs/emulator.md, decision 4).
//!
//! Decisions where AWS is silent: an unknown id is 404 (as for every other single-user
//! operation); it is a full replace, so attributes left out are cleared (RFC 7644 §3.5.1), and
//! `active` left out means inactive, as on create; `externalId` may change; the userName rules
//! are CreateUser's (no whitespace), the stricter reading of AWS's conflicting texts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::App;
use crate::store::users::{self, UserRow};

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    super::check_id(&id)?;
    let out = app
        .store
        .write(move |tx| {
            let existing = users::get(tx, &id)?.ok_or_else(|| ApiError::user_not_found(&id))?;
            let user = super::from_body(body, id.clone(), super::created_of(&existing))?;
            let row = UserRow::from_user(&user)?;
            users::update(tx, &row)?;
            Ok::<_, ApiError>(row.body)
        })
        .await?;
    Ok(super::json(StatusCode::OK, out))
}
