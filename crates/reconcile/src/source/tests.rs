use aws_ilm_lifecycle::Direction;
use serde_json::json;

use super::*;
use crate::model::DesiredUser;

fn read(text: &str, format: SourceFormat) -> Result<Desired, SourceError> {
    read_source(
        text.as_bytes(),
        format,
        &Mapper::Builtin,
        &SourceLimits::default(),
    )
}

fn ok(text: &str, format: SourceFormat) -> Desired {
    match read(text, format) {
        Ok(d) => d,
        Err(e) => panic!("{e:?}"),
    }
}

fn problems(text: &str, format: SourceFormat) -> Vec<Problem> {
    match read(text, format) {
        Err(SourceError::Problems(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

/// The one problem of a source, with its place.
fn one_problem(text: &str, format: SourceFormat) -> Problem {
    let p = problems(text, format);
    assert_eq!(p.len(), 1, "{p:?}");
    p.into_iter().next().unwrap()
}

fn user<'a>(d: &'a Desired, name: &str) -> &'a DesiredUser {
    d.users.iter().find(|u| u.user_name == name).unwrap()
}

const HEAD: &str = "username,employeeid,displayname,givenname,surname,email";

#[test]
fn csv_with_bom_crlf_groups_and_active_columns() {
    let text = format!(
        "\u{feff}{HEAD},Groups,ACTIVE\r\n\
         ada@x.com,E1,Ada L,Ada,Lovelace,ada@x.com,Engineering; everyone ;,\r\n\
         \r\n\
         bob@x.com,E2,Bob S,Bob,Stone,bob@x.com,Everyone;Everyone,No\r\n"
    );
    let d = ok(&text, SourceFormat::Csv);
    assert_eq!(d.users.len(), 2);
    let ada = user(&d, "ada@x.com");
    assert_eq!(ada.origin, "line 2");
    assert_eq!(ada.external_id.as_deref(), Some("E1"));
    assert!(ada.active);
    let paths: Vec<String> = ada.attributes.keys();
    assert_eq!(
        paths,
        [
            "displayName",
            "emails",
            "externalId",
            "name.familyName",
            "name.givenName",
            "userName"
        ]
    );
    assert_eq!(
        ada.attributes.get("emails").unwrap(),
        Some(json!([{"value": "ada@x.com", "type": "work", "primary": true}]))
    );
    let bob = user(&d, "bob@x.com");
    assert_eq!(bob.origin, "line 4");
    assert!(!bob.active);
    let groups: Vec<(&str, &str, Vec<&str>)> = d
        .groups
        .iter()
        .map(|g| {
            let m = g.members.iter().map(String::as_str).collect();
            (g.display_name.as_str(), g.origin.as_str(), m)
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("Engineering", "column groups", vec!["ada@x.com"]),
            ("everyone", "column groups", vec!["ada@x.com", "bob@x.com"]),
        ]
    );
}

#[test]
fn an_empty_cell_clears_and_an_unmentioned_attribute_is_absent() {
    let text = format!(
        "{HEAD},title\nada,,Ada L,Ada,Lovelace,ada@x.com,Engineer\nbob,,Bob S,Bob,Stone,bob@x.com,\n"
    );
    let d = ok(&text, SourceFormat::Csv);
    assert_eq!(
        user(&d, "ada").attributes.get("title").unwrap(),
        Some(json!("Engineer"))
    );
    assert_eq!(user(&d, "bob").attributes.get("title").unwrap(), None);
    assert!(user(&d, "bob").attributes.contains_key("title"));
    // No employeeid value anywhere: still provided (the column is there), so cleared.
    assert_eq!(user(&d, "ada").external_id, None);
    assert_eq!(user(&d, "ada").attributes.get("externalId"), Some(None));
    // The source never mentions a phone number: not compared.
    assert!(!user(&d, "ada").attributes.contains_key("phoneNumbers"));
    assert!(d.groups.is_empty());
}

#[test]
fn a_header_only_or_empty_csv_is_an_empty_source() {
    assert_eq!(
        ok(&format!("{HEAD}\n"), SourceFormat::Csv),
        Desired::default()
    );
    assert_eq!(ok("", SourceFormat::Csv), Desired::default());
}

const JSON_DOC: &str = r#"{
  "users": [
    {"username": "ada@x.com", "employeeid": "E1", "displayname": "Ada L", "givenname": "Ada",
     "surname": "Lovelace", "email": "ada@x.com", "title": "Engineer"},
    {"username": "bob@x.com", "employeeid": "E2", "displayname": "Bob S", "givenname": "Bob",
     "surname": "Stone", "email": "bob@x.com", "title": null, "active": false},
    {"username": "cy@x.com", "displayname": "Cy", "givenname": "Cy", "surname": "Young",
     "email": "cy@x.com", "active": "YES"}
  ],
  "groups": [
    {"displayName": "Engineering", "externalId": "G1", "members": ["E2", "ADA@X.COM", "ada@x.com"]},
    {"displayName": "Empty"}
  ]
}"#;

#[test]
fn json_document_with_external_id_member_references() {
    let d = ok(JSON_DOC, SourceFormat::Json);
    assert_eq!(d.users.len(), 3);
    assert_eq!(user(&d, "ada@x.com").origin, "users[0]");
    assert!(!user(&d, "bob@x.com").active);
    assert!(user(&d, "cy@x.com").active);
    assert_eq!(user(&d, "bob@x.com").attributes.get("title").unwrap(), None);
    // A key used by any user is provided for all: cy never says title, so it is cleared.
    assert_eq!(user(&d, "cy@x.com").attributes.get("title"), Some(None));
    assert_eq!(user(&d, "cy@x.com").external_id, None);
    let eng = &d.groups[0];
    assert_eq!(eng.origin, "groups[0]");
    assert_eq!(eng.external_id.as_deref(), Some("G1"));
    assert_eq!(eng.members, ["ada@x.com", "bob@x.com"]);
    assert!(d.groups[1].members.is_empty());
}

#[test]
fn toml_document_reads_like_json() {
    let text = r#"
[[users]]
username = "ada@x.com"
employeeid = "E1"
displayname = "Ada L"
givenname = "Ada"
surname = "Lovelace"
email = "ada@x.com"
active = true

[[groups]]
displayName = "Engineering"
members = ["E1"]
"#;
    let d = ok(text, SourceFormat::Toml);
    assert_eq!(d.users[0].user_name, "ada@x.com");
    assert_eq!(d.groups[0].members, ["ada@x.com"]);
}

#[test]
fn the_xsoar_create_type_maps_the_users() {
    let mapper = Mapper::from_text(
        include_str!("../../../lifecycle/tests/fixtures/xsoar/published_shape_outgoing.json"),
        "published_shape_outgoing.json",
        false,
        Direction::Outgoing,
    )
    .unwrap();
    let text = "username,email,givenname,surname,displayname,department,employeenumber\n\
                grace,grace@example.com,Grace,Hopper,Grace Hopper,R&D,1906\n";
    let d = read_source(
        text.as_bytes(),
        SourceFormat::Csv,
        &mapper,
        &SourceLimits::default(),
    )
    .unwrap();
    let u = &d.users[0];
    assert_eq!(u.user_name, "grace");
    assert_eq!(
        u.attributes.get("name.familyName").unwrap(),
        Some(json!("Hopper"))
    );
    assert_eq!(
        u.attributes.get("displayName").unwrap(),
        Some(json!("Grace Hopper"))
    );
    let ent = format!("{}:department", aws_ilm_scim::urn::ENTERPRISE_USER);
    assert_eq!(u.attributes.get(&ent).unwrap(), Some(json!("R&D")));
}

#[test]
fn format_from_extension_and_flag() {
    use std::path::Path;
    assert_eq!(
        SourceFormat::from_path(Path::new("a/people.CSV")),
        Some(SourceFormat::Csv)
    );
    assert_eq!(
        SourceFormat::from_path(Path::new("p.toml")),
        Some(SourceFormat::Toml)
    );
    assert_eq!(SourceFormat::from_path(Path::new("p.txt")), None);
    assert_eq!("JSON".parse::<SourceFormat>(), Ok(SourceFormat::Json));
    assert!("xml".parse::<SourceFormat>().is_err());
}

fn row(name: &str, ext: &str) -> String {
    format!("{name},{ext},{name} D,G,F,{name}@x.com")
}

#[test]
fn a_malformed_line_and_a_non_utf8_field_are_problems_with_their_line() {
    let p = one_problem(
        &format!("{HEAD}\n{}\nshort,row\n", row("a", "")),
        SourceFormat::Csv,
    );
    assert_eq!(p.at, "line 3");
    assert!(p.message.contains("2 fields"), "{p}");
    let mut bytes = format!("{HEAD}\n").into_bytes();
    bytes.extend_from_slice(b"a\xff,,a,G,F,a@x.com\n");
    let r = read_source(
        bytes.as_slice(),
        SourceFormat::Csv,
        &Mapper::Builtin,
        &SourceLimits::default(),
    );
    let Err(SourceError::Problems(p)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(p[0].at, "line 2");
    assert!(p[0].message.contains("UTF-8"), "{p:?}");
}

#[test]
fn a_record_too_long_and_a_source_too_large() {
    let limits = SourceLimits {
        max_bytes: 1 << 20,
        max_record_bytes: 100,
    };
    let text = format!("{HEAD}\n{}\n{}\n", row(&"a".repeat(200), ""), row("b", ""));
    let r = read_source(
        text.as_bytes(),
        SourceFormat::Csv,
        &Mapper::Builtin,
        &limits,
    );
    let Err(SourceError::Problems(p)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].at, "line 2");
    assert!(p[0].message.contains("longer than 100 bytes"), "{p:?}");
    let doc = format!(r#"{{"users": [{{"username": "{}"}}]}}"#, "a".repeat(200));
    let r = read_source(
        doc.as_bytes(),
        SourceFormat::Json,
        &Mapper::Builtin,
        &limits,
    );
    let Err(SourceError::Problems(p)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(p[0].at, "users[0]");
    let small = SourceLimits {
        max_bytes: 10,
        max_record_bytes: 100,
    };
    for format in [SourceFormat::Csv, SourceFormat::Json] {
        let r = read_source(text.as_bytes(), format, &Mapper::Builtin, &small);
        assert_eq!(r, Err(SourceError::TooLarge { max: 10 }));
    }
    // A document that is not UTF-8 is refused as unreadable, without quoting it.
    let r = read_source(
        &b"{\"users\": [\xff]}"[..],
        SourceFormat::Json,
        &Mapper::Builtin,
        &limits,
    );
    let Err(SourceError::Read { reason }) = r else {
        panic!("{r:?}")
    };
    assert_eq!(reason, "it is not UTF-8 text");
}

#[test]
fn duplicate_user_names_after_folding_and_duplicate_external_ids() {
    let text = format!(
        "{HEAD}\n{}\n{}\n{}\n",
        row("ada", "E1"),
        row("ADA", "E2"),
        row("bob", "E1")
    );
    let p = problems(&text, SourceFormat::Csv);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].at, "line 3");
    assert!(
        p[0].message
            .contains("duplicate userName 'ADA' (also at line 2"),
        "{p:?}"
    );
    assert_eq!(p[1].at, "line 4");
    assert!(
        p[1].message
            .contains("duplicate externalId 'E1' (also at line 2)"),
        "{p:?}"
    );
}

#[test]
fn a_member_naming_an_unknown_user() {
    let doc = r#"{"users": [{"username": "ada", "displayname": "A", "givenname": "A",
        "surname": "L"}], "groups": [{"displayName": "G", "members": ["ada", "nobody"]}]}"#;
    let p = one_problem(doc, SourceFormat::Json);
    assert_eq!(p.at, "groups[0].members[1]");
    assert!(p.message.contains("'nobody' names no user"), "{p}");
}

#[test]
fn a_missing_required_field_and_a_cleared_one() {
    // No surname column: name.familyName is never given.
    let p = one_problem(
        "username,displayname,givenname\nada,Ada,Ada\n",
        SourceFormat::Csv,
    );
    assert_eq!(p.at, "line 2");
    assert!(p.message.contains("name.familyName is required"), "{p}");
    // A surname column with an empty cell clears a required attribute.
    let p = one_problem(
        &format!("{HEAD}\nada,,Ada,Ada,Lovelace,\nbob,,Bob,Bob,,\n"),
        SourceFormat::Csv,
    );
    assert_eq!(p.at, "line 3");
    assert!(p.message.contains("name.familyName is empty"), "{p}");
}

#[test]
fn a_bad_active_value() {
    let p = one_problem(
        &format!("{HEAD},active\n{},maybe\n", row("ada", "")),
        SourceFormat::Csv,
    );
    assert_eq!(p.at, "line 2");
    assert!(p.message.contains("active is 'maybe'"), "{p}");
    let doc = r#"{"users": [{"username": "ada", "displayname": "A", "givenname": "A",
        "surname": "L", "active": 3}]}"#;
    assert_eq!(one_problem(doc, SourceFormat::Json).at, "users[0]");
}

#[test]
fn duplicate_group_display_names_and_external_ids() {
    let doc = r#"{"groups": [
        {"displayName": "Eng", "externalId": "G1"},
        {"displayName": "ENG"},
        {"displayName": "Ops", "externalId": "G1"}]}"#;
    let p = problems(doc, SourceFormat::Json);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].at, "groups[1]");
    assert!(
        p[0].message.contains("duplicate group displayName"),
        "{p:?}"
    );
    assert_eq!(p[1].at, "groups[2]");
    assert!(
        p[1].message.contains("duplicate group externalId 'G1'"),
        "{p:?}"
    );
}

#[test]
fn values_aws_refuses() {
    let text = format!(
        "{HEAD}\n{}\n{}\n",
        row("ada lovelace", ""),
        row("Administrator", "")
    );
    let p = problems(&text, SourceFormat::Csv);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].message.contains("userName"), "{p:?}");
    assert!(p[1].message.contains("reserved"), "{p:?}");
    let p = one_problem(
        &format!("{HEAD},groups\n{},\u{7}bell\n", row("ada", "")),
        SourceFormat::Csv,
    );
    assert!(p.message.contains("displayName"), "{p}");
    assert!(!p.message.contains('\u{7}'), "{p}");
}

#[test]
fn unknown_keys_and_a_malformed_document() {
    let p = one_problem(r#"{"users": [], "people": []}"#, SourceFormat::Json);
    assert!(p.message.contains("unknown key 'people'"), "{p}");
    let p = one_problem(
        r#"{"groups": [{"displayName": "G", "owner": "x"}]}"#,
        SourceFormat::Json,
    );
    assert_eq!(p.at, "groups[0]");
    let p = one_problem("{", SourceFormat::Json);
    assert!(p.message.starts_with("malformed json"), "{p}");
    let p = one_problem("users = 3", SourceFormat::Toml);
    assert_eq!(p.at, "users");
}

#[test]
fn every_problem_is_reported_and_messages_are_inert_and_bounded() {
    let evil = format!("\u{1b}]0;pwned\u{7}{}", "x".repeat(500));
    let text = format!(
        "{HEAD},active\n{},\n{},\nshort\n{},perhaps\n",
        row(&evil, ""),
        row(&evil, ""),
        row("ok", "")
    );
    let p = problems(&text, SourceFormat::Csv);
    let ats: Vec<&str> = p.iter().map(|p| p.at.as_str()).collect();
    // The long evil name breaks AWS's length rule on both lines, and is a duplicate on line 3.
    assert_eq!(
        ats,
        ["line 4", "line 5", "line 2", "line 3", "line 3"],
        "{p:?}"
    );
    for pr in &p {
        assert!(!pr.message.contains(['\u{1b}', '\u{7}']), "{pr}");
        assert!(pr.message.chars().count() <= MESSAGE_MAX + 1, "{pr}");
    }
}
