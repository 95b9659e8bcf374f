//! PutUser: `PUT /Users/{id}` → 200 with the replaced user (docs/emulator.md, decision 4).
//!
//! Decisions where AWS is silent: an unknown id is 404 (as for every other single-user
//! operation); it is a full replace, so attributes left out are cleared (RFC 7644 §3.5.1), and
//! `active` left out means inactive, as on create; `externalId` may change; the userName rules
//! are CreateUser's (no whitespace), the stricter reading of AWS's conflicting texts.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::App;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    super::check_id(&id)?;
    super::rewrite(&app, id, move |existing, id| {
        super::from_body(body, id, super::created_of(existing))
    })
    .await
}
