//! The instance switches that can turn a user command into a skip (PRODUCT.md §2:
//! `allow-create`, `allow-update`, `allow-enable`, `allow-disable`, `create-if-not-exists`), and
//! how to tell such a skip from one the directory caused.
//!
//! The difference matters to anything that remembers outcomes: a skip because a switch was off
//! says nothing about the directory, and the same event run with the switch on would act. The
//! batch journal therefore does not record it as done (docs/batch.md, "Resume"), while a skip
//! the directory caused ("User does not exist", "User is already disabled.") is final.

use crate::IlmSettings;
use crate::command::{Command, CommandName};
use crate::outcome::{Outcome, Status};
use crate::users::{DISABLED, EXISTS_UPDATE_OFF, MISSING_CREATE_OFF, NO_USER};

/// One instance switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    AllowCreate,
    AllowUpdate,
    AllowEnable,
    AllowDisable,
    CreateIfNotExists,
}

impl Switch {
    /// The name a user sets it by (flag, environment, config file).
    pub fn name(self) -> &'static str {
        match self {
            Switch::AllowCreate => "allow-create",
            Switch::AllowUpdate => "allow-update",
            Switch::AllowEnable => "allow-enable",
            Switch::AllowDisable => "allow-disable",
            Switch::CreateIfNotExists => "create-if-not-exists",
        }
    }

    /// The switch that gates a command as a whole: off, the command is skipped with "Command is
    /// disabled." before any request. Deleting shares `allow-disable` (there is no seed
    /// parameter for it; deleting is the leaver's step after disabling).
    pub fn gate(name: CommandName) -> Option<Switch> {
        match name {
            CommandName::CreateUser => Some(Switch::AllowCreate),
            CommandName::UpdateUser => Some(Switch::AllowUpdate),
            CommandName::EnableUser => Some(Switch::AllowEnable),
            CommandName::DisableUser | CommandName::DeleteUser => Some(Switch::AllowDisable),
            _ => None,
        }
    }

    pub fn is_on(self, s: &IlmSettings) -> bool {
        match self {
            Switch::AllowCreate => s.allow_create,
            Switch::AllowUpdate => s.allow_update,
            Switch::AllowEnable => s.allow_enable,
            Switch::AllowDisable => s.allow_disable,
            Switch::CreateIfNotExists => s.create_if_not_exists,
        }
    }
}

/// Whether the command's gate (if it has one) is open.
pub(crate) fn gate_open(settings: &IlmSettings, name: CommandName) -> bool {
    Switch::gate(name).is_none_or(|s| s.is_on(settings))
}

/// The switch whose being off made `outcome` a skip, if one did; `None` for every other
/// outcome, including skips the directory caused.
pub fn held_by(settings: &IlmSettings, cmd: &Command, outcome: &Outcome) -> Option<Switch> {
    if outcome.status != Status::Skipped {
        return None;
    }
    let reason = outcome.context["IAM"]["Vendor"]["reason"].as_str()?;
    match reason {
        DISABLED => Switch::gate(cmd.name),
        EXISTS_UPDATE_OFF => Some(Switch::AllowUpdate),
        MISSING_CREATE_OFF => Some(Switch::AllowCreate),
        // An update of a missing user creates it when create-if-not-exists is on.
        NO_USER if cmd.name == CommandName::UpdateUser && !settings.create_if_not_exists => {
            Some(Switch::CreateIfNotExists)
        }
        _ => None,
    }
}
