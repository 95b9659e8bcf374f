//! `iam-delete-user` (beyond the seed): lookup, then DELETE — two requests. Gated by
//! `allow_disable` (there is no seed parameter for deleting; deleting is the last step of the
//! same leaver process). Not found → skipped "User does not exist"; `details` holds the user as
//! it was before deletion, so the record of what was removed is not lost.

use crate::Ilm;
use crate::command::Command;
use crate::error::{IlmError, classify};
use crate::outcome::{Outcome, VendorResult};
use crate::switch::gate_open;
use crate::users::{NO_USER, failed, finish, locate, prepare, skipped, switched_off, user_id};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    if !gate_open(ilm.settings(), cmd.name) {
        return switched_off(ilm, cmd, "delete");
    }
    let p = prepare(ilm, cmd)?;
    let result = match locate(ilm, &p).await? {
        Err(f) => failed("delete", f),
        Ok(None) => skipped("delete", NO_USER),
        Ok(Some(user)) => match user_id(&user) {
            Err(f) => failed("delete", f),
            Ok(id) => match ilm.client().delete_user(&id).await {
                Ok(()) => VendorResult {
                    action: "delete",
                    ..Default::default()
                }
                .with_user(&user),
                Err(e) => failed("delete", classify(e)?).with_user(&user),
            },
        },
    };
    Ok(finish(ilm, result, &p))
}
