//! `aws_ilm_emulator`: a SCIM 2.0 server that answers like AWS IAM Identity Center, on SQLite.
//!
//! It exists so that aws-ilm (and anyone provisioning into AWS) can be run and tested against
//! something that refuses what AWS refuses: the two-clause `eq`/`and` filter subset, one value per
//! multi-valued attribute, case-insensitive uniqueness, cursor paging, at most 100 member changes
//! per PatchGroup, members never returned by group reads, and AWS's error body with
//! `x-amzn-RequestId` on every response. Where AWS's behaviour is unknown, the choice made is
//! written down in `docs/emulator.md`.
//!
//! Layout (private modules but [`config`]): [`config`] (what the operator chooses), `server`
//! (listener, TLS, graceful stop), `conns` and `fds` (connection limits and the open-file limit
//! they must fit), `app` (the router; each route method carries its AWS operation), `state`
//! (what every handler shares), `frame` (per-request middleware: request id, auth, and per
//! operation the counters, knobs, the error body, logging), `stats` ([`Stats`]), `store`
//! (SQLite), and one module per operation under `users`, `groups` and `meta`, with PATCH
//! semantics in `patch`.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

// The public surface is what docs/interfaces.md pins: the configuration, `serve`/`spawn` and
// `Running`, the connection figures and the database schema version. Everything else is the
// server's own; the fuzz targets reach the parsers through the `fuzzing` feature.
mod app;
mod body;
mod clock;
pub mod config;
mod conns;
mod error;
mod fds;
mod frame;
mod groups;
mod ids;
mod knobs;
mod meta;
mod paging;
mod patch;
mod resource;
mod server;
mod state;
mod stats;
mod store;
mod users;

pub use config::{Config, Throttle, TlsFiles};
pub use conns::ConnStats;
pub use server::{Running, serve, spawn};
pub use stats::Stats;
/// The database schema version this build writes (`PRAGMA user_version`; docs/emulator.md).
pub use store::schema::VERSION as SCHEMA_VERSION;

/// The untrusted-input parsers, for the fuzz targets in `fuzz/` (docs/fuzzing.md): a request
/// body's bytes to JSON, JSON to a PatchOp, and a PatchOp applied to a user or a group. Every
/// refusal is an error whose `status` is a 4xx.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::body::parse as parse_body;
    pub use crate::error::ApiError;
    pub use crate::patch::group::apply as apply_to_group;
    pub use crate::patch::parse as parse_patch;
    pub use crate::patch::user::apply as apply_to_user;
}

/// Why the emulator could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot open the database: {0}")]
    Store(#[from] store::StoreError),
    #[error("network error: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS setup failed: {0}")]
    Tls(String),
}
