//! ListGroups: `GET /Groups[?filter&count&cursor]` (docs/emulator.md, "The API it answers":
//! Filters, Lists and paging). Filters: `displayName`, `externalId`, `members.value`, `id` +
//! `members` (either order). A filter naming a member that is no user is AWS's 404; `id eq G and
//! members eq U` for an existing U outside G answers an empty list (decision). Every group carries
//! `"members": []`.

use aws_ilm_scim::GroupQuery;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::{ApiError, printable};
use crate::paging::{self, ListParams};
use crate::state::App;
use crate::store::{groups, users};

pub async fn handle(State(app): State<App>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::parse(q.as_deref())?;
    let query = params
        .filter
        .as_ref()
        .map(GroupQuery::from_filter)
        .transpose()?;
    let listing = params.listing("groups", || query.as_ref().map(GroupQuery::to_filter));
    let after = params.after(&listing)?;
    let limit = params.limit();
    let member = match &query {
        Some(GroupQuery::MembersValue(u)) | Some(GroupQuery::IdAndMembers { member: u, .. }) => {
            Some(u.clone())
        }
        _ => None,
    };
    let rows = app.store.read(|c| {
        if let Some(u) = &member
            && (!crate::ids::is_valid(u) || !users::exists(c, u)?)
        {
            return Err(ApiError::not_found(format!(
                "Member {} does not exist.",
                printable(u)
            )));
        }
        groups::list(c, query.as_ref(), after, limit).map_err(ApiError::from)
    })?;
    let body = paging::respond(&params, &listing, rows, super::with_empty_members)?;
    Ok(crate::users::json(StatusCode::OK, body))
}
