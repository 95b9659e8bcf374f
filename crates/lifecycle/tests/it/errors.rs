//! Error paths: connection failures and refused credentials stop the command (never with the
//! token in the message), bad input is an `InputError`, and the two utility commands.

use aws_ilm_lifecycle::{Command, Ilm, IlmError, IlmSettings, InputError, Status};
use serde_json::json;

use crate::common::{Env, client_for};

#[tokio::test]
async fn wrong_token_is_a_connection_error_without_the_token() {
    let env = Env::new().await;
    let secret = "wrong-token-0123456789abcdef";
    let ilm = Ilm::new(
        client_for(&env.emu.root_url(), &env.emu.tenant_id, secret),
        IlmSettings::default(),
    );
    for (name, args) in [
        ("iam-get-user", json!({"user-profile": {"username": "ada"}})),
        (
            "iam-create-user",
            json!({"user-profile": {"username": "ada"}}),
        ),
        ("iam-get-group", json!({"scim": {"id": "g"}})),
        (
            "iam-update-group",
            json!({"scim": {"id": "g"}, "memberIdsToAdd": "a"}),
        ),
        ("test-module", json!({})),
    ] {
        let cmd = Command::parse(name, args.as_object().unwrap()).unwrap();
        let e = ilm.execute(&cmd).await.unwrap_err();
        assert!(matches!(e, IlmError::Connection(_)), "{name}: {e}");
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("401"), "{shown}");
        assert!(
            !shown.contains(secret) && !shown.contains(env.emu.token.expose()),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn unreachable_server_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let ilm = Ilm::new(
        client_for(&format!("http://{addr}"), "tenant", "tok-secret-xyz"),
        IlmSettings::default(),
    );
    let cmd = Command::parse(
        "iam-get-user",
        json!({"user-profile": {"username": "a"}})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    let e = ilm.execute(&cmd).await.unwrap_err();
    assert!(
        matches!(e, IlmError::Connection(ref c) if c.is_connection()),
        "{e}"
    );
    assert!(!format!("{e:?}").contains("tok-secret-xyz"));
}

#[tokio::test]
async fn a_profile_without_identifier_is_input_error() {
    let env = Env::new().await;
    let e = env
        .try_run(
            &env.ilm(),
            "iam-get-user",
            json!({"user-profile": {"email": "a@b", "title": "x"}}),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, IlmError::Input(InputError::NoIdentifier)),
        "{e}"
    );
    env.assert_requests(&[]).await;
}

#[tokio::test]
async fn test_module_and_mapping_fields() {
    let env = Env::new().await;
    let o = env.run(&env.ilm(), "test-module", json!({})).await;
    assert_eq!(o.status, Status::Success);
    assert_eq!(o.context["TestModule"]["success"], true);
    let o = env.run(&env.ilm(), "get-mapping-fields", json!({})).await;
    env.assert_requests(&[]).await;
    let fields = o.context[0]["User Profile"].as_object().unwrap();
    assert!(fields["userName"].as_str().unwrap().contains("sign-in"));
    assert!(
        fields
            .contains_key("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department")
    );
    assert!(
        o.human
            .rows
            .iter()
            .any(|r| r[0] == "userName" && r[3] == "username")
    );
}

#[tokio::test]
async fn custom_mapper_from_an_xsoar_export_drives_the_commands() {
    let env = Env::new().await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xsoar");
    let settings = IlmSettings {
        mapper_out: aws_ilm_lifecycle::Mapper::from_file(
            &std::path::Path::new(dir).join("user_profile_aws_ilm_outgoing.json"),
            aws_ilm_lifecycle::Direction::Outgoing,
        )
        .unwrap(),
        mapper_in: aws_ilm_lifecycle::Mapper::from_file(
            &std::path::Path::new(dir).join("user_profile_aws_ilm_incoming.json"),
            aws_ilm_lifecycle::Direction::Incoming,
        )
        .unwrap(),
        instance_name: "xsoar-mapped".into(),
        ..Default::default()
    };
    let ilm = env.ilm_with(settings);
    let p = json!({"username": "Ada", "email": "ada@example.com", "givenname": "Ada",
                   "surname": "Lovelace", "displayname": "Ada Lovelace", "department": "R&D"});
    let o = env
        .run(&ilm, "iam-create-user", json!({"user-profile": p}))
        .await;
    assert_eq!(o.status, Status::Success, "{}", o.context);
    assert_eq!(o.context["IAM"]["Vendor"]["instanceName"], "xsoar-mapped");
    let o = env
        .run(
            &ilm,
            "iam-get-user",
            json!({"user-profile": {"username": "Ada"}}),
        )
        .await;
    assert_eq!(
        o.context["IAM"]["UserProfile"],
        json!({"Email": "ada@example.com", "Given Name": "Ada", "Surname": "Lovelace",
               "Username": "ada", "Department": "R&D", "Display Name": "AdaLovelace"})
    );
}
