//! The seed integration's own request paths (docs/emulator.md, "Trailing slashes"): it calls every
//! collection with a trailing slash (`…/Users/?filter=…`, `POST …/Users/`, `…/Groups/`, its
//! test-module through `GET …/Users/`) and items without one (`…/Users/{id}`). They must be
//! answered as AWS answers them and counted under the right operation in `/_emulator/stats`.

use aws_ilm_emulator::Stats;
use serde_json::json;

use crate::support::{Emu, patch_op, user_body};

/// The query string the seed's HTTP library sends for `params={'filter': …}`: form encoding,
/// spaces as `+`.
fn seed_filter(filter: &str) -> String {
    format!("filter={}", crate::support::enc(filter).replace("%20", "+"))
}

fn ops(stats: &Stats) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = stats
        .operations
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_seeds_trailing_slash_paths_work_and_are_counted() {
    let e = Emu::start().await;

    // test-module
    let a = e.get("/Users/").await;
    assert_eq!(a.status, 200, "{}", a.text);
    // create-user: look up, then create
    let look = format!("/Users/?{}", seed_filter("userName eq \"ada\""));
    let a = e.get(&look).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["totalResults"], 0);
    let a = e.post("/Users/", user_body("ada")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let a = e.get(&look).await;
    assert_eq!(a.json()["Resources"][0]["id"], json!(id), "{}", a.text);
    // update / disable: GET and PATCH on the item, no trailing slash
    let a = e.get(&format!("/Users/{id}")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let off = patch_op(json!([{"op": "replace", "path": "active", "value": "false"}]));
    let a = e.patch(&format!("/Users/{id}"), off).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["active"], false);

    // groups: search by name, create, then by id
    let find = format!("/Groups/?{}", seed_filter("displayName eq \"Eng\""));
    let a = e.get(&find).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["totalResults"], 0);
    let a = e.post("/Groups/", json!({"displayName": "Eng"})).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let gid = a.json()["id"].as_str().unwrap().to_owned();
    let a = e.get(&find).await;
    assert_eq!(a.json()["Resources"][0]["id"], json!(gid), "{}", a.text);
    let add = patch_op(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    let a = e.patch(&format!("/Groups/{gid}"), add).await;
    assert_eq!(a.status, 204, "{}", a.text);
    let a = e.get(&format!("/Groups/{gid}")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = e.delete(&format!("/Groups/{gid}")).await;
    assert_eq!(a.status, 204, "{}", a.text);

    assert_eq!(
        ops(&e.stats().await),
        [
            ("CreateGroup", 1),
            ("CreateUser", 1),
            ("DeleteGroup", 1),
            ("GetGroup", 1),
            ("GetUser", 1),
            ("ListGroups", 2),
            ("ListUsers", 3),
            ("PatchGroup", 1),
            ("PatchUser", 1),
        ]
        .map(|(k, n)| (k.to_owned(), n))
    );
}

/// The discovery endpoints and the items accept one trailing slash too (the decision in
/// docs/emulator.md); two slashes are still no route.
#[tokio::test]
async fn discovery_and_items_accept_one_trailing_slash() {
    let e = Emu::start().await;
    let id = e.user("ada").await;
    for path in ["/ServiceProviderConfig/", "/Schemas/", "/ResourceTypes/"] {
        let a = e.get(path).await;
        assert_eq!(a.status, 200, "{path}: {}", a.text);
    }
    let a = e
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User/")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = e.get(&format!("/Users/{id}/")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["id"], json!(id));
    let a = e.delete(&format!("/Users/{id}/")).await;
    assert_eq!(a.status, 204, "{}", a.text);
    // Unsupported methods stay the 400 of the decision table, with or without the slash.
    e.put("/Groups/", json!({})).await.aws_error(400);
    e.get("/Users//").await.aws_error(404);
    e.get(&format!("/Users/{id}//")).await.aws_error(404);
    assert_eq!(
        ops(&e.stats().await),
        [
            ("CreateUser", 1),
            ("DeleteUser", 1),
            ("GetSchema", 1),
            ("GetUser", 1),
            ("ListResourceTypes", 1),
            ("ListSchemas", 1),
            ("ServiceProviderConfig", 1),
        ]
        .map(|(k, n)| (k.to_owned(), n))
    );
}
