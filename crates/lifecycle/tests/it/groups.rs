//! Group commands: every branch of PRODUCT.md §3.2 and the member batching budget.

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
    assert!(
        o.human
            .headers
            .ends_with(&["errorCode".to_owned(), "errorMessage".to_owned()])
    );
}

#[tokio::test]
async fn two_hundred_fifty_member_changes_are_three_patches() {
    let env = Env::new().await;
    let client = env.client();
    let mut ids = Vec::new();
    for i in 0..250 {
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
    env.assert_requests(&[("PatchGroup", 2)]).await;
    assert_eq!(o.status, Status::Failed);
    let u = doc(&o, "UpdateGroup");
    let failed = u["details"]["failed"].as_array().unwrap();
    let applied = u["details"]["added"].as_array().unwrap();
    assert_eq!(failed.len() + applied.len(), 102, "nothing dropped: {u}");
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
    let u = doc(&o, "UpdateGroup");
    assert_eq!(u["errorCode"], 404);
    assert_eq!(u["details"]["failed"][0]["value"], ada.as_str());
    let o = env
        .run(
            &env.ilm(),
            "iam-update-group",
            json!({"scim": {"displayName": "Nope"}, "memberIdsToAdd": [ada]}),
        )
        .await;
    assert_eq!(doc(&o, "UpdateGroup")["errorMessage"], "Group Not Found");
}
