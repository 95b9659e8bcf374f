//! Hand-picked cases of the diff; the property test (random states) is in `tests/it`.

use serde_json::{Value, json};

use super::*;
use crate::model::{Attrs, Counts, Phase};

fn du(name: &str, ext: Option<&str>, attrs: &[(&str, Value)]) -> DesiredUser {
    let mut attributes: Attrs<Option<Value>> = attrs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (!v.is_null()).then(|| v.clone())))
        .collect();
    attributes.insert("userName".into(), Some(Value::from(name)));
    DesiredUser {
        origin: format!("user {name}"),
        user_name: name.into(),
        external_id: ext.map(str::to_owned),
        active: true,
        attributes,
    }
}

fn au(
    id: &str,
    name: &str,
    ext: Option<&str>,
    active: bool,
    attrs: &[(&str, Value)],
) -> ActualUser {
    let mut attributes: Attrs<Value> = attrs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    attributes.insert("userName".into(), Value::from(name));
    ActualUser {
        id: id.into(),
        user_name: name.into(),
        external_id: ext.map(str::to_owned),
        active,
        attributes,
    }
}

fn dg(name: &str, members: &[&str]) -> DesiredGroup {
    DesiredGroup {
        origin: format!("group {name}"),
        display_name: name.into(),
        external_id: None,
        members: members.iter().map(|m| (*m).to_owned()).collect(),
    }
}

fn ag(id: &str, name: &str, members: &[&str]) -> ActualGroup {
    ActualGroup {
        id: id.into(),
        display_name: name.into(),
        external_id: None,
        members: Some(members.iter().map(|m| (*m).to_owned()).collect()),
    }
}

fn run(desired: &Desired, actual: &Actual, options: &Options) -> Diff {
    match diff(desired, actual, options) {
        Ok(d) => d,
        Err(p) => panic!("problems: {p:?}"),
    }
}

#[test]
fn a_rename_by_external_id_is_an_update_in_place() {
    let desired = Desired {
        users: vec![du(
            "ada.king@example.com",
            Some("E1"),
            &[(
                "emails",
                json!([{"value": "ada.king@example.com", "primary": true}]),
            )],
        )],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![au(
            "u1",
            "ada@example.com",
            Some("E1"),
            true,
            &[(
                "emails",
                json!([{"value": "ada@example.com", "primary": true, "type": "work"}]),
            )],
        )],
        groups: vec![],
    };
    let d = run(&desired, &actual, &Options::default());
    let [Change::UpdateUser { id, set, .. }] = d.changes.as_slice() else {
        panic!("{:?}", d.changes)
    };
    assert_eq!(id, "u1");
    let paths: Vec<&str> = set.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["emails", "userName"]);
    assert_eq!(set[1].old, Some(json!("ada@example.com")));
}

#[test]
fn external_id_and_user_name_matching_two_users_is_a_problem() {
    let desired = Desired {
        users: vec![du("bob", Some("E1"), &[])],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![
            au("u1", "ada", Some("E1"), true, &[]),
            au("u2", "BOB", None, true, &[]),
        ],
        groups: vec![],
    };
    let p = diff(&desired, &actual, &Options::default()).unwrap_err();
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("u2"), "{p:?}");
}

#[test]
fn equal_values_extra_sub_attributes_and_case_folded_names_are_no_change() {
    let desired = Desired {
        users: vec![du(
            "ada",
            None,
            &[
                ("emails", json!([{"value": "a@x", "primary": true}])),
                ("title", json!("CEO")),
            ],
        )],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![au(
            "u1",
            "ada",
            None,
            true,
            &[
                (
                    "emails",
                    json!([{"value": "a@x", "primary": true, "type": "work"}]),
                ),
                ("title", json!("CEO")),
            ],
        )],
        groups: vec![],
    };
    assert_eq!(run(&desired, &actual, &Options::default()), Diff::default());
}

#[test]
fn a_provided_empty_value_clears_and_an_unprovided_one_is_left() {
    let desired = Desired {
        users: vec![du("ada", None, &[("title", Value::Null)])],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![au(
            "u1",
            "ada",
            None,
            true,
            &[("title", json!("CEO")), ("nickName", json!("A"))],
        )],
        groups: vec![],
    };
    let d = run(&desired, &actual, &Options::default());
    let [Change::UpdateUser { set, .. }] = d.changes.as_slice() else {
        panic!("{:?}", d.changes)
    };
    assert_eq!(
        set,
        &[AttrChange {
            path: "title".into(),
            old: Some(json!("CEO")),
            new: None
        }]
    );
}

#[test]
fn re_enable_follows_allow_enable_and_source_inactive_disables() {
    let mut off = du("bob", None, &[]);
    off.active = false;
    let desired = Desired {
        users: vec![du("ada", None, &[]), off],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![
            au("u1", "ada", None, false, &[]),
            au("u2", "bob", None, true, &[]),
        ],
        groups: vec![],
    };
    let d = run(&desired, &actual, &Options::default());
    let c = Counts::of(&d.changes);
    assert_eq!(
        (c.users_enabled, c.users_disabled, c.users_updated),
        (1, 1, 0)
    );
    // Enable first (phase Users), disable last (phase RetireUsers).
    assert_eq!(d.changes[0].phase(), Phase::Users);
    assert_eq!(d.changes[1].phase(), Phase::RetireUsers);

    let held = Options {
        allow_enable: false,
        ..Options::default()
    };
    let d = run(&desired, &actual, &held);
    assert_eq!(Counts::of(&d.changes).users_enabled, 0);
    assert!(
        d.notes.iter().any(|n| n.contains("allow_enable")),
        "{:?}",
        d.notes
    );
}

#[test]
fn absent_users_in_scope_follow_absent_and_protected_ones_are_untouched() {
    let desired = Desired {
        users: vec![du("ada@corp", None, &[])],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![
            au("u1", "ada@corp", None, true, &[]),
            au("u2", "bob@corp", None, true, &[]),
            au("u3", "carol@corp", None, false, &[]),
            au("u4", "root@corp", None, true, &[]),
            au("u5", "dave@other", None, true, &[]),
        ],
        groups: vec![],
    };
    let base = Options {
        scope_users: vec!["*@corp".into()],
        protect: vec!["root@*".into()],
        ..Options::default()
    };
    assert!(run(&desired, &actual, &base).changes.is_empty());
    let disable = Options {
        absent: Absent::Disable,
        ..base.clone()
    };
    assert_eq!(
        run(&desired, &actual, &disable).changes,
        [Change::DisableUser {
            id: "u2".into(),
            user_name: "bob@corp".into()
        }]
    );
    let delete = Options {
        absent: Absent::Delete,
        ..base
    };
    let ids: Vec<String> = run(&desired, &actual, &delete)
        .changes
        .iter()
        .map(|c| match c {
            Change::DeleteUser { id, .. } => id.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["u2", "u3"]);
}

#[test]
fn a_protected_user_named_by_the_source_is_left_and_noted() {
    let desired = Desired {
        users: vec![
            du("root", None, &[("title", json!("x"))]),
            du("new-root", None, &[]),
        ],
        groups: vec![],
    };
    let actual = Actual {
        users: vec![au("u1", "root", None, false, &[])],
        groups: vec![],
    };
    let options = Options {
        protect: vec!["*root".into()],
        ..Options::default()
    };
    let d = run(&desired, &actual, &options);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.notes.len(), 2, "{:?}", d.notes);
}

#[test]
fn a_managed_group_gets_exactly_the_source_members_in_chunks_of_100() {
    let names: Vec<String> = (0..150).map(|i| format!("user{i:03}")).collect();
    let desired = Desired {
        users: names.iter().map(|n| du(n, None, &[])).collect(),
        groups: vec![dg(
            "Eng",
            &names.iter().map(String::as_str).collect::<Vec<_>>(),
        )],
    };
    // 10 of them exist and are members already; a stranger out of scope is a member too.
    let mut users: Vec<ActualUser> = names[..10]
        .iter()
        .map(|n| au(&format!("id-{n}"), n, None, true, &[]))
        .collect();
    users.push(au("id-x", "x@elsewhere", None, true, &[]));
    let member_ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let actual = Actual {
        users,
        groups: vec![ag(
            "g1",
            "Eng",
            &member_ids.iter().map(String::as_str).collect::<Vec<_>>(),
        )],
    };
    let options = Options {
        scope_users: vec!["user*".into()],
        ..Options::default()
    };
    let d = run(&desired, &actual, &options);
    let c = Counts::of(&d.changes);
    assert_eq!(
        (c.users_created, c.members_added, c.members_removed),
        (140, 140, 1)
    );
    let adds: Vec<usize> = d
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AddMembers {
                members, group_id, ..
            } => {
                assert_eq!(group_id.as_deref(), Some("g1"));
                assert!(members.iter().all(|m| m.id.is_none()));
                Some(members.len())
            }
            _ => None,
        })
        .collect();
    assert_eq!(adds, [100, 40]);
    let removed = d.changes.iter().find_map(|c| match c {
        Change::RemoveMembers { members, .. } => Some(members.clone()),
        _ => None,
    });
    assert_eq!(
        removed,
        Some(vec![MemberRef {
            user_name: "x@elsewhere".into(),
            id: Some("id-x".into()),
            out_of_scope: true
        }])
    );
}

#[test]
fn new_groups_are_created_with_their_members_and_absent_groups_deleted_on_request() {
    let desired = Desired {
        users: vec![du("ada", None, &[])],
        groups: vec![dg("New", &["ada"])],
    };
    let actual = Actual {
        users: vec![au("u1", "ada", None, true, &[])],
        groups: vec![
            ag("g1", "Old", &["u1"]),
            ag("g2", "AWSControlTowerAdmins", &[]),
        ],
    };
    let d = run(&desired, &actual, &Options::default());
    assert_eq!(
        d.changes,
        [
            Change::CreateGroup {
                display_name: "New".into(),
                external_id: None
            },
            Change::AddMembers {
                group: "New".into(),
                group_id: None,
                members: vec![MemberRef {
                    user_name: "ada".into(),
                    id: Some("u1".into()),
                    out_of_scope: false
                }],
            },
        ]
    );
    let delete = Options {
        absent_groups: AbsentGroups::Delete,
        ..Options::default()
    };
    let d = run(&desired, &actual, &delete);
    assert_eq!(
        d.changes.last(),
        Some(&Change::DeleteGroup {
            id: "g1".into(),
            display_name: "Old".into(),
            members: 1
        })
    );
    assert_eq!(managed_groups(&desired, &actual.groups, &delete), ["g1"]);
    assert!(managed_groups(&desired, &actual.groups, &Options::default()).is_empty());
}

#[test]
fn the_changes_do_not_depend_on_the_order_aws_lists_things_in() {
    let desired = Desired {
        users: vec![du("a", None, &[]), du("b", None, &[])],
        groups: vec![dg("G", &["a", "b"])],
    };
    let mut actual = Actual {
        users: vec![
            au("u3", "c", None, true, &[]),
            au("u4", "d", None, true, &[]),
            au("u1", "a", None, true, &[]),
        ],
        groups: vec![ag("g1", "G", &["u4", "u3"])],
    };
    let options = Options {
        absent: Absent::Delete,
        ..Options::default()
    };
    let first = run(&desired, &actual, &options);
    actual.users.reverse();
    if let Some(m) = actual.groups[0].members.as_mut() {
        m.reverse();
    }
    assert_eq!(run(&desired, &actual, &options), first);
}

#[test]
fn a_user_document_nests_name_and_enterprise_paths() {
    let ent_dept = format!("{}:department", urn::ENTERPRISE_USER);
    let d = du(
        "ada",
        None,
        &[
            ("name.givenName", json!("Ada")),
            (ent_dept.as_str(), json!("R&D")),
            ("title", Value::Null),
        ],
    );
    let doc = Value::Object(user_document(&d));
    assert_eq!(doc["name"], json!({"givenName": "Ada"}));
    assert_eq!(doc[urn::ENTERPRISE_USER], json!({"department": "R&D"}));
    assert_eq!(doc["active"], json!(true));
    assert!(doc.get("title").is_none());
    assert_eq!(doc["schemas"], json!([urn::USER, urn::ENTERPRISE_USER]));
}
