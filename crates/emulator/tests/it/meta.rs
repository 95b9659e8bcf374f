//! ServiceProviderConfig, Schemas, ResourceTypes.

use serde_json::json;

use crate::support::Emu;

#[tokio::test]
async fn service_provider_config_is_awss() {
    let e = Emu::start().await;
    let a = e.get("/ServiceProviderConfig").await;
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_eq!(v["patch"]["supported"], true);
    assert_eq!(v["bulk"]["supported"], false);
    assert_eq!(v["bulk"]["maxPayloadSize"], 1048576);
    assert_eq!(v["filter"]["maxResults"], 50);
    assert_eq!(v["etag"]["supported"], false);
    assert_eq!(v["authenticationSchemes"][0]["type"], "oauthbearertoken");
}

#[tokio::test]
async fn schemas_list_and_get() {
    let e = Emu::start().await;
    let v = e.get("/Schemas").await.json();
    assert_eq!(v["totalResults"], 3);
    let ids: Vec<_> = v["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![
            json!("urn:ietf:params:scim:schemas:core:2.0:User"),
            json!("urn:ietf:params:scim:schemas:core:2.0:Group"),
            json!("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
        ]
    );
    let u = e
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert_eq!(u.status, 200);
    let u = u.json();
    assert!(u.get("schemas").is_none());
    let user_name = u["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["caseExact"], false);
    assert_eq!(user_name["required"], true);
    e.get("/Schemas/urn:nope").await.aws_error(404);
}

#[tokio::test]
async fn resource_types() {
    let e = Emu::start().await;
    let v = e.get("/ResourceTypes").await.json();
    assert_eq!(v["totalResults"], 2);
    assert_eq!(v["Resources"][0]["endpoint"], "/Users");
    assert_eq!(v["Resources"][1]["endpoint"], "/Groups");
    let loc = v["Resources"][0]["meta"]["location"].as_str().unwrap();
    assert_eq!(loc, format!("{}/ResourceTypes/User", e.run.base_url));
}
