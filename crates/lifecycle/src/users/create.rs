//! `iam-create-user`, two strategies.
//!
//! **Lookup first** (the default, and the single CLI command's): look the user up, then POST —
//! two requests for a new user. **Create first** ([`IlmSettings::create_first`], chosen by
//! `aws-ilm batch`): POST the mapped user at once — one request for a new user, which is what a
//! bulk load mostly is. A 409 means the name (or the e-mail, or the externalId) is taken: the
//! user is then looked up by the usual identifiers and, when found, handled exactly like the
//! lookup-first "already exists" branch; when not found the 409 was a clash with another user
//! and the event fails with AWS's 409 detail. A profile carrying `id` or `olduserdata`, or
//! whose mapping has no `userName`, stays lookup-first: a POST cannot find a user by id, follow
//! a rename, or be made without a userName (AWS requires one).
//!
//! Both are safe to re-run (batch resume, a re-sent event): the second create of a user finds
//! it, by lookup or by 409, and becomes an update. The client's create never re-sends a POST
//! whose outcome it does not know (it looks the userName up instead); when that lookup finds a
//! user it returns it as created, which under create-first may be a user that was already
//! there with other values (AWS answered 500 before acting, say). So a create-first answer is
//! checked against what was POSTed, and a user that does not carry it is updated like any
//! existing user.
//!
//! `allow_create` off → skipped "Command is disabled.". An existing user is updated instead (action
//! "update", docs/commands.md, "User commands"), which needs `allow_update`. A new user is created
//! active, unless `allow-enable` is false (the seed: "after the command execution, the status of
//! the user ... will be active"); `active` goes in the POST itself, so no second write is needed.
//! The instance's `allow_enable` governs re-enabling existing users only: a joiner is not
//! "enabled", it is created.

use serde_json::{Map, Value, json};

use crate::command::{Command, CommandName};
use crate::error::{IlmError, classify};
use crate::mapper::Purpose;
use crate::outcome::{Outcome, VendorResult};
use crate::switch::gate_open;
use crate::users::{
    EXISTS_UPDATE_OFF, Lookup, Prepared, failed, finish, locate, patch, prepare, skipped,
    switched_off,
};
use crate::{Ilm, IlmSettings};

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    if !gate_open(ilm.settings(), cmd.name) {
        return switched_off(ilm, cmd, "create");
    }
    let mut p = prepare(ilm, cmd)?;
    if creates_first(ilm.settings(), cmd) && posts_by_user_name(&p) {
        return create_first(ilm, cmd, &mut p).await;
    }
    match locate(ilm, &p).await? {
        Err(f) => Ok(finish(ilm, failed("create", f), &p)),
        Ok(Some(user)) => existing(ilm, cmd, &p, &user).await,
        Ok(None) => create_new(ilm, cmd, &p).await,
    }
}

/// Whether `cmd` runs create-first under `settings`: an `iam-create-user` the instance allows,
/// with create-first on, whose profile has neither `id` nor `olduserdata` (those need the
/// lookup), read as the engine reads them ([`crate::UserProfile`]). Also the batch's request estimate (one write instead of a read and a write); the
/// run itself further needs the mapped profile to carry a `userName`.
pub fn creates_first(settings: &IlmSettings, cmd: &Command) -> bool {
    settings.create_first
        && settings.allow_create
        && cmd.name == CommandName::CreateUser
        && cmd
            .user_profile
            .as_ref()
            .is_some_and(|p| p.id().is_none() && p.old().is_none())
}

/// The one lookup is by userName: the POST carries that name, so a 409 can be followed up.
fn posts_by_user_name(p: &Prepared<'_>) -> bool {
    matches!(p.lookups.as_slice(), [Lookup::UserName(_)])
}

/// The user exists: update it (action "update"), or skip when updating is off.
async fn existing(
    ilm: &Ilm,
    cmd: &Command,
    p: &Prepared<'_>,
    user: &Value,
) -> Result<Outcome, IlmError> {
    if ilm.settings().allow_update {
        return patch::update_existing(ilm, cmd, p, user).await;
    }
    Ok(finish(
        ilm,
        skipped("update", EXISTS_UPDATE_OFF).with_user(user),
        p,
    ))
}

/// The body of the POST: the profile mapped for creation, with `active` from `allow-enable`.
fn post_body(ilm: &Ilm, cmd: &Command, p: &Prepared<'_>) -> Result<Map<String, Value>, IlmError> {
    let mut body = p.mapped_for(ilm, Purpose::Create)?.into_owned();
    body.insert("active".into(), json!(cmd.allow_enable));
    Ok(body)
}

/// POST first; a 409 or an answer that is not what was POSTed leads to the existing user.
async fn create_first(ilm: &Ilm, cmd: &Command, p: &mut Prepared<'_>) -> Result<Outcome, IlmError> {
    // The mapped profile is lent to the POST body rather than copied (this is the batch's hot
    // path), and given back, as it was, for the existing-user path.
    let mapped_active = p
        .mapped
        .insert("active".into(), Value::Bool(cmd.allow_enable));
    let body = Value::Object(std::mem::take(&mut p.mapped));
    let answer = ilm.client().create_user(&body).await;
    // Compared as the update would: only what we sent, so AWS's additions (id, meta, a `type`
    // we left out) do not count.
    let as_sent = |user: &Value| {
        body.as_object()
            .is_none_or(|sent| patch::diff(sent, user).is_empty())
    };
    let answer = match answer {
        Ok(user) if as_sent(&user) => {
            return Ok(finish(ilm, created(user), p));
        }
        other => other,
    };
    if let Value::Object(mut mapped) = body {
        match mapped_active {
            Some(v) => mapped.insert("active".into(), v),
            None => mapped.remove("active"),
        };
        p.mapped = mapped;
    }
    let conflict = match answer {
        Ok(user) => {
            tracing::debug!("the created user does not carry the profile: treated as existing");
            return existing(ilm, cmd, p, &user).await;
        }
        Err(e) if e.status() == Some(409) => e,
        Err(e) => {
            let result = failed("create", classify(e)?);
            return Ok(finish(ilm, result, p));
        }
    };
    match locate(ilm, p).await? {
        Ok(Some(user)) => existing(ilm, cmd, p, &user).await,
        // Not found by its own name: the 409 was another user's e-mail or externalId.
        Ok(None) => Ok(finish(ilm, failed("create", classify(conflict)?), p)),
        Err(f) => Ok(finish(ilm, failed("create", f), p)),
    }
}

fn created(user: Value) -> VendorResult {
    VendorResult {
        action: "create",
        ..Default::default()
    }
    .with_owned_user(user)
}

/// POSTs the mapped profile (also used by update's create-if-not-exists, whose result is then
/// a create's, as the seed's is).
pub(crate) async fn create_new(
    ilm: &Ilm,
    cmd: &Command,
    p: &Prepared<'_>,
) -> Result<Outcome, IlmError> {
    let body = Value::Object(post_body(ilm, cmd, p)?);
    let result = match ilm.client().create_user(&body).await {
        Ok(user) => created(user),
        Err(e) => failed("create", classify(e)?),
    };
    Ok(finish(ilm, result, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::UserProfile;
    use serde_json::json;

    fn cmd(profile: Value) -> Command {
        Command::parse(
            "iam-create-user",
            json!({"user-profile": profile}).as_object().unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn create_first_only_where_a_post_can_stand_for_the_lookup() {
        let on = IlmSettings {
            create_first: true,
            ..Default::default()
        };
        assert!(creates_first(&on, &cmd(json!({"username": "ada"}))));
        assert!(!creates_first(
            &IlmSettings::default(),
            &cmd(json!({"username": "ada"}))
        ));
        assert!(!creates_first(
            &on,
            &cmd(json!({"username": "ada", "ID": "u-1"}))
        ));
        assert!(!creates_first(
            &on,
            &cmd(json!({"username": "ada", "olduserdata": {"username": "ad"}}))
        ));
        assert!(!creates_first(
            &on,
            &cmd(json!({"username": "ada", "olduserdata": "{\"username\": \"ad\"}"}))
        ));
        // Empty old data or an empty id is no old data and no id.
        assert!(creates_first(
            &on,
            &cmd(json!({"username": "ada", "olduserdata": {}, "id": ""}))
        ));
        assert!(creates_first(
            &on,
            &cmd(json!({"username": "ada", "olduserdata": " ", "id": null}))
        ));
        let off = IlmSettings {
            allow_create: false,
            ..on.clone()
        };
        assert!(!creates_first(&off, &cmd(json!({"username": "ada"}))));
        let update = Command::parse(
            "iam-update-user",
            json!({"user-profile": {"username": "ada"}})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert!(!creates_first(&on, &update));
    }

    /// Empty or blank old data is no old data, for the engine and for create-first alike
    /// (there is one reading now: [`UserProfile::parse`]).
    #[test]
    fn the_user_profile_type_agrees_on_old_data() {
        let on = IlmSettings {
            create_first: true,
            ..Default::default()
        };
        for v in [json!({}), json!(""), json!(null), json!("  ")] {
            let fields = json!({"username": "a", "olduserdata": v});
            let p = UserProfile::parse(fields.as_object().unwrap().clone()).unwrap();
            assert_eq!(p.old(), None, "{v}");
            assert!(creates_first(&on, &cmd(fields)), "{v}");
        }
    }
}
