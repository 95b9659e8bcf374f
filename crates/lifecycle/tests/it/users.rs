//! User commands: every branch of docs/commands.md, "User commands", and the request budgets.

use aws_ilm_lifecycle::{IlmSettings, Status};
use serde_json::json;

use crate::common::{Env, profile, vendor};

#[tokio::test]
async fn create_new_user_is_two_requests_and_active() {
    let env = Env::new().await;
    let mut p = profile("ada");
    p["department"] = json!("R&D");
    let o = env
        .run(&env.ilm(), "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("CreateUser", 1)])
        .await;
    let v = vendor(&o);
    assert_eq!(o.status, Status::Success);
    assert_eq!(
        (v["action"].as_str(), v["active"].as_bool()),
        (Some("create"), Some(true))
    );
    assert_eq!(v["username"], "ada");
    assert_eq!(v["email"], "ada@example.com");
    assert_eq!(v["skipped"], false);
    assert_eq!(v["brand"], "AWS-ILM");
    assert_eq!(v["instanceName"], "aws-ilm");
    // The enterprise block reached AWS under the RFC URN.
    assert_eq!(
        v["details"]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    assert_eq!(o.context["IAM"]["UserProfile"], p);
    assert_eq!(o.human.title, "Create User Results (AWS-ILM)");
    assert_eq!(
        o.human.headers,
        [
            "brand",
            "instanceName",
            "success",
            "active",
            "id",
            "username",
            "email",
            "details"
        ]
    );
}

#[tokio::test]
async fn create_with_allow_enable_false_is_inactive() {
    let env = Env::new().await;
    let o = env
        .run(
            &env.ilm(),
            "iam-create-user",
            json!({"user-profile": profile("ada"), "allow-enable": "false"}),
        )
        .await;
    assert_eq!(vendor(&o)["active"], false);
    assert_eq!(vendor(&o)["details"]["active"], false);
}

#[tokio::test]
async fn create_of_existing_user_updates_it() {
    let env = Env::new().await;
    env.create("ada").await;
    let mut p = profile("ada");
    p["title"] = json!("Countess");
    let o = env
        .run(&env.ilm(), "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["action"], "update");
    // docs/output.md, "Tables: the seed's rules": titled by the action taken, as the seed's.
    assert_eq!(o.human.title, "Update User Results (AWS-ILM)");
    assert_eq!(vendor(&o)["details"]["title"], "Countess");
    let no_update = env.ilm_with(IlmSettings {
        allow_update: false,
        ..Default::default()
    });
    let o = env
        .run(
            &no_update,
            "iam-create-user",
            json!({"user-profile": profile("ada")}),
        )
        .await;
    assert_eq!(o.status, Status::Skipped);
}

#[tokio::test]
async fn allow_flags_off_skip_without_a_request() {
    let env = Env::new().await;
    let ilm = env.ilm_with(IlmSettings {
        allow_create: false,
        allow_update: false,
        allow_enable: false,
        allow_disable: false,
        ..Default::default()
    });
    for cmd in [
        "iam-create-user",
        "iam-update-user",
        "iam-disable-user",
        "iam-enable-user",
        "iam-delete-user",
    ] {
        let o = env
            .run(&ilm, cmd, json!({"user-profile": profile("ada")}))
            .await;
        assert_eq!(o.status, Status::Skipped, "{cmd}");
        assert_eq!(vendor(&o)["reason"], "Command is disabled.", "{cmd}");
        assert_eq!(vendor(&o)["skipped"], true);
        // The seed's skipped columns, and its details: the profile through the outgoing mapper.
        assert_eq!(
            o.human.headers,
            ["brand", "instanceName", "skipped", "reason"]
        );
        assert_eq!(vendor(&o)["details"]["userName"], "ada", "{cmd}");
        assert_eq!(vendor(&o)["details"]["name"]["familyName"], "Lovelace");
        env.assert_requests(&[]).await;
    }
}

#[tokio::test]
async fn get_user_by_username_id_and_external_id_is_one_request() {
    let env = Env::new().await;
    let mut p = profile("ada");
    p["employeeid"] = json!("E-1");
    p["mobilephone"] = json!("+1 555 0100");
    let o = env
        .run(&env.ilm(), "iam-create-user", json!({"user-profile": p}))
        .await;
    let id = vendor(&o)["id"].as_str().unwrap().to_owned();

    for (lookup, op) in [
        (json!({"username": "ada"}), "ListUsers"),
        (json!({"id": id}), "GetUser"),
        (json!({"employeeid": "E-1"}), "ListUsers"),
    ] {
        let o = env
            .run(&env.ilm(), "iam-get-user", json!({"user-profile": lookup}))
            .await;
        env.assert_requests(&[(op, 1)]).await;
        assert_eq!(o.status, Status::Success);
        assert_eq!(vendor(&o)["id"], id.as_str());
        assert_eq!(vendor(&o)["action"], "get");
        assert_eq!(
            o.context["IAM"]["UserProfile"],
            json!({
                "Username": "ada", "Email": "ada@example.com", "Given Name": "Ada",
                "Surname": "Lovelace", "Employee ID": "E-1",
                "Mobile Phone": "+1 555 0100"
            })
        );
        assert_eq!(o.human.title, "Get User Results (AWS-ILM)");
        assert_eq!(
            o.human.headers,
            [
                "brand",
                "instanceName",
                "success",
                "active",
                "id",
                "username",
                "email",
                "details"
            ]
        );
    }
}

#[tokio::test]
async fn get_missing_user_fails_with_404() {
    let env = Env::new().await;
    let o = env
        .run(
            &env.ilm(),
            "iam-get-user",
            json!({"user-profile": {"username": "nobody"}}),
        )
        .await;
    assert_eq!(o.status, Status::Failed);
    let v = vendor(&o);
    assert_eq!(
        (v["success"].as_bool(), v["errorCode"].as_u64()),
        (Some(false), Some(404))
    );
    assert_eq!(v["errorMessage"], "User does not exist");
    assert!(o.human.headers.contains(&"errorMessage".to_owned()));
}

/// Regression (docs/output.md, "What `details` holds"): a result with no user to show carries what
/// the seed's `set_result` puts in `details` — the profile through the outgoing mapper (with the
/// mapped `olduserdata`) — where aws-ilm left it null: a not-found get, a not-found disable, a
/// command skipped by its switch.
#[tokio::test]
async fn details_of_results_without_a_user_are_the_mapped_profile() {
    let env = Env::new().await;
    let ghost = json!({"username": "ghost", "givenname": "G", "surname": "Host",
                       "olduserdata": {"username": "old-ghost"}});
    let mapped = |v: &serde_json::Value| {
        assert_eq!(v["details"]["userName"], "ghost", "{v}");
        assert_eq!(v["details"]["name"]["familyName"], "Host", "{v}");
        assert_eq!(v["details"]["olduserdata"]["userName"], "old-ghost", "{v}");
    };
    let o = env
        .run(&env.ilm(), "iam-get-user", json!({"user-profile": ghost}))
        .await;
    assert_eq!(o.status, Status::Failed);
    mapped(vendor(&o));
    assert!(o.human.headers.contains(&"details".to_owned()));

    let o = env
        .run(
            &env.ilm(),
            "iam-disable-user",
            json!({"user-profile": ghost}),
        )
        .await;
    assert_eq!(o.status, Status::Skipped);
    mapped(vendor(&o));

    let off = env.ilm_with(IlmSettings {
        allow_disable: false,
        ..Default::default()
    });
    let o = env
        .run(&off, "iam-disable-user", json!({"user-profile": ghost}))
        .await;
    assert_eq!(vendor(&o)["reason"], "Command is disabled.");
    mapped(vendor(&o));
    env.assert_requests(&[]).await;
}

#[tokio::test]
async fn filter_values_cannot_escape_the_filter() {
    let env = Env::new().await;
    env.create("ada").await;
    let evil = r#"x" or userName eq "ada"#;
    let o = env
        .run(
            &env.ilm(),
            "iam-get-user",
            json!({"user-profile": {"username": evil}}),
        )
        .await;
    assert_eq!(vendor(&o)["errorCode"], 404, "{}", o.context);
}

#[tokio::test]
async fn update_is_two_requests_and_patches_only_what_differs() {
    let env = Env::new().await;
    env.create("ada").await;
    let mut p = profile("ada");
    p["title"] = json!("Countess");
    p["surname"] = json!("King");
    let o = env
        .run(&env.ilm(), "iam-update-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    let d = &vendor(&o)["details"];
    assert_eq!(
        (d["title"].as_str(), d["name"]["familyName"].as_str()),
        (Some("Countess"), Some("King"))
    );
    assert_eq!(d["name"]["givenName"], "Ada");
    assert_eq!(vendor(&o)["action"], "update");
    assert_eq!(o.human.title, "Update User Results (AWS-ILM)");
    // Nothing differs: no write at all.
    let o = env
        .run(&env.ilm(), "iam-update-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1)]).await;
    assert_eq!(o.status, Status::Success);
}

#[tokio::test]
async fn update_reenables_in_the_same_patch_when_allowed() {
    let env = Env::new().await;
    env.create("ada").await;
    env.run(
        &env.ilm(),
        "iam-disable-user",
        json!({"user-profile": {"username": "ada"}}),
    )
    .await;
    let mut p = profile("ada");
    p["title"] = json!("Back");

    // allow-enable false: stays inactive.
    let o = env
        .run(
            &env.ilm(),
            "iam-update-user",
            json!({"user-profile": p, "allow-enable": false}),
        )
        .await;
    assert_eq!(vendor(&o)["active"], false);
    // instance allow_enable off: stays inactive.
    let no_enable = env.ilm_with(IlmSettings {
        allow_enable: false,
        ..Default::default()
    });
    let o = env
        .run(&no_enable, "iam-update-user", json!({"user-profile": p}))
        .await;
    assert_eq!(vendor(&o)["active"], false);
    // Both on: active again, one lookup and one PATCH.
    p["title"] = json!("Back again");
    let o = env
        .run(&env.ilm(), "iam-update-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["active"], true);
    assert_eq!(vendor(&o)["details"]["title"], "Back again");
}

#[tokio::test]
async fn update_of_missing_user_creates_or_skips() {
    let env = Env::new().await;
    let o = env
        .run(
            &env.ilm(),
            "iam-update-user",
            json!({"user-profile": profile("new")}),
        )
        .await;
    env.assert_requests(&[("ListUsers", 1), ("CreateUser", 1)])
        .await;
    assert_eq!(vendor(&o)["action"], "create");
    // Titled by the action taken, as the seed's (its update calls its create).
    assert_eq!(o.human.title, "Create User Results (AWS-ILM)");

    let no_create = env.ilm_with(IlmSettings {
        create_if_not_exists: false,
        ..Default::default()
    });
    let o = env
        .run(
            &no_create,
            "iam-update-user",
            json!({"user-profile": profile("other")}),
        )
        .await;
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(vendor(&o)["reason"], "User does not exist");
    env.assert_requests(&[("ListUsers", 1)]).await;
}

#[tokio::test]
async fn rename_through_olduserdata_is_a_mover() {
    let env = Env::new().await;
    let id = env.create("ada").await;
    let mut p = profile("ada.king");
    p["olduserdata"] = json!({"username": "ada"});
    let o = env
        .run(&env.ilm(), "iam-update-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["id"], id.as_str());
    assert_eq!(vendor(&o)["username"], "ada.king");
    // Re-running the same event finds the user under its new name instead of creating one.
    let o = env
        .run(&env.ilm(), "iam-update-user", json!({"user-profile": p}))
        .await;
    assert_eq!(vendor(&o)["id"], id.as_str());
    assert_eq!(env.client().list_users(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn disable_branches() {
    let env = Env::new().await;
    env.create("ada").await;
    let args = json!({"user-profile": {"username": "ada"}});
    let o = env.run(&env.ilm(), "iam-disable-user", args.clone()).await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(
        (
            vendor(&o)["action"].as_str(),
            vendor(&o)["active"].as_bool()
        ),
        (Some("disable"), Some(false))
    );
    assert_eq!(o.human.title, "Disable User Results (AWS-ILM)");
    assert!(o.human.headers.contains(&"email".to_owned()));

    let o = env.run(&env.ilm(), "iam-disable-user", args).await;
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(vendor(&o)["reason"], "User is already disabled.");
    env.assert_requests(&[("ListUsers", 1)]).await;

    let o = env
        .run(
            &env.ilm(),
            "iam-disable-user",
            json!({"user-profile": {"username": "ghost"}}),
        )
        .await;
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(vendor(&o)["reason"], "User does not exist");
}

#[tokio::test]
async fn enable_and_delete() {
    let env = Env::new().await;
    let id = env.create("ada").await;
    let args = json!({"user-profile": {"id": id}});
    let o = env.run(&env.ilm(), "iam-enable-user", args.clone()).await;
    assert_eq!(vendor(&o)["reason"], "User is already enabled.");
    env.run(&env.ilm(), "iam-disable-user", args.clone()).await;
    let o = env.run(&env.ilm(), "iam-enable-user", args.clone()).await;
    env.assert_requests(&[("GetUser", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(
        (
            vendor(&o)["action"].as_str(),
            vendor(&o)["active"].as_bool()
        ),
        (Some("enable"), Some(true))
    );
    assert_eq!(o.human.title, "Enable User Results (AWS-ILM)");

    let o = env.run(&env.ilm(), "iam-delete-user", args.clone()).await;
    env.assert_requests(&[("GetUser", 1), ("DeleteUser", 1)])
        .await;
    assert_eq!(
        (o.status, vendor(&o)["action"].as_str()),
        (Status::Success, Some("delete"))
    );
    assert_eq!(o.human.title, "Delete User Results (AWS-ILM)");
    let o = env.run(&env.ilm(), "iam-get-user", args.clone()).await;
    assert_eq!(vendor(&o)["errorCode"], 404);
    let o = env.run(&env.ilm(), "iam-delete-user", args).await;
    assert_eq!(vendor(&o)["reason"], "User does not exist");
}

#[tokio::test]
async fn server_refusal_is_a_failed_outcome_with_status_and_request_id() {
    let env = Env::new().await;
    env.create("ada").await;
    // Same email as ada: AWS answers 409.
    let mut p = profile("bob");
    p["email"] = json!("ada@example.com");
    let o = env
        .run(&env.ilm(), "iam-create-user", json!({"user-profile": p}))
        .await;
    assert_eq!(o.status, Status::Failed);
    let v = vendor(&o);
    assert_eq!(v["errorCode"], 409);
    assert!(
        v["errorMessage"].as_str().unwrap().contains("(request id "),
        "{v}"
    );
    // A profile missing what AWS requires: AWS's 400, not a crash.
    let o = env
        .run(
            &env.ilm(),
            "iam-create-user",
            json!({"user-profile": {"username": "carl"}}),
        )
        .await;
    assert_eq!(
        (o.status, vendor(&o)["errorCode"].as_u64()),
        (Status::Failed, Some(400))
    );
}
