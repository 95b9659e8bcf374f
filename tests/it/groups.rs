//! The group commands, docs/commands.md, "Group commands": by id or displayName, members filled
//! from a membership query, member changes in PATCHes of at most 100, 404/409 as failed outcomes.

use insta::assert_snapshot;
use serde_json::{Value, json};

use crate::harness::Env;

fn scim_id(id: &str) -> String {
    json!({ "id": id }).to_string()
}

#[tokio::test]
async fn create_get_update_delete_group_both_formats() {
    let env = Env::start().await;
    let user = env.create_user("member@example.com").await;

    let out = env
        .cmd()
        .args([
            "iam-create-group",
            "--scim",
            r#"{"displayName":"Engineering"}"#,
        ])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("create_group_human", out.redacted(&env));
    let out = env
        .run_json(&[
            "iam-create-group",
            "--scim",
            r#"{"displayName":"Platform"}"#,
        ])
        .await;
    out.code(0);
    assert_snapshot!("create_group_json", out.redacted(&env));
    let group = out.json()["CreateGroup"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let out = env
        .cmd()
        .args([
            "iam-update-group",
            "--scim",
            &scim_id(&group),
            "--memberIdsToAdd",
            &user,
        ])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("update_group_human", out.redacted(&env));

    // By name, with the members the membership query found.
    let out = env
        .run_json(&["iam-get-group", "--scim", r#"{"displayName":"Platform"}"#])
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(v["GetGroup"]["id"], group.as_str(), "{v}");
    let members = v["GetGroup"]["members"]
        .as_array()
        .expect("members array")
        .clone();
    assert_eq!(members.len(), 1, "{v}");
    assert_eq!(members[0]["value"], user.as_str());
    assert!(members[0]["display"].is_string(), "{v}");
    assert_snapshot!("get_group_json", out.redacted(&env));
    let out = env
        .cmd()
        .args(["iam-get-group", "--scim", &scim_id(&group)])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("get_group_human", out.redacted(&env));

    let out = env
        .cmd()
        .args([
            "--output",
            "json",
            "iam-update-group",
            "--scim",
            &scim_id(&group),
        ])
        .args(["--memberIdsToDelete", &format!("[\"{user}\"]")])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("update_group_json", out.redacted(&env));
    let out = env
        .run_json(&["iam-get-group", "--scim", &scim_id(&group)])
        .await;
    let members = out.json()["GetGroup"]["members"].clone();
    assert!(
        members.is_null() || members.as_array().is_some_and(Vec::is_empty),
        "removed: {members}"
    );

    let out = env
        .run_json(&["iam-delete-group", "--scim", &scim_id(&group)])
        .await;
    out.code(0);
    assert_snapshot!("delete_group_json", out.redacted(&env));
    let out = env
        .cmd()
        .args(["iam-delete-group", "--scim", &scim_id(&group)])
        .run()
        .await;
    out.code(1);
    assert_snapshot!("delete_group_not_found_human", out.redacted(&env));
    let other = out.stdout.clone();
    assert!(
        other.contains("Group Not Found") || other.contains("404"),
        "{other}"
    );
}

#[tokio::test]
async fn group_failures_are_outcomes_or_usage_errors() {
    let env = Env::start().await;
    env.create_group("Dup").await;
    let out = env
        .run_json(&["iam-create-group", "--scim", r#"{"displayName":"Dup"}"#])
        .await;
    out.code(1);
    let v = out.json();
    assert_eq!(v["CreateGroup"]["success"], false);
    assert_eq!(v["CreateGroup"]["errorCode"], 409);

    let out = env
        .run_json(&["iam-get-group", "--scim", r#"{"displayName":"Nope"}"#])
        .await;
    out.code(1);
    let v = out.json();
    assert_eq!(v["GetGroup"]["errorCode"], 404);
    assert_eq!(v["GetGroup"]["errorMessage"], "Group Not Found");
    let out = env
        .cmd()
        .args(["iam-get-group", "--scim", r#"{"displayName":"Nope"}"#])
        .run()
        .await;
    out.code(1);
    assert_snapshot!("get_group_not_found_human", out.redacted(&env));

    let out = env
        .cmd()
        .args(["iam-get-group", "--scim", r#"{"members":[]}"#])
        .run()
        .await;
    out.code(2)
        .one_line_error()
        .stderr_has("You must supply either 'id' or 'displayName'");
    let out = env
        .cmd()
        .args(["iam-update-group", "--scim", r#"{"id":"x"}"#])
        .run()
        .await;
    out.code(2).one_line_error();
}

/// 250 member changes by id are 3 PATCH requests (AWS: at most 100 per PatchGroup), and every
/// member is really in the group afterwards.
#[tokio::test]
async fn update_group_250_members_is_three_patches() {
    let env = Env::start().await;
    let client = env.client();
    let mut ids = Vec::new();
    for i in 0..250 {
        let u = client
            .create_user(&json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("bulk{i}@example.com"),
                "displayName": format!("Bulk {i}"),
                "name": {"givenName": "Bulk", "familyName": format!("{i}")},
            }))
            .await
            .unwrap();
        ids.push(u["id"].as_str().unwrap().to_string());
    }
    let group = env.create_group("Bulk").await;
    let list = env.write("ids.txt", &ids.join(","));
    env.reset_stats().await;
    let out = env
        .cmd()
        .args([
            "--output",
            "json",
            "iam-update-group",
            "--scim",
            &scim_id(&group),
        ])
        .args(["--memberIdsToAdd", &format!("@{}", list.display())])
        .run()
        .await;
    out.code(0);
    let stats = env.stats().await;
    assert_eq!(stats["operations"]["PatchGroup"], 3, "{stats}");
    assert_eq!(stats["total"], 3, "by id: no lookup needed: {stats}");

    let out = env
        .run_json(&["iam-get-group", "--scim", &scim_id(&group)])
        .await;
    out.code(0);
    let members: Vec<Value> = out.json()["GetGroup"]["members"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(members.len(), 250);
}
