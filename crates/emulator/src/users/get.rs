//! GetUser: `GET /Users/{id}` → 200 with the stored user, 404 when there is none (docs/emulator.md,
//! "The API it answers", Operations). List parameters (`filter`, `attributes`, …) are a 400 here,
//! never ignored (docs/emulator.md, decision 2).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::App;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let body = crate::resource::USERS.get(&app, &id, q.as_deref())?;
    Ok(super::json(StatusCode::OK, body))
}
