//! `aws_ilm_emulator`: a SCIM 2.0 server that answers like AWS IAM Identity Center, on SQLite.
//!
//! It exists so that aws-ilm (and anyone provisioning into AWS) can be run and tested against
//! something that refuses what AWS refuses: the two-clause `eq`/`and` filter subset, one value per
//! multi-valued attribute, case-insensitive uniqueness, cursor paging, at most 100 member changes
//! per PatchGroup, members never returned by group reads, and AWS's error body with
//! `x-amzn-RequestId` on every response. Where AWS's behaviour is unknown, the choice made is
//! written down in `docs/emulator.md`.
//!
//! Layout: [`config`] (what the operator chooses), [`server`] (listener, TLS, graceful stop),
//! [`conns`] and [`fds`] (connection limits and the open-file limit they must fit),
//! [`app`] (the router), [`frame`] (per-request middleware: request id, auth, knobs, stats, the
//! error body, logging), [`store`] (SQLite), and one module per operation under [`users`],
//! [`groups`] and [`meta`], with PATCH semantics in [`patch`].
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod app;
pub mod body;
pub mod clock;
pub mod config;
pub mod conns;
pub mod error;
pub mod fds;
pub mod frame;
pub mod groups;
pub mod ids;
pub mod knobs;
pub mod meta;
pub mod paging;
pub mod patch;
pub mod server;
pub mod store;
pub mod users;

pub use config::{Config, Throttle, TlsFiles};
pub use conns::ConnStats;
pub use server::{Running, serve, spawn};

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
