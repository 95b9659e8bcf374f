//! GetUser: `GET /Users/{id}` → 200 with the stored user, 404 when there is none (docs/emulator.md,
//! "The API it answers", Operations). List parameters (`filter`, `attributes`, …) are a 400 here,
//! never ignored (docs/emulator.md, decision 2).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::App;
use crate::store::users;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    crate::paging::refuse_list_params(q.as_deref())?;
    super::check_id(&id)?;
    let body = app
        .store
        .read(|c| users::get(c, &id).map_err(ApiError::from))?
        .ok_or_else(|| ApiError::user_not_found(&id))?;
    Ok(super::json(StatusCode::OK, body))
}
