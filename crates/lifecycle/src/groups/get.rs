//! `iam-get-group`: GET by id (or a filter by displayName), then the members. AWS never returns
//! members in a group read (docs/commands.md, "Group commands"), so they come from `GET
//! /Users?filter=groups.value eq` (all pages): `members` = `[{value: user id, display: userName}]`,
//! also put into `details`. Two requests by id, two by name. Not found → `errorCode: 404`, "Group
//! Not Found", with the seed's `details`: the 404's text for an id, the (empty) list response for a
//! name.

use aws_ilm_client::UserQuery;
use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, InputError, classify};
use crate::groups::{GET, failed, find_by_name, finish, from_error, scim_text};
use crate::outcome::{GroupResult, Outcome};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.as_ref().ok_or(InputError::Missing("scim"))?;
    let c = ilm.client();
    let found = match scim_text(scim, "id") {
        Some(id) => match c.read_group(&id).await {
            Ok(g) => Ok(g),
            Err(e) => Err(from_error(scim, e)?),
        },
        None => find_by_name(ilm, scim).await?,
    };
    let mut group = match found {
        Ok(g) => g,
        Err(r) => return Ok(finish(ilm, &GET, r)),
    };
    let id = group
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let users = match c
        .list_users(Some(&UserQuery::GroupsValue(id.clone())))
        .await
    {
        Ok(u) => u,
        Err(e) => return Ok(finish(ilm, &GET, failed(scim, classify(e)?))),
    };
    let members: Vec<Value> = users
        .iter()
        .map(|u| {
            let display = u
                .get("userName")
                .or_else(|| u.get("displayName"))
                .cloned()
                .unwrap_or(Value::Null);
            json!({"value": u.get("id").cloned().unwrap_or(Value::Null), "display": display})
        })
        .collect();
    if let Some(obj) = group.as_object_mut() {
        obj.insert("members".into(), Value::Array(members.clone()));
    }
    let result = GroupResult {
        id: Some(id),
        display_name: group
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        details: group,
        members: Value::Array(members),
        ..Default::default()
    };
    Ok(finish(ilm, &GET, result))
}
