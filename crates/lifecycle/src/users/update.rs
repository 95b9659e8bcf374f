//! `iam-update-user`: lookup, then one PATCH — two requests, also when it re-enables (the
//! PATCH is [`super::patch`]'s). A missing user is created when `create_if_not_exists` and
//! `allow_create` are on (the result is then a create's, as the seed's is).

use crate::Ilm;
use crate::command::Command;
use crate::error::IlmError;
use crate::outcome::Outcome;
use crate::switch::gate_open;
use crate::users::{
    MISSING_CREATE_OFF, NO_USER, create, failed, finish, locate, patch, prepare, skipped,
    switched_off,
};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let s = ilm.settings();
    if !gate_open(s, cmd.name) {
        return switched_off(ilm, cmd, "update");
    }
    let p = prepare(ilm, cmd)?;
    match locate(ilm, &p).await? {
        Err(f) => Ok(finish(ilm, failed("update", f), &p)),
        Ok(Some(user)) => patch::update_existing(ilm, cmd, &p, &user).await,
        Ok(None) if s.create_if_not_exists && s.allow_create => {
            create::create_new(ilm, cmd, &p).await
        }
        Ok(None) if s.create_if_not_exists => {
            Ok(finish(ilm, skipped("update", MISSING_CREATE_OFF), &p))
        }
        Ok(None) => Ok(finish(ilm, skipped("update", NO_USER), &p)),
    }
}
