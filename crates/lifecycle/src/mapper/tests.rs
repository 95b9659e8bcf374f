//! Mapper tests: the built-ins against the seed's example, the XSOAR import against realistic
//! exports, and properties every outgoing user must have.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xsoar");

#[test]
fn builtin_outgoing_maps_the_seed_example() {
    let profile = obj(json!({
        "email": "john.doe@example.com", "username": "test", "givenname": "test",
        "surname": "test", "displayname": "test", "department": "R&D", "costcentercode": "42",
        "mobilephone": "+1 555", "employeeid": 7, "title": "", "unknownfield": "x"
    }));
    let user = Mapper::Builtin.map_out(&profile).unwrap();
    assert_eq!(
        Value::Object(user),
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER],
            "userName": "test", "displayName": "test", "externalId": "7",
            "name": {"givenName": "test", "familyName": "test"},
            "emails": [{"value": "john.doe@example.com", "type": "work", "primary": true}],
            "phoneNumbers": [{"value": "+1 555", "type": "mobile"}],
            urn::ENTERPRISE_USER: {"department": "R&D", "costCenter": "42"}
        })
    );
}

#[test]
fn builtin_outgoing_without_enterprise_fields_names_only_the_core_schema() {
    let user = Mapper::Builtin
        .map_out(&obj(json!({"username": "a"})))
        .unwrap();
    assert_eq!(
        Value::Object(user),
        json!({"schemas": [urn::USER], "userName": "a"})
    );
}

#[test]
fn builtin_incoming_reads_the_seed_fields() {
    let user = json!({
        "id": "1", "userName": "test", "externalId": "E-7",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+1 555", "type": "mobile"}], "title": "Countess",
        urn::ENTERPRISE_USER: {"department": "R&D", "costCenter": "42"}
    });
    let p = Mapper::Builtin.map_in(&user).unwrap();
    assert_eq!(
        Value::Object(p),
        json!({
            "Username": "test", "Employee ID": "E-7", "Given Name": "Ada", "Surname": "Lovelace",
            "Email": "ada@example.com", "Mobile Phone": "+1 555", "Title": "Countess",
            "Department": "R&D", "Cost Center Code": "42"
        })
    );
}

#[test]
fn xsoar_outgoing_export_imports_concat_parsejson_and_fixes_the_urn() {
    let path = Path::new(FIXTURES).join("user_profile_aws_ilm_outgoing.json");
    let mapper = Mapper::from_file(&path, Direction::Outgoing).unwrap();
    let profile = obj(json!({
        "username": "ada", "email": "ada@example.com", "givenname": "Ada", "surname": "Lovelace",
        "displayname": "Ada Lovelace", "department": "R&D", "costcentercode": "42",
        "division": "Engines"
    }));
    let user = mapper.map_out(&profile).unwrap();
    assert_eq!(
        Value::Object(user),
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER],
            "userName": "ada", "displayName": "Ada Lovelace",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            urn::ENTERPRISE_USER: {"department": "R&D", "costCenter": "CC-42"}
        })
    );
    // The seed's weakness: an absent email became `[{"value": ""...}]`. Here it stays absent.
    let user = mapper.map_out(&obj(json!({"username": "ada"}))).unwrap();
    assert_eq!(
        Value::Object(user),
        json!({"schemas": [urn::USER], "userName": "ada"})
    );
}

#[test]
fn xsoar_incoming_export_with_accessor_and_context_concat() {
    let path = Path::new(FIXTURES).join("user_profile_aws_ilm_incoming.json");
    let mapper = Mapper::from_file(&path, Direction::Incoming).unwrap();
    let user = json!({
        "userName": "ADA", "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "primary": true}],
        urn::ENTERPRISE_USER: {"department": "R&D"}
    });
    assert_eq!(
        Value::Object(mapper.map_in(&user).unwrap()),
        json!({
            "Email": "ada@example.com", "Given Name": "Ada", "Surname": "Lovelace",
            "Username": "ada", "Department": "R&D", "Display Name": "AdaLovelace"
        })
    );
    // Used the wrong way round, it says so instead of mapping nonsense.
    let e = Mapper::from_file(&path, Direction::Outgoing).unwrap_err();
    assert!(e.to_string().contains("is an incoming mapper"), "{e}");
}

#[test]
fn xsoar_unknown_operator_and_filters_are_clear_errors() {
    let doc = |t: Value| {
        json!({"mapping": {"User Profile": {"internalMapping": {"userName": {"complex": t}}}}})
            .to_string()
    };
    let e = Mapper::from_text(
        &doc(json!({"root": "username", "transformers": [{"operator": "substring", "args": {}}]})),
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "mapping for 'userName' uses the XSOAR transformer 'substring', which aws-ilm does not \
         support (supported: concat, ParseJSON, toLowerCase, toUpperCase, Trim)"
    );
    let e = Mapper::from_text(
        &doc(json!({"root": "username", "filters": [[{"operator": "isEqualString"}]]})),
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap_err();
    assert!(e.to_string().contains("filters are not supported"), "{e}");
    let e = Mapper::from_text(
        r#"{"mapping": {"A": {}, "B": {}}}"#,
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap_err();
    assert!(e.to_string().contains("'User Profile'"), "{e}");
}

#[test]
fn parse_json_failure_names_the_target() {
    let m = Mapper::from_text(
        r#"{"fields": {"emails": {"source": "email", "transform": [{"concat": {"prefix": "[{"}}, "parse_json"]}}}"#,
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let e = m.map_out(&obj(json!({"email": "a@b"}))).unwrap_err();
    assert!(
        matches!(e, MapError::ParseJson { ref target, .. } if target == "emails"),
        "{e}"
    );
}

#[test]
fn custom_toml_file_round_trip_through_from_file() {
    let dir = std::env::temp_dir().join(format!("aws-ilm-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.toml");
    std::fs::write(
        &file,
        "direction = \"outgoing\"\n[fields]\nuserName = { source = \"mail\", transform = [\"lowercase\"] }\n\"emails.value\" = \"mail\"\n",
    )
    .unwrap();
    let m = Mapper::from_file(&file, Direction::Outgoing).unwrap();
    let u = m.map_out(&obj(json!({"mail": "Ada@X.org"}))).unwrap();
    assert_eq!(
        Value::Object(u),
        json!({"schemas": [urn::USER], "userName": "ada@x.org",
               "emails": [{"value": "Ada@X.org", "primary": true}]})
    );
    let e = Mapper::from_file(&dir.join("missing.toml"), Direction::Outgoing).unwrap_err();
    assert!(matches!(e, MapError::Read { .. }));
    std::fs::remove_dir_all(&dir).ok();
}

fn contains_empty_string(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty() || a.iter().any(contains_empty_string),
        Value::Object(o) => o.is_empty() || o.values().any(contains_empty_string),
        Value::Null => true,
        _ => false,
    }
}

proptest! {
    /// Any profile of strings maps to a SCIM user with no empty string (or null, or empty
    /// container), and every field the incoming mapper reads comes back unchanged.
    #[test]
    fn outgoing_never_sends_empties_and_round_trips(
        values in proptest::collection::vec(proptest::option::of("(|[ -~]{1,12})"), builtin::OUTGOING.len())
    ) {
        let mut profile = Map::new();
        for ((field, _), v) in builtin::OUTGOING.iter().zip(&values) {
            if let Some(v) = v {
                profile.insert((*field).to_owned(), json!(v));
            }
        }
        let user = Value::Object(Mapper::Builtin.map_out(&profile).unwrap());
        prop_assert!(!contains_empty_string(&user), "{user}");
        let back = Mapper::Builtin.map_in(&user).unwrap();
        for (field, scim) in builtin::OUTGOING {
            let label = builtin::INCOMING.iter().find(|(_, s)| s == scim).unwrap().0;
            let sent = profile.get(*field).and_then(Value::as_str).filter(|s| !s.is_empty());
            prop_assert_eq!(back.get(label).and_then(Value::as_str), sent, "{} -> {}", field, label);
        }
    }
}
