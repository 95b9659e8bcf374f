//! `iam-enable-user` (beyond the seed): lookup, then PATCH `active=true` — two requests.
//! Mirrors disable: `allow_enable` off → skipped "Command is disabled."; not found → skipped
//! "User does not exist"; already active → skipped "User is already enabled.".

use crate::Ilm;
use crate::command::Command;
use crate::error::IlmError;
use crate::outcome::Outcome;
use crate::switch::gate_open;
use crate::users::set_active;

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let allowed = gate_open(ilm.settings(), cmd.name);
    set_active(
        ilm,
        cmd,
        true,
        allowed,
        "enable",
        "User is already enabled.",
    )
    .await
}
