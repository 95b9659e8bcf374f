//! Answers that cannot be trusted are not successes (docs/client.md): a user or group
//! without a usable `id` in a 2xx answer, or an answer too large to read, ends the command with
//! `success: false` and the reason, against a scripted server (AWS never answers this way).

use aws_ilm_lifecycle::{Command, Ilm, IlmSettings, Outcome, Status};
use serde_json::{Value, json};

use crate::common::{client_for, profile};
use crate::scripted::{Action, serve};

async fn run(base_url: &str, name: &str, args: Value) -> Outcome {
    let ilm = Ilm::new(client_for(base_url, "t", "tok"), IlmSettings::default());
    let cmd = Command::parse(name, args.as_object().unwrap()).unwrap();
    ilm.execute(&cmd).await.unwrap()
}

fn list(resources: Vec<Value>) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
           "totalResults": resources.len(), "Resources": resources})
}

/// The outcome failed, and its one document says why.
#[track_caller]
fn assert_failed(o: &Outcome, needle: &str) {
    assert_eq!(o.status, Status::Failed, "{}", o.context);
    let doc = o
        .context
        .get("IAM")
        .map(|iam| &iam["Vendor"])
        .or_else(|| o.context.as_object().and_then(|m| m.values().next()))
        .unwrap();
    assert_eq!(doc["success"], false, "{doc}");
    let msg = doc["errorMessage"].as_str().unwrap_or_default();
    assert!(msg.contains(needle), "{msg}");
}

#[tokio::test]
async fn success_answers_without_a_usable_id_are_failed_outcomes() {
    // Users: the lookup finds one with an empty id; a create's POST answers one without an id.
    let srv = serve(|req, _| match (req.method.as_str(), req.query("filter")) {
        ("GET", Some(f)) if f.contains("ghost") => Action::json(200, list(vec![])),
        ("GET", _) => Action::json(200, list(vec![json!({"id": "", "userName": "ada"})])),
        ("POST", _) if req.path().ends_with("/Groups") => {
            Action::json(201, json!({"id": 5, "displayName": "G"}))
        }
        ("POST", _) => Action::json(201, json!({"userName": "ghost"})),
        _ => Action::empty(500),
    })
    .await;
    for (name, args, why) in [
        (
            "iam-get-user",
            json!({"user-profile": {"username": "ada"}}),
            "empty `id`",
        ),
        (
            "iam-create-user",
            json!({"user-profile": profile("ghost")}),
            "no `id`",
        ),
        (
            "iam-create-group",
            json!({"scim": {"displayName": "G"}}),
            "not a string",
        ),
        (
            "iam-get-group",
            json!({"scim": {"displayName": "G"}}),
            "empty `id`",
        ),
    ] {
        assert_failed(&run(&srv.base_url, name, args).await, why);
    }
}

#[tokio::test]
async fn an_answer_too_large_to_read_is_a_failed_outcome() {
    let srv = serve(|_, _| Action::DeclareLength(1 << 40)).await;
    let o = run(
        &srv.base_url,
        "iam-get-user",
        json!({"user-profile": {"username": "ada"}}),
    )
    .await;
    assert_failed(&o, "max_response_bytes");
}
