//! GetGroup: `GET /Groups/{id}` → 200 with `"members": []` — AWS never returns members
//! (docs/emulator.md, "The API it answers", Bodies); 404 for an unknown id. List parameters are a
//! 400, never ignored (docs/emulator.md, decision 2).

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
    let body = crate::resource::GROUPS.get(&app, &id, q.as_deref())?;
    Ok(crate::users::json(
        StatusCode::OK,
        super::with_empty_members(body),
    ))
}
