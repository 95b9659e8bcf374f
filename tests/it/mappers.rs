//! Custom mappers end to end: an aws-ilm mapping file and an XSOAR export, in both directions.

use serde_json::json;

use crate::harness::{Env, s};

#[tokio::test]
async fn custom_outgoing_and_incoming_mappers() {
    let env = Env::start().await;
    let out_map = env.write(
        "out.toml",
        r#"
direction = "outgoing"
[fields]
"userName" = "login"
"displayName" = "fullname"
"name.givenName" = "first"
"name.familyName" = "last"
"emails.value" = { source = "mail", transform = ["trim", "lowercase"] }
"userType" = { value = "Contractor" }
"#,
    );
    let in_map = env.write(
        "in.json",
        &json!({"direction": "incoming", "fields": {"Login": "userName", "Kind": "userType"}})
            .to_string(),
    );
    let profile = json!({"login": "c@example.com", "fullname": "C Ontractor", "first": "C",
        "last": "Ontractor", "mail": "  C@Example.COM "});
    let out = env
        .cmd()
        .args(["--mapper-out", &s(&out_map), "--output", "json"])
        .args(["iam-create-user", "--user-profile", &profile.to_string()])
        .run()
        .await;
    out.code(0);
    let details = out.json()["IAM"]["Vendor"]["details"].clone();
    assert_eq!(details["userType"], "Contractor", "{details}");
    assert_eq!(details["emails"][0]["value"], "c@example.com", "{details}");

    let out = env
        .cmd()
        .args([
            "--mapper-out",
            &s(&out_map),
            "--mapper-in",
            &s(&in_map),
            "--output",
            "json",
        ])
        .args([
            "iam-get-user",
            "--user-profile",
            r#"{"login":"c@example.com"}"#,
        ])
        .run()
        .await;
    out.code(0);
    let profile = out.json()["IAM"]["UserProfile"].clone();
    assert_eq!(profile["Login"], "c@example.com", "{profile}");
    assert_eq!(profile["Kind"], "Contractor", "{profile}");

    // A mapper file used in the wrong direction is a configuration error.
    let out = env
        .cmd()
        .args(["--mapper-in", &s(&out_map)])
        .args([
            "iam-get-user",
            "--user-profile",
            r#"{"login":"c@example.com"}"#,
        ])
        .run()
        .await;
    out.code(3).one_line_error().stderr_has("out.toml");
}
