//! Group commands: every branch of docs/commands.md, "Group commands", and the member batching
//! budget.

use aws_ilm_lifecycle::Status;
use serde_json::{Value, json};

use crate::common::{Env, profile};

fn doc<'a>(o: &'a aws_ilm_lifecycle::Outcome, key: &str) -> &'a Value {
    &o.context[key]
}

#[tokio::test]
async fn create_get_by_id_and_name_with_members_then_delete() {
    let env = Env::new().await;
    let ilm = env.ilm();
    let o = env
        .run(
            &ilm,
            "iam-create-group",
            json!({"scim": {"displayName": "Engineers"}}),
        )
        .await;
    env.assert_requests(&[("CreateGroup", 1)]).await;
    let g = doc(&o, "CreateGroup");
    assert_eq!(
        (o.status, g["displayName"].as_str()),
        (Status::Success, Some("Engineers"))
    );
    assert_eq!(o.human.title, "AWS Create Group:");
    assert_eq!(
        o.human.headers,
        [
            "brand",
            "details",
            "displayName",
            "id",
            "instanceName",
            "success"
        ]
    );
    let gid = g["id"].as_str().unwrap().to_owned();

    let ada = env.create("ada").await;
    let o = env
        .run(
            &ilm,
            "iam-update-group",
            json!({"scim": {"id": gid}, "memberIdsToAdd": [ada]}),
        )
        .await;
    env.assert_requests(&[("PatchGroup", 1)]).await;
    assert_eq!(o.status, Status::Success);
    assert_eq!(doc(&o, "UpdateGroup")["details"]["added"], json!([ada]));
    assert_eq!(o.human.title, "AWS Update Group:");
    assert_eq!(
        o.human.headers,
        ["brand", "details", "id", "instanceName", "success"]
    );

    let o = env
        .run(&ilm, "iam-get-group", json!({"scim": {"id": gid}}))
        .await;
    env.assert_requests(&[("GetGroup", 1), ("ListUsers", 1)])
        .await;
    let g = doc(&o, "GetGroup");
    assert_eq!(g["members"], json!([{"value": ada, "display": "ada"}]));
    assert_eq!(g["details"]["members"], g["members"]);
    assert_eq!(o.human.title, "AWS Get Group:");

    let o = env
        .run(
            &ilm,
            "iam-get-group",
            json!({"scim": {"displayName": "engineers"}}),
        )
        .await;
    env.assert_requests(&[("ListGroups", 1), ("ListUsers", 1)])
        .await;
    assert_eq!(doc(&o, "GetGroup")["id"], gid.as_str());

    let o = env
        .run(
            &ilm,
            "iam-update-group",
            json!({"scim": {"displayName": "Engineers"}, "memberIdsToDelete": ada}),
        )
        .await;
    assert_eq!(doc(&o, "UpdateGroup")["details"]["removed"], json!([ada]));
    let o = env
        .run(&ilm, "iam-get-group", json!({"scim": {"id": gid}}))
        .await;
    assert_eq!(doc(&o, "GetGroup")["members"], json!([]));

    let o = env
        .run(&ilm, "iam-delete-group", json!({"scim": {"id": gid}}))
        .await;
    env.assert_requests(&[("DeleteGroup", 1)]).await;
    assert_eq!(o.status, Status::Success);
    assert_eq!(o.human.title, "AWS Delete Group:");
    assert!(doc(&o, "DeleteGroup")["details"]["x-amzn-RequestId"].is_string());

    let o = env
        .run(&ilm, "iam-delete-group", json!({"scim": {"id": gid}}))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(doc(&o, "DeleteGroup")["errorCode"], 404);
    assert!(
        doc(&o, "DeleteGroup")["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("Group Not Found")
    );
}

/// Regression (docs/output.md, "What `details` holds"): a group that is not there carries the
/// seed's `details` — the text of the 404 for an id, the list response for a name — where aws-ilm
/// left it null.
#[tokio::test]
async fn details_of_missing_groups_are_the_404_text_and_the_list_response() {
    let env = Env::new().await;
    let ilm = env.ilm();
    let ghost = "00000000-0000-0000-0000-000000000000";
    for cmd in ["iam-get-group", "iam-delete-group"] {
        let o = env.run(&ilm, cmd, json!({"scim": {"id": ghost}})).await;
        let key = if cmd == "iam-get-group" {
            "GetGroup"
        } else {
            "DeleteGroup"
        };
        let details = doc(&o, key)["details"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(details.starts_with("HTTP 404: "), "{cmd}: {details}");
        assert!(details.contains("(request id "), "{cmd}: {details}");
        assert!(o.human.headers.contains(&"details".to_owned()));
    }
    for cmd in ["iam-get-group", "iam-delete-group"] {
        let o = env
            .run(&ilm, cmd, json!({"scim": {"displayName": "Nope"}}))
            .await;
        let key = if cmd == "iam-get-group" {
            "GetGroup"
        } else {
            "DeleteGroup"
        };
        let details = &doc(&o, key)["details"];
        assert_eq!(details["totalResults"], 0, "{cmd}: {details}");
        assert_eq!(details["Resources"], json!([]), "{cmd}: {details}");
        assert!(
            details["schemas"][0]
                .as_str()
                .is_some_and(|s| s.ends_with(":ListResponse")),
            "{details}"
        );
    }
}

#[tokio::test]
async fn group_not_found_and_duplicate() {
    let env = Env::new().await;
    let ilm = env.ilm();
    for scim in [
        json!({"id": "00000000-0000-0000-0000-000000000000"}),
        json!({"displayName": "Nope"}),
    ] {
        let o = env.run(&ilm, "iam-get-group", json!({"scim": scim})).await;
        assert_eq!(o.status, Status::Failed);
        let g = doc(&o, "GetGroup");
        assert_eq!(
            (g["errorCode"].as_u64(), g["success"].as_bool()),
            (Some(404), Some(false))
        );
        assert!(
            g["errorMessage"]
                .as_str()
                .unwrap()
                .starts_with("Group Not Found"),
            "{g}"
        );
        let o = env
            .run(&ilm, "iam-delete-group", json!({"scim": scim}))
            .await;
        assert_eq!(doc(&o, "DeleteGroup")["errorCode"], 404);
    }
    env.run(
        &ilm,
        "iam-create-group",
        json!({"scim": {"displayName": "G"}}),
    )
    .await;
    let o = env
        .run(
            &ilm,
            "iam-create-group",
            json!({"scim": {"displayName": "g"}}),
        )
        .await;
    assert_eq!(o.status, Status::Failed);
    let g = doc(&o, "CreateGroup");
    assert_eq!(g["errorCode"], 409);
    assert!(g["errorMessage"].as_str().unwrap().contains("(request id "));
    // The document's keys that have a value, in its order.
    assert_eq!(
        o.human.headers,
        [
            "brand",
            "displayName",
            "errorCode",
            "errorMessage",
            "instanceName",
            "success"
        ]
    );
}

#[tokio::test]
async fn two_hundred_fifty_member_changes_are_three_patches() {
    let env = Env::new().await;
    let client = env.client();
    let ids = users(&client, 250).await;
    let g = client
        .create_group(&json!({"displayName": "Big"}))
        .await
        .unwrap();
    let gid = g["id"].as_str().unwrap().to_owned();
    // 50 members first, so the big update mixes adds and removes.
    env.run(
        &env.ilm(),
        "iam-update-group",
        json!({"scim": {"id": gid}, "memberIdsToAdd": ids[200..]}),
    )
    .await;

    let args = json!({"scim": {"id": gid}, "memberIdsToAdd": ids[..200], "memberIdsToDelete": ids[200..].join(",")});
    let o = env.run(&env.ilm(), "iam-update-group", args).await;
    env.assert_requests(&[("PatchGroup", 3)]).await;
    assert_eq!(o.status, Status::Success, "{}", o.context);
    let d = &doc(&o, "UpdateGroup")["details"];
    assert_eq!(d["added"].as_array().unwrap().len(), 200);
    assert_eq!(d["removed"].as_array().unwrap().len(), 50);
    assert_eq!(d["failed"], json!([]));
    assert_eq!(d["requests"].as_array().unwrap().len(), 3);

    let o = env
        .run(&env.ilm(), "iam-get-group", json!({"scim": {"id": gid}}))
        .await;
    let members = doc(&o, "GetGroup")["members"].as_array().unwrap();
    assert_eq!(members.len(), 200, "members from every page");
}

#[tokio::test]
async fn failed_batches_name_their_members() {
    let env = Env::new().await;
    let ada = env.create("ada").await;
    let g = env
        .client()
        .create_group(&json!({"displayName": "G"}))
        .await
        .unwrap();
    let gid = g["id"].as_str().unwrap().to_owned();
    let ghost = "11111111-1111-1111-1111-111111111111";
    let mut add: Vec<String> = vec![ada.clone()];
    add.extend((0..100).map(|i| format!("22222222-2222-2222-2222-{i:012}")));
    add.push(ghost.into());
    // 102 adds: batch 1 = ada + 99 ghosts, batch 2 = 1 ghost + `ghost`.
    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"id": gid}, "memberIdsToAdd": add}),
        )
        .await;
    // Nearly every change is bad: bisection runs into its cap (one extra PATCH per change) and
    // the rest is reported as it failed; ada, first in the first half of every split, applies.
    let (_, ops) = env.stats().await;
    let patches = ops["PatchGroup"].as_u64().unwrap();
    assert!((2..=2 + 102).contains(&patches), "{patches} PATCHes");
    assert_eq!(o.status, Status::Failed);
    let u = doc(&o, "UpdateGroup");
    let failed = u["details"]["failed"].as_array().unwrap();
    let applied = u["details"]["added"].as_array().unwrap();
    assert_eq!(failed.len() + applied.len(), 102, "nothing dropped: {u}");
    assert_eq!(applied, &[json!(ada)], "{u}");
    assert_eq!(
        u["details"]["requests"].as_array().unwrap().len() as u64,
        patches
    );
    assert!(failed.iter().any(|f| f["value"] == ghost));
    assert!(u["errorMessage"].as_str().unwrap().contains(ghost));
    assert!(u["errorCode"].is_u64());

    // A group that does not exist: every member is reported failed.
    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"id": ghost}, "memberIdsToAdd": [ada]}),
        )
        .await;
    env.assert_requests(&[("PatchGroup", 1)]).await;
    let u = doc(&o, "UpdateGroup");
    assert_eq!(u["errorCode"], 404);
    assert_eq!(u["details"]["failed"][0]["value"], ada.as_str());
    assert!(
        u["details"]["failed"][0]["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("Group Not Found"),
        "{u}"
    );
    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"displayName": "Nope"}, "memberIdsToAdd": [ada]}),
        )
        .await;
    assert_eq!(doc(&o, "UpdateGroup")["errorMessage"], "Group Not Found");
}

/// Creates `n` users straight through the client and returns their ids.
async fn users(client: &aws_ilm_client::ScimClient, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let mut p = profile(&format!("u{i:03}"));
        p.as_object_mut().unwrap().remove("olduserdata");
        let mapped = aws_ilm_lifecycle::Mapper::Builtin
            .map_out(p.as_object().unwrap())
            .unwrap();
        let mut body = Value::Object(mapped);
        body["active"] = json!(true);
        ids.push(
            client.create_user(&body).await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids
}

/// The documented bound on a command's PATCHes: one per batch, plus at most 2·⌈log₂ size⌉ per
/// bad member of each batch (bisection), and never more than one extra per change.
fn patch_bound(batch_sizes_and_bad: &[(usize, usize)]) -> u64 {
    let n: usize = batch_sizes_and_bad.iter().map(|(s, _)| s).sum();
    let tree: usize = batch_sizes_and_bad
        .iter()
        .map(|&(size, bad)| 1 + 2 * bad * size.next_power_of_two().trailing_zeros() as usize)
        .sum();
    tree.min(batch_sizes_and_bad.len() + n) as u64
}

#[tokio::test]
async fn bad_members_are_isolated_by_bisection_and_the_rest_applies() {
    let env = Env::new().await;
    let client = env.client();
    let mut add = users(&client, 247).await;
    // Scattered: one in the first batch, two in the second (one at its very end), none in the
    // third. Well-formed ids the directory does not know.
    let ghosts = [
        "33333333-3333-3333-3333-000000000001",
        "33333333-3333-3333-3333-000000000002",
        "33333333-3333-3333-3333-000000000003",
    ];
    add.insert(37, ghosts[0].into());
    add.insert(120, ghosts[1].into());
    add.insert(199, ghosts[2].into());
    assert_eq!(add.len(), 250);
    let g = client
        .create_group(&json!({"displayName": "Bisect"}))
        .await
        .unwrap();
    let gid = g["id"].as_str().unwrap().to_owned();

    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"id": gid}, "memberIdsToAdd": add}),
        )
        .await;
    let (total, ops) = env.stats().await;
    let patches = ops["PatchGroup"].as_u64().unwrap();
    assert_eq!(total, patches, "only PATCHes: {ops}");
    let bound = patch_bound(&[(100, 1), (100, 2), (50, 0)]);
    eprintln!("bisection: {patches} PATCHes for 250 changes with 3 bad (bound {bound})");
    assert!(
        (3..=bound).contains(&patches),
        "{patches} PATCHes, bound {bound}"
    );

    assert_eq!(o.status, Status::Failed);
    let u = doc(&o, "UpdateGroup");
    assert_eq!(u["success"], false);
    assert_eq!(u["errorCode"], 404);
    let d = &u["details"];
    assert_eq!(d["requests"].as_array().unwrap().len() as u64, patches);
    let failed = d["failed"].as_array().unwrap();
    let failed_ids: Vec<&str> = failed
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    assert_eq!(failed_ids, ghosts, "exactly the bad ones, in order: {d}");
    for f in failed {
        let msg = f["errorMessage"].as_str().unwrap();
        let want = format!("Member {} does not exist.", f["value"].as_str().unwrap());
        assert!(msg.starts_with(&want), "{msg}");
        assert_eq!(
            (f["op"].as_str(), f["errorCode"].as_u64()),
            (Some("add"), Some(404))
        );
    }
    let em = u["errorMessage"].as_str().unwrap();
    assert!(ghosts.iter().all(|g| em.contains(g)), "{em}");
    let good: Vec<&String> = add
        .iter()
        .filter(|m| !ghosts.contains(&m.as_str()))
        .collect();
    let added: Vec<&str> = d["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(added, good, "every good member applied, in order");

    // The directory agrees: the group holds exactly the 247 good members.
    let listed = client
        .list_users(Some(&aws_ilm_client::UserQuery::GroupsValue(gid.clone())))
        .await
        .unwrap();
    let mut members: Vec<&str> = listed.iter().map(|u| u["id"].as_str().unwrap()).collect();
    members.sort_unstable();
    let mut want: Vec<&str> = good.iter().map(|s| s.as_str()).collect();
    want.sort_unstable();
    assert_eq!(members, want);
}

#[tokio::test]
async fn an_unknown_group_fails_every_change_without_bisecting() {
    let env = Env::new().await;
    // The group is looked up before any member, so the members need not exist.
    let all: Vec<String> = (0..250)
        .map(|i| format!("55555555-5555-5555-5555-{i:012}"))
        .collect();
    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"id": "44444444-4444-4444-4444-444444444444"}, "memberIdsToAdd": all[..200], "memberIdsToDelete": all[200..]}),
        )
        .await;
    // One PATCH: the first answer says the group is gone, so nothing more is sent.
    env.assert_requests(&[("PatchGroup", 1)]).await;
    assert_eq!(o.status, Status::Failed);
    let u = doc(&o, "UpdateGroup");
    assert_eq!(u["errorCode"], 404);
    let d = &u["details"];
    let failed = d["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 250, "{d}");
    assert!(failed.iter().all(|f| {
        f["errorCode"] == 404
            && f["errorMessage"]
                .as_str()
                .unwrap()
                .starts_with("Group Not Found")
    }));
    assert_eq!(failed.iter().filter(|f| f["op"] == "remove").count(), 50);
    assert_eq!(
        (
            d["added"].as_array().unwrap().len(),
            d["removed"].as_array().unwrap().len()
        ),
        (0, 0)
    );
}
