//! Custom mappers end to end: an aws-ilm mapping file and an XSOAR export, in both directions.

use serde_json::{Value, json};

use crate::harness::{Env, Out, s};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

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

/// The XSOAR fixtures written for the tests in the published AWS-ILM classifiers' shape.
fn xsoar_fixture(name: &str) -> String {
    format!(
        "{}/crates/lifecycle/tests/fixtures/xsoar/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A joiner with every field the published outgoing mapper reads (and a quote in a value, which
/// the seed's concat-then-ParseJSON would have turned into broken JSON).
fn full_profile() -> Value {
    json!({
        "username": "grace", "email": "grace@example.com", "givenname": "Grace",
        "surname": "Hopper", "displayname": "Grace Hopper", "mobilephone": "+1 555 0142",
        "title": "Rear \"Amazing\" Admiral", "employeeid": "E-1906", "employeenumber": "1906",
        "employeetype": "Employee", "department": "R&D", "costcentercode": "CC-7",
        "division": "Navy", "countrycode": "US", "peoplemanagerflag": "Y"
    })
}

/// `aws-ilm --mapper-out <published-shape outgoing fixture> --output json <command>
/// --user-profile <profile>`, which must succeed.
async fn with_published_mapper(env: &Env, extra: &[&str], command: &str, profile: &Value) -> Out {
    let out = env
        .cmd()
        .args([
            "--mapper-out",
            &xsoar_fixture("published_shape_outgoing.json"),
        ])
        .args(extra)
        .args([
            "--output",
            "json",
            command,
            "--user-profile",
            &profile.to_string(),
        ])
        .run()
        .await;
    out.code(0);
    out
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): the published outgoing mapper maps two
/// types, "User Profile - Create" and "User Profile - Update", and was refused; its `${field}`
/// templates, concat → ParseJSON objects, SCIM 1.1 enterprise URN and escaped dots did not reach
/// AWS.
#[tokio::test]
async fn xsoar_published_outgoing_mapper_creates_with_create_type_and_patches_with_update_type() {
    let env = Env::start().await;
    let profile = full_profile();
    let out = with_published_mapper(&env, &[], "iam-create-user", &profile).await;
    // The enterprise keys AWS's schema lacks are dropped at load time with one warning.
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("countryCode"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.describe());
    assert!(warnings[0].contains("managerflag"), "{}", out.describe());
    let id = out.json()["IAM"]["Vendor"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let user = env.client().get_user(&id).await.unwrap().unwrap();
    assert_eq!(user["userName"], "grace", "{user}");
    assert_eq!(user["displayName"], "Grace Hopper", "{user}");
    assert_eq!(
        user["name"],
        json!({"givenName": "Grace", "familyName": "Hopper"}),
        "{user}"
    );
    assert_eq!(user["emails"][0]["value"], "grace@example.com", "{user}");
    assert_eq!(user["emails"][0]["primary"], true, "{user}");
    assert_eq!(user["phoneNumbers"][0]["value"], "+1 555 0142", "{user}");
    assert_eq!(user["phoneNumbers"][0]["type"], "work", "{user}");
    assert_eq!(user["title"], "Rear \"Amazing\" Admiral", "{user}");
    assert_eq!(user["externalId"], "E-1906", "{user}");
    assert_eq!(user["userType"], "Employee", "{user}");
    assert_eq!(
        user[ENTERPRISE],
        json!({"employeeNumber": "1906", "department": "R&D", "division": "Navy",
               "costCenter": "CC-7"}),
        "{user}"
    );

    // A mover: the PATCH is mapped with the Update type, which maps no displayName — also when
    // iam-create-user finds the user and updates it.
    let mut moved = profile.clone();
    moved["displayname"] = json!("Admiral Hopper");
    moved["title"] = json!("Commodore");
    with_published_mapper(&env, &[], "iam-update-user", &moved).await;
    moved["department"] = json!("Navy Programming");
    let out = with_published_mapper(&env, &[], "iam-create-user", &moved).await;
    assert_eq!(out.json()["IAM"]["Vendor"]["action"], "update");
    let user = env.client().get_user(&id).await.unwrap().unwrap();
    assert_eq!(user["title"], "Commodore", "{user}");
    assert_eq!(user[ENTERPRISE]["department"], "Navy Programming", "{user}");
    assert_eq!(user["displayName"], "Grace Hopper", "{user}");

    // Create-if-not-exists POSTs with the Create type: AWS requires the displayName only it maps.
    let mut new = full_profile();
    new["username"] = json!("kathleen");
    new["email"] = json!("kathleen@example.com");
    new["employeeid"] = json!("E-1922");
    new["displayname"] = json!("Kathleen Booth");
    let out = with_published_mapper(&env, &[], "iam-update-user", &new).await;
    let vendor = out.json()["IAM"]["Vendor"].clone();
    assert_eq!(vendor["action"], "create", "{vendor}");
    assert_eq!(
        vendor["details"]["displayName"], "Kathleen Booth",
        "{vendor}"
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): the published incoming mapper reads
/// `emails.[0].value`, `phoneNumbers.[0].value` and
/// `urn:scim:schemas:extension:enterprise:1\.0.costCenter`, which mapped to nothing, so
/// `IAM.UserProfile` had no Email, Mobile Phone or Cost Center Code.
#[tokio::test]
async fn xsoar_published_incoming_mapper_reads_index_and_escaped_dot_paths() {
    let env = Env::start().await;
    with_published_mapper(&env, &[], "iam-create-user", &full_profile()).await;
    let in_map = xsoar_fixture("published_shape_incoming.json");
    let out = with_published_mapper(
        &env,
        &["--mapper-in", &in_map],
        "iam-get-user",
        &json!({"username": "grace"}),
    )
    .await;
    assert_eq!(
        out.json()["IAM"]["UserProfile"],
        json!({
            "Email": "grace@example.com", "Mobile Phone": "+1 555 0142", "Given Name": "Grace",
            "Surname": "Hopper", "Username": "grace", "Employee ID": "E-1906",
            "Title": "Rear \"Amazing\" Admiral", "Department": "R&D", "Cost Center Code": "CC-7"
        }),
        "{}",
        out.describe()
    );
}

/// Regression (docs/mappers.md, "get-mapping-fields"): `get-mapping-fields --output json` printed
/// aws-ilm's own `{"MappingFields": [...]}`; the seed prints XSOAR's mapping-fields document, one
/// object per mapping type with the field names and their descriptions.
#[tokio::test]
async fn get_mapping_fields_json_is_the_seed_document() {
    let env = Env::start().await;
    let out = env.run_json(&["get-mapping-fields"]).await;
    out.code(0);
    let doc = out.json();
    let types = doc.as_array().expect("a list of mapping types");
    assert_eq!(types.len(), 1, "{doc}");
    let fields = types[0]["User Profile"]
        .as_object()
        .expect("the User Profile type");
    assert!(
        fields["userName"].as_str().is_some_and(|d| !d.is_empty()),
        "{doc}"
    );
    assert!(
        fields
            .contains_key("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"),
        "{doc}"
    );
    assert!(fields.values().all(Value::is_string), "{doc}");
    // What AWS refuses is not offered.
    for absent in ["password", "id", "meta", "groups", "emails.display"] {
        assert!(!fields.contains_key(absent), "{absent} in {doc}");
    }
}

/// A mapping file is untrusted text too: the names its warnings quote reach the terminal
/// neutralised, on one line.
#[tokio::test]
async fn mapping_warnings_neutralise_names_from_the_file() {
    let env = Env::start().await;
    let map = env.write(
        "out.json",
        &json!({"mapping": {"User Profile": {"internalMapping": {
            "userName": {"simple": "username"},
            "urn:scim:schemas:extension:enterprise:1.0.bad\u{1b}]0;owned\u{7}": {"simple": "x"},
            "titel\u{9b}2J\nnext": {"simple": "title"}
        }}}})
        .to_string(),
    );
    let out = env
        .cmd()
        .args(["--mapper-out", &s(&map), "get-mapping-fields"])
        .run()
        .await;
    out.code(0);
    assert!(
        !out.stderr.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "{}",
        out.describe()
    );
    let warnings: Vec<&str> = out.stderr.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 2, "{}", out.describe());
    assert!(
        warnings[0].contains(r"bad\u{1b}]0;owned\u{7}"),
        "{}",
        out.describe()
    );
    assert!(
        warnings[1].contains(r"titel\u{9b}2J next"),
        "{}",
        out.describe()
    );
}
