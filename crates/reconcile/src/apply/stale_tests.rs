use serde_json::json;

use super::*;
use crate::model::{ActualGroup, ActualUser};

fn member(name: &str, id: Option<&str>) -> MemberRef {
    MemberRef {
        user_name: name.into(),
        id: id.map(str::to_owned),
        out_of_scope: false,
    }
}

fn rename(id: &str, old: &str, new: &str) -> Change {
    Change::UpdateUser {
        id: id.into(),
        user_name: old.into(),
        set: vec![
            AttrChange {
                path: "userName".into(),
                old: Some(json!(old)),
                new: Some(json!(new)),
            },
            AttrChange {
                path: "title".into(),
                old: None,
                new: Some(json!("T")),
            },
        ],
    }
}

fn saved() -> Vec<Change> {
    vec![
        Change::CreateGroup {
            display_name: "Eng".into(),
            external_id: None,
        },
        Change::CreateUser {
            user_name: "new@x".into(),
            user: serde_json::Map::new(),
        },
        rename("u1", "a@x", "b@x"),
        Change::AddMembers {
            group: "Eng".into(),
            group_id: None,
            members: vec![member("new@x", None), member("a@x", Some("u1"))],
        },
        Change::DisableUser {
            id: "u2".into(),
            user_name: "c@x".into(),
        },
    ]
}

fn ids(users: &[(&str, &str)], groups: &[(&str, &str)]) -> Ids {
    Ids::of(&Actual {
        users: users
            .iter()
            .map(|(n, id)| ActualUser {
                id: (*id).into(),
                user_name: (*n).into(),
                external_id: None,
                active: true,
                attributes: Default::default(),
            })
            .collect(),
        groups: groups
            .iter()
            .map(|(n, id)| ActualGroup {
                id: (*id).into(),
                display_name: (*n).into(),
                external_id: None,
                members: None,
            })
            .collect(),
    })
}

#[test]
fn a_fresh_apply_runs_the_saved_plan_when_nothing_changed() {
    let s = saved();
    let ids = ids(&[("a@x", "u1"), ("c@x", "u2")], &[]);
    let todo = reconcile_saved(&s, &HashSet::new(), &s, &ids).unwrap();
    assert_eq!(todo.len(), 5);
    assert_eq!(todo[3], (4, s[3].clone()));
}

#[test]
fn a_fresh_apply_refuses_any_difference_and_says_it() {
    let s = saved();
    let ids = ids(&[("a@x", "u1"), ("c@x", "u2")], &[]);
    let mut now = s.clone();
    // The old value changed, a disable is gone, a delete is new.
    if let Change::UpdateUser { set, .. } = &mut now[2] {
        set[1].old = Some(json!("Boss"));
    }
    now.remove(4);
    now.push(Change::DeleteUser {
        id: "u3".into(),
        user_name: "d@x".into(),
    });
    let e = reconcile_saved(&s, &HashSet::new(), &now, &ids).unwrap_err();
    let text = e.lines.join("\n");
    assert!(text.contains("+ would now also delete user d@x"), "{text}");
    assert!(text.contains("- no longer disable user c@x"), "{text}");
    assert!(
        text.contains("~ old value changed: planned user a@x: title (none) → \"T\"; now user a@x: title \"Boss\" → \"T\""),
        "{text}"
    );
    assert_eq!(e.lines.len(), 3, "{text}");
}

#[test]
fn a_resumed_apply_accepts_what_its_killed_run_did_and_runs_only_the_rest() {
    let s = saved();
    // The first run did lines 1 and 2 (journaled) and the rename (in flight, not journaled):
    // the group and the user now exist and have ids.
    let ids = ids(
        &[("b@x", "u1"), ("c@x", "u2"), ("new@x", "u9")],
        &[("eng", "g1")],
    );
    let now = vec![
        Change::AddMembers {
            group: "Eng".into(),
            group_id: Some("g1".into()),
            members: vec![member("b@x", Some("u1")), member("new@x", Some("u9"))],
        },
        s[4].clone(),
    ];
    let done: HashSet<u64> = [1, 2].into();
    let todo = reconcile_saved(&s, &done, &now, &ids).unwrap();
    assert_eq!(todo.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![4, 5]);
    // Half of a member PATCH landed: only the other half runs.
    let half = vec![Change::AddMembers {
        group: "Eng".into(),
        group_id: Some("g1".into()),
        members: vec![member("new@x", Some("u9"))],
    }];
    let todo = reconcile_saved(&s, &done, &half, &ids).unwrap();
    let [(4, Change::AddMembers { members, .. })] = todo.as_slice() else {
        panic!("{todo:?}")
    };
    assert_eq!(members, &vec![member("new@x", None)]);
    // Something the saved plan never had is still stale.
    let mut more = now.clone();
    more.push(Change::DeleteUser {
        id: "u3".into(),
        user_name: "d@x".into(),
    });
    let e = reconcile_saved(&s, &done, &more, &ids).unwrap_err();
    assert_eq!(
        e.lines,
        vec!["+ would now also delete user d@x".to_string()]
    );
}
