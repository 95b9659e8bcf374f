//! The HTTP side of aws-ilm: a SCIM 2.0 client for AWS IAM Identity Center
//! (`{base_url}/{tenant_id}/scim/v2`); docs/client.md and docs/commands.md, "Qualities every
//! command keeps".
//!
//! It owns everything the lifecycle engine must not care about: bearer auth with a token that
//! cannot leak ([`SecretToken`]), TLS (with an explicit `insecure` switch), proxy or no proxy,
//! timeouts, retries with backoff that honour `Retry-After` ([`retry`]), POSTs that are never
//! blindly repeated ([`create`]), cursor paging ([`paging`]) and errors that carry the AWS request
//! id ([`ClientError`]). Resources travel as `serde_json::Value` so that attributes this crate does
//! not model still round-trip; the wire types of `aws_ilm_scim` shape queries and patches.
//!
//! One [`ScimClient`] holds one connection pool; clones share it (and its [`ClientStats`]).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod config;
pub mod create;
mod endpoint;
pub mod error;
mod groups;
pub mod paging;
mod reply;
mod resource;
pub mod retry;
mod transport;
mod users;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::Value;

pub use aws_ilm_scim::secret::{self, SecretToken};
pub use aws_ilm_scim::{GroupQuery, Op, PatchOp, PatchOperation, UserQuery};
pub use config::{ClientConfig, OnAttempt, OnThrottle, OnWrite, RetryPolicy, WriteEvent};
pub use endpoint::{BaseUrl, Endpoint, EndpointError};
pub use error::ClientError;
pub use paging::Pages;

use transport::Inner;

/// A SCIM client for one tenant. Cheap to clone: clones share the connection pool and stats.
#[derive(Clone)]
pub struct ScimClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimClient")
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

/// Status line facts of an answer that has no body worth returning (PatchGroup, DeleteGroup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInfo {
    pub status: u16,
    /// `x-amzn-RequestId`.
    pub request_id: Option<String>,
    /// The `Date` header, as sent.
    pub date: Option<String>,
}

/// Counters since the client was created, shared by all clones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientStats {
    /// HTTP attempts sent (each retry counts).
    pub requests: u64,
    /// Attempts that were retries of an earlier one.
    pub retries: u64,
    /// 429 answers received.
    pub throttled: u64,
}

impl ScimClient {
    /// Validates the configuration and builds the connection pool. Makes no request.
    pub fn new(config: ClientConfig) -> Result<ScimClient, ClientError> {
        Ok(ScimClient {
            inner: Arc::new(Inner::new(config)?),
        })
    }

    /// Where requests go. Its base URL is normalised (`scheme://host[:port][/prefix]`, the
    /// console's `/<tenant>/scim/v2` suffix cut): two spellings of one server give the same
    /// text, which the batch journal records (docs/batch.md).
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    pub fn stats(&self) -> ClientStats {
        let s = &self.inner.stats;
        ClientStats {
            requests: s.requests.load(Ordering::Relaxed),
            retries: s.retries.load(Ordering::Relaxed),
            throttled: s.throttled.load(Ordering::Relaxed),
        }
    }

    /// `GET /ServiceProviderConfig`: the cheapest authenticated call, used by `test-module`.
    pub async fn service_provider_config(&self) -> Result<Value, ClientError> {
        self.inner.get_json(&["ServiceProviderConfig"]).await
    }

    /// `GET /ServiceProviderConfig` once, without retries, for a check that reports each step
    /// (`aws-ilm doctor`): the answer's status line facts (its `Date` included) whatever the
    /// status, with the error an error status stands for. `Err` only when no answer came
    /// (connect, TLS, timeout).
    pub async fn probe(&self) -> Result<(ResponseInfo, Option<ClientError>), ClientError> {
        let url = self.inner.endpoint.url(&["ServiceProviderConfig"])?;
        let call = transport::Call::new(reqwest::Method::GET, url);
        let reply = self.inner.send_once(&call, 1).await.map_err(|t| t.error)?;
        let info = reply.info();
        let error = (!reply.is_success()).then(|| reply.into_error());
        Ok((info, error))
    }
}
