//! `iam-disable-user`: lookup, then PATCH `active=false` — two requests. `allow_disable` off →
//! skipped "Command is disabled."; not found → skipped "User does not exist"; already inactive →
//! skipped "User is already disabled." (docs/commands.md, "User commands").

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
        false,
        allowed,
        "disable",
        "User is already disabled.",
    )
    .await
}
