//! What `GET /_emulator/stats` reports, as a type: the one definition of that document, which
//! the route serialises and every test crate reads (through [`crate::Running::stats`], or by
//! deserialising the route's answer).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::conns::ConnStats;
use crate::state::AppState;

/// Requests per AWS operation since start (or the last reset), and the connection figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Every request that reached an operation, including ones answered 4xx/429/500.
    pub total: u64,
    /// By AWS operation name (`CreateUser`, `ListGroups`, …), every operation present.
    pub operations: BTreeMap<String, u64>,
    pub connections: ConnStats,
}

impl Stats {
    pub(crate) fn of(app: &AppState) -> Stats {
        let operations = app.counters.by_name();
        Stats {
            total: operations.values().sum(),
            operations,
            connections: app.conns.stats(),
        }
    }

    /// The count of the operation named `operation` (0 for a name that is none).
    pub fn count(&self, operation: &str) -> u64 {
        self.operations.get(operation).copied().unwrap_or(0)
    }
}
