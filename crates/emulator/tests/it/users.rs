//! The User operations.

use serde_json::json;

use crate::support::{Emu, enc, patch_op, user_body};

#[tokio::test]
async fn create_get_and_filter() {
    let e = Emu::start().await;
    let a = e.post("/Users", user_body("ada")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.headers["content-type"], "application/json");
    let u = a.json();
    let id = u["id"].as_str().unwrap();
    assert_eq!(u["userName"], "ada");
    assert_eq!(u["meta"]["resourceType"], "User");
    assert!(u["meta"]["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        u["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    let g = e.get(&format!("/Users/{id}")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json(), u);
    let l = e
        .get(&format!("/Users?filter={}", enc(r#"userName eq "ADA""#)))
        .await;
    assert_eq!(l.status, 200);
    let l = l.json();
    assert_eq!(l["totalResults"], 1);
    assert_eq!(l["Resources"][0]["id"], id);
}

#[tokio::test]
async fn patch_returns_full_user() {
    let e = Emu::start().await;
    let id = e.user("bob").await;
    let a = e
        .patch(
            &format!("/Users/{id}"),
            patch_op(
                json!([{"op": "replace", "path": "active", "value": "false"},
                            {"op": "replace", "path": "displayName", "value": "Bobby"}]),
            ),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["active"], false);
    assert_eq!(a.json()["displayName"], "Bobby");
    assert_eq!(a.json()["userName"], "bob");
}

#[tokio::test]
async fn required_attributes_and_rules() {
    let e = Emu::start().await;
    for (k, _) in [("userName", 0), ("displayName", 0)] {
        let mut b = user_body("x1");
        b.as_object_mut().unwrap().remove(k);
        let d = e.post("/Users", b).await.aws_error(400);
        assert!(d.contains(k), "{d}");
    }
    for k in ["givenName", "familyName"] {
        let mut b = user_body("x2");
        b["name"].as_object_mut().unwrap().remove(k);
        let d = e.post("/Users", b).await.aws_error(400);
        assert!(d.contains(k), "{d}");
    }
    // One value per multi-valued attribute, and a primary email.
    let mut b = user_body("x3");
    b["emails"] = json!([{"value": "a@x", "primary": true}, {"value": "b@x"}]);
    assert!(
        e.post("/Users", b)
            .await
            .aws_error(400)
            .contains("exceeds allowed limit of 1")
    );
    let mut b = user_body("x4");
    b["emails"][0]["primary"] = json!(false);
    assert!(e.post("/Users", b).await.aws_error(400).contains("primary"));
    let mut b = user_body("x5");
    b["phoneNumbers"] = json!([{"value": "1"}, {"value": "2"}]);
    e.post("/Users", b).await.aws_error(400);
    // Unsupported attributes.
    for (k, v) in [
        ("password", json!("x")),
        ("groups", json!([])),
        ("ims", json!([])),
        ("photos", json!([])),
        ("entitlements", json!([])),
        ("x509Certificates", json!([])),
        ("nonsense", json!(1)),
    ] {
        let mut b = user_body("x6");
        b[k] = v;
        let d = e.post("/Users", b).await.aws_error(400);
        assert!(d.contains(k), "{k}: {d}");
    }
    let mut b = user_body("x7");
    b["emails"][0]["display"] = json!("d");
    assert!(
        e.post("/Users", b)
            .await
            .aws_error(400)
            .contains("emails.display")
    );
    let mut b = user_body("x8");
    b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] =
        json!({"manager": {"value": "m", "displayName": "M"}});
    e.post("/Users", b).await.aws_error(400);
    // Lengths and characters.
    for bad in ["has space", "", "Administrator"] {
        let mut b = user_body("x9");
        b["userName"] = json!(bad);
        e.post("/Users", b).await.aws_error(400);
    }
    let mut b = user_body("x10");
    b["userName"] = json!("a".repeat(129));
    e.post("/Users", b).await.aws_error(400);
    let mut b = user_body("x11");
    b["title"] = json!("");
    e.post("/Users", b).await.aws_error(400);
    let mut b = user_body("x12");
    b["externalId"] = json!("e".repeat(257));
    e.post("/Users", b).await.aws_error(400);
    let mut b = user_body("x13");
    b["displayName"] = json!("bell\u{7}");
    e.post("/Users", b).await.aws_error(400);
    // Accented userNames and 128 characters are fine.
    let mut b = user_body("x14");
    b["userName"] = json!("é".repeat(128));
    assert_eq!(e.post("/Users", b).await.status, 201);
    // Wrong JSON types name the attribute.
    let mut b = user_body("x15");
    b["active"] = json!("yes");
    assert!(e.post("/Users", b).await.aws_error(400).contains("active"));
    let mut b = user_body("x16");
    b["displayName"] = json!(5);
    assert!(
        e.post("/Users", b)
            .await
            .aws_error(400)
            .contains("displayName")
    );
    // A wrong schema URN.
    let mut b = user_body("x17");
    b["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]);
    e.post("/Users", b).await.aws_error(400);
}

#[tokio::test]
async fn uniqueness_is_case_insensitive() {
    let e = Emu::start().await;
    e.user("Ada").await;
    let mut b = user_body("other");
    b["userName"] = json!("ADA");
    let d = e.post("/Users", b).await.aws_error(409);
    assert_eq!(d, "Refused to create a new, duplicate resource.");
    let mut b = user_body("other2");
    b["emails"][0]["value"] = json!("ADA@EXAMPLE.com");
    e.post("/Users", b).await.aws_error(409);
    let mut b = user_body("other3");
    b["externalId"] = json!("EXT-ada");
    e.post("/Users", b).await.aws_error(409);
    // Unicode case folding, too.
    e.user("Ärger").await;
    let mut b = user_body("x");
    b["userName"] = json!("äRGER");
    e.post("/Users", b).await.aws_error(409);
}

#[tokio::test]
async fn concurrent_creates_of_one_user_name_yield_exactly_one_201() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = aws_ilm_emulator::Config::ephemeral();
    cfg.db = dir.path().join("c.db").to_string_lossy().into_owned();
    let e = std::sync::Arc::new(Emu::with(cfg).await);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let e = e.clone();
            tokio::spawn(async move {
                let mut b = user_body("same");
                b["emails"][0]["value"] = json!(format!("s{i}@x"));
                b["externalId"] = json!(format!("e{i}"));
                e.post("/Users", b).await.status.as_u16()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|&&c| c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 409).count(), 49, "{codes:?}");
}

#[tokio::test]
async fn created_without_active_is_inactive() {
    let e = Emu::start().await;
    let mut b = user_body("noactive");
    b.as_object_mut().unwrap().remove("active");
    let a = e.post("/Users", b).await;
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["active"], false);
}

#[tokio::test]
async fn enterprise_schema_and_manager_ref() {
    let e = Emu::start().await;
    let mut b = user_body("ent");
    b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] =
        json!({"department": "R&D", "manager": {"value": "boss", "$ref": "../Users/boss"}});
    let a = e.post("/Users", b).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let u = a.json();
    assert_eq!(
        u["schemas"][1],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"],
        json!({"value": "boss"})
    );
    let id = u["id"].as_str().unwrap();
    let f = enc(&format!(r#"id eq "{id}" and manager eq "boss""#));
    assert_eq!(
        e.get(&format!("/Users?filter={f}")).await.json()["totalResults"],
        1
    );
    let f = enc(&format!(r#"manager eq "other" and id eq "{id}""#));
    assert_eq!(
        e.get(&format!("/Users?filter={f}")).await.json()["totalResults"],
        0
    );
}

#[tokio::test]
async fn get_unknown_and_odd_ids_are_404() {
    let e = Emu::start().await;
    let unknown = uuid_like();
    assert!(
        e.get(&format!("/Users/{unknown}"))
            .await
            .aws_error(404)
            .contains(&unknown)
    );
    for odd in ["..%2Fx", "%00", "a%20b", "x", &"a".repeat(5000)] {
        e.get(&format!("/Users/{odd}")).await.aws_error(404);
        e.delete(&format!("/Users/{odd}")).await.aws_error(404);
    }
}

pub fn uuid_like() -> String {
    "c4488478-a0e1-700e-3d75-96c6bb641596".to_owned()
}

#[tokio::test]
async fn put_replaces_everything() {
    let e = Emu::start().await;
    let id = e.user("put").await;
    let created = e.get(&format!("/Users/{id}")).await.json()["meta"]["created"].clone();
    let mut b = user_body("put2");
    b.as_object_mut().unwrap().remove("active");
    b.as_object_mut().unwrap().remove("externalId");
    b["title"] = json!("Boss");
    let a = e.put(&format!("/Users/{id}"), b).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let u = a.json();
    assert_eq!(u["userName"], "put2");
    assert_eq!(u["title"], "Boss");
    assert_eq!(u["active"], false, "left-out active is inactive");
    assert!(
        u.get("externalId").is_none(),
        "left-out attributes are cleared"
    );
    assert_eq!(u["meta"]["created"], created);
    assert_eq!(e.get(&format!("/Users/{id}")).await.json(), u);
    e.put(&format!("/Users/{}", uuid_like()), user_body("z"))
        .await
        .aws_error(404);
    let other = e.user("taken").await;
    let _ = other;
    e.put(&format!("/Users/{id}"), user_body("taken"))
        .await
        .aws_error(409);
    let mut b = user_body("put3");
    b.as_object_mut().unwrap().remove("displayName");
    e.put(&format!("/Users/{id}"), b).await.aws_error(400);
}

#[tokio::test]
async fn delete_removes_user_and_memberships() {
    let e = Emu::start().await;
    let u = e.user("del").await;
    let g = e.group("g-del").await;
    let a = e
        .patch(
            &format!("/Groups/{g}"),
            patch_op(json!([{"op": "add", "path": "members", "value": [{"value": u}]}])),
        )
        .await;
    assert_eq!(a.status, 204, "{}", a.text);
    let f = enc(&format!(r#"groups.value eq "{g}""#));
    assert_eq!(
        e.get(&format!("/Users?filter={f}")).await.json()["totalResults"],
        1
    );
    let d = e.delete(&format!("/Users/{u}")).await;
    assert_eq!(d.status, 204);
    assert_eq!(d.text, "");
    assert_eq!(d.headers["content-type"], "application/json");
    e.get(&format!("/Users/{u}")).await.aws_error(404);
    e.delete(&format!("/Users/{u}")).await.aws_error(404);
    assert_eq!(
        e.get(&format!("/Users?filter={f}")).await.json()["totalResults"],
        0
    );
    // The user name is free again.
    e.user("del").await;
}

#[tokio::test]
async fn patch_semantics_and_refusals() {
    let e = Emu::start().await;
    let id = e.user("pat").await;
    let p = |ops| e.patch(&format!("/Users/{id}"), patch_op(ops));
    let a = p(json!([
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"},
        {"op": "remove", "path": "externalId"},
        {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"},
        {"op": "replace", "path": "name.givenName", "value": "G2"}
    ])).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let u = a.json();
    assert_eq!(
        u["emails"],
        json!([{"value": "new@example.com", "type": "work", "primary": true}])
    );
    assert!(u.get("externalId").is_none());
    assert_eq!(u["name"]["givenName"], "G2");
    assert_eq!(u["name"]["familyName"], "Family");
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Ops"
    );
    // Pathless replace with an object (decision: accepted).
    let a = p(json!([{"op": "replace", "value": {"active": "True", "title": "T"}}])).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["active"], true);
    // Refusals.
    for (ops, needle) in [
        (json!([{"op": "remove"}]), "Missing path"),
        (json!([{"op": "remove", "path": "userName"}]), "userName"),
        (json!([{"op": "remove", "path": "active"}]), "active"),
        (
            json!([{"op": "replace", "path": "active", "value": true}, {"op": "replace", "path": "active", "value": false}]),
            "active",
        ),
        (
            json!([{"op": "replace", "path": "userName", "value": "a1"}, {"op": "replace", "path": "userName", "value": "a2"}]),
            "userName",
        ),
        (
            json!([{"op": "replace", "path": "roles", "value": [{"value": "r"}]}]),
            "roles",
        ),
        (
            json!([{"op": "add", "path": "emails", "value": [{"value": "second@x"}]}]),
            "exceeds allowed limit of 1",
        ),
        (
            json!([{"op": "remove", "path": "displayName"}]),
            "displayName",
        ),
        (
            json!([{"op": "replace", "path": "password", "value": "x"}]),
            "password",
        ),
        (json!([{"op": "move", "path": "title", "value": "x"}]), "op"),
        (json!([{"op": "replace", "path": "title"}]), "value"),
        (
            json!([{"op": "replace", "path": "emails[type co \"w\"].value", "value": "x"}]),
            "",
        ),
        (
            json!([{"op": "replace", "path": "userName", "value": "has space"}]),
            "userName",
        ),
        (json!([]), "Operations"),
    ] {
        let d = p(ops.clone()).await.aws_error(400);
        assert!(d.contains(needle), "{ops}: {d}");
    }
    // A PatchOp without its schema.
    let a = e
        .patch(
            &format!("/Users/{id}"),
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        )
        .await;
    a.aws_error(400);
    // Nothing of the refused requests was applied.
    let u = e.get(&format!("/Users/{id}")).await.json();
    assert_eq!(u["title"], "T");
    assert_eq!(u["emails"].as_array().unwrap().len(), 1);
    // Conflicts and unknown users.
    e.user("other").await;
    p(json!([{"op": "replace", "path": "userName", "value": "OTHER"}]))
        .await
        .aws_error(409);
    e.patch(
        &format!("/Users/{}", uuid_like()),
        patch_op(json!([{"op": "replace", "path": "title", "value": "x"}])),
    )
    .await
    .aws_error(404);
}
