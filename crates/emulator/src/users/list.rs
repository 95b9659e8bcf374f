//! ListUsers: `GET /Users[?filter&count&cursor]` (docs/emulator.md, "The API it answers": Filters,
//! Lists and paging). Filters: `userName`, `externalId`, `groups.value`, `id`, `id` + `manager`;
//! anything else is a 400. userName and externalId match case-insensitively, like their uniqueness.
//! `groups.value` naming no group answers an empty list (ListUsers has no 404 in AWS's catalog).

use aws_ilm_scim::UserQuery;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::ApiError;
use crate::paging::{self, ListParams};
use crate::state::App;
use crate::store::users;

pub async fn handle(State(app): State<App>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(q.as_deref())?;
    let query = params
        .filter
        .as_ref()
        .map(UserQuery::from_filter)
        .transpose()?;
    let listing = params.listing("users", || query.as_ref().map(UserQuery::to_filter));
    let after = params.after(&listing)?;
    let limit = params.limit();
    let rows = app
        .store
        .read(|c| users::list(c, query.as_ref(), after, limit).map_err(ApiError::from))?;
    let body = paging::respond(&params, &listing, rows, |b| b)?;
    Ok(super::json(StatusCode::OK, body))
}
