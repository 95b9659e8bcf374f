//! GetGroup: `GET /Groups/{id}` → 200 with `"members": []` — AWS never returns members
//! (docs/emulator.md, "The API it answers", Bodies); 404 for an unknown id. List parameters are a
//! 400, never ignored (docs/emulator.md, decision 2).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::App;
use crate::store::groups;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    crate::paging::refuse_list_params(q.as_deref())?;
    super::check_id(&id)?;
    let body = app
        .store
        .read(|c| groups::get(c, &id).map_err(ApiError::from))?
        .ok_or_else(|| ApiError::group_not_found(&id))?;
    Ok(crate::users::json(
        StatusCode::OK,
        super::with_empty_members(body),
    ))
}
