//! The Group operations and membership queries.

use serde_json::json;

use crate::support::{Emu, enc, patch_op};
use crate::users::uuid_like;

#[tokio::test]
async fn create_get_list_never_show_members() {
    let e = Emu::start().await;
    let u = e.user("m1").await;
    let a = e
        .post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                "displayName": "Eng", "externalId": "g-ext", "members": [{"value": u}]}))
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let g = a.json();
    assert!(
        g.get("members").is_none(),
        "create answers without members: {g}"
    );
    assert_eq!(g["meta"]["resourceType"], "Group");
    assert_eq!(g["externalId"], "g-ext");
    let id = g["id"].as_str().unwrap();
    let got = e.get(&format!("/Groups/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["members"], json!([]));
    assert_eq!(got.json()["displayName"], "Eng");
    let l = e
        .get(&format!(
            "/Groups?filter={}",
            enc(r#"displayName eq "eng""#)
        ))
        .await
        .json();
    assert_eq!(l["totalResults"], 1);
    assert_eq!(l["Resources"][0]["members"], json!([]));
    let l = e
        .get(&format!(
            "/Groups?filter={}",
            enc(r#"externalId eq "G-EXT""#)
        ))
        .await
        .json();
    assert_eq!(l["totalResults"], 1);
    // The membership is real, read by filter.
    let l = e
        .get(&format!(
            "/Users?filter={}",
            enc(&format!(r#"groups.value eq "{id}""#))
        ))
        .await
        .json();
    assert_eq!(l["Resources"][0]["id"], u);
    let l = e
        .get(&format!(
            "/Groups?filter={}",
            enc(&format!(r#"members.value eq "{u}""#))
        ))
        .await
        .json();
    assert_eq!(l["Resources"][0]["id"], id);
}

#[tokio::test]
async fn create_rules() {
    let e = Emu::start().await;
    e.group("Dup").await;
    assert_eq!(
        e.post("/Groups", json!({"displayName": "DUP"}))
            .await
            .aws_error(409),
        "Refused to create a new, duplicate resource."
    );
    e.post("/Groups", json!({"displayName": "x", "externalId": "e1"}))
        .await;
    e.post("/Groups", json!({"displayName": "y", "externalId": "E1"}))
        .await
        .aws_error(409);
    e.post("/Groups", json!({})).await.aws_error(400);
    e.post("/Groups", json!({"displayName": ""}))
        .await
        .aws_error(400);
    e.post("/Groups", json!({"displayName": "a\u{3000}b"}))
        .await
        .aws_error(400);
    e.post("/Groups", json!({"displayName": "z", "description": "d"}))
        .await
        .aws_error(400);
    e.post(
        "/Groups",
        json!({"displayName": "z", "members": [{"value": "x", "display": "d"}]}),
    )
    .await
    .aws_error(400);
    let many: Vec<_> = (0..101)
        .map(|i| json!({"value": format!("u{i}")}))
        .collect();
    assert!(
        e.post("/Groups", json!({"displayName": "big", "members": many}))
            .await
            .aws_error(400)
            .contains("100")
    );
    // Decision: an unknown member on create is a 400, and nothing is created.
    e.post(
        "/Groups",
        json!({"displayName": "ghost", "members": [{"value": uuid_like()}]}),
    )
    .await
    .aws_error(400);
    assert_eq!(
        e.get(&format!(
            "/Groups?filter={}",
            enc(r#"displayName eq "ghost""#)
        ))
        .await
        .json()["totalResults"],
        0
    );
}

#[tokio::test]
async fn create_with_100_members() {
    let e = Emu::start().await;
    let mut members = Vec::new();
    for i in 0..100 {
        members.push(json!({"value": e.user(&format!("h{i}")).await}));
    }
    let a = e
        .post(
            "/Groups",
            json!({"displayName": "hundred", "members": members}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let l = e
        .get(&format!(
            "/Users?filter={}",
            enc(&format!(r#"groups.value eq "{id}""#))
        ))
        .await
        .json();
    assert_eq!(l["totalResults"], 100);
}

#[tokio::test]
async fn patch_members_and_rename() {
    let e = Emu::start().await;
    let g = e.group("team").await;
    let u1 = e.user("u1").await;
    let u2 = e.user("u2").await;
    let p = |ops| e.patch(&format!("/Groups/{g}"), patch_op(ops));
    let a =
        p(json!([{"op": "add", "path": "members", "value": [{"value": u1}, {"value": u2}]}])).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(a.text, "");
    let is_member = |u: &str| {
        let f = enc(&format!(r#"id eq "{g}" and members eq "{u}""#));
        let fut = e.get(&format!("/Groups?filter={f}"));
        async move { fut.await.json()["totalResults"].as_u64().unwrap() == 1 }
    };
    assert!(is_member(&u1).await && is_member(&u2).await);
    // Adding again is a no-op; removing a non-member too.
    assert_eq!(
        p(json!([{"op": "add", "path": "members", "value": [{"value": u1}]}]))
            .await
            .status,
        204
    );
    assert_eq!(
        p(json!([{"op": "remove", "path": format!("members[value eq \"{u1}\"]")}]))
            .await
            .status,
        204
    );
    assert!(!is_member(&u1).await);
    assert_eq!(
        p(json!([{"op": "remove", "path": "members", "value": [{"value": u1}]}]))
            .await
            .status,
        204
    );
    assert_eq!(
        p(json!([{"op": "Remove", "path": "members", "value": [{"value": u2}]}]))
            .await
            .status,
        204
    );
    assert!(!is_member(&u2).await);
    // Rename, AWS's own example shape.
    let a = p(json!([{"op": "replace", "value": {"id": g, "displayName": "Team New"}}])).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(
        e.get(&format!("/Groups/{g}")).await.json()["displayName"],
        "Team New"
    );
    let a = p(json!([{"op": "replace", "path": "externalId", "value": "x-1"}])).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        e.get(&format!("/Groups/{g}")).await.json()["externalId"],
        "x-1"
    );
    // Refusals.
    e.group("taken").await;
    p(json!([{"op": "replace", "path": "displayName", "value": "TAKEN"}]))
        .await
        .aws_error(409);
    p(json!([{"op": "replace", "path": "members", "value": [{"value": u1}]}]))
        .await
        .aws_error(400);
    p(json!([{"op": "replace", "path": "members", "value": []}]))
        .await
        .aws_error(400);
    p(json!([{"op": "remove", "path": "members"}]))
        .await
        .aws_error(400);
    p(json!([{"op": "remove", "path": "members", "value": []}]))
        .await
        .aws_error(400);
    assert!(
        p(json!([{"op": "remove"}]))
            .await
            .aws_error(400)
            .contains("Missing path")
    );
    let many: Vec<_> = (0..101).map(|_| json!({"value": u1})).collect();
    assert!(
        p(json!([{"op": "add", "path": "members", "value": many}]))
            .await
            .aws_error(400)
            .contains("100")
    );
    let fifty: Vec<_> = (0..51).map(|_| json!({"value": u1})).collect();
    p(json!([{"op": "add", "path": "members", "value": fifty.clone()}, {"op": "remove", "path": "members", "value": fifty}]))
        .await
        .aws_error(400);
    // Decision: an unknown member on PatchGroup is a 404 naming it; nothing is applied.
    let d = p(
        json!([{"op": "add", "path": "members", "value": [{"value": u1}, {"value": uuid_like()}]}]),
    )
    .await
    .aws_error(404);
    assert!(d.contains(&uuid_like()), "{d}");
    assert!(!is_member(&u1).await);
    e.patch(
        &format!("/Groups/{}", uuid_like()),
        patch_op(json!([{"op": "add", "path": "members", "value": [{"value": u1}]}])),
    )
    .await
    .aws_error(404);
}

#[tokio::test]
async fn membership_filters() {
    let e = Emu::start().await;
    let g = e.group("mf").await;
    let u = e.user("mfu").await;
    let outsider = e.user("out").await;
    e.patch(
        &format!("/Groups/{g}"),
        patch_op(json!([{"op": "add", "path": "members", "value": [{"value": u}]}])),
    )
    .await;
    let q = |f: String| e.get(&format!("/Groups?filter={}", enc(&f)));
    assert_eq!(
        q(format!(r#"members eq "{u}" and id eq "{g}""#))
            .await
            .json()["totalResults"],
        1
    );
    // Decision: an existing user outside the group → an empty list.
    assert_eq!(
        q(format!(r#"id eq "{g}" and members eq "{outsider}""#))
            .await
            .json()["totalResults"],
        0
    );
    // AWS: a filter naming a member that does not exist → 404.
    q(format!(r#"members.value eq "{}""#, uuid_like()))
        .await
        .aws_error(404);
    q(format!(r#"id eq "{g}" and members eq "{}""#, uuid_like()))
        .await
        .aws_error(404);
    // Decision: groups.value naming no group → an empty user list.
    let l = e
        .get(&format!(
            "/Users?filter={}",
            enc(&format!(r#"groups.value eq "{}""#, uuid_like()))
        ))
        .await;
    assert_eq!(l.json()["totalResults"], 0);
    // Deleting the group ends its memberships.
    assert_eq!(e.delete(&format!("/Groups/{g}")).await.status, 204);
    e.get(&format!("/Groups/{g}")).await.aws_error(404);
    e.delete(&format!("/Groups/{g}")).await.aws_error(404);
    assert_eq!(
        q(format!(r#"members.value eq "{u}""#)).await.json()["totalResults"],
        0
    );
}

#[tokio::test]
async fn put_on_a_group_is_400() {
    let e = Emu::start().await;
    let g = e.group("nop").await;
    let d = e
        .put(&format!("/Groups/{g}"), json!({"displayName": "x"}))
        .await
        .aws_error(400);
    assert!(d.contains("not supported"), "{d}");
    e.send(reqwest::Method::DELETE, "/Groups", None)
        .await
        .aws_error(400);
}
