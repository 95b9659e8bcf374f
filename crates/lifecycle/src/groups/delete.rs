//! `iam-delete-group`: DELETE by id (a displayName is resolved first). 204 → success, with the
//! response's date and request id as `details`; 404 → `success: false`, "Group Not Found", with
//! the 404's text as `details` (the seed's).

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, InputError};
use crate::groups::{DELETE, finish, from_error, resolve_id, response_details, scim_text};
use crate::outcome::{GroupResult, Outcome};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.as_ref().ok_or(InputError::Missing("scim"))?;
    let id = match resolve_id(ilm, scim).await? {
        Ok(id) => id,
        Err(r) => return Ok(finish(ilm, &DELETE, r)),
    };
    let result = match ilm.client().delete_group(&id).await {
        Ok(info) => GroupResult {
            id: Some(id),
            display_name: scim_text(scim, "displayName"),
            details: response_details(&info),
            ..Default::default()
        },
        Err(e) => {
            let mut r = from_error(scim, e)?;
            r.id = Some(id);
            r
        }
    };
    Ok(finish(ilm, &DELETE, result))
}
