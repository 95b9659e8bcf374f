//! The database schema, its version, and bringing a database written by an older aws-ilm up to
//! date (docs/emulator.md, "Schema versions").
//!
//! The version lives in SQLite's `PRAGMA user_version`, in the file's header:
//!
//! - 0 (never set): the key columns hold `str::to_lowercase` of the names, which kept `straße`
//!   and `STRASSE`, or `οδος` and `οδοσ`, apart.
//! - 1: the key columns hold [`aws_ilm_scim::ci::fold`] of the names.
//!
//! Whatever changes what a key column holds (a new fold, a new Unicode version in it) bumps
//! [`VERSION`]; the migration recomputes every key from the stored JSON bodies, through the same
//! `keys_of` functions a write uses, so it serves each such change unchanged, and rewrites the
//! rows whose keys change (with ASCII names, most keep theirs). Names
//! that the old keys kept apart may be one name under the new ones: then nothing is changed
//! and the store refuses to open, naming each pair, since picking a winner would lose a user.
//! Everything happens in one `BEGIN IMMEDIATE` transaction: a crash half-way leaves the old
//! database as it was.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use aws_ilm_scim::{Group, User};
use rusqlite::{Connection, Transaction, TransactionBehavior, params_from_iter};

use super::StoreError;
use super::groups;
use super::users;
use crate::error::printable;

/// The schema version this build writes and reads.
pub const VERSION: i32 = 1;

/// At most this many colliding pairs are spelled out in the refusal; the rest are counted.
const LISTED_COLLISIONS: usize = 10;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_name_ci TEXT NOT NULL UNIQUE,
    email_ci TEXT UNIQUE,
    external_id_ci TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name_ci TEXT NOT NULL UNIQUE,
    external_id_ci TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships(user_id, group_id);
";

/// A folded key column and the attribute it is folded from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key {
    pub column: &'static str,
    pub attribute: &'static str,
    /// NOT NULL in the schema.
    pub required: bool,
}

impl Key {
    pub(crate) const fn required(column: &'static str, attribute: &'static str) -> Key {
        Key {
            column,
            attribute,
            required: true,
        }
    }

    pub(crate) const fn optional(column: &'static str, attribute: &'static str) -> Key {
        Key {
            column,
            attribute,
            required: false,
        }
    }
}

/// Why a database cannot be used as it is. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database was written by a newer aws-ilm (schema version {found}; this one knows \
         versions up to {supported}): run that newer aws-ilm on it, or start with a new --db file"
    )]
    Newer { found: i32, supported: i32 },
    #[error(
        "row '{}' of table {table} cannot be read ({why}): the database is damaged or was not \
         written by aws-ilm; start with a new --db file", printable(.id)
    )]
    Unreadable {
        table: &'static str,
        id: String,
        why: String,
    },
    #[error("{}", CollisionReport(.0))]
    Collisions(Vec<Collision>),
}

/// Two rows whose names the old keys kept apart and the current fold makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub table: &'static str,
    pub attribute: &'static str,
    /// `(id, value as stored)` of each row.
    pub first: (String, String),
    pub second: (String, String),
}

struct CollisionReport<'a>(&'a [Collision]);

impl fmt::Display for CollisionReport<'_> {
    /// One line, like every error the binary prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the database was written by an older aws-ilm that matched names by lower-casing; \
             under full Unicode case folding (docs/emulator.md) {} pair(s) of its names are one \
             name: ",
            self.0.len()
        )?;
        for (i, c) in self.0.iter().take(LISTED_COLLISIONS).enumerate() {
            write!(
                f,
                "{}{} {} '{}' (id {}) and '{}' (id {})",
                if i == 0 { "" } else { "; " },
                c.table,
                c.attribute,
                printable(&c.first.1),
                printable(&c.first.0),
                printable(&c.second.1),
                printable(&c.second.0),
            )?;
        }
        if self.0.len() > LISTED_COLLISIONS {
            write!(f, "; and {} more", self.0.len() - LISTED_COLLISIONS)?;
        }
        write!(
            f,
            ". Nothing was changed: rename or delete one of each pair with the aws-ilm version \
             that wrote this database, then start again, or start with a new --db file"
        )
    }
}

/// Creates the schema in a new database, or brings an older one up to [`VERSION`]; refuses a
/// newer one. One transaction.
pub(crate) fn prepare(c: &mut Connection) -> Result<(), StoreError> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(SchemaError::Newer {
            found,
            supported: VERSION,
        }
        .into());
    }
    let existed: bool = tx.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'groups')",
        [],
        |r| r.get(0),
    )?;
    tx.execute_batch(SCHEMA)?;
    if existed && found < VERSION {
        rekey(&tx)?;
    }
    if found != VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

/// Recomputes every key column from the bodies; refuses, changing nothing, when two rows
/// collide.
fn rekey(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut collisions = Vec::new();
    let user_rows = plan(tx, "users", users::KEYS, &mut collisions, |body| {
        let u: User = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let raw = users::key_sources(&u).map(|s| s.map(str::to_owned));
        Ok(raw.into_iter().zip(users::keys_of(&u)).collect())
    })?;
    let group_rows = plan(tx, "groups", groups::KEYS, &mut collisions, |body| {
        let g: Group = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let raw = groups::key_sources(&g).map(|s| s.map(str::to_owned));
        Ok(raw.into_iter().zip(groups::keys_of(&g)).collect())
    })?;
    if !collisions.is_empty() {
        return Err(SchemaError::Collisions(collisions).into());
    }
    apply(tx, "users", users::KEYS, &user_rows)?;
    apply(tx, "groups", groups::KEYS, &group_rows)?;
    Ok(())
}

/// `(value as stored, new key)` per key column of one row.
type Derived = Vec<(Option<String>, Option<String>)>;

/// `(id, new keys)` of the rows whose keys change.
type Changed = Vec<(String, Vec<Option<String>>)>;

/// The rows of `table` whose keys change, with their new keys; pairs of rows that would
/// collide go to `collisions`.
fn plan(
    tx: &Transaction<'_>,
    table: &'static str,
    keys: &'static [Key],
    collisions: &mut Vec<Collision>,
    derive: impl Fn(&str) -> Result<Derived, String>,
) -> Result<Changed, StoreError> {
    let mut seen: Vec<HashMap<String, (String, String)>> = vec![HashMap::new(); keys.len()];
    let mut changed = Vec::new();
    let columns: Vec<&str> = keys.iter().map(|k| k.column).collect();
    let mut stmt = tx.prepare(&format!(
        "SELECT id, body, {} FROM {table} ORDER BY seq",
        columns.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let body: String = r.get(1)?;
        let derived = derive(&body).map_err(|why| SchemaError::Unreadable {
            table,
            id: id.clone(),
            why,
        })?;
        let mut new_keys = Vec::with_capacity(keys.len());
        let mut differs = false;
        for (i, ((key, (raw, folded)), seen)) in keys.iter().zip(derived).zip(&mut seen).enumerate()
        {
            differs |= r.get::<_, Option<String>>(i + 2)? != folded;
            if let Some(k) = &folded {
                match seen.entry(k.clone()) {
                    Entry::Occupied(first) => collisions.push(Collision {
                        table,
                        attribute: key.attribute,
                        first: first.get().clone(),
                        second: (id.clone(), raw.unwrap_or_default()),
                    }),
                    Entry::Vacant(v) => {
                        v.insert((id.clone(), raw.unwrap_or_default()));
                    }
                }
            }
            new_keys.push(folded);
        }
        if differs {
            changed.push((id, new_keys));
        }
    }
    Ok(changed)
}

/// Writes the new keys of the changed rows. Their old keys are cleared first (a required
/// column gets a placeholder no name can fold to: U+0001 and the row's id), so that a key
/// moving from one row to another cannot trip a UNIQUE index half-way; the rows left alone
/// already hold their new keys, which [`plan`] found distinct from every other.
fn apply(
    tx: &Transaction<'_>,
    table: &str,
    keys: &[Key],
    rows: &[(String, Vec<Option<String>>)],
) -> Result<(), StoreError> {
    let clear: Vec<String> = keys
        .iter()
        .map(|k| match k.required {
            true => format!("{} = char(1) || id", k.column),
            false => format!("{} = NULL", k.column),
        })
        .collect();
    let mut clear = tx.prepare(&format!(
        "UPDATE {table} SET {} WHERE id = ?1",
        clear.join(", ")
    ))?;
    for (id, _) in rows {
        clear.execute([id])?;
    }
    let set: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} = ?{}", k.column, i + 2))
        .collect();
    let mut set = tx.prepare(&format!(
        "UPDATE {table} SET {} WHERE id = ?1",
        set.join(", ")
    ))?;
    for (id, new_keys) in rows {
        set.execute(params_from_iter(
            std::iter::once(Some(id.as_str())).chain(new_keys.iter().map(Option::as_deref)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(i: usize, value: &str) -> Collision {
        Collision {
            table: "users",
            attribute: "userName",
            first: (format!("a{i}"), value.to_owned()),
            second: (format!("b{i}"), value.to_uppercase()),
        }
    }

    #[test]
    fn a_long_report_lists_ten_pairs_and_counts_the_rest() {
        let msg = SchemaError::Collisions((0..13).map(|i| pair(i, "x")).collect()).to_string();
        assert!(msg.contains("13 pair(s)"), "{msg}");
        assert_eq!(msg.matches("(id a").count(), LISTED_COLLISIONS, "{msg}");
        assert!(msg.contains("; and 3 more. Nothing was changed"), "{msg}");
    }

    /// Names come from a file: terminal controls in them are shown escaped, on one line.
    #[test]
    fn names_in_the_report_are_escaped() {
        let msg = SchemaError::Collisions(vec![pair(0, "evil\u{1b}]0;title\u{7}\nx")]).to_string();
        assert!(!msg.chars().any(char::is_control), "{msg:?}");
        assert!(msg.contains("evil\\u{1b}]0;title\\u{7}\\nx"), "{msg}");
    }
}
