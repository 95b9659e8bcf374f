//! Shared helpers: client configs with quick retries, valid AWS user bodies, emulator stats.

use std::time::Duration;

use aws_ilm_client::{ClientConfig, Endpoint, RetryPolicy, ScimClient, SecretToken};
use serde_json::{Value, json};

/// Retries that are patient in count but quick in time, so fault tests finish fast.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 12,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(60),
    }
}

pub fn config(base_url: &str, tenant: &str, token: &str) -> ClientConfig {
    let mut c = ClientConfig::new(
        Endpoint::parse(base_url, tenant).unwrap(),
        SecretToken::new(token.to_owned()),
    );
    c.retry = quick_retry();
    c
}

pub fn client(base_url: &str, tenant: &str, token: &str) -> ScimClient {
    ScimClient::new(config(base_url, tenant, token)).unwrap()
}

/// A user AWS accepts: the four required attributes and one primary e-mail.
pub fn user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "displayName": format!("Ada {user_name}"),
        "active": true,
        "emails": [{"value": format!("{}@example.com", user_name.replace(['"', '\\', ' '], "_")), "type": "work", "primary": true}]
    })
}

pub fn group(display_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": display_name
    })
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("resource has an id").to_owned()
}

/// An emulator with the test defaults, adjusted by `f`.
pub async fn emulator_with(
    f: impl FnOnce(&mut aws_ilm_emulator::Config),
) -> aws_ilm_emulator::Running {
    let mut cfg = aws_ilm_emulator::Config::ephemeral();
    f(&mut cfg);
    aws_ilm_emulator::spawn(cfg).await.expect("emulator starts")
}

pub async fn emulator() -> aws_ilm_emulator::Running {
    emulator_with(|_| {}).await
}

/// A client for `run` with [`quick_retry`].
pub fn client_for(run: &aws_ilm_emulator::Running) -> ScimClient {
    client(&run.root_url(), &run.tenant_id, run.token.expose())
}

/// The emulator's per-operation request counts (`GET /_emulator/stats`).
pub async fn op_count(run: &aws_ilm_emulator::Running, op: &str) -> u64 {
    let stats = run.stats();
    *stats
        .operations
        .get(op)
        .unwrap_or_else(|| panic!("no {op} in {stats:?}"))
}
