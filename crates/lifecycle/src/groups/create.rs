//! `iam-create-group`: one POST of the `scim` data (with the Group schema, empty values left
//! out). 201 → success with the id; 409 → `success: false`, `errorCode: 409` and AWS's detail.

use aws_ilm_scim::{key, urn};
use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, InputError, classify};
use crate::groups::{CREATE, failed, finish};
use crate::mapper::rules::prune_map;
use crate::outcome::{GroupResult, Outcome};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.as_ref().ok_or(InputError::Missing("scim"))?;
    let mut body = scim.clone();
    prune_map(&mut body);
    // Server-assigned; AWS refuses them in a create.
    key::remove_all(&mut body, "id");
    key::remove_all(&mut body, "meta");
    body.insert("schemas".into(), json!([urn::GROUP]));
    let result = match ilm.client().create_group(&Value::Object(body)).await {
        Ok(group) => GroupResult {
            id: group.get("id").and_then(Value::as_str).map(str::to_owned),
            display_name: group
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            details: group,
            ..Default::default()
        },
        Err(e) => failed(scim, classify(e)?),
    };
    Ok(finish(ilm, &CREATE, result))
}
