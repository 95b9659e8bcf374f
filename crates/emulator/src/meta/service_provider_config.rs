//! ServiceProviderConfig: `GET /ServiceProviderConfig` → AWS's document verbatim (docs/emulator.md,
//! "Discovery").
//! Decision: `filter.maxResults` stays 50 as AWS publishes it, although lists page at 100: a
//! client that trusts this document sees here what it would see in AWS.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

pub async fn handle() -> Response {
    let doc = json!({
        "schemas": [aws_ilm_scim::urn::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html",
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "documentationUri": "https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html",
            "primary": true
        }],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 1, "maxPayloadSize": 1048576},
        "filter": {"supported": true, "maxResults": 50},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false}
    });
    crate::users::json(StatusCode::OK, doc.to_string())
}
