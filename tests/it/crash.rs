//! Crash safety of `aws-ilm serve` (docs/emulator.md, "Storage"): `kill -9` in the middle of
//! concurrent creates, patches and membership changes, then a restart on the same SQLite file.
//!
//! `serve.rs` shows that writes acknowledged before an idle kill survive. This test kills
//! while requests are in flight, over several rounds on one database, and checks after every
//! restart that:
//! - every acknowledged create is there with exactly the fields sent;
//! - every acknowledged patch's values are there (or those of the one later, unacknowledged
//!   patch of the same user, which may or may not have committed) and a two-attribute patch is
//!   never half applied (`title` and `displayName` always come from the same request);
//! - every acknowledged member add is in the group;
//! - an unacknowledged create is absent or complete, never partial; no user exists that nobody
//!   tried to create; userName, email and externalId are still unique;
//!
//! and finally that 50 concurrent creates of one userName on the recovered database give exactly
//! one 201 and 49 409s.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_ilm_scim::ci::fold;
use serde_json::{Value, json};

use crate::server::{Scim, Serve, Server};

const TOKEN: &str = "crash-test-token-5f0c2a9e7b41";
const TENANT: &str = "crash-tenant";
const ROUNDS: usize = 5;
const WORKERS: usize = 6;
/// Bounds each worker's work per round; the kill comes long before.
const MAX_OPS: usize = 400;

fn start(db: &str) -> Server {
    Serve::new(db).tenant(TENANT).token(TOKEN).start()
}

/// A request the restarted server must answer: (status, JSON body or null).
fn must(scim: &Scim, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (s, b) = scim
        .request(method, path, body)
        .expect("the restarted server answers");
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

fn user_body(name: &str) -> Value {
    json!({
        "userName": name,
        "externalId": format!("x-{name}"),
        "displayName": format!("D {name}"),
        "title": "initial",
        "active": true,
        "name": {"givenName": format!("G {name}"), "familyName": "F"},
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]
    })
}

/// One user's expected state.
#[derive(Debug, Clone)]
struct Expected {
    id: String,
    /// The last acknowledged title, and a later unacknowledged one that may have committed.
    title: String,
    maybe_title: Option<String>,
}

/// What the clients know, across rounds.
#[derive(Default)]
struct Model {
    /// userName → acknowledged user.
    users: BTreeMap<String, Expected>,
    /// userNames whose create got no answer.
    unknown: BTreeSet<String>,
    /// Acknowledged members of the group; `maybe_members`: adds without an answer.
    members: BTreeSet<String>,
    maybe_members: BTreeSet<String>,
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    creates: usize,
    patches: usize,
    adds: usize,
    unknown: usize,
}

/// One worker: create a user, patch it (title and displayName together), add it to the
/// group, repeat — until the server dies or the bound is reached.
fn worker(
    scim: Scim,
    round: usize,
    w: usize,
    group: String,
    model: Arc<Mutex<Model>>,
    acks: Arc<AtomicUsize>,
    killed: Arc<AtomicBool>,
) -> Counts {
    let mut c = Counts::default();
    for i in 0..MAX_OPS {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let name = format!("r{round}-w{w}-{i}");
        let id = match scim.request("POST", "/Users", &user_body(&name).to_string()) {
            Ok((201, b)) => {
                let v: Value = serde_json::from_str(&b).expect("201 body");
                let id = v["id"].as_str().expect("id").to_owned();
                model.lock().unwrap().users.insert(
                    name.clone(),
                    Expected {
                        id: id.clone(),
                        title: "initial".into(),
                        maybe_title: None,
                    },
                );
                c.creates += 1;
                acks.fetch_add(1, Ordering::SeqCst);
                id
            }
            Ok((s, b)) => panic!("create {name}: {s} {b}"),
            Err(_) => {
                model.lock().unwrap().unknown.insert(name);
                c.unknown += 1;
                break;
            }
        };
        let title = format!("t-{name}");
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": "title", "value": title},
                {"op": "replace", "path": "displayName", "value": format!("D {title}")}]});
        model
            .lock()
            .unwrap()
            .users
            .get_mut(&name)
            .unwrap()
            .maybe_title = Some(title.clone());
        match scim.request("PATCH", &format!("/Users/{id}"), &patch.to_string()) {
            Ok((200, _)) => {
                let mut m = model.lock().unwrap();
                let e = m.users.get_mut(&name).unwrap();
                e.title = title;
                e.maybe_title = None;
                c.patches += 1;
                acks.fetch_add(1, Ordering::SeqCst);
            }
            Ok((s, b)) => panic!("patch {name}: {s} {b}"),
            Err(_) => {
                c.unknown += 1;
                break;
            }
        }
        let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
        model.lock().unwrap().maybe_members.insert(id.clone());
        match scim.request("PATCH", &format!("/Groups/{group}"), &add.to_string()) {
            Ok((204 | 200, _)) => {
                let mut m = model.lock().unwrap();
                m.maybe_members.remove(&id);
                m.members.insert(id);
                c.adds += 1;
                acks.fetch_add(1, Ordering::SeqCst);
            }
            Ok((s, b)) => panic!("add member {name}: {s} {b}"),
            Err(_) => {
                c.unknown += 1;
                break;
            }
        }
    }
    c
}

/// Every user `query` (`filter=…&` or empty) lists, through cursor paging.
fn all_pages(scim: &Scim, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    for _ in 0..1000 {
        let (s, v) = must(
            scim,
            "GET",
            &format!("/Users?{query}count=100&cursor={cursor}"),
            "",
        );
        assert_eq!(s, 200, "{v}");
        out.extend(v["Resources"].as_array().cloned().unwrap_or_default());
        match v["nextCursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return out,
        }
    }
    panic!("paging never ended");
}

fn all_users(scim: &Scim) -> Vec<Value> {
    all_pages(scim, "")
}

fn group_members(scim: &Scim, group: &str) -> BTreeSet<String> {
    all_pages(scim, &format!("filter=groups.value%20eq%20%22{group}%22&"))
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks a stored user against what was sent for `name` and the title it may carry.
fn check_user(name: &str, u: &Value, titles: &[&str]) {
    let sent = user_body(name);
    for key in ["userName", "externalId", "active", "name", "emails"] {
        assert_eq!(u[key], sent[key], "{name}: {key} differs: {u}");
    }
    let title = u["title"].as_str().unwrap_or_default();
    assert!(
        titles.contains(&title),
        "{name}: title {title:?}, expected one of {titles:?}"
    );
    // Both attributes of one patch, or neither: never half a request.
    let display = if title == "initial" {
        format!("D {name}")
    } else {
        format!("D {title}")
    };
    assert_eq!(
        u["displayName"],
        json!(display),
        "{name}: half-applied patch: {u}"
    );
}

/// Everything the model says must hold on the restarted server. Returns how many unanswered
/// creates turned out present.
fn verify(scim: &Scim, group: &str, model: &mut Model) -> (usize, usize) {
    let listed = all_users(scim);
    let mut by_name = BTreeMap::new();
    let (mut names, mut emails, mut externals) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for u in &listed {
        let name = u["userName"].as_str().expect("every user has a userName");
        assert!(u["id"].as_str().is_some_and(|s| !s.is_empty()), "{u}");
        assert!(names.insert(fold(name)), "duplicate userName {name}");
        let email = fold(u["emails"][0]["value"].as_str().unwrap());
        assert!(emails.insert(email), "duplicate email: {u}");
        let ext = fold(u["externalId"].as_str().unwrap());
        assert!(externals.insert(ext), "duplicate externalId: {u}");
        by_name.insert(name.to_owned(), u.clone());
    }
    for (name, e) in &model.users {
        let u = by_name
            .get(name)
            .unwrap_or_else(|| panic!("acknowledged create of {name} lost"));
        assert_eq!(u["id"], json!(e.id), "{name}: id changed");
        let mut titles = vec![e.title.as_str()];
        titles.extend(e.maybe_title.as_deref());
        check_user(name, u, &titles);
        // Fetch by id as well: the single-resource path reads the same committed row.
        let (s, one) = must(scim, "GET", &format!("/Users/{}", e.id), "");
        assert_eq!(
            (s, &one),
            (200, u),
            "{name}: GET by id differs from the list"
        );
    }
    let (mut present, mut absent) = (0, 0);
    for name in std::mem::take(&mut model.unknown) {
        match by_name.get(&name) {
            Some(u) => {
                // It committed before the kill: it must be complete.
                check_user(&name, u, &["initial"]);
                present += 1;
                let id = u["id"].as_str().unwrap().to_owned();
                model.users.insert(
                    name,
                    Expected {
                        id,
                        title: "initial".into(),
                        maybe_title: None,
                    },
                );
            }
            None => absent += 1,
        }
    }
    for name in by_name.keys() {
        assert!(
            model.users.contains_key(name),
            "{name} exists but nobody created it"
        );
    }
    // Settle the patches whose answer was lost, for the next round.
    for (name, e) in model.users.iter_mut() {
        if let Some(t) = e.maybe_title.take()
            && by_name[name]["title"] == json!(t)
        {
            e.title = t;
        }
    }
    let members = group_members(scim, group);
    for m in &model.members {
        assert!(members.contains(m), "acknowledged member {m} lost");
    }
    for m in &members {
        assert!(
            model.members.contains(m) || model.maybe_members.contains(m),
            "member {m} was never added"
        );
    }
    model.members = members;
    model.maybe_members.clear();
    (present, absent)
}

#[test]
fn kill_9_mid_load_loses_no_acknowledged_write_and_leaves_nothing_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").to_string_lossy().into_owned();
    let mut server = start(&db);
    let (s, g) = must(
        &server.scim,
        "POST",
        "/Groups",
        &json!({"displayName": "Crash"}).to_string(),
    );
    assert_eq!(s, 201, "{g}");
    let group = g["id"].as_str().unwrap().to_owned();
    let model = Arc::new(Mutex::new(Model::default()));
    let mut report = Vec::new();
    for round in 0..ROUNDS {
        let acks = Arc::new(AtomicUsize::new(0));
        let killed = Arc::new(AtomicBool::new(false));
        // Kill after a different amount of work each round (30, 55, 80, ... acknowledgements).
        let target = 30 + 25 * round;
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (scim, group) = (server.scim.clone(), group.clone());
                let (model, acks, killed) = (model.clone(), acks.clone(), killed.clone());
                std::thread::spawn(move || worker(scim, round, w, group, model, acks, killed))
            })
            .collect();
        // Bounded: the workers stop by themselves after MAX_OPS each.
        while acks.load(Ordering::SeqCst) < target && workers.iter().any(|w| !w.is_finished()) {
            std::thread::sleep(Duration::from_millis(1));
        }
        server.kill();
        killed.store(true, Ordering::SeqCst);
        let mut total = Counts::default();
        for w in workers {
            let c = w.join().expect("worker");
            total.creates += c.creates;
            total.patches += c.patches;
            total.adds += c.adds;
            total.unknown += c.unknown;
        }
        assert!(total.creates > 0, "round {round}: nothing was acknowledged");
        server = start(&db);
        let (present, absent) = verify(&server.scim, &group, &mut model.lock().unwrap());
        report.push(format!(
            "round {round}: killed after {} acks ({} creates, {} patches, {} member adds), \
             {} requests cut off; unanswered creates found complete {present}, absent {absent}; \
             {} users verified",
            acks.load(Ordering::SeqCst),
            total.creates,
            total.patches,
            total.adds,
            total.unknown,
            model.lock().unwrap().users.len()
        ));
    }
    // Uniqueness under concurrency still holds on the recovered database.
    let codes: Vec<u16> = (0..50)
        .map(|i| {
            let scim = server.scim.clone();
            std::thread::spawn(move || {
                let mut b = user_body("same-after-crash");
                b["emails"][0]["value"] = json!(format!("s{i}@example.com"));
                b["externalId"] = json!(format!("s{i}"));
                scim.request("POST", "/Users", &b.to_string())
                    .expect("answer")
                    .0
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|&&c| c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 409).count(), 49, "{codes:?}");
    println!("kill -9 rounds: {ROUNDS}\n  {}", report.join("\n  "));
}
