//! The instance switches that can turn a user command into a skip (docs/commands.md:
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::VendorResult;
    use crate::users::skipped;
    use serde_json::{Map, Value, json};

    fn cmd(name: &str) -> Command {
        let args = json!({"user-profile": {"username": "a@x.test"}});
        Command::parse(name, args.as_object().unwrap()).unwrap()
    }

    fn outcome(r: VendorResult) -> Outcome {
        r.into_outcome("aws-ilm", &Map::new(), || Value::Null)
    }

    #[test]
    fn each_gated_command_names_its_own_switch() {
        let s = IlmSettings::default();
        for (name, switch) in [
            ("iam-create-user", Switch::AllowCreate),
            ("iam-update-user", Switch::AllowUpdate),
            ("iam-enable-user", Switch::AllowEnable),
            ("iam-disable-user", Switch::AllowDisable),
            ("iam-delete-user", Switch::AllowDisable),
        ] {
            let o = outcome(skipped("x", DISABLED));
            assert_eq!(held_by(&s, &cmd(name), &o), Some(switch), "{name}");
        }
        assert_eq!(Switch::gate(CommandName::GetUser), None);
    }

    #[test]
    fn skips_caused_by_a_switch_are_held_and_the_directory_s_are_final() {
        let on = IlmSettings::default();
        let create = cmd("iam-create-user");
        let update = cmd("iam-update-user");
        let held = |s: &IlmSettings, c: &Command, reason: &str| {
            held_by(s, c, &outcome(skipped("x", reason)))
        };
        assert_eq!(
            held(&on, &create, EXISTS_UPDATE_OFF),
            Some(Switch::AllowUpdate)
        );
        assert_eq!(
            held(&on, &update, MISSING_CREATE_OFF),
            Some(Switch::AllowCreate)
        );
        let no_create = IlmSettings {
            create_if_not_exists: false,
            ..Default::default()
        };
        assert_eq!(
            held(&no_create, &update, NO_USER),
            Some(Switch::CreateIfNotExists)
        );
        // The directory's answers: final.
        assert_eq!(held(&no_create, &cmd("iam-disable-user"), NO_USER), None);
        assert_eq!(held(&on, &cmd("iam-delete-user"), NO_USER), None);
        assert_eq!(
            held(&on, &cmd("iam-disable-user"), "User is already disabled."),
            None
        );
        // Not a skip at all.
        let failed = VendorResult {
            status: Some(Status::Failed),
            reason: DISABLED.into(),
            ..Default::default()
        };
        assert_eq!(held_by(&on, &create, &outcome(failed)), None);
        assert_eq!(Switch::CreateIfNotExists.name(), "create-if-not-exists");
        assert!(!Switch::CreateIfNotExists.is_on(&no_create));
    }
}
