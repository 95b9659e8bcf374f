use serde_json::{Map, json};

use super::*;
use crate::model::{Counts, Desired, MemberRef};
use crate::options::Options;

fn plan(changes: Vec<Change>, notes: &[&str]) -> Plan {
    Plan {
        format: crate::plan::FORMAT,
        endpoint: "https://scim.example.com/t/scim/v2".into(),
        tenant: "t".into(),
        options: Options::default(),
        summary: Counts::of(&changes),
        changes,
        notes: notes.iter().map(|n| (*n).to_owned()).collect(),
        desired: Desired::default(),
    }
}

fn member(name: &str, id: Option<&str>, out_of_scope: bool) -> MemberRef {
    MemberRef {
        user_name: name.into(),
        id: id.map(str::to_owned),
        out_of_scope,
    }
}

#[test]
fn an_empty_plan_says_so() {
    assert_eq!(render(&plan(vec![], &[])), format!("{NO_CHANGES}\n"));
    let text = render(&plan(vec![], &["user x: protected"]));
    assert_eq!(
        text,
        format!("{NO_CHANGES}\nNotes:\n  - user x: protected\n")
    );
}

#[test]
fn every_kind_of_change() {
    let mut user = Map::new();
    user.insert(
        "schemas".into(),
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"]),
    );
    user.insert("userName".into(), json!("ada@example.com"));
    user.insert("displayName".into(), json!("Ada Lovelace"));
    user.insert("name".into(), json!({"givenName": "Ada"}));
    user.insert("active".into(), json!(true));
    let changes = vec![
        Change::CreateGroup {
            display_name: "Engineering".into(),
            external_id: Some("G1".into()),
        },
        Change::UpdateGroup {
            id: "g-0123456789".into(),
            display_name: "Eng".into(),
            set: vec![AttrChange {
                path: "displayName".into(),
                old: Some(json!("Eng")),
                new: Some(json!("Engineering")),
            }],
        },
        Change::CreateUser {
            user_name: "ada@example.com".into(),
            user,
        },
        Change::UpdateUser {
            id: "9067abcd-1111".into(),
            user_name: "bob@example.com".into(),
            set: vec![
                AttrChange {
                    path: "title".into(),
                    old: Some(json!("Engineer")),
                    new: Some(json!("Staff Engineer")),
                },
                AttrChange {
                    path: "nickName".into(),
                    old: Some(json!("Bobby")),
                    new: None,
                },
                AttrChange {
                    path: "active".into(),
                    old: Some(json!(false)),
                    new: Some(json!(true)),
                },
            ],
        },
        Change::AddMembers {
            group: "Engineering".into(),
            group_id: None,
            members: vec![
                member("ada@example.com", None, false),
                member("bob@example.com", Some("9067abcd-1111"), false),
            ],
        },
        Change::RemoveMembers {
            group: "Eng".into(),
            group_id: "g-0123456789".into(),
            members: vec![member("x@example.com", Some("u9"), true)],
        },
        Change::DisableUser {
            id: "c1".into(),
            user_name: "carol@example.com".into(),
        },
        Change::DeleteUser {
            id: "d1".into(),
            user_name: "dan@example.com".into(),
        },
        Change::DeleteGroup {
            id: "g-old".into(),
            display_name: "Old".into(),
            members: 4,
        },
    ];
    let text = render(&plan(changes, &["group Admins: protected, left alone"]));
    let want = "\
+ group Engineering (create)
    externalId: \"G1\"
~ group Eng (id g-012345…)
    displayName: \"Eng\" → \"Engineering\"
+ user ada@example.com (create)
    userName: \"ada@example.com\"
    displayName: \"Ada Lovelace\"
    name.givenName: \"Ada\"
    active: true
~ user bob@example.com (id 9067abcd…)
    title: \"Engineer\" → \"Staff Engineer\"
    nickName: \"Bobby\" → (none)
    active: false → true   (re-enable)
~ group Engineering: + 2 members: ada@example.com (new), bob@example.com
~ group Eng (id g-012345…): - 1 member: x@example.com (out of user scope)
- user carol@example.com (id c1) (disable)
- user dan@example.com (id d1) (delete)
- group Old (id g-old) (delete, 4 members)
Notes:
  - group Admins: protected, left alone
Plan: 1 to create, 1 to update, 1 to enable, 1 to disable, 1 to delete; groups: 1 to create, 1 to update, 1 to delete; members: 2 to add, 1 to remove.
";
    assert_eq!(text, want);
}

#[test]
fn names_and_values_from_the_source_or_aws_are_inert() {
    let changes = vec![Change::UpdateUser {
        id: "u\u{1b}[2J".into(),
        user_name: "evil\u{1b}]0;title\u{7}\nline".into(),
        set: vec![AttrChange {
            path: "title".into(),
            old: Some(json!("a\u{9b}b")),
            new: Some(json!("c\u{1b}d")),
        }],
    }];
    let text = render(&plan(changes, &["note \u{1b}[31mred"]));
    assert!(!text.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{text:?}");
    // One line per name: the newline in the userName does not start a new line.
    assert!(text.starts_with("~ user evil"), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
}
