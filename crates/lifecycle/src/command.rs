//! Commands and their arguments: the vocabulary the CLI and the batch file share.
//!
//! Argument names are the seed's (`user-profile`, `allow-enable`, `scim`, `memberIdsToAdd`,
//! `memberIdsToDelete`). JSON arguments may be given as objects or as JSON text; member id
//! lists as an array, a JSON-array string or comma-separated values. Every refusal is an
//! [`InputError`] naming the argument, so a playbook author sees what to fix.

use std::fmt;
use std::str::FromStr;

use aws_ilm_scim::ci::fold;
use serde_json::{Map, Value};

use crate::InputError;
use crate::json::{json_kind, text_of};
use crate::profile::{UserProfile, json_object};

/// Every command aws-ilm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandName {
    CreateUser,
    UpdateUser,
    GetUser,
    DisableUser,
    EnableUser,
    DeleteUser,
    GetGroup,
    CreateGroup,
    UpdateGroup,
    DeleteGroup,
    GetMappingFields,
    TestModule,
}

/// The user profile argument of every user command.
pub const USER_PROFILE: &str = "user-profile";
/// Whether a created or re-activated user ends up active (create and update only).
pub const ALLOW_ENABLE: &str = "allow-enable";
/// `iam-get-user` also lists the user's groups (one more, paged, request).
pub const WITH_GROUPS: &str = "with-groups";
const SCIM: &str = "scim";
const TO_ADD: &str = "memberIdsToAdd";
const TO_DELETE: &str = "memberIdsToDelete";

impl CommandName {
    pub const ALL: [CommandName; 12] = [
        CommandName::CreateUser,
        CommandName::UpdateUser,
        CommandName::GetUser,
        CommandName::DisableUser,
        CommandName::EnableUser,
        CommandName::DeleteUser,
        CommandName::GetGroup,
        CommandName::CreateGroup,
        CommandName::UpdateGroup,
        CommandName::DeleteGroup,
        CommandName::GetMappingFields,
        CommandName::TestModule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandName::CreateUser => "iam-create-user",
            CommandName::UpdateUser => "iam-update-user",
            CommandName::GetUser => "iam-get-user",
            CommandName::DisableUser => "iam-disable-user",
            CommandName::EnableUser => "iam-enable-user",
            CommandName::DeleteUser => "iam-delete-user",
            CommandName::GetGroup => "iam-get-group",
            CommandName::CreateGroup => "iam-create-group",
            CommandName::UpdateGroup => "iam-update-group",
            CommandName::DeleteGroup => "iam-delete-group",
            CommandName::GetMappingFields => "get-mapping-fields",
            CommandName::TestModule => "test-module",
        }
    }

    /// All names, comma-separated, for messages.
    pub fn names() -> String {
        CommandName::ALL.map(CommandName::as_str).join(", ")
    }

    /// The arguments this command accepts.
    pub fn arguments(self) -> &'static [&'static str] {
        match self {
            CommandName::CreateUser | CommandName::UpdateUser => &[USER_PROFILE, ALLOW_ENABLE],
            CommandName::GetUser => &[USER_PROFILE, WITH_GROUPS],
            CommandName::DisableUser | CommandName::EnableUser | CommandName::DeleteUser => {
                &[USER_PROFILE]
            }
            CommandName::GetGroup | CommandName::CreateGroup | CommandName::DeleteGroup => &[SCIM],
            CommandName::UpdateGroup => &[SCIM, TO_ADD, TO_DELETE],
            CommandName::GetMappingFields | CommandName::TestModule => &[],
        }
    }

    /// Whether this command takes the argument `arg`.
    pub fn accepts(self, arg: &str) -> bool {
        self.arguments().contains(&arg)
    }

    /// Commands that act on one user, given by a `user-profile` (what a CSV of profiles drives).
    pub fn is_user_command(self) -> bool {
        self.accepts(USER_PROFILE)
    }

    pub fn is_group_command(self) -> bool {
        self.arguments().contains(&SCIM)
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CommandName {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CommandName::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| InputError::UnknownCommand {
                name: s.to_owned(),
                expected: CommandName::names(),
            })
    }
}

/// A parsed, validated command.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: CommandName,
    /// The `user-profile` of a user command, its `olduserdata` already parsed.
    pub user_profile: Option<UserProfile>,
    /// `allow-enable`; the seed's default is true.
    pub allow_enable: bool,
    /// `with-groups` (`iam-get-user` only); default false.
    pub with_groups: bool,
    pub scim: Option<Map<String, Value>>,
    /// Deduplicated, in the order given.
    pub members_to_add: Vec<String>,
    pub members_to_delete: Vec<String>,
}

impl Command {
    /// The CLI's and the batch file's shared vocabulary: keys "user-profile" (object or JSON
    /// string), "allow-enable" (true/false, bool or string), "scim" (object or JSON string),
    /// "memberIdsToAdd"/"memberIdsToDelete" (array, JSON-array string or comma-separated string).
    /// A null argument counts as not given.
    pub fn parse(name: &str, args: &Map<String, Value>) -> Result<Command, InputError> {
        let name: CommandName = name.parse()?;
        let accepted = name.arguments();
        if let Some((arg, _)) = args.iter().find(|(k, _)| !accepted.contains(&k.as_str())) {
            return Err(InputError::UnknownArgument {
                command: name.as_str(),
                arg: arg.clone(),
                accepted: if accepted.is_empty() {
                    "no arguments".into()
                } else {
                    accepted.join(", ")
                },
            });
        }
        let given = |k: &str| args.get(k).filter(|v| !v.is_null());
        let mut cmd = Command {
            name,
            user_profile: None,
            allow_enable: true,
            with_groups: false,
            scim: None,
            members_to_add: Vec::new(),
            members_to_delete: Vec::new(),
        };
        if name.is_user_command() {
            let profile = json_object(USER_PROFILE, given(USER_PROFILE))?;
            if profile.is_empty() {
                return Err(InputError::NoIdentifier);
            }
            cmd.user_profile = Some(UserProfile::parse(profile)?);
        }
        if let Some(v) = given(ALLOW_ENABLE) {
            cmd.allow_enable = parse_bool(v).map_err(|_| InputError::AllowEnable(text(v)))?;
        }
        if let Some(v) = given(WITH_GROUPS) {
            cmd.with_groups = parse_bool(v).map_err(|_| InputError::Boolean {
                arg: WITH_GROUPS,
                got: text(v),
            })?;
        }
        if name.is_group_command() {
            let scim = json_object(SCIM, given(SCIM))?;
            let has = |k: &str| scim.get(k).and_then(text_of).is_some();
            match name {
                CommandName::CreateGroup if !has("displayName") => {
                    return Err(InputError::NoGroupName);
                }
                CommandName::CreateGroup => {}
                _ if !has("id") && !has("displayName") => {
                    return Err(InputError::NoGroupIdentifier);
                }
                _ => {}
            }
            cmd.scim = Some(scim);
        }
        if name == CommandName::UpdateGroup {
            cmd.members_to_add = id_list(TO_ADD, given(TO_ADD))?;
            cmd.members_to_delete = id_list(TO_DELETE, given(TO_DELETE))?;
            if cmd.members_to_add.is_empty() && cmd.members_to_delete.is_empty() {
                return Err(InputError::NoMemberChanges);
            }
            if let Some(both) = cmd
                .members_to_add
                .iter()
                .find(|m| cmd.members_to_delete.contains(m))
            {
                return Err(InputError::MemberInBothLists(both.clone()));
            }
        }
        Ok(cmd)
    }

    /// The identifier that orders events of one user (batch keeps them in input order): the
    /// profile's `id`, else `username`, `email`, `employeeid`, case-folded as the server
    /// compares names ([`aws_ilm_scim::ci::fold`]), so `straße` and `STRASSE` are one user.
    /// Old identifiers are not used: a rename event is keyed by the name it establishes, like
    /// the events after it.
    pub fn user_key(&self) -> Option<String> {
        let p = self.user_profile.as_ref()?;
        ["id", "username", "email", "employeeid"]
            .iter()
            .find_map(|k| p.text(k))
            .map(|v| fold(&v))
    }

    /// The group's `id` as the `scim` argument gives it; without one a group command first
    /// finds the group by `displayName` (one more request).
    pub fn group_id(&self) -> Option<String> {
        self.scim.as_ref()?.get("id").and_then(text_of)
    }

    /// The group's `id`, else its `displayName`, case-folded (AWS compares names
    /// case-insensitively).
    pub fn group_key(&self) -> Option<String> {
        let scim = self.scim.as_ref()?;
        ["id", "displayName"]
            .iter()
            .find_map(|k| scim.get(*k).and_then(text_of))
            .map(|v| fold(&v))
    }
}

/// `true`/`false`, as a JSON boolean or a string in any case.
fn parse_bool(v: &Value) -> Result<bool, ()> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(()),
    }
}

/// A refused value as the error quotes it: a string's text, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn id_list(arg: &'static str, v: Option<&Value>) -> Result<Vec<String>, InputError> {
    let items: Vec<Value> = match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(Value::String(s)) if s.trim_start().starts_with('[') => {
            match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(a)) => a,
                Ok(other) => {
                    return Err(InputError::WrongType {
                        arg: arg.into(),
                        expected: "a list of ids",
                        got: json_kind(&other),
                    });
                }
                Err(e) => {
                    return Err(InputError::InvalidJson {
                        arg,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Some(Value::String(s)) => s.split(',').map(|x| Value::String(x.to_owned())).collect(),
        Some(other) => {
            return Err(InputError::WrongType {
                arg: arg.into(),
                expected: "a list of ids",
                got: json_kind(other),
            });
        }
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::String(s) = item else {
            return Err(InputError::WrongType {
                arg: format!("{arg}[{i}]"),
                expected: "a string id",
                got: json_kind(item),
            });
        };
        let s = s.trim();
        if !s.is_empty() && !ids.iter().any(|x| x == s) {
            ids.push(s.to_owned());
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(name: &str, args: Value) -> Result<Command, InputError> {
        Command::parse(name, args.as_object().unwrap())
    }

    #[test]
    fn names_round_trip() {
        for c in CommandName::ALL {
            assert_eq!(c.as_str().parse::<CommandName>().unwrap(), c);
        }
        assert!(matches!(
            "iam-frobnicate".parse::<CommandName>(),
            Err(InputError::UnknownCommand { .. })
        ));
    }

    #[test]
    fn user_profile_as_object_or_json_text() {
        let a = parse("iam-get-user", json!({"user-profile": {"username": "ada"}})).unwrap();
        let b = parse(
            "iam-get-user",
            json!({"user-profile": "{\"username\": \"ada\"}"}),
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.allow_enable);
        assert_eq!(a.user_key().as_deref(), Some("ada"));
    }

    /// Lower-casing gave `straße` and `STRASSE` two keys, so batch could reorder two events of
    /// one user.
    #[test]
    fn keys_fold_like_the_server() {
        let user = |name: &str| {
            parse("iam-get-user", json!({"user-profile": {"username": name}}))
                .unwrap()
                .user_key()
        };
        assert_eq!(user("straße"), user("STRASSE"));
        assert_eq!(user("ΟΔΟΣ"), user("οδοσ"));
        assert_eq!(user("Ａｄａ"), user("ada"));
        let group = |name: &str| {
            parse(
                "iam-update-group",
                json!({"scim": {"displayName": name}, "memberIdsToAdd": ["u1"]}),
            )
            .unwrap()
            .group_key()
        };
        assert_eq!(group("Jos\u{e9}"), group("JOSE\u{301}"));
    }

    #[test]
    fn every_bad_user_input_names_the_argument() {
        let e = |name: &str, v: Value| parse(name, v).unwrap_err().to_string();
        assert_eq!(
            e("iam-get-user", json!({})),
            "argument 'user-profile' is required"
        );
        assert!(
            e("iam-get-user", json!({"user-profile": "{nope"}))
                .starts_with("argument 'user-profile' is not valid JSON")
        );
        assert_eq!(
            e("iam-get-user", json!({"user-profile": "[1]"})),
            "argument 'user-profile' must be a JSON object, not an array"
        );
        assert_eq!(
            e("iam-get-user", json!({"user-profile": 7})),
            "argument 'user-profile' must be a JSON object, not a number"
        );
        assert!(
            e("iam-get-user", json!({"user-profile": {}}))
                .starts_with("the user profile has no identifier")
        );
        assert_eq!(
            e(
                "iam-create-user",
                json!({"user-profile": {"username": "a"}, "allow-enable": "yes"})
            ),
            "argument 'allow-enable' must be 'true' or 'false', not 'yes'"
        );
        assert_eq!(
            e(
                "iam-get-user",
                json!({"user-profile": {"username": "a"}, "allow-enable": "true"})
            ),
            "unknown argument 'allow-enable' for iam-get-user: it accepts user-profile, \
             with-groups"
        );
        assert_eq!(
            e(
                "iam-disable-user",
                json!({"user-profile": {"username": "a"}, "with-groups": true})
            ),
            "unknown argument 'with-groups' for iam-disable-user: it accepts user-profile"
        );
        assert_eq!(
            e(
                "iam-get-user",
                json!({"user-profile": {"username": "a"}, "with-groups": 1})
            ),
            "argument 'with-groups' must be 'true' or 'false', not '1'"
        );
        assert!(
            e(
                "iam-update-user",
                json!({"user-profile": {"username": "a", "olduserdata": "{x"}})
            )
            .contains("user-profile.olduserdata")
        );
    }

    #[test]
    fn with_groups_forms() {
        for (v, want) in [
            (json!(true), true),
            (json!("TRUE"), true),
            (json!("false"), false),
            (json!(null), false),
        ] {
            let c = parse(
                "iam-get-user",
                json!({"user-profile": {"username": "a"}, "with-groups": v}),
            )
            .unwrap();
            assert_eq!(c.with_groups, want);
        }
        let c = parse("iam-get-user", json!({"user-profile": {"username": "a"}})).unwrap();
        assert!(!c.with_groups);
    }

    #[test]
    fn allow_enable_forms() {
        for (v, want) in [
            (json!(false), false),
            (json!("FALSE"), false),
            (json!(" true "), true),
            (json!(null), true),
        ] {
            let c = parse(
                "iam-create-user",
                json!({"user-profile": {"username": "a"}, "allow-enable": v}),
            )
            .unwrap();
            assert_eq!(c.allow_enable, want);
        }
    }

    #[test]
    fn group_inputs() {
        let e = |name: &str, v: Value| parse(name, v).unwrap_err().to_string();
        assert_eq!(
            e("iam-get-group", json!({"scim": {"members": []}})),
            "You must supply either 'id' or 'displayName' in the scim data"
        );
        assert_eq!(
            e("iam-delete-group", json!({"scim": {"id": ""}})),
            "You must supply either 'id' or 'displayName' in the scim data"
        );
        assert!(e("iam-create-group", json!({"scim": {"id": "x"}})).contains("displayName"));
        assert!(
            e("iam-update-group", json!({"scim": {"id": "g"}})).contains("at least one member id")
        );
        assert!(
            e(
                "iam-update-group",
                json!({"scim": {"id": "g"}, "memberIdsToAdd": "[1]"})
            )
            .contains("'memberIdsToAdd[0]' must be a string id")
        );
        assert!(
            e(
                "iam-update-group",
                json!({"scim": {"id": "g"}, "memberIdsToAdd": "[oops"})
            )
            .contains("memberIdsToAdd' is not valid JSON")
        );
        assert!(
            e(
                "iam-update-group",
                json!({"scim": {"id": "g"}, "memberIdsToAdd": "a", "memberIdsToDelete": ["a"]})
            )
            .contains("in both")
        );
        assert!(
            e("iam-get-group", json!({"scim": "{"})).contains("argument 'scim' is not valid JSON")
        );
    }

    #[test]
    fn member_lists_in_every_form() {
        for v in [
            json!(["u1", "u2", "u1"]),
            json!("[\"u1\",\"u2\"]"),
            json!(" u1, u2 ,,u1"),
        ] {
            let c = parse(
                "iam-update-group",
                json!({"scim": {"displayName": "G"}, "memberIdsToAdd": v}),
            )
            .unwrap();
            assert_eq!(c.members_to_add, ["u1", "u2"]);
            assert_eq!(c.group_key().as_deref(), Some("g"));
        }
    }
}
