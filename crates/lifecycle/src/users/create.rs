//! `iam-create-user`: lookup, then POST — two requests for a new user.
//!
//! `allow_create` off → skipped "Command is disabled.". An existing user is updated instead
//! (action "update", PRODUCT.md §3.1), which needs `allow_update`. A new user is created active,
//! unless `allow-enable` is false (the seed: "after the command execution, the status of the
//! user ... will be active"); `active` goes in the POST itself, so no second write is needed.
//! The instance's `allow_enable` governs re-enabling existing users only: a joiner is not
//! "enabled", it is created.

use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, classify};
use crate::outcome::{Outcome, VendorResult};
use crate::users::{
    CREATE, DISABLED, Prepared, Titles, failed, finish, locate, prepare, skipped, update,
};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let given = cmd.user_profile.clone().unwrap_or_default();
    if !ilm.settings().allow_create {
        return Ok(finish(ilm, &CREATE, skipped("create", DISABLED), &given));
    }
    let p = prepare(ilm, cmd)?;
    match locate(ilm, &p).await? {
        Err(f) => Ok(finish(ilm, &CREATE, failed("create", f), &given)),
        Ok(Some(user)) if ilm.settings().allow_update => {
            update::update_existing(ilm, cmd, &p, &user, &CREATE).await
        }
        Ok(Some(user)) => Ok(finish(
            ilm,
            &CREATE,
            skipped(
                "update",
                "User already exists and updating users is disabled.",
            )
            .with_user(&user),
            &given,
        )),
        Ok(None) => create_new(ilm, cmd, &p, &CREATE).await,
    }
}

/// POSTs the mapped profile (also used by update's create-if-not-exists).
pub(crate) async fn create_new(
    ilm: &Ilm,
    cmd: &Command,
    p: &Prepared,
    titles: &Titles,
) -> Result<Outcome, IlmError> {
    let mut body = p.mapped.clone();
    body.insert("active".into(), json!(cmd.allow_enable));
    let given = p.profile.fields();
    let result = match ilm.client().create_user(&Value::Object(body)).await {
        Ok(user) => VendorResult {
            action: "create",
            ..Default::default()
        }
        .with_user(&user),
        Err(e) => failed("create", classify(e)?),
    };
    Ok(finish(ilm, titles, result, given))
}
