//! The user commands, every branch of docs/commands.md, "User commands", in both output formats,
//! with exit codes and the request counts the issue sets.

use insta::assert_snapshot;
use serde_json::{Value, json};

use crate::harness::Env;

const JANE: &str = "jane.doe@example.com";

fn jane() -> String {
    json!({
        "username": JANE, "email": JANE, "givenname": "Jane", "surname": "Doe",
        "displayname": "Jane Doe", "title": "Engineer", "department": "Identity",
        "employeeid": "E1001"
    })
    .to_string()
}

fn by_name(name: &str) -> String {
    json!({ "username": name }).to_string()
}

fn vendor(v: &Value) -> &Value {
    &v["IAM"]["Vendor"]
}

fn ops(stats: &Value) -> (u64, Value) {
    (
        stats["total"].as_u64().unwrap(),
        stats["operations"].clone(),
    )
}

#[tokio::test]
async fn create_user_new_both_formats_two_requests() {
    let env = Env::start().await;
    env.reset_stats().await;
    let out = env
        .cmd()
        .args(["iam-create-user", "--user-profile", &jane()])
        .run()
        .await;
    out.code(0);
    let (total, o) = ops(&env.stats().await);
    assert_eq!(total, 2, "lookup + create: {o}");
    assert_eq!(o["CreateUser"], 1, "{o}");
    assert_snapshot!("create_user_human", out.redacted(&env));

    let out = env
        .run_json(&["iam-create-user", "--user-profile", &jane()])
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(
        vendor(&v)["action"],
        "update",
        "an existing user is updated"
    );
    assert_eq!(vendor(&v)["success"], true);

    let env2 = Env::start().await;
    let out = env2
        .run_json(&["iam-create-user", "--user-profile", &jane()])
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(vendor(&v)["action"], "create");
    assert_eq!(vendor(&v)["active"], true);
    assert_eq!(vendor(&v)["username"], JANE);
    assert_snapshot!("create_user_json", out.redacted(&env2));
}

#[tokio::test]
async fn create_user_disabled_or_not_enabled() {
    let env = Env::start().await;
    let out = env
        .cmd()
        .args(["--allow-create", "false", "--output", "json"])
        .args(["iam-create-user", "--user-profile", &jane()])
        .run()
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(vendor(&v)["skipped"], true, "{v}");
    assert_eq!(vendor(&v)["reason"], "Command is disabled.");
    let out = env
        .cmd()
        .args([
            "--allow-create",
            "false",
            "iam-create-user",
            "--user-profile",
            &jane(),
        ])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("create_user_disabled_human", out.redacted(&env));

    let out = env
        .run_json(&[
            "iam-create-user",
            "--user-profile",
            &jane(),
            "--allow-enable",
            "false",
        ])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["active"], false, "created inactive");
}

#[tokio::test]
async fn get_user_found_and_not_found_one_request() {
    let env = Env::start().await;
    let id = env.create_user(JANE).await;
    env.reset_stats().await;
    let out = env
        .run_json(&["iam-get-user", "--user-profile", &by_name(JANE)])
        .await;
    out.code(0);
    let (total, o) = ops(&env.stats().await);
    assert_eq!(total, 1, "{o}");
    let v = out.json();
    assert_eq!(vendor(&v)["id"], id.as_str());
    assert_eq!(vendor(&v)["active"], true);
    assert_eq!(v["IAM"]["UserProfile"]["Username"], JANE, "{v}");
    assert_snapshot!("get_user_json", out.redacted(&env));

    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("get_user_human", out.redacted(&env));

    // By id, and by externalId (the built-in mapper's employeeid).
    let out = env
        .run_json(&[
            "iam-get-user",
            "--user-profile",
            &json!({"id": id}).to_string(),
        ])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["username"], JANE);

    let out = env
        .run_json(&[
            "iam-get-user",
            "--user-profile",
            r#"{"username":"nobody@example.com"}"#,
        ])
        .await;
    out.code(1);
    let v = out.json();
    assert_eq!(vendor(&v)["success"], false);
    assert_eq!(vendor(&v)["errorCode"], 404);
    assert_eq!(vendor(&v)["errorMessage"], "User does not exist");
    let out = env
        .cmd()
        .args([
            "iam-get-user",
            "--user-profile",
            r#"{"username":"nobody@example.com"}"#,
        ])
        .run()
        .await;
    out.code(1);
    assert_snapshot!("get_user_not_found_human", out.redacted(&env));
}

#[tokio::test]
async fn get_user_by_external_id() {
    let env = Env::start().await;
    let profile = json!({"username": "ext@example.com", "email": "ext@example.com",
        "givenname": "E", "surname": "X", "displayname": "E X", "employeeid": "E-77"});
    env.cmd()
        .args(["iam-create-user", "--user-profile", &profile.to_string()])
        .run()
        .await
        .code(0);
    let out = env
        .run_json(&["iam-get-user", "--user-profile", r#"{"employeeid":"E-77"}"#])
        .await;
    out.code(0);
    assert_eq!(
        vendor(&out.json())["username"],
        "ext@example.com",
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn update_user_two_requests_and_reenables_in_the_same_patch() {
    let env = Env::start().await;
    env.create_user(JANE).await;
    env.cmd()
        .args(["iam-disable-user", "--user-profile", &by_name(JANE)])
        .run()
        .await
        .code(0);
    env.reset_stats().await;
    let mover = json!({"username": JANE, "title": "Senior Engineer"}).to_string();
    let out = env
        .run_json(&["iam-update-user", "--user-profile", &mover])
        .await;
    out.code(0);
    let (total, o) = ops(&env.stats().await);
    assert_eq!(total, 2, "lookup + one PATCH: {o}");
    assert_eq!(o["PatchUser"], 1, "{o}");
    let v = out.json();
    assert_eq!(vendor(&v)["action"], "update");
    assert_eq!(vendor(&v)["active"], true, "re-enabled: {v}");
    assert_eq!(vendor(&v)["details"]["title"], "Senior Engineer");
    assert_snapshot!("update_user_json", out.redacted(&env));

    let out = env
        .cmd()
        .args(["iam-update-user", "--user-profile", &mover])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("update_user_human", out.redacted(&env));
}

#[tokio::test]
async fn update_user_respects_allow_enable_both_levels() {
    let env = Env::start().await;
    env.create_user(JANE).await;
    let mover = json!({"username": JANE, "title": "T2"}).to_string();
    for (instance, arg) in [("true", "false"), ("false", "true")] {
        env.cmd()
            .args(["iam-disable-user", "--user-profile", &by_name(JANE)])
            .run()
            .await
            .code(0);
        let out = env
            .cmd()
            .args(["--allow-enable", instance, "--output", "json"])
            .args([
                "iam-update-user",
                "--user-profile",
                &mover,
                "--allow-enable",
                arg,
            ])
            .run()
            .await;
        out.code(0);
        assert_eq!(
            vendor(&out.json())["active"],
            false,
            "instance {instance} arg {arg}"
        );
    }
}

#[tokio::test]
async fn update_user_not_found_creates_or_skips_and_can_be_disabled() {
    let env = Env::start().await;
    let out = env
        .run_json(&["iam-update-user", "--user-profile", &jane()])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["action"], "create", "{}", out.stdout);

    let other = json!({"username": "other@example.com", "email": "other@example.com",
        "givenname": "O", "surname": "T", "displayname": "O T"})
    .to_string();
    let out = env
        .cmd()
        .args(["--create-if-not-exists", "false", "--output", "json"])
        .args(["iam-update-user", "--user-profile", &other])
        .run()
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(vendor(&v)["skipped"], true, "{v}");
    assert_eq!(vendor(&v)["reason"], "User does not exist");

    let out = env
        .cmd()
        .args(["--allow-update", "false", "--output", "json"])
        .args(["iam-update-user", "--user-profile", &jane()])
        .run()
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["reason"], "Command is disabled.");
}

#[tokio::test]
async fn update_user_renames_through_olduserdata() {
    let env = Env::start().await;
    let id = env.create_user(JANE).await;
    let renamed = json!({
        "username": "jane.smith@example.com", "email": "jane.smith@example.com",
        "surname": "Smith", "olduserdata": { "username": JANE }
    })
    .to_string();
    let out = env
        .run_json(&["iam-update-user", "--user-profile", &renamed])
        .await;
    out.code(0);
    let v = out.json();
    assert_eq!(
        vendor(&v)["id"],
        id.as_str(),
        "same user, not a new joiner: {v}"
    );
    assert_eq!(vendor(&v)["username"], "jane.smith@example.com");
    let out = env
        .cmd()
        .args(["iam-get-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    out.code(1)
        .stdout_has("errorCode     404\n  errorMessage  User does not exist\n");
}

#[tokio::test]
async fn disable_user_branches_two_requests() {
    let env = Env::start().await;
    env.create_user(JANE).await;
    env.reset_stats().await;
    let out = env
        .run_json(&["iam-disable-user", "--user-profile", &by_name(JANE)])
        .await;
    out.code(0);
    let (total, o) = ops(&env.stats().await);
    assert_eq!(total, 2, "lookup + PATCH: {o}");
    let v = out.json();
    assert_eq!(vendor(&v)["action"], "disable");
    assert_eq!(vendor(&v)["active"], false);
    assert_snapshot!("disable_user_json", out.redacted(&env));

    let out = env
        .cmd()
        .args(["iam-disable-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("disable_user_already_human", out.redacted(&env));
    let out = env
        .run_json(&["iam-disable-user", "--user-profile", &by_name(JANE)])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["reason"], "User is already disabled.");

    let out = env
        .run_json(&[
            "iam-disable-user",
            "--user-profile",
            &by_name("ghost@example.com"),
        ])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["reason"], "User does not exist");

    let out = env
        .cmd()
        .args(["--allow-disable", "false", "--output", "json"])
        .args(["iam-disable-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["reason"], "Command is disabled.");
}

#[tokio::test]
async fn enable_and_delete_user() {
    let env = Env::start().await;
    env.create_user(JANE).await;
    env.cmd()
        .args(["iam-disable-user", "--user-profile", &by_name(JANE)])
        .run()
        .await
        .code(0);
    let out = env
        .run_json(&["iam-enable-user", "--user-profile", &by_name(JANE)])
        .await;
    out.code(0);
    assert_eq!(vendor(&out.json())["active"], true, "{}", out.stdout);
    let out = env
        .cmd()
        .args(["iam-enable-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    out.code(0);
    assert_snapshot!("enable_user_human", out.redacted(&env));

    let out = env
        .run_json(&["iam-delete-user", "--user-profile", &by_name(JANE)])
        .await;
    out.code(0);
    assert_snapshot!("delete_user_json", out.redacted(&env));
    env.cmd()
        .args(["iam-get-user", "--user-profile", &by_name(JANE)])
        .run()
        .await
        .code(1)
        .stdout_has("errorCode     404\n  errorMessage  User does not exist\n");
    let out = env
        .cmd()
        .args(["iam-delete-user", "--user-profile", &by_name(JANE)])
        .run()
        .await;
    assert!(
        out.status == Some(0) || out.status == Some(1),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn mapping_fields_and_test_module() {
    let env = Env::start().await;
    let out = env.cmd().args(["get-mapping-fields"]).run().await;
    out.code(0);
    assert!(out.stdout.contains("userName"), "{}", out.describe());
    assert_snapshot!("get_mapping_fields_human", out.redacted(&env));
    let out = env.run_json(&["get-mapping-fields"]).await;
    out.code(0);
    out.json();

    let out = env.cmd().args(["test-module"]).run().await;
    out.code(0);
    assert_snapshot!("test_module_human", out.redacted(&env));
    let out = env.run_json(&["test-module"]).await;
    out.code(0);
    out.json();
}
