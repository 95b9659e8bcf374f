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
            "phoneNumbers": [{"value": "+1 555", "type": "work"}],
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
    // Built JSON that cannot parse is refused when the file is loaded…
    let e = Mapper::from_text(
        r#"{"fields": {"emails": {"source": "email", "transform": [{"concat": {"prefix": "[{"}}, "parse_json"]}}}"#,
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap_err();
    assert!(
        matches!(e, MapError::Rule { ref target, ref reason } if target == "emails" && reason.contains("ParseJSON")),
        "{e}"
    );
    // …a field holding text that is not JSON, when it is mapped.
    let m = Mapper::from_text(
        r#"{"fields": {"emails": {"source": "raw", "transform": ["parse_json"]}}}"#,
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let e = m.map_out(&obj(json!({"raw": "[{oops"}))).unwrap_err();
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

/// A one-type XSOAR outgoing export with the given `internalMapping`.
fn xsoar_out(internal: Value) -> String {
    json!({"type": "mapping-outgoing", "mapping": {"User Profile": {"internalMapping": internal}}})
        .to_string()
}

fn concat(prefix: Option<&str>, suffix: Option<&str>) -> Value {
    let arg = |s: Option<&str>| json!({"isContext": false, "value": s.map(|s| json!({"complex": null, "simple": s}))});
    json!({"operator": "concat", "args": {"prefix": arg(prefix), "suffix": arg(suffix)}})
}

fn published_outgoing() -> Mapper {
    Mapper::from_file(
        &Path::new(FIXTURES).join("published_shape_outgoing.json"),
        Direction::Outgoing,
    )
    .unwrap()
}

/// Regression (docs/mappers.md, "Built-in mappers"): the built-in mapper sent the phone as type
/// "mobile"; the seed's outgoing mapper sends "work".
#[test]
fn builtin_outgoing_phone_type_is_work_as_the_seed_sends() {
    let user = Mapper::Builtin
        .map_out(&obj(json!({"username": "a", "mobilephone": "+1 555"})))
        .unwrap();
    assert_eq!(
        user["phoneNumbers"],
        json!([{"value": "+1 555", "type": "work"}])
    );
}

/// Regression (docs/mappers.md, "Built-in mappers"): the built-in incoming mapper returned keys the
/// seed's does not ("Display Name", "Division", …); `IAM.UserProfile` carries exactly the seed's
/// nine.
#[test]
fn builtin_incoming_returns_exactly_the_seed_keys() {
    let user = json!({
        "userName": "ada", "externalId": "E-7", "displayName": "Ada L", "nickName": "A",
        "name": {"givenName": "Ada", "familyName": "Lovelace", "middleName": "B"},
        "emails": [{"value": "ada@example.com"}], "phoneNumbers": [{"value": "+1 555"}],
        "title": "Countess", "userType": "Employee", "locale": "en-GB",
        "addresses": [{"locality": "London"}],
        urn::ENTERPRISE_USER: {"department": "R&D", "costCenter": "42", "division": "Engines",
                               "employeeNumber": "7", "organization": "AE"}
    });
    let p = Mapper::Builtin.map_in(&user).unwrap();
    let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "Cost Center Code",
            "Department",
            "Email",
            "Employee ID",
            "Given Name",
            "Mobile Phone",
            "Surname",
            "Title",
            "Username"
        ]
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): `${field}` in a complex root and in concat
/// literals is the profile field's value, and a field the profile lacks makes the value built from
/// it absent — never `""`, never the literal `${surname}`.
#[test]
fn xsoar_template_with_an_absent_field_builds_nothing_for_it() {
    let mapper = published_outgoing();
    let user = mapper
        .map_out(&obj(json!({
            "username": "ada", "givenname": "Ada", "displayname": "Ada", "department": "R&D"
        })))
        .unwrap();
    assert_eq!(
        Value::Object(user.clone()),
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER], "userName": "ada", "displayName": "Ada",
            "name": {"givenName": "Ada"}, urn::ENTERPRISE_USER: {"department": "R&D"}
        })
    );
    assert!(!contains_empty_string(&Value::Object(user)));
    // Nothing at all from the chains when none of their fields is there.
    let user = mapper.map_out(&obj(json!({"username": "ada"}))).unwrap();
    assert_eq!(
        Value::Object(user),
        json!({"schemas": [urn::USER], "userName": "ada"})
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): concat → ParseJSON used to splice values
/// into JSON text, so a quote or backslash in a profile value broke the document (or added keys to
/// it). Values now fill the JSON's strings as they are.
#[test]
fn xsoar_parse_json_keeps_quotes_and_backslashes_in_values() {
    let m = Mapper::from_text(
        &xsoar_out(json!({
            "userName": {"simple": "username"},
            "name": {"complex": {"root": "givenname", "transformers": [
                concat(Some(r#"{"givenName": ""#), Some(r#"", "familyName": "${surname}"}"#)),
                {"operator": "ParseJSON", "args": {}}
            ]}}
        })),
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let user = m
        .map_out(&obj(
            json!({"username": "a", "givenname": "A\"b", "surname": "C\\\", \"x\": \"y"}),
        ))
        .unwrap();
    assert_eq!(
        user["name"],
        json!({"givenName": "A\"b", "familyName": "C\\\", \"x\": \"y"})
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): escaped dots and XSOAR's `.[0]` index
/// syntax in targets, and the SCIM 1.1 enterprise URN written as the 2.0 one.
#[test]
fn xsoar_escaped_dots_and_index_paths_in_outgoing_targets() {
    let m = Mapper::from_text(
        &xsoar_out(json!({
            "emails.[0].value": {"simple": "email"},
            r"urn:scim:schemas:extension:enterprise:1\.0.costCenter": {"simple": "cc"},
            "urn:scim:schemas:extension:enterprise:1.0.department": {"simple": "dept"}
        })),
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let user = m
        .map_out(&obj(json!({"email": "a@b", "cc": "42", "dept": "R&D"})))
        .unwrap();
    assert_eq!(
        Value::Object(user),
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER],
            "emails": [{"value": "a@b", "primary": true}],
            urn::ENTERPRISE_USER: {"costCenter": "42", "department": "R&D"}
        })
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): keys AWS's enterprise schema does not have
/// (the published mapper's `countryCode`, `managerflag`) are dropped when the mapper is loaded, so
/// the rest of the block reaches AWS instead of a 400.
#[test]
fn enterprise_keys_aws_lacks_are_dropped_at_load() {
    let user = published_outgoing()
        .map_out(&obj(json!({
            "username": "a", "department": "R&D", "countrycode": "US", "peoplemanagerflag": "Y"
        })))
        .unwrap();
    assert_eq!(user[urn::ENTERPRISE_USER], json!({"department": "R&D"}));
    let m = Mapper::from_text(
        &xsoar_out(json!({
            "urn:scim:schemas:extension:enterprise:1.0.countryCode": {"simple": "countrycode"},
            "userName": {"simple": "username"}
        })),
        "m.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let user = m
        .map_out(&obj(json!({"username": "a", "countrycode": "US"})))
        .unwrap();
    assert_eq!(
        Value::Object(user),
        json!({"schemas": [urn::USER], "userName": "a"})
    );
}

/// Regression (docs/mappers.md, "XSOAR mapper exports"): what the importer cannot read is a
/// load-time error naming it, never a silent gap (a `complex` concat argument used to become an
/// empty string).
#[test]
fn xsoar_unreadable_templates_and_arguments_are_load_errors() {
    let load = |internal: Value| {
        Mapper::from_text(&xsoar_out(internal), "m.json", false, Direction::Outgoing)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let cases = [
        (
            json!({"title": {"complex": {"root": "${title.=val.toUpperCase()}"}}}),
            "${title.=val.toUpperCase()}",
        ),
        (
            json!({"title": {"complex": {"root": "t", "transformers": [concat(Some("${x"), None)]}}}),
            "${x",
        ),
        (
            json!({"title": {"complex": {"root": "t", "transformers": [
                {"operator": "concat", "args": {"prefix": {"isContext": false,
                    "value": {"complex": {"root": "x"}, "simple": ""}}}}
            ]}}}),
            "prefix",
        ),
        (
            json!({"name": {"complex": {"root": "g", "transformers": [
                concat(Some("{\"givenName\": "), Some("}")), {"operator": "ParseJSON", "args": {}}
            ]}}}),
            "ParseJSON",
        ),
        (
            json!({"emails.[x].value": {"simple": "email"}}),
            "emails.[x].value",
        ),
        (
            json!({"emails.[1].value": {"simple": "email"}}),
            "emails.[1].value",
        ),
        (json!({"title": {"simple": "a..b"}}), "a..b"),
    ];
    for (internal, named) in cases {
        let e = load(internal.clone());
        assert!(e.contains(named), "{internal}: {e}");
    }
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
            let Some((label, _)) = builtin::INCOMING.iter().find(|(_, s)| s == scim) else {
                continue;
            };
            let sent = profile.get(*field).and_then(Value::as_str).filter(|s| !s.is_empty());
            prop_assert_eq!(back.get(*label).and_then(Value::as_str), sent, "{} -> {}", field, label);
        }
    }
}
