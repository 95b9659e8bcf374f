//! CreateGroup: `POST /Groups` → 201 (docs/emulator.md, "The API it answers", Operations). At most
//! 100 members; the answer never has a `members` key. 409 when displayName or externalId is taken
//! (case-insensitively). Decision: a member id that is no user is a 400 (CreateGroup has no 404 in
//! AWS's catalog), and nothing is created.

use aws_ilm_scim::key;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::body::JsonBody;
use crate::error::{ApiError, printable};
use crate::patch::group::member_id;
use crate::state::App;
use crate::store::groups::{self, GroupRow};
use crate::store::users;

pub async fn handle(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let raw_members: Vec<serde_json::Value> = key::get_in(&body, "members")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let group = super::from_body(body, crate::ids::new_id())?;
    let member_ids = raw_members
        .iter()
        .map(member_id)
        .collect::<Result<Vec<_>, _>>()?;
    let row = GroupRow::from_group(&group)?;
    let out = row.body.clone();
    app.store
        .write(move |tx| {
            groups::insert(tx, &row)?;
            for m in &member_ids {
                if !crate::ids::is_valid(m) || !users::exists(tx, m)? {
                    return Err(ApiError::bad_request(format!(
                        "Member {} does not exist.",
                        printable(m)
                    )));
                }
                groups::add_member(tx, &row.id, m)?;
            }
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(crate::users::json(StatusCode::CREATED, out))
}
