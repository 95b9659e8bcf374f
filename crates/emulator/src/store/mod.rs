//! Durable storage on SQLite.
//!
//! Resources are stored as their JSON representation next to case-folded key columns with UNIQUE
//! indexes, so that AWS's case-insensitive uniqueness (userName, email, externalId, group
//! displayName; docs/emulator.md, "Bodies") holds under concurrency: of fifty simultaneous creates
//! of one userName, the database lets exactly one commit. GETs return the stored JSON without
//! re-serialising it.
//!
//! Durability: WAL with `synchronous=NORMAL`. A committed transaction is in the WAL file (in the
//! OS page cache) before the commit returns, so it survives a `kill -9` of the process; only a
//! power loss can lose the last commits. Every write is one `BEGIN IMMEDIATE` transaction on the
//! single writer connection, which also serialises writes. Reads use a small pool of read-only
//! connections and run inline: an indexed lookup takes microseconds, less than handing it to
//! another thread would cost. An in-memory store has one connection for both.
//!
//! Every connection runs with SQLite's query-planner stability guarantee (QPSG) on. Without it,
//! a statement whose `LIMIT ?` is bound to a new value is re-compiled on its next step (SQLite
//! lets the planner look at bound LIMITs), which made each cached list statement cost a full
//! parse and plan: 40% of a filtered GET's CPU. The plans here are index lookups whatever the
//! values, so nothing is lost.

mod file;
pub mod groups;
pub mod schema;
pub mod users;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

/// Read connections of a file-backed store.
const READERS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A UNIQUE index refused the write: AWS's 409.
    #[error("duplicate resource")]
    Conflict,
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    #[error("a store lock was poisoned by an earlier panic")]
    Poisoned,
    #[error("the store task failed: {0}")]
    Task(String),
    /// The database cannot be used as it is (a newer schema, a failed migration).
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error("cannot create the database file {0}")]
    File(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        // Only UNIQUE and PRIMARY KEY violations are AWS's 409; a foreign key or NOT NULL
        // failure is a bug here and must not pass for a duplicate.
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
            {
                StoreError::Conflict
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub struct Store {
    writer: Arc<Mutex<Connection>>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("readers", &self.readers.len())
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or a private in-memory one for
    /// `:memory:`.
    pub fn open(path: &str) -> Result<Store, StoreError> {
        let memory = path == ":memory:";
        let mut writer = if memory {
            Connection::open_in_memory()?
        } else {
            // Created owner-only before SQLite sees it (store/file.rs). `path` is a file name,
            // never a `file:` URI, so that it names the file just created.
            file::prepare(path)?;
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?
        };
        writer.busy_timeout(std::time::Duration::from_secs(10))?;
        stable_plans(&writer)?;
        let mode: String = writer.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !memory && !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Task(format!(
                "the database refused WAL mode (journal_mode={mode})"
            )));
        }
        writer.execute_batch(
            "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
        )?;
        schema::prepare(&mut writer)?;
        writer.set_prepared_statement_cache_capacity(64);
        let mut readers = Vec::new();
        if !memory {
            for _ in 0..READERS {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                stable_plans(&c)?;
                // 8 MiB of page cache per reader (SQLite's default is 2 MiB) keeps the key
                // indexes of 100,000 users resident, so a lookup costs one leaf-page read.
                c.execute_batch("PRAGMA cache_size=-8192; PRAGMA query_only=ON;")?;
                c.set_prepared_statement_cache_capacity(64);
                readers.push(Mutex::new(c));
            }
        }
        Ok(Store {
            writer: Arc::new(Mutex::new(writer)),
            readers,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs a read on a pooled connection, inline.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let guard = if self.readers.is_empty() {
            lock(&self.writer)?
        } else {
            let n = self.readers.len();
            let start = self.next.fetch_add(1, Ordering::Relaxed);
            // Take the first free connection; if all are busy, wait on the one whose turn it is.
            let free = (0..n).find_map(|i| self.readers[(start + i) % n].try_lock().ok());
            match free {
                Some(g) => g,
                None => lock(&self.readers[start % n])?,
            }
        };
        f(&guard)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer connection, off the async
    /// threads. An `Err` from `f` rolls everything back.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let writer = Arc::clone(&self.writer);
        let job = tokio::task::spawn_blocking(move || {
            let mut conn = lock(&writer)?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let out = f(&tx)?;
            tx.commit().map_err(StoreError::from)?;
            Ok(out)
        });
        match job.await {
            Ok(r) => r,
            Err(e) => Err(StoreError::Task(e.to_string()).into()),
        }
    }
}

/// QPSG: a prepared statement keeps its plan whatever is bound to it (see the module doc).
fn stable_plans(c: &Connection) -> Result<(), StoreError> {
    c.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

fn lock(m: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>, StoreError> {
    m.lock().map_err(|_| StoreError::Poisoned)
}

/// One page of rows in storage order: `(seq, body)`.
pub type Rows = Vec<(i64, String)>;

pub(crate) fn collect_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Rows, StoreError> {
    let rows = stmt.query_map(params, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_ilm_scim::UserQuery;
    use rusqlite::StatementStatus;

    /// A cached list statement is compiled once, whatever the page size and cursor bound to it
    /// (QPSG; without it every new `LIMIT` value re-compiles the statement).
    #[tokio::test]
    async fn list_statements_are_not_recompiled_per_request() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = Store::open(path.to_str().unwrap()).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO users (id, user_name_ci, body) VALUES ('u1', 'ada', '{}')",
                    [],
                )
                .map_err(StoreError::from)
            })
            .await
            .unwrap();
        let q = UserQuery::UserName("ADA".into());
        for conn in 0..2 * READERS {
            let reprepared = store
                .read(|c| {
                    for (after, limit) in [(0, 101), (0, 2), (5, 100), (0, 1)] {
                        let rows = users::list(c, Some(&q), after, limit)?;
                        assert_eq!(rows.len(), usize::from(after == 0), "{after} {limit}");
                    }
                    let stmt = c.prepare_cached(users::LIST_BY_USER_NAME)?;
                    Ok::<_, StoreError>(stmt.get_status(StatementStatus::RePrepare))
                })
                .unwrap();
            assert_eq!(reprepared, 0, "reader pass {conn}");
        }
    }
}
