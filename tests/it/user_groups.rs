//! `iam-get-user --with-groups` (docs/commands.md): the user's groups as `IAM.Vendor.groups`
//! and as a second table after the seed's, at the cost of one listing; without the flag the
//! request budget and the document are unchanged.

use serde_json::{Value, json};

use crate::harness::Env;

fn requests(stats: &Value) -> u64 {
    stats["total"].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test]
async fn with_groups_lists_them_for_one_more_request() {
    let env = Env::start().await;
    let uid = env.create_user("grouped@example.com").await;
    let other = env.create_user("alone@example.com").await;
    let mut gids = Vec::new();
    for name in ["Engineers", "Everyone", "Finance"] {
        let gid = env.create_group(name).await;
        let members = if name == "Finance" { &other } else { &uid };
        env.run_json(&[
            "iam-update-group",
            "--scim",
            &json!({"id": gid}).to_string(),
            "--memberIdsToAdd",
            members,
        ])
        .await
        .code(0);
        gids.push(gid);
    }
    let profile = json!({"username": "grouped@example.com"}).to_string();

    env.reset_stats().await;
    let out = env
        .run_json(&["iam-get-user", "--user-profile", &profile])
        .await;
    out.code(0);
    assert_eq!(requests(&env.stats().await), 1);
    let vendor = &out.json()["IAM"]["Vendor"];
    assert!(vendor.get("groups").is_none(), "{vendor}");

    env.reset_stats().await;
    let out = env
        .run_json(&["iam-get-user", "--user-profile", &profile, "--with-groups"])
        .await;
    out.code(0);
    let stats = env.stats().await;
    assert_eq!(requests(&stats), 2, "{stats}");
    assert_eq!(stats["operations"]["ListGroups"], 1, "{stats}");
    let mut groups = out.json()["IAM"]["Vendor"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{}", out.describe()));
    groups.sort_by_key(|g| g["displayName"].as_str().map(str::to_owned));
    assert_eq!(
        Value::Array(groups),
        json!([
            {"id": gids[0], "displayName": "Engineers"},
            {"id": gids[1], "displayName": "Everyone"},
        ])
    );

    // Markdown: the seed's table unchanged, then the groups.
    let out = env
        .cmd()
        .args([
            "--output",
            "markdown",
            "iam-get-user",
            "--user-profile",
            &profile,
        ])
        .run()
        .await;
    out.code(0);
    let plain = out.stdout.clone();
    let out = env
        .cmd()
        .args([
            "--output",
            "markdown",
            "iam-get-user",
            "--user-profile",
            &profile,
            "--with-groups",
        ])
        .run()
        .await;
    out.code(0);
    assert!(out.stdout.starts_with(&plain), "{}", out.describe());
    let rest = &out.stdout[plain.len()..];
    assert!(
        rest.contains("### Groups of grouped@example.com (AWS-ILM)")
            && rest.contains("|id|displayName|")
            && rest.contains("Engineers")
            && !rest.contains("Finance"),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn with_groups_in_a_batch_event() {
    let env = Env::start().await;
    let uid = env.create_user("batched@example.com").await;
    let gid = env.create_group("Batchers").await;
    env.run_json(&[
        "iam-update-group",
        "--scim",
        &json!({"id": gid}).to_string(),
        "--memberIdsToAdd",
        &uid,
    ])
    .await
    .code(0);
    let input = env.write(
        "events.jsonl",
        &format!(
            "{}\n",
            json!({"command": "iam-get-user", "args": {
                "user-profile": {"username": "batched@example.com"}, "with-groups": true}})
        ),
    );
    let out = env
        .cmd()
        .args(["batch", &crate::harness::s(&input)])
        .run()
        .await;
    out.code(0);
    assert!(out.stdout.contains("Batchers"), "{}", out.describe());
}
