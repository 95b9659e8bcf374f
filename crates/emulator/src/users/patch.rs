//! PatchUser: `PATCH /Users/{id}` → 200 with the full updated user (docs/emulator.md, "The API it
//! answers", PATCH). The operations are applied in one transaction by [`crate::patch::user`]; the
//! result must again pass CreateUser's rules, and a uniqueness conflict is a 409.

use aws_ilm_scim::User;
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
    let patch = crate::patch::parse(body)?;
    super::rewrite(&app, id, move |existing, id| {
        let mut doc: serde_json::Value = serde_json::from_str(existing)
            .map_err(|e| ApiError::internal(format!("stored user is not JSON: {e}")))?;
        crate::patch::user::apply(&mut doc, &patch.operations)?;
        aws_ilm_scim::rules::canonicalize_user(&mut doc);
        aws_ilm_scim::rules::check_user_keys(&doc)?;
        let user: User = crate::body::typed(doc)?;
        super::finish(user, id, super::created_of(existing))
    })
    .await
}
