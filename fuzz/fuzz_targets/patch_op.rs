//! A PatchOp body as the emulator receives it: bytes → JSON → PatchOp → applied to a stored
//! user and to a group. No input may panic; every refusal is an `ApiError` (a 4xx), never a 5xx.
#![no_main]

use aws_ilm_emulator::fuzzing;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = fuzzing::parse_body(data) else {
        return;
    };
    let Ok(op) = fuzzing::parse_patch(body) else {
        return;
    };
    let mut user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "c4488478-a0e1-700e-3d75-96c6bb641596",
        "userName": "ada", "displayName": "Ada", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}]
    });
    if let Err(e) = fuzzing::apply_to_user(&mut user, &op.operations) {
        assert!(e.status.is_client_error(), "user patch answered {}", e.status);
    }
    let gid = "9067729b3d-94f1e0b3-c394-48d5-8ab1-2c122a167074";
    let mut group: Value = json!({"id": gid, "displayName": "Engineers"});
    if let Err(e) = fuzzing::apply_to_group(&mut group, gid, &op.operations) {
        assert!(e.status.is_client_error(), "group patch answered {}", e.status);
    }
});
