//! CreateUser: `POST /Users` → 201 with the stored user (docs/emulator.md, "The API it answers",
//! Bodies); 409 when the userName, the email or the externalId is taken, case-insensitively.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::App;
use crate::store::users::{self, UserRow};

pub async fn handle(
    State(app): State<App>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let user = super::from_body(body, crate::ids::new_id(), None)?;
    let row = UserRow::from_user(&user)?;
    let body = row.body.clone();
    app.store
        .write(move |tx| users::insert(tx, &row).map_err(ApiError::from))
        .await?;
    Ok(super::json(StatusCode::CREATED, body))
}
