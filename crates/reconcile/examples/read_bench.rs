//! Figures for the actual-state reader (docs/reconcile.md, "Reading AWS: minimal reads"):
//! seeds an in-memory emulator with USERS users, GROUPS groups and MEMBERSHIPS memberships,
//! then times one `read_actual` with every group managed and no rate limit, and prints the
//! request count next to the formula. Prints figures only; nothing is asserted on time.
//!
//! `cargo run --release -p aws_ilm_reconcile --example read_bench -- [USERS GROUPS MEMBERSHIPS]`
//! (default 10000 500 50000).

use std::sync::Arc;
use std::time::Instant;

use aws_ilm_batch::RateLimiter;
use aws_ilm_client::{ClientConfig, Endpoint, Op, PatchOp, PatchOperation, ScimClient};
use aws_ilm_emulator::Config;
use aws_ilm_reconcile::{Desired, DesiredGroup, Options, read_actual, read_cost};
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error>;

fn arg(n: usize, default: usize) -> Result<usize, Error> {
    Ok(match std::env::args().nth(n) {
        Some(a) => a.parse()?,
        None => default,
    })
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (users, groups, memberships) = (arg(1, 10_000)?, arg(2, 500)?, arg(3, 50_000)?);
    let emu = aws_ilm_emulator::spawn(Config::ephemeral()).await?;
    let client = ScimClient::new(ClientConfig::new(
        Endpoint::parse(&emu.root_url(), &emu.tenant_id)?,
        emu.token.clone(),
    ))?;
    let seeding = Instant::now();
    let c = &client;
    let user_ids: Vec<String> = stream::iter(0..users)
        .map(|i| async move {
            let u = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("user{i}"), "displayName": format!("User {i}"),
                "name": {"givenName": "U", "familyName": format!("{i}")},
                "title": "Engineer", "active": true,
                "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}],
            });
            c.create_user(&u).await.map(|v| id_of(&v))
        })
        .buffered(16)
        .try_collect()
        .await?;
    let per_group = memberships.checked_div(groups).unwrap_or(0);
    let group_ids: Vec<String> = stream::iter(0..groups)
        .map(|g| {
            let members: Vec<Value> = (0..per_group)
                .filter_map(|k| user_ids.get((g * per_group + k) % users.max(1)))
                .map(|id| json!({"value": id}))
                .collect();
            async move {
                let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                  "displayName": format!("group{g}")});
                let id = id_of(&c.create_group(&body).await?);
                for chunk in members.chunks(100) {
                    let op = PatchOperation::new(
                        Op::Add,
                        Some("members"),
                        Some(Value::Array(chunk.to_vec())),
                    );
                    c.patch_group(&id, &PatchOp::new(vec![op])).await?;
                }
                Ok::<_, aws_ilm_client::ClientError>(id)
            }
        })
        .buffered(16)
        .try_collect()
        .await?;
    println!(
        "seeded {users} users, {} groups, {} memberships in {:.1} s",
        group_ids.len(),
        per_group * groups,
        seeding.elapsed().as_secs_f64()
    );

    let desired = Desired {
        users: Vec::new(),
        groups: (0..groups)
            .map(|g| DesiredGroup {
                origin: format!("groups[{g}]"),
                display_name: format!("group{g}"),
                external_id: None,
                members: Vec::new(),
            })
            .collect(),
    };
    let limiter = Arc::new(RateLimiter::new(0.0));
    emu.reset_stats();
    let start = Instant::now();
    let actual = read_actual(&client, &desired, &Options::default(), &limiter, 8).await?;
    let took = start.elapsed();
    let requests = emu.stats().total;
    let members: Vec<usize> = actual
        .groups
        .iter()
        .filter_map(|g| g.members.as_ref().map(Vec::len))
        .collect();
    let formula = read_cost(actual.users.len(), actual.groups.len(), members);
    println!(
        "read: {} users, {} groups in {:.3} s; {requests} requests (formula {formula})",
        actual.users.len(),
        actual.groups.len(),
        took.as_secs_f64()
    );
    emu.stop().await;
    Ok(())
}
