//! The production [`Executor`]: the lifecycle engine ([`Ilm`]) over the real client.
//!
//! - Keys: `user:<Command::user_key()>` and `group:<Command::group_key()>`, so one user's (or
//!   one group's) events keep input order. A group named by id in one event and by displayName
//!   in another has two keys: ordering by name and id alike would need a lookup per event.
//! - Cost: each command's request pattern (docs/batch.md, "Rate": a lookup, then one write); a
//!   create-first `iam-create-user` is one write (its 409 path — a write, a read and maybe a
//!   PATCH — is not charged up front: like client retries, any excess reaches the limiter as
//!   429s).
//! - Merging: `iam-update-group` events with the same `scim` whose member changes commute (no
//!   member added by one and removed by another), up to 100 changes in all, so the merged
//!   command is one PATCH (AWS: PatchGroup takes at most 100 member changes).
//! - Throttling and server errors that outlast the client's own retries (a `Failed` outcome with
//!   errorCode 429 or 5xx, or a lost connection) are run again, after a pause, up to
//!   [`EVENT_ATTEMPTS`] times (docs/batch.md, "Rate"): no event is lost to throttling, and every
//!   command looks up before it writes (create-first: a 409 leads to the lookup), so running it
//!   again is safe. Refused credentials, TLS and configuration errors are fatal at once.
//! - A skip caused only by an instance switch being off (`aws_ilm_lifecycle::switch::held_by`)
//!   is marked `held_by`, so the journal does not record it as done.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_ilm_client::ClientError;
use aws_ilm_lifecycle::users::create::creates_first;
use aws_ilm_lifecycle::{Command, CommandName, Ilm, IlmError, Status, Switch, switch};
use serde_json::{Map, Value, json};

use crate::executor::{Cost, EventStatus, ExecOutcome, ExecStats, Executor};

/// Runs of one event at most, counting the first.
pub const EVENT_ATTEMPTS: u32 = 4;
/// AWS: PatchGroup takes at most 100 member changes.
const MAX_MEMBER_CHANGES: usize = 100;

/// [`Ilm`] as a batch executor.
pub struct IlmExecutor {
    ilm: Ilm,
    reruns: AtomicU64,
    pause: Duration,
}

impl IlmExecutor {
    pub fn new(ilm: Ilm) -> IlmExecutor {
        IlmExecutor {
            ilm,
            reruns: AtomicU64::new(0),
            pause: Duration::from_secs(1),
        }
    }

    /// The first pause before running an event again (doubles each time); tests shorten it.
    pub fn with_rerun_pause(mut self, pause: Duration) -> IlmExecutor {
        self.pause = pause;
        self
    }
}

/// Why an event should be run again, if it should.
fn transient(result: &Result<aws_ilm_lifecycle::Outcome, IlmError>) -> Option<String> {
    match result {
        Ok(o) if o.status == Status::Failed => match error_code(&o.context, 4) {
            Some(c @ (429 | 500 | 502 | 503 | 504)) => Some(format!("HTTP {c}")),
            _ => None,
        },
        Err(IlmError::Connection(e)) if transient_client_error(e) => Some(e.to_string()),
        _ => None,
    }
}

fn transient_client_error(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Connect(_) | ClientError::Disconnected(_) | ClientError::Timeout(_)
    ) || matches!(e.status(), Some(429 | 500 | 502 | 503 | 504))
}

/// The `errorCode` of a result document (`IAM.Vendor.errorCode`, `UpdateGroup.errorCode`, …).
fn error_code(v: &Value, depth: u8) -> Option<u64> {
    let obj = v.as_object()?;
    if let Some(c) = obj.get("errorCode").and_then(Value::as_u64) {
        return Some(c);
    }
    if depth == 0 {
        return None;
    }
    obj.values().find_map(|x| error_code(x, depth - 1))
}

impl Executor for IlmExecutor {
    type Command = Command;

    fn parse(&self, name: &str, args: &Map<String, Value>) -> Result<Command, String> {
        Command::parse(name, args).map_err(|e| e.to_string())
    }

    fn keys(&self, cmd: &Command) -> Vec<String> {
        let mut keys = Vec::with_capacity(2);
        if let Some(u) = cmd.user_key() {
            keys.push(format!("user:{u}"));
        }
        if let Some(g) = cmd.group_key() {
            keys.push(format!("group:{g}"));
        }
        keys
    }

    fn cost(&self, cmd: &Command) -> Cost {
        let by_name_only = || cmd.scim.is_some() && cmd.group_id().is_none();
        let lookup = if by_name_only() { 1.0 } else { 0.0 };
        let (reads, writes) = match cmd.name {
            CommandName::CreateUser if creates_first(self.ilm.settings(), cmd) => (0.0, 1.0),
            CommandName::CreateUser
            | CommandName::UpdateUser
            | CommandName::DisableUser
            | CommandName::EnableUser
            | CommandName::DeleteUser => (1.0, 1.0),
            // `with-groups`: one more listing (a page at least).
            CommandName::GetUser => (if cmd.with_groups { 2.0 } else { 1.0 }, 0.0),
            // The group, then its members (AWS never returns members in a group read).
            CommandName::GetGroup => (2.0, 0.0),
            CommandName::CreateGroup => (0.0, 1.0),
            CommandName::UpdateGroup => {
                let changes = cmd.members_to_add.len() + cmd.members_to_delete.len();
                (lookup, changes.div_ceil(MAX_MEMBER_CHANGES).max(1) as f64)
            }
            CommandName::DeleteGroup => (lookup, 1.0),
            CommandName::TestModule => (1.0, 0.0),
            CommandName::GetMappingFields => (0.0, 0.0),
        };
        Cost { reads, writes }
    }

    fn mergeable(&self, cmd: &Command) -> bool {
        cmd.name == CommandName::UpdateGroup
    }

    fn merge(&self, acc: &Command, next: &Command) -> Option<Command> {
        if acc.name != CommandName::UpdateGroup
            || next.name != CommandName::UpdateGroup
            || acc.scim != next.scim
        {
            return None;
        }
        let acc_add: HashSet<&str> = acc.members_to_add.iter().map(String::as_str).collect();
        let acc_del: HashSet<&str> = acc.members_to_delete.iter().map(String::as_str).collect();
        // Order between the two events matters only for a member one adds and the other
        // removes; anything else commutes and may share a request.
        if next
            .members_to_delete
            .iter()
            .any(|m| acc_add.contains(m.as_str()))
            || next
                .members_to_add
                .iter()
                .any(|m| acc_del.contains(m.as_str()))
        {
            return None;
        }
        let mut merged = acc.clone();
        for m in &next.members_to_add {
            if !acc_add.contains(m.as_str()) {
                merged.members_to_add.push(m.clone());
            }
        }
        for m in &next.members_to_delete {
            if !acc_del.contains(m.as_str()) {
                merged.members_to_delete.push(m.clone());
            }
        }
        let changes = merged.members_to_add.len() + merged.members_to_delete.len();
        (changes <= MAX_MEMBER_CHANGES).then_some(merged)
    }

    async fn execute(&self, cmd: &Command) -> ExecOutcome {
        let mut pause = self.pause;
        let mut attempt = 1;
        let result = loop {
            let result = self.ilm.execute(cmd).await;
            match transient(&result) {
                Some(why) if attempt < EVENT_ATTEMPTS => {
                    tracing::info!(command = cmd.name.as_str(), attempt, "running again: {why}");
                    self.reruns.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                _ => break result,
            }
        };
        match result {
            Ok(o) => ExecOutcome::Done {
                status: match o.status {
                    Status::Success => EventStatus::Success,
                    Status::Skipped => EventStatus::Skipped,
                    Status::Failed => EventStatus::Failed,
                },
                held_by: switch::held_by(self.ilm.settings(), cmd, &o).map(Switch::name),
                context: o.context,
            },
            // Input the parser let through but the command refused (e.g. a profile the mapper
            // cannot turn into a user): this event failed, the others may be fine.
            Err(IlmError::Input(e)) => ExecOutcome::Done {
                status: EventStatus::Failed,
                context: json!({"errorCode": null, "errorMessage": e.to_string()}),
                held_by: None,
            },
            Err(IlmError::Connection(e)) => ExecOutcome::Fatal(match e.unauthorized_hint() {
                Some(hint) => format!("{e} (hint: {hint})"),
                None => e.to_string(),
            }),
        }
    }

    fn stats(&self) -> ExecStats {
        ExecStats::of(
            self.ilm.client().stats(),
            self.reruns.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_ilm_client::{ClientConfig, Endpoint, ScimClient, SecretToken};
    use aws_ilm_lifecycle::IlmSettings;

    fn exec() -> IlmExecutor {
        exec_with(IlmSettings::default())
    }

    fn exec_with(settings: IlmSettings) -> IlmExecutor {
        let cfg = ClientConfig::new(
            Endpoint::parse("http://127.0.0.1:9", "t").unwrap(),
            SecretToken::new("x".into()),
        );
        IlmExecutor::new(Ilm::new(ScimClient::new(cfg).unwrap(), settings))
    }

    fn parse(e: &IlmExecutor, v: Value) -> Command {
        let Value::Object(args) = v["args"].clone() else {
            panic!()
        };
        e.parse(v["command"].as_str().unwrap(), &args).unwrap()
    }

    fn update_group(e: &IlmExecutor, add: &[&str], del: &[&str]) -> Command {
        let mut args = json!({"scim": {"id": "g1"}});
        if !add.is_empty() {
            args["memberIdsToAdd"] = json!(add);
        }
        if !del.is_empty() {
            args["memberIdsToDelete"] = json!(del);
        }
        parse(e, json!({"command": "iam-update-group", "args": args}))
    }

    #[test]
    fn keys_name_the_user_or_the_group() {
        let e = exec();
        let c = parse(
            &e,
            json!({"command": "iam-create-user", "args": {"user-profile": {"email": "A@x.test"}}}),
        );
        assert_eq!(e.keys(&c), vec!["user:a@x.test".to_string()]);
        let g = update_group(&e, &["u1"], &[]);
        assert_eq!(e.keys(&g), vec!["group:g1".to_string()]);
    }

    #[test]
    fn membership_changes_merge_only_when_they_commute_and_fit_one_patch() {
        let e = exec();
        let a = update_group(&e, &["u1", "u2"], &["u3"]);
        let b = update_group(&e, &["u2", "u4"], &["u5"]);
        let m = e.merge(&a, &b).unwrap();
        assert_eq!(m.members_to_add, vec!["u1", "u2", "u4"]);
        assert_eq!(m.members_to_delete, vec!["u3", "u5"]);
        // Adding what the other removes depends on order: never merged.
        assert!(e.merge(&a, &update_group(&e, &[], &["u1"])).is_none());
        assert!(e.merge(&a, &update_group(&e, &["u3"], &[])).is_none());
        // Another group is another queue, but check anyway.
        let other = parse(
            &e,
            json!({"command": "iam-update-group",
                   "args": {"scim": {"id": "g2"}, "memberIdsToAdd": ["u9"]}}),
        );
        assert!(e.merge(&a, &other).is_none());
        // At most 100 changes.
        let many: Vec<String> = (0..98).map(|i| format!("m{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let big = update_group(&e, &many, &[]);
        assert!(
            e.merge(&big, &update_group(&e, &["x1", "x2"], &[]))
                .is_some()
        );
        assert!(
            e.merge(&big, &update_group(&e, &["x1", "x2", "x3"], &[]))
                .is_none()
        );
    }

    #[test]
    fn costs_follow_the_request_pattern() {
        let e = exec();
        let c = parse(
            &e,
            json!({"command": "iam-create-user", "args": {"user-profile": {"email": "a@x"}}}),
        );
        assert_eq!(
            e.cost(&c),
            Cost {
                reads: 1.0,
                writes: 1.0
            }
        );
        // Create-first: one write, unless the profile needs the lookup (id, olduserdata).
        let cf = exec_with(IlmSettings {
            create_first: true,
            ..Default::default()
        });
        let new = parse(
            &cf,
            json!({"command": "iam-create-user", "args": {"user-profile": {"username": "a"}}}),
        );
        assert_eq!(
            cf.cost(&new),
            Cost {
                reads: 0.0,
                writes: 1.0
            }
        );
        let by_id = parse(
            &cf,
            json!({"command": "iam-create-user",
                   "args": {"user-profile": {"username": "a", "id": "u-1"}}}),
        );
        assert_eq!(
            cf.cost(&by_id),
            Cost {
                reads: 1.0,
                writes: 1.0
            }
        );
        let many: Vec<String> = (0..250).map(|i| format!("m{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            e.cost(&update_group(&e, &many, &[])),
            Cost {
                reads: 0.0,
                writes: 3.0
            }
        );
    }

    #[test]
    fn error_codes_are_found_in_any_result_document() {
        assert_eq!(
            error_code(&json!({"IAM": {"Vendor": {"errorCode": 429}}}), 4),
            Some(429)
        );
        assert_eq!(
            error_code(&json!({"UpdateGroup": {"errorCode": 503}}), 4),
            Some(503)
        );
        assert_eq!(
            error_code(&json!({"UpdateGroup": {"errorCode": null}}), 4),
            None
        );
    }
}
