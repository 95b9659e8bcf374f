//! `iam-delete-group`: DELETE by id (a displayName is resolved first). 204 → success, with the
//! response's date and request id as `details`; 404 → `success: false`, "Group Not Found".

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, InputError, classify};
use crate::groups::{
    DELETE, failed, finish, group_failure, resolve_id, response_details, scim_text,
};
use crate::outcome::{GroupResult, Outcome};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.clone().ok_or(InputError::Missing("scim"))?;
    let id = match resolve_id(ilm, &scim).await? {
        Ok(id) => id,
        Err(f) => return Ok(finish(ilm, &DELETE, failed(&scim, group_failure(f)))),
    };
    let result = match ilm.client().delete_group(&id).await {
        Ok(info) => GroupResult {
            id: Some(id),
            display_name: scim_text(&scim, "displayName"),
            details: response_details(&info),
            ..Default::default()
        },
        Err(e) => {
            let mut r = failed(&scim, group_failure(classify(e)?));
            r.id = Some(id);
            r
        }
    };
    Ok(finish(ilm, &DELETE, result))
}
