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
