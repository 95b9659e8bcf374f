//! Round trips against the real emulator: every call, the answers AWS gives, ids and filter
//! values that try to break out of their place.

use aws_ilm_client::{ClientError, GroupQuery, Op, PatchOp, PatchOperation, UserQuery};
use serde_json::json;

use crate::common::{client, client_for, emulator, group, id_of, op_count, user};

#[tokio::test]
async fn user_round_trip() {
    let run = emulator().await;
    let c = client_for(&run);

    let created = c.create_user(&user("ada")).await.unwrap();
    let id = id_of(&created);
    assert_eq!(created["userName"], "ada");

    let got = c.get_user(&id).await.unwrap().expect("exists");
    assert_eq!(got["id"], id.as_str());
    let found = c
        .find_user(&UserQuery::UserName("ADA".into()))
        .await
        .unwrap()
        .expect("userName matches case-insensitively");
    assert_eq!(found["id"], id.as_str());

    let patch = PatchOp::new(vec![
        PatchOperation::new(Op::Replace, Some("title"), Some(json!("Countess"))),
        PatchOperation::new(Op::Replace, Some("active"), Some(json!(false))),
    ]);
    let patched = c.patch_user(&id, &patch).await.unwrap();
    assert_eq!(patched["title"], "Countess");
    assert_eq!(patched["active"], false);

    let mut replacement = user("ada");
    replacement["displayName"] = json!("Ada King");
    let put = c.put_user(&id, &replacement).await.unwrap();
    assert_eq!(put["displayName"], "Ada King");
    assert!(put.get("title").is_none(), "PUT replaces the whole user");

    c.delete_user(&id).await.unwrap();
    assert_eq!(c.get_user(&id).await.unwrap(), None);
    let again = c.delete_user(&id).await.unwrap_err();
    assert_eq!(again.status(), Some(404));
    assert!(
        again.request_id().is_some(),
        "errors carry x-amzn-RequestId: {again}"
    );
    assert_eq!(
        c.find_user(&UserQuery::UserName("ada".into()))
            .await
            .unwrap(),
        None
    );
    run.stop().await;
}

#[tokio::test]
async fn group_round_trip_with_members() {
    let run = emulator().await;
    // The console-style endpoint (with tenant and /scim/v2) works as base_url too.
    let c = client(&run.base_url, &run.tenant_id, run.token.expose());
    let u1 = id_of(&c.create_user(&user("u1")).await.unwrap());
    let u2 = id_of(&c.create_user(&user("u2")).await.unwrap());

    let g = c.create_group(&group("Engineers")).await.unwrap();
    let gid = id_of(&g);
    assert_eq!(
        c.get_group(&gid).await.unwrap().unwrap()["displayName"],
        "Engineers"
    );
    let found = c
        .find_group(&GroupQuery::DisplayName("engineers".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found["id"], gid.as_str());

    let add = PatchOp::new(vec![PatchOperation::new(
        Op::Add,
        Some("members"),
        Some(json!([{"value": u1}, {"value": u2}])),
    )]);
    let info = c.patch_group(&gid, &add).await.unwrap();
    assert_eq!(info.status, 204);
    assert!(info.request_id.is_some() && info.date.is_some(), "{info:?}");

    let mut members: Vec<String> = c
        .list_users(Some(&UserQuery::GroupsValue(gid.clone())))
        .await
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    members.sort();
    let mut expected = vec![u1.clone(), u2.clone()];
    expected.sort();
    assert_eq!(members, expected);
    let of_u1 = c
        .list_groups(Some(&GroupQuery::MembersValue(u1.clone())))
        .await
        .unwrap();
    assert_eq!(of_u1.len(), 1);

    let del = c.delete_group(&gid).await.unwrap();
    assert_eq!(del.status, 204);
    assert_eq!(c.get_group(&gid).await.unwrap(), None);
    assert_eq!(c.delete_group(&gid).await.unwrap_err().status(), Some(404));
    run.stop().await;
}

#[tokio::test]
async fn duplicate_create_is_a_409_not_a_lookup() {
    let run = emulator().await;
    let c = client_for(&run);
    c.create_user(&user("dup")).await.unwrap();
    let err = c.create_user(&user("DUP")).await.unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");
    assert!(err.to_string().contains("duplicate"), "{err}");
    c.create_group(&group("G")).await.unwrap();
    assert_eq!(
        c.create_group(&group("g")).await.unwrap_err().status(),
        Some(409)
    );
    assert_eq!(
        op_count(&run, "ListUsers").await,
        0,
        "a clean 409 needs no lookup"
    );
    run.stop().await;
}

#[tokio::test]
async fn filter_values_with_quotes_and_backslashes_are_escaped() {
    let run = emulator().await;
    let c = client_for(&run);
    let tricky = r#"a"b\c"#;
    let created = c.create_user(&user(tricky)).await.unwrap();
    c.create_user(&user("a")).await.unwrap();
    let found = c
        .find_user(&UserQuery::UserName(tricky.into()))
        .await
        .unwrap()
        .expect("found by its exact name");
    assert_eq!(found["id"], created["id"]);
    assert_eq!(found["userName"], tricky);
    // A value crafted to close the string and add a clause stays one value.
    let injection = r#"a" or userName eq "a"#;
    assert_eq!(
        c.find_user(&UserQuery::UserName(injection.into()))
            .await
            .unwrap(),
        None
    );
    let all = c
        .list_users(Some(&UserQuery::UserName(tricky.into())))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    run.stop().await;
}

#[tokio::test]
async fn ids_are_one_path_segment() {
    let run = emulator().await;
    let c = client_for(&run);
    c.create_user(&user("someone")).await.unwrap();
    for id in [
        "a/b",
        "x?filter=userName eq \"someone\"",
        "%2F..",
        "#frag",
        "Users",
    ] {
        assert_eq!(c.get_user(id).await.unwrap(), None, "{id}");
    }
    assert_eq!(op_count(&run, "GetUser").await, 5);
    assert_eq!(
        op_count(&run, "ListUsers").await,
        0,
        "no id turned into a list call"
    );
    for id in ["", ".", ".."] {
        let err = c.get_user(id).await.unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidRequest(_)),
            "{id:?}: {err:?}"
        );
    }
    run.stop().await;
}

#[tokio::test]
async fn service_provider_config_and_stats() {
    let run = emulator().await;
    let c = client_for(&run);
    let spc = c.service_provider_config().await.unwrap();
    assert_eq!(spc["patch"]["supported"], true);
    let c2 = c.clone();
    c2.get_user("nope").await.unwrap();
    let s = c.stats();
    assert_eq!(
        (s.requests, s.retries, s.throttled),
        (2, 0, 0),
        "clones share stats"
    );
    run.stop().await;
}
