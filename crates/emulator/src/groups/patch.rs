//! PatchGroup: `PATCH /Groups/{id}` → 204 without a body (docs/emulator.md, "The API it answers",
//! PATCH). Rules in [`crate::patch::group`]. Decisions: adding a member that is no user is a 404
//! naming the member (PatchGroup's catalog has ResourceNotFoundException) and nothing is applied;
//! adding an existing member and removing a non-member are no-ops; a rename onto a taken
//! displayName is a 409.

use aws_ilm_scim::Group;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::body::JsonBody;
use crate::error::{ApiError, printable};
use crate::patch::group::MemberChange;
use crate::state::App;
use crate::store::groups::{self, GroupRow};
use crate::store::users;

pub async fn handle(
    State(app): State<App>,
    Path((_tenant, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, ApiError> {
    super::check_id(&id)?;
    let patch = crate::patch::parse(body)?;
    app.store
        .write(move |tx| {
            let existing = groups::get(tx, &id)?.ok_or_else(|| ApiError::group_not_found(&id))?;
            let mut doc: serde_json::Value = serde_json::from_str(&existing)
                .map_err(|e| ApiError::internal(format!("stored group is not JSON: {e}")))?;
            let before = doc.clone();
            let changes = crate::patch::group::apply(&mut doc, &id, &patch.operations)?;
            for c in &changes {
                match c {
                    MemberChange::Add(u) => {
                        if !crate::ids::is_valid(u) || !users::exists(tx, u)? {
                            return Err(ApiError::not_found(format!(
                                "Member {} does not exist.",
                                printable(u)
                            )));
                        }
                        groups::add_member(tx, &id, u)?;
                    }
                    MemberChange::Remove(u) => groups::remove_member(tx, &id, u)?,
                }
            }
            if doc != before {
                let g: Group = crate::body::typed(doc)?;
                let created = g.meta.as_ref().map(|m| m.created.clone());
                let g = super::finish(g, id.clone(), created)?;
                groups::update(tx, &GroupRow::from_group(&g)?)?;
            }
            Ok::<_, ApiError>(StatusCode::NO_CONTENT)
        })
        .await
}
