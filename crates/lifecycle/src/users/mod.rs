//! User commands, one module per command, and what they share: preparing the profile and
//! finding the user it describes.
//!
//! Lookup (docs/commands.md, "Finding the user") uses the first identifier present, in this order:
//! the profile's own `id` (GET /Users/{id}), then the mapped `userName`, then the mapped
//! `externalId` (a filter `eq`, its value escaped by `aws_ilm_scim::Filter`). Only the first
//! present one is asked — one request — because a second would double the cost of every not-found.
//! When the profile carries `olduserdata`, the user is looked up by the old identifiers first and,
//! if not found there, by the new ones: a rename is a mover, and re-running a rename that already
//! happened still finds the user.
//!
//! The profile is mapped for the command's own purpose — creation for `iam-create-user`, update
//! for the others — and mapped again for the other purpose only when the command turns into it
//! (a create that finds the user, an update that creates it) and the mapper maps the two apart.

pub mod create;
pub mod delete;
pub mod disable;
pub mod enable;
pub mod get;
pub mod patch;
pub mod update;

use std::borrow::Cow;

use aws_ilm_client::{ClientError, UserQuery};
use serde_json::{Map, Value};

use crate::Ilm;
use crate::command::{Command, CommandName};
use crate::error::{Failure, IlmError, InputError, classify};
use crate::json::text_of;
use crate::mapper::Purpose;
use crate::outcome::{Outcome, Status, VendorResult};
use crate::profile::{self, UserProfile};

/// What the lookup asks the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Id(String),
    UserName(String),
    ExternalId(String),
}

impl Lookup {
    /// The first identifier present: the profile's `id`, else the mapped userName, else the
    /// mapped externalId.
    pub fn from_profile(p: &UserProfile, mapped: &Map<String, Value>) -> Option<Lookup> {
        let mapped_text = |k: &str| mapped.get(k).and_then(text_of);
        p.id()
            .map(Lookup::Id)
            .or_else(|| mapped_text("userName").map(Lookup::UserName))
            .or_else(|| mapped_text("externalId").map(Lookup::ExternalId))
    }

    async fn find(&self, ilm: &Ilm) -> Result<Option<Value>, ClientError> {
        let c = ilm.client();
        match self {
            Lookup::Id(id) => c.get_user(id).await,
            Lookup::UserName(v) => c.find_user(&UserQuery::UserName(v.clone())).await,
            Lookup::ExternalId(v) => c.find_user(&UserQuery::ExternalId(v.clone())).await,
        }
    }
}

/// A user command's input, mapped and ready.
pub(crate) struct Prepared<'a> {
    /// The command's profile (borrowed: it is only read).
    pub profile: &'a UserProfile,
    /// The profile through the outgoing mapper, for `purpose`: the SCIM user to write.
    pub mapped: Map<String, Value>,
    /// `olduserdata` through the outgoing mapper, when the profile has any.
    pub old_mapped: Option<Map<String, Value>>,
    /// What the profile was mapped for: the command's own purpose.
    pub purpose: Purpose,
    /// Old identifiers first (from `olduserdata`), then the current ones; never two equal.
    pub lookups: Vec<Lookup>,
}

impl Prepared<'_> {
    /// The seed's "mapped user profile": what a result without a SCIM user shows as `details`
    /// (docs/output.md) — the mapped profile, with the mapped `olduserdata` under that key.
    pub fn details(&self) -> Value {
        mapped_details(self.mapped.clone(), self.old_mapped.clone())
    }

    /// The SCIM user to write for `purpose`: [`Prepared::mapped`], unless the mapper maps that
    /// purpose apart.
    pub fn mapped_for(
        &self,
        ilm: &Ilm,
        purpose: Purpose,
    ) -> Result<Cow<'_, Map<String, Value>>, IlmError> {
        let mapper = &ilm.settings().mapper_out;
        if purpose == self.purpose || !mapper.maps_update_apart() {
            return Ok(Cow::Borrowed(&self.mapped));
        }
        let mapped = mapper
            .map_out_for(&self.profile.current(), purpose)
            .map_err(InputError::from)?;
        Ok(Cow::Owned(mapped))
    }
}

fn mapped_details(mut mapped: Map<String, Value>, old: Option<Map<String, Value>>) -> Value {
    if let Some(old) = old {
        mapped.insert(profile::OLD_USER_DATA.into(), Value::Object(old));
    }
    Value::Object(mapped)
}

pub(crate) fn prepare<'a>(ilm: &Ilm, cmd: &'a Command) -> Result<Prepared<'a>, IlmError> {
    let (profile, mapped, old) = map_profile(ilm, cmd)?;
    let mut lookups = Vec::with_capacity(2);
    if let Some((old, old_mapped)) = &old {
        // The SCIM id never changes, so the profile's own id still wins over old names.
        let old_lookup = profile
            .id()
            .map(Lookup::Id)
            .or_else(|| Lookup::from_profile(old, old_mapped));
        lookups.extend(old_lookup);
    }
    if let Some(current) = Lookup::from_profile(profile, &mapped)
        && !lookups.contains(&current)
    {
        lookups.push(current);
    }
    if lookups.is_empty() {
        return Err(InputError::NoIdentifier.into());
    }
    Ok(Prepared {
        profile,
        mapped,
        old_mapped: old.map(|(_, m)| m),
        purpose: purpose_of(cmd),
        lookups,
    })
}

/// A profile's `olduserdata`, as given and through the outgoing mapper.
type OldData<'a> = Option<(&'a UserProfile, Map<String, Value>)>;

/// What a command maps its profile for: creation for `iam-create-user`, update otherwise.
fn purpose_of(cmd: &Command) -> Purpose {
    match cmd.name {
        CommandName::CreateUser => Purpose::Create,
        _ => Purpose::Update,
    }
}

/// The command's profile, it through the outgoing mapper (for [`purpose_of`] the command), and
/// its `olduserdata`.
fn map_profile<'a>(
    ilm: &Ilm,
    cmd: &'a Command,
) -> Result<(&'a UserProfile, Map<String, Value>, OldData<'a>), IlmError> {
    let profile = cmd
        .user_profile
        .as_ref()
        .ok_or(InputError::Missing("user-profile"))?;
    let mapper = &ilm.settings().mapper_out;
    let purpose = purpose_of(cmd);
    let mapped = mapper
        .map_out_for(&profile.current(), purpose)
        .map_err(InputError::from)?;
    let old = match profile.old() {
        Some(old) => {
            let old_mapped = mapper
                .map_out_for(&old.current(), purpose)
                .map_err(InputError::from)?;
            Some((old, old_mapped))
        }
        None => None,
    };
    Ok((profile, mapped, old))
}

/// Finds the user: `Ok(Ok(user))`, `Ok(Ok(None))` when no lookup finds it, `Ok(Err(failure))`
/// when the directory answered an error the outcome must report.
pub(crate) async fn locate(
    ilm: &Ilm,
    prepared: &Prepared<'_>,
) -> Result<Result<Option<Value>, Failure>, IlmError> {
    for lookup in &prepared.lookups {
        match lookup.find(ilm).await {
            Ok(Some(user)) => return Ok(Ok(Some(user))),
            Ok(None) => tracing::debug!(?lookup, "user not found"),
            Err(e) => return classify(e).map(Err),
        }
    }
    Ok(Ok(None))
}

/// Whether a user as AWS returns it is active: one reading for every command and for
/// reconcile's reader, so an absent `active` means the same everywhere.
pub fn is_active(user: &Value) -> bool {
    // SCIM's default for an absent `active` is "active" (RFC 7643 §4.1.1 leaves it to the
    // provider; AWS always returns it).
    user.get("active").and_then(Value::as_bool).unwrap_or(true)
}

/// The user's SCIM id; a user without one is an answer the outcome reports.
pub(crate) fn user_id(user: &Value) -> Result<String, Failure> {
    user.get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Failure {
            code: None,
            message: "the directory returned a user without an id".into(),
        })
}

/// Finishes a vendor result into an outcome echoing the profile as given, with the mapped
/// profile as the `details` of a result that has no user to show.
pub(crate) fn finish(ilm: &Ilm, r: VendorResult, p: &Prepared<'_>) -> Outcome {
    r.into_outcome(&ilm.settings().instance_name, p.profile.fields(), || {
        p.details()
    })
}

/// The result of a command whose instance switch is off: skipped "Command is disabled.", before
/// any request. The seed maps the profile all the same and shows it as `details`; no identifier
/// is needed to skip.
pub(crate) fn switched_off(
    ilm: &Ilm,
    cmd: &Command,
    action: &'static str,
) -> Result<Outcome, IlmError> {
    let (profile, mapped, old) = map_profile(ilm, cmd)?;
    let details = mapped_details(mapped, old.map(|(_, m)| m));
    Ok(skipped(action, DISABLED).into_outcome(
        &ilm.settings().instance_name,
        profile.fields(),
        || details,
    ))
}

pub(crate) fn skipped(action: &'static str, reason: &str) -> VendorResult {
    VendorResult {
        action,
        status: Some(Status::Skipped),
        reason: reason.to_owned(),
        ..Default::default()
    }
}

pub(crate) fn failed(action: &'static str, f: Failure) -> VendorResult {
    VendorResult {
        action,
        status: Some(Status::Failed),
        error_code: f.code,
        error_message: f.message,
        ..Default::default()
    }
}

/// The seed's reason when an allow-flag is off.
pub(crate) const DISABLED: &str = "Command is disabled.";
pub(crate) const NO_USER: &str = "User does not exist";
/// Create of an existing user with `allow_update` off.
pub(crate) const EXISTS_UPDATE_OFF: &str = "User already exists and updating users is disabled.";
/// Update of a missing user with `create_if_not_exists` on and `allow_create` off.
pub(crate) const MISSING_CREATE_OFF: &str = "User does not exist and creating users is disabled.";

/// Disable and enable: find the user, skip when there is nothing to do, else one PATCH of
/// `active`.
pub(crate) async fn set_active(
    ilm: &Ilm,
    cmd: &Command,
    active: bool,
    allowed: bool,
    action: &'static str,
    already: &str,
) -> Result<Outcome, IlmError> {
    use aws_ilm_client::PatchOp;
    use aws_ilm_scim::{Op, PatchOperation};

    if !allowed {
        return switched_off(ilm, cmd, action);
    }
    let p = prepare(ilm, cmd)?;
    let result = match locate(ilm, &p).await? {
        Err(f) => failed(action, f),
        Ok(None) => skipped(action, NO_USER),
        Ok(Some(user)) if is_active(&user) == active => skipped(action, already).with_user(&user),
        Ok(Some(user)) => match user_id(&user) {
            Err(f) => failed(action, f),
            Ok(id) => {
                let patch = PatchOp::new(vec![PatchOperation::new(
                    Op::Replace,
                    Some("active"),
                    Some(Value::Bool(active)),
                )]);
                match ilm.client().patch_user(&id, &patch).await {
                    Ok(updated) => VendorResult {
                        action,
                        ..Default::default()
                    }
                    .with_user(&updated),
                    Err(e) => failed(action, classify(e)?).with_user(&user),
                }
            }
        },
    };
    Ok(finish(ilm, result, &p))
}
