//! The actual-state reader against the real emulator: its request count is the formula of
//! docs/reconcile.md ("Reading AWS: minimal reads") exactly, and it keeps what the diff needs.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_ilm_batch::RateLimiter;
use aws_ilm_client::{ClientConfig, Endpoint, Op, PatchOp, PatchOperation, ScimClient};
use aws_ilm_emulator::{Config, Running};
use aws_ilm_reconcile::{Desired, DesiredGroup, DesiredUser, Options, read_actual, read_cost};
use serde_json::{Value, json};

fn client(emu: &Running) -> ScimClient {
    ScimClient::new(ClientConfig::new(
        Endpoint::parse(&emu.root_url(), &emu.tenant_id).unwrap(),
        emu.token.clone(),
    ))
    .unwrap()
}

fn user(i: usize) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("user{i:03}"),
        "externalId": format!("ext-{i}"),
        "name": {"givenName": "Ada", "familyName": format!("L{i}")},
        "displayName": format!("Ada {i}"),
        "title": format!("title {i}"),
        "active": !i.is_multiple_of(7),
        "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}],
    })
}

async fn group_with(c: &ScimClient, name: &str, members: &[String]) -> String {
    let g = c
        .create_group(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": name,
        }))
        .await
        .unwrap();
    let id = g["id"].as_str().unwrap().to_owned();
    for chunk in members.chunks(100) {
        let values: Vec<Value> = chunk.iter().map(|m| json!({"value": m})).collect();
        let patch = PatchOp::new(vec![PatchOperation::new(
            Op::Add,
            Some("members"),
            Some(Value::Array(values)),
        )]);
        c.patch_group(&id, &patch).await.unwrap();
    }
    id
}

fn desired_user(name: &str, attributes: &[&str]) -> DesiredUser {
    DesiredUser {
        origin: "test".into(),
        user_name: name.into(),
        external_id: None,
        active: true,
        attributes: attributes
            .iter()
            .map(|p| ((*p).to_owned(), Some(json!("x"))))
            .collect(),
    }
}

fn desired_group(name: &str) -> DesiredGroup {
    DesiredGroup {
        origin: "test".into(),
        display_name: name.into(),
        external_id: None,
        members: Vec::new(),
    }
}

#[tokio::test]
async fn reads_cost_exactly_the_formula_and_keep_only_the_compared_paths() {
    let emu = aws_ilm_emulator::spawn(Config::ephemeral()).await.unwrap();
    let c = client(&emu);
    let mut ids = Vec::new();
    for i in 0..250 {
        let u = c.create_user(&user(i)).await.unwrap();
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    let empty = group_with(&c, "empty", &[]).await;
    let big = group_with(&c, "big", &ids[..150]).await;
    let small = group_with(&c, "small", &ids[200..220]).await;
    // Not named by the source and absent groups ignored: its members are not read.
    let other = group_with(&c, "other", &ids[..30]).await;

    let desired = Desired {
        users: vec![desired_user(
            "user001",
            &["userName", "title", "name.givenName"],
        )],
        // "missing" does not exist in AWS: nothing to read for it.
        groups: ["empty", "BIG", "small", "missing"]
            .into_iter()
            .map(desired_group)
            .collect(),
    };
    let limiter = Arc::new(RateLimiter::new(0.0));
    emu.reset_stats();
    let actual = read_actual(&c, &desired, &Options::default(), &limiter, 4)
        .await
        .unwrap();
    let stats = emu.stats();

    // 250 users: 3 pages; 4 groups: 1 page; members: empty 1, big 2, small 1.
    let want = read_cost(250, 4, [0, 150, 20]);
    assert_eq!(want, 3 + 1 + 4);
    assert_eq!(stats.count("ListUsers"), 3 + 4, "{stats:?}");
    assert_eq!(stats.count("ListGroups"), 1, "{stats:?}");
    assert_eq!(stats.total, want as u64, "{stats:?}");

    assert_eq!(actual.users.len(), 250);
    for (i, u) in actual.users.iter().enumerate() {
        let (name, ext) = (format!("user{i:03}"), format!("ext-{i}"));
        assert_eq!(
            (u.id.as_str(), u.user_name.as_str()),
            (ids[i].as_str(), name.as_str())
        );
        assert_eq!(u.external_id.as_deref(), Some(ext.as_str()));
        assert_eq!(u.active, !i.is_multiple_of(7), "{name}");
        let want: BTreeMap<String, Value> = [
            ("name.givenName", json!("Ada")),
            ("title", json!(format!("title {i}"))),
            ("userName", json!(name)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(u.attributes, want, "only the compared paths are kept");
    }

    let members = |id: &str| {
        actual
            .groups
            .iter()
            .find(|g| g.id == id)
            .unwrap()
            .members
            .clone()
    };
    let sorted = |s: &[String]| {
        let mut v = s.to_vec();
        v.sort();
        v
    };
    assert_eq!(actual.groups.len(), 4);
    assert_eq!(members(&empty), Some(Vec::new()));
    assert_eq!(members(&big), Some(sorted(&ids[..150])));
    assert_eq!(members(&small), Some(sorted(&ids[200..220])));
    assert_eq!(members(&other), None, "not managed: not read");
    emu.stop().await;
}

#[tokio::test]
async fn an_empty_directory_costs_one_page_of_each() {
    let emu = aws_ilm_emulator::spawn(Config::ephemeral()).await.unwrap();
    let c = client(&emu);
    let desired = Desired {
        users: vec![desired_user("ada", &["userName"])],
        groups: vec![desired_group("eng")],
    };
    emu.reset_stats();
    let limiter = Arc::new(RateLimiter::new(0.0));
    let actual = read_actual(&c, &desired, &Options::default(), &limiter, 4)
        .await
        .unwrap();
    assert_eq!(actual, aws_ilm_reconcile::Actual::default());
    let stats = emu.stats();
    assert_eq!(stats.total, read_cost(0, 0, []) as u64, "{stats:?}");
    assert_eq!(stats.count("ListUsers"), 1);
    assert_eq!(stats.count("ListGroups"), 1);
    emu.stop().await;
}

#[tokio::test]
async fn absent_groups_delete_reads_the_members_of_every_managed_group() {
    let emu = aws_ilm_emulator::spawn(Config::ephemeral()).await.unwrap();
    let c = client(&emu);
    let u = c.create_user(&user(1)).await.unwrap();
    let id = u["id"].as_str().unwrap().to_owned();
    let named = group_with(&c, "named", std::slice::from_ref(&id)).await;
    let unnamed = group_with(&c, "unnamed", std::slice::from_ref(&id)).await;
    let protected = group_with(&c, "AWSControlTowerAdmins", std::slice::from_ref(&id)).await;
    let options = Options {
        absent_groups: aws_ilm_reconcile::AbsentGroups::Delete,
        ..Options::default()
    };
    let desired = Desired {
        users: vec![desired_user("user001", &["userName"])],
        groups: vec![desired_group("named")],
    };
    emu.reset_stats();
    let limiter = Arc::new(RateLimiter::new(0.0));
    let actual = read_actual(&c, &desired, &options, &limiter, 1)
        .await
        .unwrap();
    assert_eq!(emu.stats().total, read_cost(1, 3, [1, 1]) as u64);
    let read: Vec<(&str, bool)> = actual
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.members.is_some()))
        .collect();
    assert_eq!(
        read,
        vec![
            (named.as_str(), true),
            (unnamed.as_str(), true),
            (protected.as_str(), false)
        ]
    );
    emu.stop().await;
}
