//! `apply` against the real emulator with the real client: a fresh plan converges, a stale one
//! changes nothing, a stopped apply resumes to convergence with each change reported once.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use aws_ilm_batch::{EventStatus, ExecOutcome, Executor, RateLimiter, Target};
use aws_ilm_client::{ClientConfig, Endpoint, ScimClient, SecretToken};
use aws_ilm_emulator::{Config, Running};
use aws_ilm_lifecycle::users::patch::value_at;
use aws_ilm_reconcile::apply::exec::{ReconcileExecutor, Step};
use aws_ilm_reconcile::diff::{compared_paths, managed_groups};
use aws_ilm_reconcile::{
    Absent, Actual, ActualGroup, ActualUser, ApplyError, ApplyOptions, AttrChange, Change, Desired,
    DesiredGroup, DesiredUser, Ids, MemberRef, Options, Plan, apply, diff,
};
use aws_ilm_scim::{Op, PatchOp, PatchOperation, UserQuery, ci::fold};
use serde_json::{Value, json};
use tokio::sync::watch;

const NEW_USERS: usize = 130;

async fn emulator() -> (Running, ScimClient) {
    let emu = aws_ilm_emulator::spawn(Config::ephemeral()).await.unwrap();
    let cfg = ClientConfig::new(
        Endpoint::parse(&emu.root_url(), &emu.tenant_id.clone()).unwrap(),
        emu.token.clone(),
    );
    let client = ScimClient::new(cfg).unwrap();
    (emu, client)
}

fn scim_user(name: &str) -> Value {
    json!({"userName": name, "displayName": format!("D {name}"),
           "name": {"givenName": "G", "familyName": name}, "active": true})
}

fn desired_user(name: &str, display: &str) -> DesiredUser {
    let mut attributes = aws_ilm_reconcile::Attrs::new();
    for (k, v) in [
        ("userName", json!(name)),
        ("displayName", json!(display)),
        ("name.givenName", json!("G")),
        ("name.familyName", json!(name)),
    ] {
        attributes.insert(k.to_owned(), Some(v));
    }
    DesiredUser {
        origin: format!("user {name}"),
        user_name: name.into(),
        external_id: None,
        active: true,
        attributes,
    }
}

/// AWS before: a0..a2, group Old with a0 and a1.
async fn seed(client: &ScimClient) {
    let mut ids = Vec::new();
    for i in 0..3 {
        let u = client
            .create_user(&scim_user(&format!("a{i}@x.test")))
            .await
            .unwrap();
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    let g = client
        .create_group(&json!({"displayName": "Old"}))
        .await
        .unwrap();
    let add = PatchOperation::new(
        Op::Add,
        Some("members"),
        Some(json!([{"value": ids[0]}, {"value": ids[1]}])),
    );
    client
        .patch_group(g["id"].as_str().unwrap(), &PatchOp::new(vec![add]))
        .await
        .unwrap();
}

/// The source: a0 with a new displayName, a1, many new users; Old gets a0 and every new user
/// (two member PATCHes), Fresh is new with a1 and n0; a2 is absent and disabled.
fn source() -> (Desired, Options) {
    let mut users = vec![
        desired_user("a0@x.test", "Renamed"),
        desired_user("a1@x.test", "D a1@x.test"),
    ];
    let new: Vec<String> = (0..NEW_USERS).map(|i| format!("n{i:03}@x.test")).collect();
    users.extend(new.iter().map(|n| desired_user(n, "New")));
    let mut old_members = new.clone();
    old_members.push("a0@x.test".into());
    old_members.sort();
    let groups = vec![
        DesiredGroup {
            origin: "groups[0]".into(),
            display_name: "Old".into(),
            external_id: None,
            members: old_members,
        },
        DesiredGroup {
            origin: "groups[1]".into(),
            display_name: "Fresh".into(),
            external_id: Some("fresh-1".into()),
            members: vec!["a1@x.test".into(), new[0].clone()],
        },
    ];
    let options = Options {
        absent: Absent::Disable,
        ..Options::default()
    };
    (Desired { users, groups }, options)
}

/// The actual state as `plan` reads it, with the client's list calls.
async fn read(client: &ScimClient, desired: &Desired, options: &Options) -> Actual {
    let paths = compared_paths(desired);
    let users = client
        .list_users(None)
        .await
        .unwrap()
        .into_iter()
        .map(|u| ActualUser {
            id: u["id"].as_str().unwrap().into(),
            user_name: u["userName"].as_str().unwrap().into(),
            external_id: u["externalId"].as_str().map(str::to_owned),
            active: u["active"].as_bool().unwrap_or(false),
            attributes: paths
                .iter()
                .filter_map(|p| Some((p.clone(), value_at(&u, p)?.clone())))
                .collect(),
        })
        .collect();
    let mut groups: Vec<ActualGroup> = client
        .list_groups(None)
        .await
        .unwrap()
        .into_iter()
        .map(|g| ActualGroup {
            id: g["id"].as_str().unwrap().into(),
            display_name: g["displayName"].as_str().unwrap().into(),
            external_id: g["externalId"].as_str().map(str::to_owned),
            members: None,
        })
        .collect();
    let managed = managed_groups(desired, &groups, options);
    for g in &mut groups {
        if managed.contains(&g.id) {
            let q = UserQuery::GroupsValue(g.id.clone());
            let mut m: Vec<String> = client
                .list_users(Some(&q))
                .await
                .unwrap()
                .into_iter()
                .map(|u| u["id"].as_str().unwrap().to_owned())
                .collect();
            m.sort();
            g.members = Some(m);
        }
    }
    Actual { users, groups }
}

async fn make_plan(client: &ScimClient, dir: &std::path::Path) -> (Plan, std::path::PathBuf) {
    let (desired, options) = source();
    let actual = read(client, &desired, &options).await;
    let d = diff(&desired, &actual, &options).unwrap();
    let plan = Plan::new(d, desired, options, &Target::of(client.endpoint()));
    let path = dir.join("plan.json");
    plan.save(&path).unwrap();
    (Plan::load(&path).unwrap(), path)
}

/// Result lines, shared; optionally asks for a stop once `stop_after` lines were written.
#[derive(Clone, Default)]
struct Results {
    buf: Arc<Mutex<Vec<u8>>>,
    stop: Option<(Arc<watch::Sender<bool>>, usize)>,
}

impl Write for Results {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let mut buf = self.buf.lock().unwrap();
        buf.extend_from_slice(b);
        if let Some((tx, n)) = &self.stop
            && buf.iter().filter(|&&c| c == b'\n').count() >= *n
        {
            tx.send_replace(true);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Results {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.buf.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn options(results: &Results) -> ApplyOptions {
    let mut o = ApplyOptions::new(Arc::new(RateLimiter::new(0.0)), Box::new(results.clone()));
    o.concurrency = 4;
    o
}

async fn converged(client: &ScimClient, plan: &Plan) {
    let actual = read(client, &plan.desired, &plan.options).await;
    let again = diff(&plan.desired, &actual, &plan.options).unwrap();
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
    // No duplicate user, and a2 disabled.
    let users = client.list_users(None).await.unwrap();
    assert_eq!(users.len(), 3 + NEW_USERS);
    let a2 = users.iter().find(|u| u["userName"] == "a2@x.test").unwrap();
    assert_eq!(a2["active"], json!(false));
}

#[tokio::test]
async fn a_fresh_plan_applies_and_converges_in_member_patches_of_at_most_100() {
    let (emu, client) = emulator().await;
    seed(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (plan, _) = make_plan(&client, dir.path()).await;
    for c in &plan.changes {
        if let Change::AddMembers { members, .. } = c {
            assert!(members.len() <= 100);
        }
    }
    // Old: every new user (a0 is in it already); Fresh: a1 and n000. a1 leaves Old.
    assert_eq!(plan.summary.members_added, NEW_USERS + 2);
    assert_eq!(plan.summary.members_removed, 1);
    let actual = read(&client, &plan.desired, &plan.options).await;
    emu.reset_stats();
    let results = Results::default();
    let report = apply(&client, &plan, &actual, None, options(&results))
        .await
        .unwrap();
    assert_eq!(report.summary.exit_code(), 0, "{:?}", report.summary);
    assert_eq!(report.summary.succeeded as usize, plan.changes.len());
    let stats = emu.stats();
    // One request per change: Old's 130 adds in two PATCHes, Fresh's 2 in one, a1's removal.
    let member_patches = plan
        .changes
        .iter()
        .filter(|c| matches!(c, Change::AddMembers { .. } | Change::RemoveMembers { .. }))
        .count() as u64;
    assert_eq!(member_patches, 4);
    assert_eq!(
        stats.count("PatchGroup"),
        member_patches,
        "{:?}",
        stats.operations
    );
    assert_eq!(stats.count("CreateUser"), NEW_USERS as u64);
    let lines = results.lines();
    assert_eq!(lines.len(), plan.changes.len());
    assert!(lines.iter().all(|l| l["status"] == "success"), "{lines:?}");
    converged(&client, &plan).await;
}

#[tokio::test]
async fn a_stale_plan_is_refused_and_changes_nothing() {
    let (emu, client) = emulator().await;
    seed(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (plan, _) = make_plan(&client, dir.path()).await;
    // Someone renames a0's displayName and creates n005 by hand between plan and apply.
    let users = client.list_users(None).await.unwrap();
    let a0 = users.iter().find(|u| u["userName"] == "a0@x.test").unwrap();
    let op = PatchOperation::new(Op::Replace, Some("displayName"), Some(json!("Boss")));
    client
        .patch_user(a0["id"].as_str().unwrap(), &PatchOp::new(vec![op]))
        .await
        .unwrap();
    client.create_user(&scim_user("n005@x.test")).await.unwrap();
    let actual = read(&client, &plan.desired, &plan.options).await;
    emu.reset_stats();
    let results = Results::default();
    let journal = dir.path().join("plan.json.journal");
    let err = apply(&client, &plan, &actual, Some(&journal), options(&results))
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 6);
    let ApplyError::Stale(stale) = &err else {
        panic!("{err}")
    };
    let text = stale.to_string();
    assert!(
        text.contains("~ old value changed: planned user a0@x.test: displayName \"D a0@x.test\" → \"Renamed\"; now user a0@x.test: displayName \"Boss\" → \"Renamed\""),
        "{text}"
    );
    assert!(
        text.contains("- no longer create user n005@x.test"),
        "{text}"
    );
    assert_eq!(emu.stats().total, 0, "{:?}", emu.stats().operations);
    assert!(results.lines().is_empty());
    // A plan for another tenant is refused before anything else.
    let mut other = plan.clone();
    other.tenant = "d-0000000000".into();
    let err = apply(&client, &other, &actual, None, options(&results))
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("tenant differs"), "{err}");
    // A journal another apply holds is refused at once (exit 3), before anything is sent.
    let _held = aws_ilm_batch::Journal::open(&journal, &Target::of(client.endpoint())).unwrap();
    let err = apply(&client, &plan, &actual, Some(&journal), options(&results))
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 3, "{err}");
    assert_eq!(emu.stats().total, 0, "{:?}", emu.stats().operations);
}

#[tokio::test]
async fn a_stopped_apply_resumes_to_convergence_reporting_each_change_once() {
    let (_emu, client) = emulator().await;
    seed(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let (plan, plan_path) = make_plan(&client, dir.path()).await;
    let journal = plan_path.with_extension("json.journal");

    // First run: stopped (as by Ctrl-C) once 40 changes are reported, in the users phase.
    let (tx, rx) = watch::channel(false);
    let first = Results {
        stop: Some((Arc::new(tx), 40)),
        ..Results::default()
    };
    let mut o = options(&first);
    o.shutdown = Some(rx);
    o.concurrency = 2;
    let actual = read(&client, &plan.desired, &plan.options).await;
    let r1 = apply(&client, &plan, &actual, Some(&journal), o)
        .await
        .unwrap();
    assert_eq!(r1.summary.exit_code(), 130, "{:?}", r1.summary);
    let done_first = first.lines().len();
    assert!(done_first >= 40 && done_first < plan.changes.len());

    // As if killed right after that last change took effect, before it was journaled or
    // reported: its record and its result line go.
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut records: Vec<&str> = text.lines().collect();
    let last: Value = serde_json::from_str(records.pop().unwrap()).unwrap();
    let in_flight = last["line"].as_u64().unwrap();
    std::fs::write(&journal, records.join("\n") + "\n").unwrap();
    let first_lines: Vec<Value> = first
        .lines()
        .into_iter()
        .filter(|l| l["line"] != in_flight)
        .collect();

    // Second run: the same plan, re-read state; the users created by the first run are
    // resolved from it when their memberships are added.
    let second = Results::default();
    let actual = read(&client, &plan.desired, &plan.options).await;
    let r2 = apply(&client, &plan, &actual, Some(&journal), options(&second))
        .await
        .unwrap();
    assert!(r2.resumed);
    assert_eq!(r2.summary.exit_code(), 0, "{:?}", r2.summary);
    assert_eq!(r2.summary.already_done as usize, done_first - 1);
    // Found in effect by the recomputation: reported once, as skipped, without a request.
    assert_eq!(r2.found_done, 1);
    let second_lines = second.lines();
    let redone = second_lines
        .iter()
        .find(|l| l["line"] == in_flight)
        .unwrap();
    assert_eq!(redone["status"], "skipped", "{redone}");
    assert_eq!(redone["result"]["reason"], "already in effect", "{redone}");

    let mut seen: HashMap<u64, usize> = HashMap::new();
    for l in first_lines.iter().chain(&second_lines) {
        if l["line"] != in_flight {
            assert_eq!(l["status"], "success", "{l}");
        }
        *seen.entry(l["line"].as_u64().unwrap()).or_default() += 1;
    }
    assert!(seen.values().all(|&n| n == 1), "{seen:?}");
    assert_eq!(seen.len(), plan.changes.len());
    converged(&client, &plan).await;
    let users = client.list_users(None).await.unwrap();
    let mut names: Vec<String> = users
        .iter()
        .map(|u| fold(u["userName"].as_str().unwrap()))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), users.len());
}

fn step(line: u64, change: Change) -> Step {
    Step {
        line,
        change,
        in_effect: false,
    }
}

async fn run(exec: &ReconcileExecutor, change: Change) -> (EventStatus, Value) {
    match exec.execute(&step(1, change)).await {
        ExecOutcome::Done {
            status, context, ..
        } => (status, context),
        ExecOutcome::Fatal(m) => panic!("fatal: {m}"),
    }
}

#[tokio::test]
async fn the_executor_puts_roles_adds_what_exists_and_takes_a_gone_delete_as_done() {
    let (_emu, client) = emulator().await;
    let mut doc = scim_user("r@x.test");
    doc["roles"] = json!([{"value": "old", "primary": true}]);
    doc["title"] = json!("Keep");
    let r = client.create_user(&doc).await.unwrap();
    let rid = r["id"].as_str().unwrap().to_owned();
    let g = client
        .create_group(&json!({"displayName": "G"}))
        .await
        .unwrap();
    let gid = g["id"].as_str().unwrap().to_owned();
    let exec = ReconcileExecutor::new(client.clone(), Ids::default());

    // roles is not patchable: read, change, PutUser; the other attributes stay.
    let (status, ctx) = run(
        &exec,
        Change::UpdateUser {
            id: rid.clone(),
            user_name: "r@x.test".into(),
            set: vec![
                AttrChange {
                    path: "roles".into(),
                    old: Some(json!([{"value": "old", "primary": true}])),
                    new: Some(json!([{"value": "new", "primary": true}])),
                },
                AttrChange {
                    path: "name.givenName".into(),
                    old: Some(json!("G")),
                    new: Some(json!("H")),
                },
            ],
        },
    )
    .await;
    assert_eq!(status, EventStatus::Success, "{ctx}");
    let u = client.get_user(&rid).await.unwrap().unwrap();
    assert_eq!(u["roles"][0]["value"], "new", "{u}");
    assert_eq!(u["name"]["givenName"], "H", "{u}");
    assert_eq!(u["name"]["familyName"], "r@x.test", "{u}");
    assert_eq!(u["title"], "Keep", "{u}");

    // A member whose user does not exist is reported; the others are added.
    let (status, ctx) = run(
        &exec,
        Change::AddMembers {
            group: "G".into(),
            group_id: Some(gid.clone()),
            members: vec![
                MemberRef {
                    user_name: "ghost@x.test".into(),
                    id: None,
                    out_of_scope: false,
                },
                MemberRef {
                    user_name: "r@x.test".into(),
                    id: Some(rid.clone()),
                    out_of_scope: false,
                },
            ],
        },
    )
    .await;
    assert_eq!(status, EventStatus::Failed, "{ctx}");
    assert!(
        ctx["error"].as_str().unwrap().contains("ghost@x.test"),
        "{ctx}"
    );
    let q = UserQuery::GroupsValue(gid.clone());
    assert_eq!(client.list_users(Some(&q)).await.unwrap().len(), 1);

    // A delete of something already gone is done.
    client.delete_group(&gid).await.unwrap();
    let (status, ctx) = run(
        &exec,
        Change::DeleteGroup {
            id: gid,
            display_name: "G".into(),
            members: 1,
        },
    )
    .await;
    assert_eq!(status, EventStatus::Success, "{ctx}");
    assert_eq!(ctx["alreadyGone"], true, "{ctx}");
}

#[tokio::test]
async fn refused_credentials_are_fatal() {
    let (emu, _) = emulator().await;
    let cfg = ClientConfig::new(
        Endpoint::parse(&emu.root_url(), &emu.tenant_id.clone()).unwrap(),
        SecretToken::new("not-the-token".into()),
    );
    let exec = ReconcileExecutor::new(ScimClient::new(cfg).unwrap(), Ids::default());
    let out = exec
        .execute(&step(
            1,
            Change::DisableUser {
                id: "u-1".into(),
                user_name: "a".into(),
            },
        ))
        .await;
    let ExecOutcome::Fatal(msg) = out else {
        panic!("{out:?}")
    };
    assert!(!msg.contains("not-the-token"), "{msg}");
}
