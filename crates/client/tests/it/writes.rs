//! The `on_write` hook (docs/audit.md): called once per write with its operation, id, body and
//! final answer; never for a read.

use std::sync::{Arc, Mutex};

use aws_ilm_client::{Op, PatchOp, PatchOperation, ScimClient, WriteEvent};
use serde_json::{Value, json};

use crate::common::{config, emulator, group, id_of, user};

type Seen = Arc<Mutex<Vec<(String, Option<String>, Value, Option<u16>, bool)>>>;

#[tokio::test]
async fn every_write_and_no_read_reaches_the_hook() {
    let run = emulator().await;
    let seen: Seen = Arc::default();
    let mut c = config(&run.root_url(), &run.tenant_id, run.token.expose());
    let sink = Arc::clone(&seen);
    c.on_write = Some(Arc::new(move |e: &WriteEvent<'_>| {
        let sent = serde_json::from_slice(e.sent).unwrap_or(Value::Null);
        let (status, ok) = match e.outcome {
            Ok(info) => (Some(info.status), true),
            Err(err) => (err.status(), false),
        };
        sink.lock().unwrap().push((
            e.operation.to_owned(),
            e.id.map(str::to_owned),
            sent,
            status,
            ok,
        ));
    }));
    let c = ScimClient::new(c).unwrap();

    let id = id_of(&c.create_user(&user("ada")).await.unwrap());
    c.get_user(&id).await.unwrap();
    c.list_users(None).await.unwrap();
    let patch = PatchOp::new(vec![PatchOperation::new(
        Op::Replace,
        Some("active"),
        Some(json!(false)),
    )]);
    c.patch_user(&id, &patch).await.unwrap();
    c.delete_user(&id).await.unwrap();
    c.delete_user(&id).await.unwrap_err();
    let gid = id_of(&c.create_group(&group("staff")).await.unwrap());
    c.delete_group(&gid).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    let ops: Vec<(&str, Option<u16>, bool)> = seen
        .iter()
        .map(|(op, _, _, status, ok)| (op.as_str(), *status, *ok))
        .collect();
    assert_eq!(
        ops,
        [
            ("CreateUser", Some(201), true),
            ("PatchUser", Some(200), true),
            ("DeleteUser", Some(204), true),
            ("DeleteUser", Some(404), false),
            ("CreateGroup", Some(201), true),
            ("DeleteGroup", Some(204), true),
        ]
    );
    assert_eq!(
        seen[0].1.as_deref(),
        Some(id.as_str()),
        "a create reports its new id"
    );
    assert_eq!(seen[0].2["userName"], "ada");
    assert_eq!(seen[1].2["Operations"][0]["path"], "active");
    assert_eq!(seen[2].2, Value::Null, "a DELETE sends no body");
    assert_eq!(seen[4].1.as_deref(), Some(gid.as_str()));
}
