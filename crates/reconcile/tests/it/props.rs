//! The diff's properties on random small states (docs/reconcile.md, "The model"): applying a
//! plan to the actual state gives the desired state within scope, leaves everything out of
//! scope or protected as it was, a second plan is empty, and AWS's listing order does not
//! matter. Names come from a tiny alphabet with case variants, so matches, renames and
//! collisions happen often.

use std::collections::{BTreeSet, HashMap};

use aws_ilm_lifecycle::users::patch::{same, value_at};
use aws_ilm_reconcile::diff::compared_paths;
use aws_ilm_reconcile::{
    Absent, AbsentGroups, Actual, ActualGroup, ActualUser, Attrs, Change, Desired, DesiredGroup,
    DesiredUser, Options, Scope, diff,
};
use aws_ilm_scim::ci::fold;
use proptest::prelude::*;
use serde_json::{Value, json};

const USER_NAMES: &[&str] = &["ada", "Ada", "bob", "BOB", "cy", "dee", "Dee"];
const GROUP_NAMES: &[&str] = &["eng", "Eng", "ops", "sales", "AWSControlTowerAdmins"];
const EXT: &[&str] = &["e1", "e2", "e3"];
/// AWS may hold a blank value; a source's empty cell is a clear (`None`), never `""`.
const TITLES: &[&str] = &["a", "b", "A", ""];
const SOURCE_TITLES: &[&str] = &["a", "b", "A"];

fn opt<T: Clone + std::fmt::Debug + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), s.prop_map(Some)].boxed()
}

fn pick(list: &'static [&'static str]) -> BoxedStrategy<String> {
    proptest::sample::select(list)
        .prop_map(str::to_owned)
        .boxed()
}

/// Keeps the first of each folded name and each externalId, as AWS's uniqueness does.
fn unique<T>(items: Vec<T>, name: impl Fn(&T) -> &str, ext: impl Fn(&T) -> Option<&str>) -> Vec<T> {
    let (mut names, mut exts) = (BTreeSet::new(), BTreeSet::new());
    items
        .into_iter()
        .filter(|t| {
            let e = ext(t).map(str::to_owned);
            let fresh_ext = e.as_ref().is_none_or(|e| !exts.contains(e));
            if !fresh_ext || !names.insert(fold(name(t))) {
                return false;
            }
            exts.extend(e);
            true
        })
        .collect()
}

fn actual_state() -> impl Strategy<Value = Actual> {
    let user = (
        pick(USER_NAMES),
        opt(pick(EXT)),
        any::<bool>(),
        opt(pick(TITLES)),
    );
    let group = (
        pick(GROUP_NAMES),
        opt(pick(EXT)),
        proptest::collection::vec(0usize..6, 0..4),
    );
    (
        proptest::collection::vec(user, 0..6),
        proptest::collection::vec(group, 0..4),
    )
        .prop_map(|(users, groups)| {
            let users = unique(users, |u| &u.0, |u| u.1.as_deref());
            let users: Vec<ActualUser> = users
                .into_iter()
                .enumerate()
                .map(|(i, (name, ext, active, title))| {
                    let mut attributes = Attrs::new();
                    attributes.insert("userName".to_owned(), json!(name));
                    if let Some(e) = &ext {
                        attributes.insert("externalId".to_owned(), json!(e));
                    }
                    if let Some(t) = title {
                        attributes.insert("title".to_owned(), json!(t));
                    }
                    ActualUser {
                        id: format!("u{i}"),
                        user_name: name,
                        external_id: ext,
                        active,
                        attributes,
                    }
                })
                .collect();
            let groups = unique(groups, |g| &g.0, |g| g.1.as_deref());
            let groups = groups
                .into_iter()
                .enumerate()
                .map(|(i, (name, ext, members))| {
                    let mut m: Vec<String> = members
                        .into_iter()
                        .filter_map(|k| users.get(k).map(|u| u.id.clone()))
                        .collect();
                    m.sort();
                    m.dedup();
                    ActualGroup {
                        id: format!("g{i}"),
                        display_name: name,
                        external_id: ext,
                        members: Some(m),
                    }
                })
                .collect();
            Actual { users, groups }
        })
}

fn desired_state() -> impl Strategy<Value = Desired> {
    // title: not provided by this user (None), cleared (Some(None)) or set.
    let user = (
        pick(USER_NAMES),
        opt(pick(EXT)),
        any::<bool>(),
        opt(opt(pick(SOURCE_TITLES))),
    );
    // A member names a user as the source spells it, in any case (matched folded).
    let member = (0usize..6, any::<bool>());
    let group = (
        pick(GROUP_NAMES),
        opt(pick(EXT)),
        proptest::collection::vec(member, 0..4),
    );
    (
        proptest::collection::vec(user, 0..6),
        proptest::collection::vec(group, 0..3),
        any::<bool>(),
    )
        .prop_map(|(users, groups, title_column)| {
            let users = unique(users, |u| &u.0, |u| u.1.as_deref());
            let users: Vec<DesiredUser> = users
                .into_iter()
                .enumerate()
                .map(|(i, (name, ext, active, title))| {
                    let mut attributes = Attrs::new();
                    attributes.insert("userName".to_owned(), Some(json!(name)));
                    if let Some(e) = &ext {
                        attributes.insert("externalId".to_owned(), Some(json!(e)));
                    }
                    // A provided column is provided for every user, as a CSV's is.
                    if title_column {
                        attributes.insert("title".to_owned(), title.flatten().map(|t| json!(t)));
                    }
                    DesiredUser {
                        origin: format!("users[{i}]"),
                        user_name: name,
                        external_id: ext,
                        active,
                        attributes,
                    }
                })
                .collect();
            let groups = unique(groups, |g| &g.0, |g| g.1.as_deref());
            let groups = groups
                .into_iter()
                .enumerate()
                .map(|(i, (name, ext, members))| {
                    let mut m: Vec<String> = members
                        .into_iter()
                        .filter_map(|(k, upper)| {
                            let name = &users.get(k)?.user_name;
                            Some(if upper {
                                name.to_uppercase()
                            } else {
                                name.clone()
                            })
                        })
                        .collect();
                    m.sort();
                    m.dedup();
                    DesiredGroup {
                        origin: format!("groups[{i}]"),
                        display_name: name,
                        external_id: ext,
                        members: m,
                    }
                })
                .collect();
            Desired { users, groups }
        })
}

fn options() -> impl Strategy<Value = Options> {
    let globs = |sets: &'static [&'static [&'static str]]| {
        proptest::sample::select(sets).prop_map(|s| s.iter().map(|g| (*g).to_owned()).collect())
    };
    (
        globs(&[&[], &["a*"], &["B*", "c?"]]),
        globs(&[&[], &["e*"]]),
        globs(&[
            &["AWSControlTower*"],
            &["bob"],
            &["AWSControlTower*", "d*", "OPS"],
        ]),
        prop_oneof![
            Just(Absent::Ignore),
            Just(Absent::Disable),
            Just(Absent::Delete)
        ],
        prop_oneof![Just(AbsentGroups::Ignore), Just(AbsentGroups::Delete)],
        any::<bool>(),
    )
        .prop_map(
            |(scope_users, scope_groups, protect, absent, absent_groups, allow_enable)| Options {
                scope_users,
                scope_groups,
                protect,
                absent,
                absent_groups,
                allow_enable,
                ..Options::default()
            },
        )
}

/// The AWS user a source user matches, the test's own reading of docs/reconcile.md
/// ("Matching"): externalId first, then folded userName.
fn matched<'a>(d: &DesiredUser, users: &'a [ActualUser]) -> Option<&'a ActualUser> {
    d.external_id
        .as_ref()
        .and_then(|e| users.iter().find(|a| a.external_id.as_ref() == Some(e)))
        .or_else(|| {
            users
                .iter()
                .find(|a| fold(&a.user_name) == fold(&d.user_name))
        })
}

fn matched_group<'a>(g: &DesiredGroup, groups: &'a [ActualGroup]) -> Option<&'a ActualGroup> {
    g.external_id
        .as_ref()
        .and_then(|e| groups.iter().find(|a| a.external_id.as_ref() == Some(e)))
        .or_else(|| {
            groups
                .iter()
                .find(|a| fold(&a.display_name) == fold(&g.display_name))
        })
}

/// Applies changes as AWS would: creates get fresh ids, members of new users and groups are
/// resolved by name.
fn simulate(actual: &Actual, changes: &[Change], paths: &BTreeSet<String>) -> Actual {
    let mut s = actual.clone();
    let user_id = |s: &Actual, name: &str| {
        s.users
            .iter()
            .find(|u| fold(&u.user_name) == fold(name))
            .map(|u| u.id.clone())
    };
    for (n, c) in changes.iter().enumerate() {
        match c {
            Change::CreateGroup {
                display_name,
                external_id,
            } => s.groups.push(ActualGroup {
                id: format!("new-g{n}"),
                display_name: display_name.clone(),
                external_id: external_id.clone(),
                members: Some(Vec::new()),
            }),
            Change::UpdateGroup { id, set, .. } => {
                let g = s.groups.iter_mut().find(|g| &g.id == id).unwrap();
                for a in set {
                    let new = a.new.as_ref().and_then(Value::as_str).map(str::to_owned);
                    match a.path.as_str() {
                        "displayName" => g.display_name = new.unwrap(),
                        "externalId" => g.external_id = new,
                        other => panic!("group path {other}"),
                    }
                }
            }
            Change::CreateUser { user_name, user } => {
                let doc = Value::Object(user.clone());
                let attributes = paths
                    .iter()
                    .filter_map(|p| Some((p.clone(), value_at(&doc, p)?.clone())))
                    .collect();
                s.users.push(ActualUser {
                    id: format!("new-u{n}"),
                    user_name: user_name.clone(),
                    external_id: doc["externalId"].as_str().map(str::to_owned),
                    active: doc["active"].as_bool().unwrap(),
                    attributes,
                });
            }
            Change::UpdateUser { id, set, .. } => {
                let u = s.users.iter_mut().find(|u| &u.id == id).unwrap();
                for a in set {
                    match (a.path.as_str(), &a.new) {
                        ("active", v) => u.active = v.as_ref().unwrap().as_bool().unwrap(),
                        (p, None) => {
                            u.attributes.remove(p);
                        }
                        (p, Some(v)) => {
                            u.attributes.insert(p.to_owned(), v.clone());
                        }
                    }
                    let text = a.new.as_ref().and_then(Value::as_str).map(str::to_owned);
                    match a.path.as_str() {
                        "userName" => u.user_name = text.unwrap(),
                        "externalId" => u.external_id = text,
                        _ => {}
                    }
                }
            }
            Change::AddMembers {
                group,
                group_id,
                members,
            } => {
                let ids: Vec<String> = members
                    .iter()
                    .map(|m| m.id.clone().or_else(|| user_id(&s, &m.user_name)).unwrap())
                    .collect();
                let g = s
                    .groups
                    .iter_mut()
                    .find(|g| match group_id {
                        Some(id) => &g.id == id,
                        None => fold(&g.display_name) == fold(group),
                    })
                    .unwrap();
                let m = g.members.get_or_insert_default();
                m.extend(ids);
                m.sort();
                m.dedup();
            }
            Change::RemoveMembers {
                group_id, members, ..
            } => {
                let g = s.groups.iter_mut().find(|g| &g.id == group_id).unwrap();
                let gone: BTreeSet<&str> = members.iter().filter_map(|m| m.id.as_deref()).collect();
                g.members
                    .get_or_insert_default()
                    .retain(|id| !gone.contains(id.as_str()));
            }
            Change::DisableUser { id, .. } => {
                s.users.iter_mut().find(|u| &u.id == id).unwrap().active = false;
            }
            Change::DeleteUser { id, .. } => {
                s.users.retain(|u| &u.id != id);
                for g in &mut s.groups {
                    if let Some(m) = &mut g.members {
                        m.retain(|x| x != id);
                    }
                }
            }
            Change::DeleteGroup { id, .. } => s.groups.retain(|g| &g.id != id),
        }
    }
    s
}

fn is_blank(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("")
}

/// (a) and (b): within scope the result is what the source says; outside it, nothing moved.
fn check_result(desired: &Desired, actual: &Actual, options: &Options, result: &Actual) {
    let scope = Scope::new(options);
    let by_id = |id: &str| result.users.iter().find(|u| u.id == id);
    let by_name = |name: &str| {
        result
            .users
            .iter()
            .find(|u| fold(&u.user_name) == fold(name))
    };
    // Where each source user ended up (None: neither matched nor created).
    let mut landed: HashMap<String, Option<String>> = HashMap::new();
    let mut matched_ids = BTreeSet::new();
    for d in &desired.users {
        let a = matched(d, &actual.users);
        matched_ids.extend(a.map(|a| a.id.clone()));
        let managed =
            scope.user_managed(&d.user_name) && a.is_none_or(|a| scope.user_managed(&a.user_name));
        let r = match (a, managed) {
            (Some(a), _) => by_id(&a.id),
            (None, true) => by_name(&d.user_name),
            (None, false) => None,
        };
        landed.insert(fold(&d.user_name), r.map(|r| r.id.clone()));
        if !managed {
            continue;
        }
        let r = r.unwrap_or_else(|| panic!("{} is neither matched nor created", d.user_name));
        assert_eq!(r.user_name, d.user_name);
        for (p, want) in &d.attributes {
            let have = r.attributes.get(&p).filter(|v| !is_blank(v));
            match (&have, &want) {
                (Some(h), Some(w)) => assert!(same(h, w), "{}: {p} {h} != {w}", d.user_name),
                (None, None) => {}
                _ => panic!("{}: {p} is {have:?}, wanted {want:?}", d.user_name),
            }
        }
        let was_inactive = a.is_some_and(|a| !a.active);
        let want_active = d.active && (options.allow_enable || !was_inactive);
        assert_eq!(r.active, want_active, "{}", d.user_name);
    }
    let deleted: BTreeSet<&str> = actual
        .users
        .iter()
        .filter(|a| by_id(&a.id).is_none())
        .map(|a| a.id.as_str())
        .collect();
    for a in &actual.users {
        let r = by_id(&a.id);
        if !scope.user_managed(&a.user_name) {
            assert_eq!(r, Some(a), "out of scope or protected user changed");
        } else if !matched_ids.contains(&a.id) {
            match options.absent {
                Absent::Ignore => assert_eq!(r, Some(a)),
                Absent::Disable => {
                    assert!(r.is_some_and(|r| !r.active && r.attributes == a.attributes))
                }
                Absent::Delete => assert!(r.is_none()),
            }
        }
    }
    // Groups.
    let mut matched_groups = BTreeSet::new();
    for g in &desired.groups {
        let a = matched_group(g, &actual.groups);
        matched_groups.extend(a.map(|a| a.id.clone()));
        let managed = scope.group_managed(&g.display_name)
            && a.is_none_or(|a| scope.group_managed(&a.display_name));
        if !managed {
            continue;
        }
        let r = match a {
            Some(a) => result.groups.iter().find(|r| r.id == a.id),
            None => result
                .groups
                .iter()
                .find(|r| fold(&r.display_name) == fold(&g.display_name)),
        }
        .unwrap_or_else(|| panic!("group {} missing", g.display_name));
        assert_eq!(r.display_name, g.display_name);
        if g.external_id.is_some() {
            assert_eq!(r.external_id, g.external_id);
        }
        let want: BTreeSet<String> = g
            .members
            .iter()
            .filter_map(|m| landed.get(&fold(m)).cloned().flatten())
            .collect();
        let have: BTreeSet<String> = r.members.clone().unwrap_or_default().into_iter().collect();
        assert_eq!(have, want, "members of {}", g.display_name);
    }
    for a in &actual.groups {
        let r = result.groups.iter().find(|r| r.id == a.id);
        if !scope.group_managed(&a.display_name) {
            // Only a deleted user leaves it (it goes from every group with it).
            let mut kept = a.clone();
            if let Some(m) = &mut kept.members {
                m.retain(|id| !deleted.contains(id.as_str()));
            }
            assert_eq!(r, Some(&kept), "out of scope or protected group changed");
        } else if !matched_groups.contains(&a.id) {
            match options.absent_groups {
                AbsentGroups::Ignore => assert!(r.is_some()),
                AbsentGroups::Delete => assert!(r.is_none()),
            }
        }
    }
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        // About one case in eight conflicts with AWS (a Problem) and is skipped.
        max_global_rejects: 1_000_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn applying_a_plan_gives_the_source_within_scope_and_converges(
        desired in desired_state(),
        actual in actual_state(),
        options in options(),
        seed in any::<u64>(),
    ) {
        let Ok(first) = diff(&desired, &actual, &options) else {
            return Err(TestCaseError::reject("the source conflicts with AWS"));
        };
        let result = simulate(&actual, &first.changes, &compared_paths(&desired));
        check_result(&desired, &actual, &options, &result);

        let second = diff(&desired, &result, &options);
        prop_assert!(second.is_ok(), "{second:?}");
        let second = second.unwrap_or_default();
        prop_assert!(second.changes.is_empty(), "not converged: {:#?}", second.changes);

        let reordered = Actual {
            users: shuffled(&actual.users, seed),
            groups: shuffled(&actual.groups, seed.rotate_left(17)),
        };
        let again = diff(&desired, &reordered, &options);
        prop_assert!(again.is_ok());
        let again = again.unwrap_or_default();
        prop_assert_eq!(&again.changes, &first.changes);
        let (mut n1, mut n2) = (first.notes.clone(), again.notes.clone());
        n1.sort();
        n2.sort();
        prop_assert_eq!(n1, n2);
    }
}
