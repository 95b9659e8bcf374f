//! DeleteUser: `DELETE /Users/{id}` → 204; 404 for an unknown id (docs/emulator.md, "The API it
//! answers", Operations). The user's group memberships are removed with it.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::state::App;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    crate::resource::USERS.delete(&app, id).await
}
