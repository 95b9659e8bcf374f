//! Request bodies and query encoding for the emulator's tests, included once per test binary
//! through `it/support.rs` (`#[path]`), so every test sends exactly the same valid requests.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// RFC 3986 §2.3: everything but the unreserved characters is percent-encoded.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A valid CreateUser body whose unique keys all derive from `name`.
pub fn user_body(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "externalId": format!("ext-{name}"),
        "name": {"givenName": "Given", "familyName": "Family"},
        "displayName": format!("Display {name}"),
        "active": true,
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]
    })
}

pub fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

/// A query-string value, percent-encoded.
pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}
