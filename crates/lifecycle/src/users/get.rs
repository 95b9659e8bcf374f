//! `iam-get-user`: one request. Found → the raw user as `details` and the user mapped back through
//! the incoming mapper as `IAM.UserProfile`. Not found → `success: false`, `errorCode: 404`, "User
//! does not exist" (docs/commands.md, "User commands"), with the profile mapped by the outgoing
//! mapper as `details`, as the seed has it.

use serde_json::Value;

use crate::Ilm;
use crate::command::Command;
use crate::error::{Failure, IlmError, InputError};
use crate::outcome::{Outcome, VendorResult};
use crate::users::{NO_USER, failed, finish, locate, prepare};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let p = prepare(ilm, cmd)?;
    let result = match locate(ilm, &p).await? {
        Err(f) => failed("get", f),
        Ok(None) => failed(
            "get",
            Failure {
                code: Some(404),
                message: NO_USER.into(),
            },
        ),
        Ok(Some(user)) => {
            let profile = ilm
                .settings()
                .mapper_in
                .map_in(&user)
                .map_err(InputError::from)?;
            let r = VendorResult {
                action: "get",
                ..Default::default()
            }
            .with_user(&user);
            // The profile mapped back from the user stands for the one given.
            return Ok(r.into_outcome(&ilm.settings().instance_name, &profile, Value::default));
        }
    };
    Ok(finish(ilm, result, &p))
}
