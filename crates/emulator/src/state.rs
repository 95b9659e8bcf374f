//! The state every handler shares, in its own module so that the handlers depend on it and
//! not on the router that names them.

use std::sync::Arc;
use std::time::Duration;

use aws_ilm_scim::secret::SecretToken;

use crate::config::Config;
use crate::conns::Registry;
use crate::knobs::{Counters, Throttler};
use crate::store::Store;

/// Shared by every request.
#[derive(Debug)]
pub struct AppState {
    pub tenant_id: String,
    /// The accepted bearer tokens (a secret type: `AppState`'s `Debug` cannot show them).
    pub tokens: Vec<SecretToken>,
    pub store: Store,
    pub counters: Counters,
    pub throttle: Option<Throttler>,
    pub fault_rate: f64,
    pub latency: Duration,
    /// How long a request body may take to arrive whole (docs/emulator.md, "Connection limits").
    pub body_read_timeout: Duration,
    /// `http(s)://addr/{tenant}/scim/v2`, for `meta.location` in ResourceTypes.
    pub base_url: String,
    /// The open connections, for `/_emulator/stats`.
    pub conns: Arc<Registry>,
}

pub type App = Arc<AppState>;

impl AppState {
    /// `POST /_emulator/stats/reset`: every count back to zero.
    pub fn reset_stats(&self) {
        self.counters.reset();
        self.conns.reset();
    }
}

impl AppState {
    pub fn new(config: &Config, store: Store, base_url: String, conns: Arc<Registry>) -> AppState {
        AppState {
            tenant_id: config.tenant_id.clone(),
            tokens: config.tokens.clone(),
            store,
            counters: Counters::default(),
            throttle: config.throttle.map(Throttler::new),
            fault_rate: config.fault_rate,
            latency: config.latency,
            body_read_timeout: config.body_read_timeout,
            base_url,
            conns,
        }
    }
}
