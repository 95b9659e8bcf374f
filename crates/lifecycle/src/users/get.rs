//! `iam-get-user`: one request. Found → the raw user as `details` and the user mapped back through
//! the incoming mapper as `IAM.UserProfile`. Not found → `success: false`, `errorCode: 404`, "User
//! does not exist" (docs/commands.md, "User commands"), with the profile mapped by the outgoing
//! mapper as `details`, as the seed has it. With `with-groups`, a found user's groups follow
//! from one more (paged) listing, as `IAM.Vendor.groups` and a second table.

use aws_ilm_client::GroupQuery;
use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{Failure, IlmError, InputError, classify};
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
            let groups = if cmd.with_groups {
                match groups_of(ilm, &user).await? {
                    Ok(groups) => Some(groups),
                    Err(f) => return Ok(finish(ilm, failed("get", f), &p)),
                }
            } else {
                None
            };
            let profile = ilm
                .settings()
                .mapper_in
                .map_in(&user)
                .map_err(InputError::from)?;
            let r = VendorResult {
                action: "get",
                groups,
                ..Default::default()
            }
            .with_user(&user);
            // The profile mapped back from the user stands for the one given.
            return Ok(r.into_outcome(&ilm.settings().instance_name, &profile, Value::default));
        }
    };
    Ok(finish(ilm, result, &p))
}

/// The user's groups as `{id, displayName}`: one `/Groups?filter=members.value eq "<id>"`
/// listing, paged (docs/commands.md, "iam-get-user --with-groups").
async fn groups_of(ilm: &Ilm, user: &Value) -> Result<Result<Vec<Value>, Failure>, IlmError> {
    let Some(id) = user.get("id").and_then(Value::as_str) else {
        return Ok(Ok(Vec::new()));
    };
    let query = GroupQuery::MembersValue(id.to_owned());
    match ilm.client().list_groups(Some(&query)).await {
        Ok(groups) => Ok(Ok(groups
            .iter()
            .map(|g| json!({"id": g.get("id"), "displayName": g.get("displayName")}))
            .collect())),
        Err(e) => classify(e).map(Err),
    }
}
