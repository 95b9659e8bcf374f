//! The lifecycle under faults (docs/emulator.md, "Running it"): every command, many times, against
//! the real emulator with its fault knobs on — 500s and dropped connections (`fault_rate`),
//! `latency`, and `throttle` (429 + Retry-After) — through the real client.
//!
//! Each run must either succeed or fail with a clear result (an `Outcome` with `success: false`
//! and an error message, or an `IlmError`), and what it says must be true of the directory:
//! - never a duplicate: at most one user per userName, one group per displayName, and a fresh
//!   create never fails with 409 (that would be a blind retry colliding with its own first try);
//! - a success is visible: created, updated, disabled, enabled, deleted as reported;
//! - never a silent partial group update: after `iam-update-group`, every member the outcome
//!   lists as applied is in (or out of) the group, the ones it lists as failed may or may not be
//!   (their outcome was unknown), and nobody else's membership changed;
//! - never the token in any message.
//!
//! The truth is read from a second, fault-free emulator serving the same SQLite file.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_ilm_client::{ClientConfig, Endpoint, RetryPolicy, ScimClient};
use aws_ilm_emulator::{Config, Running, Throttle, spawn};
use aws_ilm_lifecycle::{Command, Ilm, IlmError, IlmSettings, Outcome, Status};
use serde_json::{Value, json};

/// The directory's truth, and a way to start faulty servers on it.
struct World {
    _dir: tempfile::TempDir,
    base: Config,
    truth: Running,
    http: reqwest::Client,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut base = Config::ephemeral();
        base.db = dir.path().join("faults.db").to_string_lossy().into_owned();
        let truth = spawn(base.clone()).await.unwrap();
        World {
            _dir: dir,
            base,
            truth,
            http: reqwest::Client::new(),
        }
    }

    /// Another server on the same database, with knobs.
    async fn server(&self, knobs: impl FnOnce(&mut Config)) -> Running {
        let mut c = self.base.clone();
        knobs(&mut c);
        spawn(c).await.unwrap()
    }

    fn ilm(&self, server: &Running, attempts: u32) -> Ilm {
        let mut c = ClientConfig::new(
            Endpoint::parse(&server.root_url(), &server.tenant_id).unwrap(),
            server.token.clone(),
        );
        c.retry = RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_elapsed: Duration::from_secs(30),
        };
        c.connect_timeout = Duration::from_secs(5);
        c.request_timeout = Duration::from_secs(30);
        Ilm::new(ScimClient::new(c).unwrap(), IlmSettings::default())
    }

    async fn list(&self, what: &str, filter: &str) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/{what}", self.truth.base_url))
            .query(&[("filter", filter)])
            .bearer_auth(self.truth.token.expose())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list = v["Resources"].as_array().cloned().unwrap();
        assert!(list.len() < 100, "one page is enough here");
        list
    }

    async fn users_named(&self, name: &str) -> Vec<Value> {
        self.list("Users", &format!("userName eq \"{name}\"")).await
    }

    async fn groups_named(&self, name: &str) -> Vec<Value> {
        self.list("Groups", &format!("displayName eq \"{name}\""))
            .await
    }

    async fn members(&self, group: &str) -> BTreeSet<String> {
        self.list("Users", &format!("groups.value eq \"{group}\""))
            .await
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// An outcome reduced to what the checks need.
#[derive(Debug)]
enum Res {
    Done {
        status: Status,
        doc: Value,
    },
    /// `IlmError::Connection` (exit 3); its message was checked in [`run`].
    Error,
}

impl Res {
    fn ok(&self) -> bool {
        matches!(self, Res::Done { status, .. } if *status != Status::Failed)
    }
    fn doc(&self) -> &Value {
        match self {
            Res::Done { doc, .. } => doc,
            Res::Error => &Value::Null,
        }
    }
    fn code(&self) -> Option<u64> {
        self.doc()["errorCode"].as_u64()
    }
}

#[derive(Default, Debug)]
struct Tally(BTreeMap<String, [usize; 3]>);

impl Tally {
    fn add(&mut self, cmd: &str, r: &Res) {
        let e = self.0.entry(cmd.to_owned()).or_default();
        match r {
            Res::Done { status, .. } if *status != Status::Failed => e[0] += 1,
            Res::Done { .. } => e[1] += 1,
            Res::Error => e[2] += 1,
        }
    }
    fn merge(&mut self, o: Tally) {
        for (k, v) in o.0 {
            let e = self.0.entry(k).or_default();
            (0..3).for_each(|i| e[i] += v[i]);
        }
    }
}

/// Runs one command and checks that its result is clear and holds no token.
async fn run(ilm: &Ilm, token: &str, tally: &mut Tally, name: &str, args: Value) -> Res {
    let cmd = Command::parse(name, args.as_object().unwrap()).unwrap();
    let r = match ilm.execute(&cmd).await {
        Ok(Outcome {
            status, context, ..
        }) => {
            let (key, inner) = context
                .as_object()
                .and_then(|m| m.iter().next())
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            let doc = if key == "IAM" {
                inner["Vendor"].clone()
            } else {
                inner
            };
            let text = context.to_string();
            assert!(!text.contains(token), "{name}: the token is in the result");
            if status == Status::Failed {
                let msg = doc["errorMessage"].as_str().unwrap_or_default();
                assert!(!msg.is_empty(), "{name}: failed without a message: {doc}");
            }
            Res::Done { status, doc }
        }
        Err(e) => {
            assert!(matches!(e, IlmError::Connection(_)), "{name}: {e}");
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains(token), "{name}: {msg}");
            assert!(!format!("{e:?}").contains(token), "{name}: Debug leaks");
            Res::Error
        }
    };
    tally.add(name, &r);
    r
}

fn profile(name: &str, title: &str) -> Value {
    json!({"username": name, "email": format!("{name}@example.com"), "givenname": "G",
        "surname": "S", "displayname": format!("D {name}"), "title": title})
}

/// One identity's whole lifecycle, every command, with the checks of the module doc.
async fn lifecycle(world: &World, ilm: &Ilm, token: &str, tag: &str) -> Tally {
    let mut t = Tally::default();
    let name = format!("{tag}@example.com");
    let up = |title: &str| json!({"user-profile": profile(&name, title)});

    let r = run(ilm, token, &mut t, "iam-create-user", up("T0")).await;
    let found = world.users_named(&name).await;
    assert!(found.len() <= 1, "duplicate user {name}: {found:?}");
    assert_ne!(
        r.code(),
        Some(409),
        "fresh create of {name} collided: {r:?}"
    );
    if r.ok() {
        assert_eq!(found.len(), 1, "{name}: reported created, absent");
        assert_eq!(r.doc()["id"], found[0]["id"]);
    }
    let exists = found.len() == 1;

    let r = run(ilm, token, &mut t, "iam-get-user", up("T0")).await;
    if exists {
        assert_ne!(r.code(), Some(404), "{name} exists, get said 404: {r:?}");
        if r.ok() {
            assert_eq!(r.doc()["id"], found[0]["id"]);
        }
    }

    let r = run(ilm, token, &mut t, "iam-update-user", up("T1")).await;
    let now = world.users_named(&name).await;
    assert!(now.len() <= 1, "update duplicated {name}");
    if r.ok() {
        assert_eq!(
            now[0]["title"], "T1",
            "{name}: update reported, not applied"
        );
    }

    let r = run(ilm, token, &mut t, "iam-disable-user", up("T1")).await;
    let now = world.users_named(&name).await;
    if r.ok() && !now.is_empty() {
        assert_eq!(
            now[0]["active"], false,
            "{name}: disable reported, still active"
        );
    }
    let r = run(ilm, token, &mut t, "iam-enable-user", up("T1")).await;
    let now = world.users_named(&name).await;
    if r.ok() && !now.is_empty() {
        assert_eq!(now[0]["active"], true, "{name}: enable reported, inactive");
    }

    // Groups: create, add members in one command, read, remove, delete.
    let gname = format!("G-{tag}");
    let r = run(
        ilm,
        token,
        &mut t,
        "iam-create-group",
        json!({"scim": {"displayName": gname}}),
    )
    .await;
    let groups = world.groups_named(&gname).await;
    assert!(groups.len() <= 1, "duplicate group {gname}");
    assert_ne!(
        r.code(),
        Some(409),
        "fresh create of {gname} collided: {r:?}"
    );
    if r.ok() {
        assert_eq!(groups.len(), 1, "{gname}: reported created, absent");
    }
    let Some(gid) = groups.first().map(|g| g["id"].as_str().unwrap().to_owned()) else {
        return t;
    };
    // Members: this identity (if it exists) and a few fixed users shared by all identities.
    let mut ids: Vec<String> = now
        .iter()
        .map(|u| u["id"].as_str().unwrap().into())
        .collect();
    for i in 0..3 {
        let u = world.users_named(&format!("shared{i}@example.com")).await;
        ids.push(u[0]["id"].as_str().unwrap().into());
    }
    let before = world.members(&gid).await;
    let r = run(
        ilm,
        token,
        &mut t,
        "iam-update-group",
        json!({"scim": {"id": gid}, "memberIdsToAdd": ids}),
    )
    .await;
    check_group_update(&world.members(&gid).await, &before, &r, &ids, true);

    let r = run(
        ilm,
        token,
        &mut t,
        "iam-get-group",
        json!({"scim": {"id": gid}}),
    )
    .await;
    if r.ok() {
        let shown: BTreeSet<String> = r.doc()["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|x| x["value"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            shown,
            world.members(&gid).await,
            "{gname}: get-group members differ"
        );
    }

    let before = world.members(&gid).await;
    let remove: Vec<String> = ids.iter().take(2).cloned().collect();
    let r = run(
        ilm,
        token,
        &mut t,
        "iam-update-group",
        json!({"scim": {"id": gid}, "memberIdsToDelete": remove}),
    )
    .await;
    check_group_update(&world.members(&gid).await, &before, &r, &remove, false);

    let r = run(
        ilm,
        token,
        &mut t,
        "iam-delete-group",
        json!({"scim": {"id": gid}}),
    )
    .await;
    if r.ok() {
        assert!(
            world.groups_named(&gname).await.is_empty(),
            "{gname}: reported deleted"
        );
    }
    let r = run(ilm, token, &mut t, "iam-delete-user", up("T1")).await;
    if r.ok() {
        assert!(
            world.users_named(&name).await.is_empty(),
            "{name}: reported deleted"
        );
    }
    run(ilm, token, &mut t, "get-mapping-fields", json!({})).await;
    run(ilm, token, &mut t, "test-module", json!({})).await;
    t
}

/// After an update of `asked` members (`add` or remove): what the outcome lists as applied
/// holds, and no member outside `asked` changed. Members it lists as failed may be either way
/// (a dropped connection leaves the outcome unknown); any member it does not list at all must
/// be unchanged — that is the silent partial update this test exists to catch.
fn check_group_update(
    after: &BTreeSet<String>,
    before: &BTreeSet<String>,
    r: &Res,
    asked: &[String],
    add: bool,
) {
    let asked: BTreeSet<&String> = asked.iter().collect();
    for m in before.symmetric_difference(after) {
        assert!(
            asked.contains(m),
            "member {m} changed but was not asked for"
        );
    }
    let Res::Done { doc, .. } = r else {
        return;
    };
    let d = &doc["details"];
    let list = |k: &str| -> BTreeSet<String> {
        d[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let applied = list(if add { "added" } else { "removed" });
    let failed: BTreeSet<String> = d["failed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for m in &applied {
        assert_eq!(
            after.contains(m),
            add,
            "member {m} reported applied, is not: {doc}"
        );
    }
    for m in &asked {
        if applied.contains(*m) || failed.contains(*m) {
            continue;
        }
        // Not reported at all: only acceptable when the whole command failed before any
        // batch ran (e.g. the group lookup), and then nothing may have changed.
        assert!(
            doc["success"] == false,
            "member {m} silently dropped: {doc}"
        );
        assert_eq!(
            after.contains(*m),
            before.contains(*m),
            "{m} changed silently: {doc}"
        );
    }
    if doc["success"] == true {
        assert!(failed.is_empty(), "success with failures: {doc}");
    }
}

async fn seed_shared(world: &World) {
    let ilm = world.ilm(&world.truth, 1);
    for i in 0..3 {
        let name = format!("shared{i}@example.com");
        let cmd = Command::parse(
            "iam-create-user",
            json!({"user-profile": profile(&name, "S")})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(ilm.execute(&cmd).await.unwrap().status, Status::Success);
    }
}

async fn campaign(
    world: &World,
    server: &Running,
    attempts: u32,
    label: &str,
    n: usize,
) -> (Tally, aws_ilm_client::ClientStats) {
    let ilm = world.ilm(server, attempts);
    let mut tasks = Vec::new();
    // Four identities at a time; each identity's commands run in order.
    for lane in 0..4 {
        let ilm = ilm.clone();
        let token = server.token.clone();
        let label = label.to_owned();
        let world: &World = world;
        tasks.push(async move {
            let mut t = Tally::default();
            for i in 0..n {
                t.merge(
                    lifecycle(world, &ilm, token.expose(), &format!("{label}-{lane}-{i}")).await,
                );
            }
            t
        });
    }
    let mut total = Tally::default();
    for t in futures::future::join_all(tasks).await {
        total.merge(t);
    }
    let stats = ilm.client().stats();
    println!(
        "{label}: [success, failed, error] per command: {:?}; client {stats:?}",
        total.0
    );
    (total, stats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_under_500s_and_dropped_connections() {
    let world = World::new().await;
    seed_shared(&world).await;
    // Mostly recoverable: 30% faults, 8 attempts.
    let flaky = world.server(|c| c.fault_rate = 0.3).await;
    let (t, stats) = campaign(&world, &flaky, 8, "flaky", 4).await;
    assert!(stats.retries > 0, "30% faults caused no retry: {stats:?}");
    let ok: usize = t.0.values().map(|v| v[0]).sum();
    assert!(ok > 0, "nothing succeeded at 30% faults with 8 attempts");
    // Mostly failing: 80% faults, 2 attempts — the failures must be clear and true.
    let broken = world.server(|c| c.fault_rate = 0.8).await;
    let (t, _) = campaign(&world, &broken, 2, "broken", 3).await;
    let failed: usize = t.0.values().map(|v| v[1] + v[2]).sum();
    assert!(failed > 0, "80% faults with 2 attempts never failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_under_latency_and_throttling() {
    let world = World::new().await;
    seed_shared(&world).await;
    let slow = world
        .server(|c| {
            c.latency = Duration::from_millis(20);
            // One request per second per API: four lanes starting together are throttled
            // whatever the machine's speed.
            c.throttle = Some(Throttle {
                write_per_sec: 1,
                read_per_sec: 1,
            });
        })
        .await;
    let (t, stats) = campaign(&world, &slow, 6, "throttled", 1).await;
    assert!(stats.throttled > 0, "no 429 was seen: {stats:?}");
    let ok: usize = t.0.values().map(|v| v[0]).sum();
    assert!(ok > 0);
}
