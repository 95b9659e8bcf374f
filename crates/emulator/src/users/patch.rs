//! PatchUser: `PATCH /Users/{id}` → 200 with the full updated user (docs/emulator.md, "The API it
//! answers", PATCH). The operations are applied in one transaction by [`crate::patch::user`]; the
//! result must again pass CreateUser's rules, and a uniqueness conflict is a 409.

use aws_ilm_scim::User;
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
    let patch = crate::patch::parse(body)?;
    let out = app
        .store
        .write(move |tx| {
            let existing = users::get(tx, &id)?.ok_or_else(|| ApiError::user_not_found(&id))?;
            let mut doc: serde_json::Value = serde_json::from_str(&existing)
                .map_err(|e| ApiError::internal(format!("stored user is not JSON: {e}")))?;
            let created = super::created_of(&existing);
            crate::patch::user::apply(&mut doc, &patch.operations)?;
            aws_ilm_scim::rules::canonicalize_user(&mut doc);
            aws_ilm_scim::rules::check_user_keys(&doc)?;
            let user: User = crate::body::typed(doc)?;
            let user = super::finish(user, id.clone(), created)?;
            let row = UserRow::from_user(&user)?;
            users::update(tx, &row)?;
            Ok::<_, ApiError>(row.body)
        })
        .await?;
    Ok(super::json(StatusCode::OK, out))
}
