//! Shared helpers: an emulator per test, an engine over it, a command runner, request counts.

use std::time::Duration;

use aws_ilm_client::{ClientConfig, Endpoint, RetryPolicy, ScimClient, SecretToken};
use aws_ilm_emulator::{Config, Running, spawn};
use aws_ilm_lifecycle::{Command, Ilm, IlmError, IlmSettings, Outcome};
use serde_json::{Value, json};

pub struct Env {
    pub emu: Running,
}

pub fn client_for(base: &str, tenant: &str, token: &str) -> ScimClient {
    let mut c = ClientConfig::new(
        Endpoint::parse(base, tenant).unwrap(),
        SecretToken::new(token.to_owned()),
    );
    // Quick and bounded, so error paths finish fast; the emulator's knobs are off anyway.
    c.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(10),
    };
    c.connect_timeout = Duration::from_secs(5);
    ScimClient::new(c).unwrap()
}

impl Env {
    pub async fn new() -> Env {
        let emu = spawn(Config::ephemeral()).await.unwrap();
        Env { emu }
    }

    pub fn client(&self) -> ScimClient {
        client_for(
            &self.emu.root_url(),
            &self.emu.tenant_id,
            self.emu.token.expose(),
        )
    }

    pub fn ilm(&self) -> Ilm {
        self.ilm_with(IlmSettings::default())
    }

    pub fn ilm_with(&self, settings: IlmSettings) -> Ilm {
        Ilm::new(self.client(), settings)
    }

    /// Resets the request counts, runs the command, returns the outcome.
    pub async fn run(&self, ilm: &Ilm, name: &str, args: Value) -> Outcome {
        self.try_run(ilm, name, args).await.unwrap()
    }

    pub async fn try_run(&self, ilm: &Ilm, name: &str, args: Value) -> Result<Outcome, IlmError> {
        let cmd = Command::parse(name, args.as_object().unwrap()).unwrap();
        self.reset().await;
        ilm.execute(&cmd).await
    }

    pub async fn reset(&self) {
        self.emu.reset_stats();
    }

    /// `(total requests, per-operation counts)` since the last reset.
    pub async fn stats(&self) -> (u64, Value) {
        let s = self.emu.stats();
        (s.total, serde_json::to_value(&s.operations).unwrap())
    }

    /// Asserts the exact requests made since the last reset.
    pub async fn assert_requests(&self, want: &[(&str, u64)]) {
        let (total, ops) = self.stats().await;
        let want_total: u64 = want.iter().map(|(_, n)| n).sum();
        for (op, n) in want {
            assert_eq!(ops[*op].as_u64().unwrap_or(0), *n, "{op} in {ops}");
        }
        assert_eq!(total, want_total, "total requests; operations: {ops}");
    }

    /// Creates a user through the engine and returns its id.
    pub async fn create(&self, name: &str) -> String {
        let o = self
            .run(
                &self.ilm(),
                "iam-create-user",
                json!({"user-profile": profile(name)}),
            )
            .await;
        assert_eq!(vendor(&o)["success"], true, "{:?}", o.context);
        vendor(&o)["id"].as_str().unwrap().to_owned()
    }
}

/// A profile AWS accepts (userName, names, displayName, email).
pub fn profile(name: &str) -> Value {
    json!({
        "username": name,
        "email": format!("{}@example.com", name.replace(['"', '\\', ' '], "_")),
        "givenname": "Ada",
        "surname": "Lovelace",
        "displayname": format!("Ada {name}"),
    })
}

pub fn vendor(o: &Outcome) -> &Value {
    &o.context["IAM"]["Vendor"]
}
