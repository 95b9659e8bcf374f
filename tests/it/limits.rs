//! The client's limits on what a server may make it read (docs/client.md) are settings like any
//! other: flag, variable or config key, and what they say reaches the client.

use aws_ilm_client::{Op, PatchOp, PatchOperation};
use serde_json::{Value, json};

use crate::harness::{Env, Out};

/// The failed outcome's `errorMessage`, after checking the exit status says failed.
#[track_caller]
fn error_message(out: &Out, doc: &[&str]) -> String {
    out.code(1);
    let mut v = out.json();
    for key in doc {
        v = v[*key].clone();
    }
    assert_eq!(v["success"], false, "{}", out.describe());
    v["errorMessage"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_response_size_limit_reaches_the_client() {
    let env = Env::start().await;
    env.create_user("big@example.com").await;
    let get = [
        "iam-get-user",
        "--user-profile",
        r#"{"username":"big@example.com"}"#,
    ];
    let out = env
        .cmd()
        .args(["--output", "json", "--max-response-bytes", "200"])
        .args(get)
        .run()
        .await;
    let msg = error_message(&out, &["IAM", "Vendor"]);
    assert!(msg.contains("200 bytes (max_response_bytes)"), "{msg}");
    let out = env
        .cmd()
        .env("AWS_ILM_MAX_RESPONSE_BYTES", "300")
        .args(["--output", "json"])
        .args(get)
        .run()
        .await;
    let msg = error_message(&out, &["IAM", "Vendor"]);
    assert!(msg.contains("300 bytes"), "{msg}");
    env.run_json(&get).await.code(0);
    env.cmd()
        .args(["--max-response-bytes", "0"])
        .args(get)
        .run()
        .await
        .code(2)
        .stderr_has("error: invalid value '0' for '--max-response-bytes");
}

#[tokio::test]
async fn the_page_limit_reaches_the_client() {
    let env = Env::start().await;
    let c = env.client();
    let group = c
        .create_group(&json!({"displayName": "Many"}))
        .await
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_owned();
    // 101 members: two pages of the membership listing.
    let mut members = Vec::new();
    for i in 0..101 {
        let u = c
            .create_user(&json!({
                "userName": format!("m{i}"), "displayName": format!("M {i}"),
                "name": {"givenName": "M", "familyName": format!("{i}")},
                "emails": [{"value": format!("m{i}@example.com"), "type": "work", "primary": true}]
            }))
            .await
            .unwrap();
        members.push(json!({"value": u["id"]}));
    }
    for part in members.chunks(100) {
        let add = PatchOperation::new(Op::Add, Some("members"), Some(Value::from(part.to_vec())));
        c.patch_group(&gid, &PatchOp::new(vec![add])).await.unwrap();
    }
    let scim = json!({"id": gid}).to_string();
    let get = ["iam-get-group", "--scim", scim.as_str()];
    let out = env
        .cmd()
        .args(["--output", "json", "--max-pages", "1"])
        .args(get)
        .run()
        .await;
    let msg = error_message(&out, &["GetGroup"]);
    assert!(msg.contains("after 1 (max_pages)"), "{msg}");
    let out = env.run_json(&get).await;
    out.code(0);
    assert_eq!(
        out.json()["GetGroup"]["members"].as_array().unwrap().len(),
        101
    );
}
