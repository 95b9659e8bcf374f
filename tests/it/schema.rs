//! What the emulator and the binary publish about AWS's attributes — the emulator's `/Schemas`
//! and `get-mapping-fields` in both formats — read from the running programs and compared with
//! the one attribute table (`aws_ilm_scim::schema`, docs/schema.md). Each test also checks a
//! few facts written down by hand from AWS's documentation, so the table is not only compared
//! with itself.

use aws_ilm_scim::schema::{self, Attribute, Mutability, Type};
use aws_ilm_scim::urn;
use serde_json::{Value, json};

use crate::harness::Env;

/// `GET <scim base><path>` on the emulator, authorised.
async fn scim_get(env: &Env, path: &str) -> Value {
    let url = format!("{}{path}", env.emu.base_url);
    let res = reqwest::Client::new()
        .get(&url)
        .bearer_auth(env.token())
        .send()
        .await
        .expect("the emulator answers");
    let status = res.status().as_u16();
    let body = res.text().await.expect("a whole body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

/// One attribute of a schema document against its row in the table, sub-attributes included.
fn check_attribute(doc: &Value, a: &Attribute, at: &str) {
    let at = format!("{at}{}", a.name);
    assert_eq!(doc["name"], a.name, "{at}");
    assert_eq!(doc["type"], a.kind.as_str(), "{at}");
    assert_eq!(doc["multiValued"], a.multi_valued, "{at}");
    assert_eq!(doc["required"], a.required, "{at}");
    assert_eq!(doc["mutability"], a.mutability.as_str(), "{at}");
    assert_eq!(doc["description"], a.description, "{at}");
    if matches!(a.kind, Type::String | Type::Reference) {
        assert_eq!(doc["caseExact"], a.case_exact, "{at}");
    }
    if a.kind != Type::Boolean {
        assert_eq!(doc["uniqueness"], a.uniqueness.as_str(), "{at}");
    }
    let subs = doc["subAttributes"].as_array().cloned().unwrap_or_default();
    assert_eq!(subs.len(), a.sub_attributes.len(), "{at}: {doc}");
    for (d, s) in subs.iter().zip(a.sub_attributes) {
        check_attribute(d, s, &format!("{at}."));
    }
}

/// The attribute named `path` (`name.givenName`) in a schema document.
fn find<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let mut attrs = &schema["attributes"];
    let mut found = None;
    for part in path.split('.') {
        let a = attrs.as_array()?.iter().find(|a| a["name"] == part)?;
        attrs = &a["subAttributes"];
        found = Some(a);
    }
    found
}

#[tokio::test]
async fn emulator_schemas_document_is_the_attribute_table() {
    let env = Env::start().await;
    let list = scim_get(&env, "/Schemas").await;
    let docs = list["Resources"].as_array().expect("Resources");
    assert_eq!(docs.len(), schema::ALL.len(), "{list}");
    assert_eq!(list["totalResults"], schema::ALL.len());
    for (doc, s) in docs.iter().zip(schema::ALL) {
        assert_eq!(doc["id"], s.id);
        assert_eq!(doc["name"], s.name);
        assert_eq!(doc["description"], s.description);
        let attrs = doc["attributes"].as_array().expect("attributes");
        assert_eq!(attrs.len(), s.attributes.len(), "{}", s.id);
        for (d, a) in attrs.iter().zip(s.attributes) {
            check_attribute(d, a, &format!("{}:", s.name));
        }
        assert_eq!(&scim_get(&env, &format!("/Schemas/{}", s.id)).await, doc);
    }

    // By hand, from AWS's documentation.
    let user = &docs[0];
    assert_eq!(user["id"], urn::USER);
    let user_name = find(user, "userName").expect("userName");
    assert_eq!(
        (
            &user_name["required"],
            &user_name["caseExact"],
            &user_name["uniqueness"]
        ),
        (&json!(true), &json!(false), &json!("server"))
    );
    assert_eq!(find(user, "externalId").unwrap()["caseExact"], true);
    assert_eq!(find(user, "name.givenName").unwrap()["required"], true);
    for multi in ["emails", "phoneNumbers", "addresses", "roles"] {
        assert_eq!(find(user, multi).unwrap()["multiValued"], true, "{multi}");
    }
    for refused in ["password", "ims", "photos", "groups", "emails.display"] {
        assert!(find(user, refused).is_none(), "{refused}");
    }
    let group = &docs[1];
    let members: Vec<&Value> = find(group, "members").unwrap()["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["name"])
        .collect();
    assert_eq!(members, [&json!("value"), &json!("$ref"), &json!("type")]);
    let enterprise = &docs[2];
    assert!(find(enterprise, "manager.value").is_some());
    assert!(find(enterprise, "manager.displayName").is_none());
}

/// `(path, type, description)` of every field `get-mapping-fields` should list: the writable,
/// mappable leaves of the core User and enterprise schemas, in table order.
fn expected_fields() -> Vec<(String, &'static str, &'static str)> {
    fn walk(
        attrs: &[Attribute],
        prefix: &str,
        out: &mut Vec<(String, &'static str, &'static str)>,
    ) {
        for a in attrs {
            if !a.mappable || a.mutability != Mutability::ReadWrite {
                continue;
            }
            let path = format!("{prefix}{}", a.name);
            if a.sub_attributes.is_empty() {
                out.push((path, a.kind.as_str(), a.description));
            } else {
                walk(a.sub_attributes, &format!("{path}."), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(schema::USER.attributes, "", &mut out);
    walk(
        schema::ENTERPRISE_USER.attributes,
        &format!("{}.", urn::ENTERPRISE_USER),
        &mut out,
    );
    out
}

#[tokio::test]
async fn get_mapping_fields_is_the_attribute_table() {
    let env = Env::start().await;
    let want = expected_fields();

    let out = env.run_json(&["get-mapping-fields"]).await;
    out.code(0);
    let doc = out.json();
    let fields = doc[0]["User Profile"].as_object().expect("User Profile");
    let got: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
        .collect();
    let want_json: Vec<(&str, &str)> = want.iter().map(|(p, _, d)| (p.as_str(), *d)).collect();
    assert_eq!(got, want_json, "{}", out.describe());

    let out = env
        .cmd()
        .args(["--output", "markdown", "get-mapping-fields"])
        .run()
        .await;
    out.code(0);
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let got: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[0], r[1], r[2])).collect();
    let want_human: Vec<(&str, &str, &str)> =
        want.iter().map(|(p, k, d)| (p.as_str(), *k, *d)).collect();
    assert_eq!(got, want_human, "{}", out.describe());

    // By hand, from AWS's documentation and the seed's built-in mapper.
    let row = |f: &str| rows.iter().find(|r| r[0] == f);
    assert_eq!(
        row("name.givenName"),
        Some(&vec![
            "name.givenName",
            "string",
            "First name; required",
            "givenname"
        ])
    );
    assert_eq!(row("active").map(|r| r[1]), Some("boolean"));
    assert!(row("roles.value").is_some());
    let department = format!("{}.department", urn::ENTERPRISE_USER);
    assert_eq!(row(&department).map(|r| r[3]), Some("department"));
    for absent in [
        "id",
        "meta.created",
        "password",
        "emails.display",
        "phoneNumbers.primary",
    ] {
        assert!(row(absent).is_none(), "{absent}");
    }
}
