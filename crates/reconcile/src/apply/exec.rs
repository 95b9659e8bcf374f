//! One change of a plan as one event of the batch engine (docs/reconcile.md, "Apply").
//!
//! - The event is `{"line": N, "change": {...}}`, made by [`event`] from the plan itself, so the
//!   engine's journal and result lines speak of the plan's own line numbers.
//! - Keys: the group or user the change touches, so two changes of one group run in order.
//! - Cost: one write each (a PutUser also reads the user first).
//! - Ids of users and groups created by this apply (or by an earlier, killed one: the re-read
//!   state has them) are resolved through one shared [`Ids`], seeded from the re-read state and
//!   filled as creates succeed. A member whose user could not be created fails with the others
//!   of its PATCH still applied.
//! - Outcomes follow `IlmExecutor`: throttling and server errors that outlast the client's
//!   retries run the change again (up to `EVENT_ATTEMPTS`); unreachable directory, TLS and
//!   refused credentials (401/403) are fatal; any other answer fails this change only.
//! - A delete answered 404 counts as done: the plan wanted the resource gone and it is
//!   (someone removed it between the re-read and the request).

use aws_ilm_lifecycle::subject::{self, Subject};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_ilm_batch::ilm::EVENT_ATTEMPTS;
use aws_ilm_batch::input::{Body, RawEvent, content_hash};
use aws_ilm_batch::{Cost, EventStatus, ExecOutcome, ExecStats, Executor};
use aws_ilm_client::{ClientError, ScimClient};
use aws_ilm_lifecycle::groups::update::{Change as MemberChange, patch_for};
use aws_ilm_scim::{Op, PatchOp, PatchOperation, ci, schema, urn};
use serde_json::{Map, Value, json};

use super::stale::Ids;
use crate::model::{AttrChange, Change};

/// The engine's event for the plan's change at `line`: its hash is that of the change as saved,
/// so a rerun of the same plan finds it in the journal. `in_effect`: the recomputation found
/// the change already done (by a killed run, after its last journal record); it is reported
/// and journaled as skipped without a request, so every change is reported once.
pub fn event(line: u64, saved: &Change, run: &Change, in_effect: bool) -> RawEvent {
    let canonical = serde_json::to_vec(saved).unwrap_or_default();
    let mut args = Map::new();
    args.insert("line".into(), Value::from(line));
    if in_effect {
        args.insert("inEffect".into(), Value::Bool(true));
    }
    args.insert(
        "change".into(),
        serde_json::to_value(run).unwrap_or(Value::Null),
    );
    RawEvent {
        line,
        hash: hash(&canonical),
        body: Body::Command {
            name: kind(run).into(),
            args,
        },
    }
}

/// The journal hash of a change: the content hash of its canonical JSON.
pub fn hash(canonical: &[u8]) -> u64 {
    content_hash(&[canonical])
}

/// The hash [`event`] gives the change saved at some line.
pub fn saved_hash(saved: &Change) -> u64 {
    hash(&serde_json::to_vec(saved).unwrap_or_default())
}

/// The change's name in result lines.
pub fn kind(c: &Change) -> &'static str {
    match c {
        Change::CreateGroup { .. } => "create-group",
        Change::UpdateGroup { .. } => "update-group",
        Change::CreateUser { .. } => "create-user",
        Change::UpdateUser { .. } => "update-user",
        Change::AddMembers { .. } => "add-members",
        Change::RemoveMembers { .. } => "remove-members",
        Change::DisableUser { .. } => "disable-user",
        Change::DeleteUser { .. } => "delete-user",
        Change::DeleteGroup { .. } => "delete-group",
    }
}

/// A parsed event: the change and its plan line.
#[derive(Debug, Clone)]
pub struct Step {
    pub line: u64,
    pub change: Change,
    /// Already in effect: reported as skipped, nothing sent.
    pub in_effect: bool,
}

/// Runs plan changes against the directory.
pub struct ReconcileExecutor {
    client: ScimClient,
    ids: Mutex<Ids>,
    reruns: AtomicU64,
    pause: Duration,
}

impl ReconcileExecutor {
    /// `ids`: the users and groups of the re-read state ([`Ids::of`]).
    pub fn new(client: ScimClient, ids: Ids) -> ReconcileExecutor {
        ReconcileExecutor {
            client,
            ids: Mutex::new(ids),
            reruns: AtomicU64::new(0),
            pause: Duration::from_secs(1),
        }
    }

    /// The first pause before running a change again (doubles each time); tests shorten it.
    pub fn with_rerun_pause(mut self, pause: Duration) -> ReconcileExecutor {
        self.pause = pause;
        self
    }

    fn with_ids<T>(&self, f: impl FnOnce(&mut Ids) -> T) -> T {
        match self.ids.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    async fn run_once(&self, c: &Change) -> Result<Ran, ClientError> {
        let client = &self.client;
        match c {
            Change::CreateGroup {
                display_name,
                external_id,
            } => {
                let mut doc = json!({"schemas": [urn::GROUP], "displayName": display_name});
                if let Some(e) = external_id {
                    doc["externalId"] = Value::from(e.clone());
                }
                let made = client.create_group(&doc).await?;
                let id = id_of(&made);
                if let Some(id) = &id {
                    self.with_ids(|ids| ids.groups.insert(ci::fold(display_name), id.clone()));
                }
                Ok(Ran::ok(id))
            }
            Change::UpdateGroup {
                id,
                display_name,
                set,
            } => {
                let ops = set
                    .iter()
                    .map(|a| {
                        PatchOperation::new(Op::Replace, Some(&a.path), Some(json_or_null(&a.new)))
                    })
                    .collect();
                client.patch_group(id, &PatchOp::new(ops)).await?;
                if let Some(new) = set
                    .iter()
                    .find(|a| a.path == "displayName")
                    .and_then(|a| a.new.as_ref()?.as_str())
                {
                    self.with_ids(|ids| {
                        ids.groups.remove(&ci::fold(display_name));
                        ids.groups.insert(ci::fold(new), id.clone());
                    });
                }
                Ok(Ran::ok(Some(id.clone())))
            }
            Change::CreateUser { user_name, user } => {
                let made = client.create_user(&Value::Object(user.clone())).await?;
                let id = id_of(&made);
                if let Some(id) = &id {
                    self.with_ids(|ids| ids.users.insert(ci::fold(user_name), id.clone()));
                }
                Ok(Ran::ok(id))
            }
            Change::UpdateUser { id, user_name, set } => {
                if set.iter().all(|a| patchable(&a.path)) {
                    client.patch_user(id, &PatchOp::new(user_ops(set))).await?;
                } else {
                    self.put_user(id, set).await?;
                }
                if let Some(new) = set
                    .iter()
                    .find(|a| a.path == "userName")
                    .and_then(|a| a.new.as_ref()?.as_str())
                {
                    self.with_ids(|ids| {
                        ids.users.remove(&ci::fold(user_name));
                        ids.users.insert(ci::fold(new), id.clone());
                    });
                }
                Ok(Ran::ok(Some(id.clone())))
            }
            Change::AddMembers {
                group,
                group_id,
                members,
            } => {
                let (gid, resolved, missing) = self.with_ids(|ids| {
                    let gid = ids.group(group, group_id.as_deref());
                    let mut resolved = Vec::new();
                    let mut missing = Vec::new();
                    for m in members {
                        match ids.user(m) {
                            Some(id) => resolved.push(id),
                            None => missing.push(m.user_name.clone()),
                        }
                    }
                    (gid, resolved, missing)
                });
                let Some(gid) = gid else {
                    return Ok(Ran::failed(
                        None,
                        format!("group {group} does not exist (its create failed?)"),
                    ));
                };
                if !resolved.is_empty() {
                    client
                        .patch_group(&gid, &members_patch(Op::Add, resolved))
                        .await?;
                }
                if missing.is_empty() {
                    Ok(Ran::ok(Some(gid)))
                } else {
                    Ok(Ran::failed(
                        Some(gid),
                        format!(
                            "not added, no such user (its create failed?): {}",
                            missing.join(", ")
                        ),
                    ))
                }
            }
            Change::RemoveMembers {
                group_id, members, ..
            } => {
                let ids: Vec<String> = members.iter().filter_map(|m| m.id.clone()).collect();
                client
                    .patch_group(group_id, &members_patch(Op::Remove, ids))
                    .await?;
                Ok(Ran::ok(Some(group_id.clone())))
            }
            Change::DisableUser { id, .. } => {
                let op = PatchOperation::new(Op::Replace, Some("active"), Some(json!(false)));
                client.patch_user(id, &PatchOp::new(vec![op])).await?;
                Ok(Ran::ok(Some(id.clone())))
            }
            Change::DeleteUser { id, .. } => gone_is_done(id, client.delete_user(id).await),
            Change::DeleteGroup { id, .. } => {
                gone_is_done(id, client.delete_group(id).await.map(|_| ()))
            }
        }
    }

    /// An attribute PatchUser cannot change (`roles`): the user is read, changed and written
    /// back whole with PutUser. A concurrent change to another attribute of the same user
    /// between the read and the write would be lost; reconcile owns the user it updates.
    async fn put_user(&self, id: &str, set: &[AttrChange]) -> Result<(), ClientError> {
        let Some(Value::Object(mut doc)) = self.client.get_user(id).await? else {
            return Err(ClientError::Http {
                status: 404,
                detail: format!("user {id} not found"),
                request_id: None,
                retry_after: None,
            });
        };
        doc.remove("meta");
        doc.remove("id");
        for a in set {
            set_path(&mut doc, &a.path, a.new.clone());
        }
        self.client.put_user(id, &Value::Object(doc)).await?;
        Ok(())
    }
}

/// What one change did: the id it touched and, when it failed, why.
struct Ran {
    id: Option<String>,
    error: Option<String>,
    already_gone: bool,
}

impl Ran {
    fn ok(id: Option<String>) -> Ran {
        Ran {
            id,
            error: None,
            already_gone: false,
        }
    }
    fn failed(id: Option<String>, error: String) -> Ran {
        Ran {
            id,
            error: Some(error),
            already_gone: false,
        }
    }
}

fn gone_is_done(id: &str, r: Result<(), ClientError>) -> Result<Ran, ClientError> {
    match r {
        Ok(()) => Ok(Ran::ok(Some(id.to_owned()))),
        Err(e) if e.status() == Some(404) => Ok(Ran {
            already_gone: true,
            ..Ran::ok(Some(id.to_owned()))
        }),
        Err(e) => Err(e),
    }
}

fn id_of(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_owned)
}

fn json_or_null(v: &Option<Value>) -> Value {
    v.clone().unwrap_or(Value::Null)
}

/// Whether PatchUser may change the attribute at `path` (`aws_ilm_scim::schema`).
fn patchable(path: &str) -> bool {
    if path.starts_with(urn::ENTERPRISE_USER) {
        return true;
    }
    let top = path.split('.').next().unwrap_or(path);
    schema::user_key(top).is_none_or(|a| a.patchable)
}

/// The PATCH of an attribute change: replace what AWS has, add what it lacks, remove what is
/// cleared; `active` as one replace (AWS takes one operation on it per request).
fn user_ops(set: &[AttrChange]) -> Vec<PatchOperation> {
    set.iter()
        .map(|a| match (&a.old, &a.new) {
            (_, None) => PatchOperation::new(Op::Remove, Some(&a.path), None),
            (Some(_), Some(v)) => PatchOperation::new(Op::Replace, Some(&a.path), Some(v.clone())),
            (None, Some(v)) => PatchOperation::new(Op::Add, Some(&a.path), Some(v.clone())),
        })
        .collect()
}

/// Sets (or with `None` removes) an attribute path of a user document.
fn set_path(doc: &mut Map<String, Value>, path: &str, value: Option<Value>) {
    let split = [("name", '.'), (urn::ENTERPRISE_USER, ':')]
        .into_iter()
        .find_map(|(key, sep)| Some((key, path.strip_prefix(key)?.strip_prefix(sep)?)));
    let (target, leaf) = match split {
        Some((key, sub)) => {
            let slot = doc
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = slot else { return };
            (m, sub)
        }
        None => (doc, path),
    };
    match value {
        Some(v) => {
            target.insert(leaf.to_owned(), v);
        }
        None => {
            target.remove(leaf);
        }
    }
}

/// One PATCH of member changes, built as `iam-update-group` builds its own.
fn members_patch(op: Op, ids: Vec<String>) -> PatchOp {
    let changes: Vec<MemberChange> = ids
        .into_iter()
        .map(|member| MemberChange { op, member })
        .collect();
    patch_for(&changes)
}

/// Why running the change again may help, if it may.
fn transient(e: &ClientError, c: &Change) -> bool {
    match e {
        ClientError::Http { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
        // The client resolves a create whose outcome is unknown itself; only a create that
        // was certainly never sent is sent again from here.
        ClientError::Connect(_) => true,
        ClientError::Disconnected(_) | ClientError::Timeout(_) => {
            !matches!(c, Change::CreateUser { .. } | Change::CreateGroup { .. })
        }
        _ => false,
    }
}

fn fatal(e: &ClientError) -> bool {
    e.is_connection()
        || matches!(e.status(), Some(401 | 403))
        || matches!(e, ClientError::Config(_))
}

fn name_of(c: &Change) -> (&'static str, &str) {
    match c {
        Change::CreateGroup { display_name, .. }
        | Change::UpdateGroup { display_name, .. }
        | Change::DeleteGroup { display_name, .. } => ("group", display_name),
        Change::AddMembers { group, .. } | Change::RemoveMembers { group, .. } => ("group", group),
        Change::CreateUser { user_name, .. }
        | Change::UpdateUser { user_name, .. }
        | Change::DisableUser { user_name, .. }
        | Change::DeleteUser { user_name, .. } => ("user", user_name),
    }
}

impl Executor for ReconcileExecutor {
    type Command = Step;

    fn parse(&self, _name: &str, args: &Map<String, Value>) -> Result<Step, String> {
        let line = args
            .get("line")
            .and_then(Value::as_u64)
            .ok_or("no line number")?;
        let change = args
            .get("change")
            .map(|c| serde_json::from_value(c.clone()))
            .ok_or("no change")?
            .map_err(|e| e.to_string())?;
        let in_effect = args.get("inEffect").and_then(Value::as_bool) == Some(true);
        Ok(Step {
            line,
            change,
            in_effect,
        })
    }

    fn keys(&self, s: &Step) -> Vec<String> {
        let key = match &s.change {
            Change::CreateGroup { display_name, .. } => {
                format!("group:{}", ci::fold(display_name))
            }
            Change::AddMembers {
                group, group_id, ..
            } => match group_id {
                Some(id) => format!("group:{id}"),
                None => format!("group:{}", ci::fold(group)),
            },
            Change::UpdateGroup { id, .. }
            | Change::DeleteGroup { id, .. }
            | Change::RemoveMembers { group_id: id, .. } => format!("group:{id}"),
            Change::CreateUser { user_name, .. } => format!("user:{}", ci::fold(user_name)),
            Change::UpdateUser { id, .. }
            | Change::DisableUser { id, .. }
            | Change::DeleteUser { id, .. } => format!("user:{id}"),
        };
        vec![key]
    }

    fn cost(&self, s: &Step) -> Cost {
        if s.in_effect {
            return Cost::default();
        }
        let reads = match &s.change {
            Change::UpdateUser { set, .. } if !set.iter().all(|a| patchable(&a.path)) => 1.0,
            _ => 0.0,
        };
        Cost { reads, writes: 1.0 }
    }

    async fn execute(&self, s: &Step) -> ExecOutcome {
        let (what, name) = name_of(&s.change);
        let mut doc = json!({"change": kind(&s.change), "line": s.line, what: name});
        if s.in_effect {
            doc["status"] = Value::from(EventStatus::Skipped.as_str());
            doc["reason"] = Value::from("already in effect");
            return ExecOutcome::Done {
                status: EventStatus::Skipped,
                context: doc,
                held_by: None,
            };
        }
        let mut pause = self.pause;
        let mut attempt = 1;
        let result = loop {
            // Names the change's user or group for the binary's audit log (docs/audit.md).
            let subject = Subject {
                command: "apply",
                user_name: (what == "user").then(|| name.to_owned()),
                display_name: (what == "group").then(|| name.to_owned()),
            };
            match subject::within(subject, self.run_once(&s.change)).await {
                Err(e) if transient(&e, &s.change) && attempt < EVENT_ATTEMPTS => {
                    tracing::info!(line = s.line, attempt, "running the change again: {e}");
                    self.reruns.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
                other => break other,
            }
        };
        let status = match result {
            Err(e) if fatal(&e) => {
                // A 401 says why it most likely happened (an expired token) and what to do.
                return ExecOutcome::Fatal(match e.unauthorized_hint() {
                    Some(hint) => format!("{e} (hint: {hint})"),
                    None => e.to_string(),
                });
            }
            Err(e) => {
                doc["error"] = Value::from(e.to_string());
                if let Some(code) = e.status() {
                    doc["errorCode"] = Value::from(code);
                }
                if let Some(rid) = e.request_id() {
                    doc["requestId"] = Value::from(rid);
                }
                EventStatus::Failed
            }
            Ok(ran) => {
                if let Some(id) = ran.id {
                    doc["id"] = Value::from(id);
                }
                if ran.already_gone {
                    doc["alreadyGone"] = Value::Bool(true);
                }
                match ran.error {
                    Some(err) => {
                        doc["error"] = Value::from(err);
                        EventStatus::Failed
                    }
                    None => EventStatus::Success,
                }
            }
        };
        doc["status"] = Value::from(status.as_str());
        ExecOutcome::Done {
            status,
            context: doc,
            held_by: None,
        }
    }

    fn stats(&self) -> ExecStats {
        ExecStats::of(self.client.stats(), self.reruns.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ops_replace_add_and_remove_by_old_and_new() {
        let set = vec![
            AttrChange {
                path: "displayName".into(),
                old: Some(json!("A")),
                new: Some(json!("B")),
            },
            AttrChange {
                path: "title".into(),
                old: None,
                new: Some(json!("T")),
            },
            AttrChange {
                path: "name.middleName".into(),
                old: Some(json!("M")),
                new: None,
            },
        ];
        let ops: Vec<Op> = user_ops(&set).into_iter().map(|o| o.op).collect();
        assert_eq!(ops, vec![Op::Replace, Op::Add, Op::Remove]);
        assert!(patchable("displayName") && patchable("name.givenName"));
        assert!(!patchable("roles"));
    }

    #[test]
    fn put_documents_change_sub_attributes_in_place() {
        let mut doc =
            json!({"name": {"givenName": "A", "familyName": "B"}, "roles": [{"value": "x"}]});
        let Value::Object(m) = &mut doc else { panic!() };
        set_path(m, "name.givenName", Some(json!("C")));
        set_path(m, "roles", None);
        set_path(
            m,
            &format!("{}:department", urn::ENTERPRISE_USER),
            Some(json!("D")),
        );
        assert_eq!(
            doc,
            json!({"name": {"givenName": "C", "familyName": "B"},
                   urn::ENTERPRISE_USER: {"department": "D"}})
        );
    }
}
