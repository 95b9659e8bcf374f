//! DeleteGroup: `DELETE /Groups/{id}` → 204; 404 for an unknown id (docs/emulator.md, "The API it
//! answers", Operations). Its memberships go with it.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::state::App;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    crate::resource::GROUPS.delete(&app, id).await
}
