//! JSON arguments as `@file.json` and `-` (standard input), and member lists in both forms.

use serde_json::json;

use crate::harness::{Env, s};

#[tokio::test]
async fn profile_from_file_and_from_stdin() {
    let env = Env::start().await;
    let profile = json!({"username": "file@example.com", "email": "file@example.com",
        "givenname": "F", "surname": "Ile", "displayname": "F Ile"});
    let p = env.write("profile.json", &profile.to_string());
    let out = env
        .cmd()
        .args([
            "--output",
            "json",
            "iam-create-user",
            "--user-profile",
            &format!("@{}", s(&p)),
        ])
        .run()
        .await;
    out.code(0);
    assert_eq!(out.json()["IAM"]["Vendor"]["username"], "file@example.com");

    let out = env
        .cmd()
        .args(["--output", "json", "iam-get-user", "--user-profile", "-"])
        .stdin(r#"{"username": "file@example.com"}"#)
        .run()
        .await;
    out.code(0);
    assert_eq!(out.json()["IAM"]["Vendor"]["username"], "file@example.com");
}

#[tokio::test]
async fn member_ids_as_json_array_comma_list_and_stdin() {
    let env = Env::start().await;
    let a = env.create_user("a@example.com").await;
    let b = env.create_user("b@example.com").await;
    let g = env.create_group("G").await;
    let scim = json!({"id": g}).to_string();
    env.cmd()
        .args([
            "iam-update-group",
            "--scim",
            &scim,
            "--memberIdsToAdd",
            &format!("{a}, {b}"),
        ])
        .run()
        .await
        .code(0);
    env.cmd()
        .args([
            "iam-update-group",
            "--scim",
            &scim,
            "--memberIdsToDelete",
            "-",
        ])
        .stdin(&json!([a]).to_string())
        .run()
        .await
        .code(0);
    let out = env
        .cmd()
        .args(["--output", "json", "iam-get-group", "--scim", "-"])
        .stdin(&scim)
        .run()
        .await;
    out.code(0);
    let members = out.json()["GetGroup"]["members"].clone();
    let ids: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![b.as_str()]);
}

#[tokio::test]
async fn stdin_can_feed_only_one_argument() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args(["iam-update-group", "--scim", "-", "--memberIdsToAdd", "-"])
        .stdin("{}")
        .run()
        .await;
    out.code(2).one_line_error().stderr_has("standard input");
}
