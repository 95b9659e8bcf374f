//! `iam-create-user` with `IlmSettings::create_first` (the batch's strategy): the request budget
//! of each branch, counted by the emulator, and the outcome of each — a new user (one POST), an
//! existing one (POST 409, lookup, PATCH only when something differs), a clash with another
//! user's e-mail (failed 409), profiles that must stay lookup-first, and existing users under
//! injected 500s and dropped connections (the client's unknown-outcome lookup must not pass an
//! untouched existing user off as created).

use std::time::Duration;

use aws_ilm_client::{ClientConfig, Endpoint, RetryPolicy, ScimClient};
use aws_ilm_emulator::{Config, spawn};
use aws_ilm_lifecycle::{Command, Ilm, IlmError, IlmSettings, Status};
use serde_json::{Value, json};

use crate::common::{Env, profile, vendor};

fn create_first() -> IlmSettings {
    IlmSettings {
        create_first: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_new_user_is_one_request() {
    let env = Env::new().await;
    let mut p = profile("ada");
    p["department"] = json!("R&D");
    let o = env
        .run(
            &env.ilm_with(create_first()),
            "iam-create-user",
            json!({"user-profile": p}),
        )
        .await;
    env.assert_requests(&[("CreateUser", 1)]).await;
    assert_eq!(o.status, Status::Success);
    let v = vendor(&o);
    assert_eq!(v["action"], "create");
    assert_eq!(v["active"], true);
    assert_eq!(v["username"], "ada");
    assert_eq!(
        v["details"]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    assert_eq!(o.context["IAM"]["UserProfile"], p);
    assert_eq!(o.human.title, "Create User Results (AWS-ILM)");

    // allow-enable false: created inactive, still one request.
    let o = env
        .run(
            &env.ilm_with(create_first()),
            "iam-create-user",
            json!({"user-profile": profile("bob"), "allow-enable": false}),
        )
        .await;
    env.assert_requests(&[("CreateUser", 1)]).await;
    assert_eq!(vendor(&o)["action"], "create");
    assert_eq!(vendor(&o)["details"]["active"], false);
}

#[tokio::test]
async fn an_existing_user_is_post_409_lookup_then_patch_only_if_something_differs() {
    let env = Env::new().await;
    let id = env.create("ada").await;
    let ilm = env.ilm_with(create_first());

    let mut p = profile("ada");
    p["title"] = json!("Countess");
    let o = env
        .run(&ilm, "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("CreateUser", 1), ("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(o.status, Status::Success);
    assert_eq!(vendor(&o)["action"], "update");
    assert_eq!(vendor(&o)["id"], id.as_str());
    assert_eq!(vendor(&o)["details"]["title"], "Countess");

    // Nothing differs now: no PATCH.
    let o = env
        .run(&ilm, "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("CreateUser", 1), ("ListUsers", 1)])
        .await;
    assert_eq!(o.status, Status::Success);
    assert_eq!(vendor(&o)["action"], "update");
    assert_eq!(vendor(&o)["id"], id.as_str());

    // Updating off: skipped, as lookup-first would.
    let no_update = env.ilm_with(IlmSettings {
        allow_update: false,
        ..create_first()
    });
    let o = env
        .run(&no_update, "iam-create-user", json!({"user-profile": p}))
        .await;
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(
        vendor(&o)["reason"],
        "User already exists and updating users is disabled."
    );
    assert_eq!(vendor(&o)["action"], "update");
}

#[tokio::test]
async fn an_existing_disabled_user_is_re_enabled_as_the_update_would() {
    let env = Env::new().await;
    env.create("ada").await;
    env.run(
        &env.ilm(),
        "iam-disable-user",
        json!({"user-profile": {"username": "ada"}}),
    )
    .await;
    let o = env
        .run(
            &env.ilm_with(create_first()),
            "iam-create-user",
            json!({"user-profile": profile("ada")}),
        )
        .await;
    env.assert_requests(&[("CreateUser", 1), ("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["action"], "update");
    assert_eq!(vendor(&o)["details"]["active"], true);
}

#[tokio::test]
async fn an_email_clash_with_another_user_fails_with_awss_409() {
    let env = Env::new().await;
    env.create("ada").await;
    let mut p = profile("bob");
    p["email"] = json!("ada@example.com");
    let o = env
        .run(
            &env.ilm_with(create_first()),
            "iam-create-user",
            json!({"user-profile": p}),
        )
        .await;
    env.assert_requests(&[("CreateUser", 1), ("ListUsers", 1)])
        .await;
    assert_eq!(o.status, Status::Failed);
    let v = vendor(&o);
    assert_eq!(v["success"], false);
    assert_eq!(v["action"], "create");
    assert_eq!(v["errorCode"], 409);
    let msg = v["errorMessage"].as_str().unwrap();
    assert!(msg.contains("(request id "), "{msg}");
    // The same clash through lookup-first says the same.
    let o2 = env
        .run(&env.ilm(), "iam-create-user", json!({"user-profile": p}))
        .await;
    let v2 = vendor(&o2);
    assert_eq!(v2["errorCode"], 409);
    let detail = |m: &str| m.split(" (request id ").next().unwrap().to_owned();
    assert_eq!(detail(msg), detail(v2["errorMessage"].as_str().unwrap()));
    // Nobody was created or changed.
    assert!(
        env.client()
            .find_user(&aws_ilm_client::UserQuery::UserName("bob".into()))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn id_olduserdata_and_no_user_name_stay_lookup_first() {
    let env = Env::new().await;
    let id = env.create("ada").await;
    let ilm = env.ilm_with(create_first());

    let mut p = profile("ada");
    p["id"] = json!(id);
    p["title"] = json!("Countess");
    let o = env
        .run(&ilm, "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("GetUser", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["action"], "update");

    // A rename: found by the old name, then renamed; never a POST of the new name.
    let mut p = profile("ada.l");
    p["olduserdata"] = json!({"username": "ada"});
    let o = env
        .run(&ilm, "iam-create-user", json!({"user-profile": p}))
        .await;
    env.assert_requests(&[("ListUsers", 1), ("PatchUser", 1)])
        .await;
    assert_eq!(vendor(&o)["action"], "update");
    assert_eq!(vendor(&o)["username"], "ada.l");
    assert_eq!(vendor(&o)["id"], id.as_str());

    // Only an employee id (mapped to externalId): looked up by it, and AWS's 400 for the
    // missing userName is the answer for a new one — as lookup-first gives.
    let o = env
        .run(
            &ilm,
            "iam-create-user",
            json!({"user-profile": {"employeeid": "E-7", "email": "e7@example.com"}}),
        )
        .await;
    let (_, ops) = env.stats().await;
    assert_eq!(ops["ListUsers"], 1, "{ops}");
    assert_eq!(o.status, Status::Failed);
}

/// Existing users with new values, created first against a server that answers 500 before
/// acting or drops the connection after acting: each must end with the new values (a 500 on
/// the POST of an existing user makes the client look the name up and return the untouched
/// user; the engine must see that it does not carry the profile and update it). The truth is
/// read through a fault-free server on the same database.
#[tokio::test]
async fn existing_users_end_updated_under_faults() {
    const N: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let mut base = Config::ephemeral();
    base.db = dir.path().join("cf.db").to_string_lossy().into_owned();
    let truth = spawn(base.clone()).await.unwrap();
    let mut faulty = base.clone();
    faulty.fault_rate = 0.3;
    let faulty = spawn(faulty).await.unwrap();
    let ilm_on = |server: &aws_ilm_emulator::Running, settings: IlmSettings| {
        let mut c = ClientConfig::new(
            Endpoint::parse(&server.root_url(), &server.tenant_id).unwrap(),
            server.token.clone(),
        );
        c.retry = RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            max_elapsed: Duration::from_secs(30),
        };
        Ilm::new(ScimClient::new(c).unwrap(), settings)
    };
    let clean = ilm_on(&truth, IlmSettings::default());
    let name = |i: usize| format!("u{i}");
    for i in 0..N {
        let cmd = create_cmd(profile(&name(i)));
        assert_eq!(clean.execute(&cmd).await.unwrap().status, Status::Success);
    }

    let ilm = ilm_on(&faulty, create_first());
    for i in 0..N {
        let mut p = profile(&name(i));
        p["title"] = json!(format!("Title {i}"));
        let cmd = create_cmd(p);
        // Run again while the faults win (bounded), as the batch does.
        let mut last = None;
        for _ in 0..20 {
            match ilm.execute(&cmd).await {
                Ok(o) if o.status == Status::Success => {
                    last = Some(o);
                    break;
                }
                Ok(o) => assert!(
                    matches!(vendor(&o)["errorCode"].as_u64(), Some(500..=599)),
                    "only the injected faults may fail it: {}",
                    o.context
                ),
                Err(IlmError::Connection(e)) => assert!(e.is_connection(), "{e}"),
                Err(e) => panic!("{e}"),
            }
        }
        let o = last.unwrap_or_else(|| panic!("{} never succeeded", name(i)));
        assert_eq!(vendor(&o)["details"]["title"], format!("Title {i}"));
    }

    let users = ScimClient::new(ClientConfig::new(
        Endpoint::parse(&truth.root_url(), &truth.tenant_id).unwrap(),
        truth.token.clone(),
    ))
    .unwrap()
    .list_users(None)
    .await
    .unwrap();
    assert_eq!(users.len(), N, "no duplicates, none lost");
    for u in &users {
        let i: usize = u["userName"].as_str().unwrap()[1..].parse().unwrap();
        assert_eq!(u["title"], format!("Title {i}"), "{u}");
    }
}

fn create_cmd(p: Value) -> Command {
    Command::parse(
        "iam-create-user",
        json!({"user-profile": p}).as_object().unwrap(),
    )
    .unwrap()
}
