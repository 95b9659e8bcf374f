//! The users table: the JSON body plus case-folded userName, email and externalId under UNIQUE
//! indexes (AWS: all three are unique, case-insensitively).

use aws_ilm_scim::ci::fold;
use aws_ilm_scim::{User, UserQuery};
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::Key;
use super::{Rows, StoreError, collect_rows};

/// The folded key columns, in the order of [`key_sources`] and [`keys_of`].
pub(crate) const KEYS: &[Key] = &[
    Key::required("user_name_ci", "userName"),
    Key::optional("email_ci", "email"),
    Key::optional("external_id_ci", "externalId"),
];

/// The values the key columns are folded from, in [`KEYS`] order.
pub(crate) fn key_sources(u: &User) -> [Option<&str>; 3] {
    [
        u.user_name.as_deref(),
        u.primary_email(),
        u.external_id.as_deref(),
    ]
}

/// The key column values of `u`, in [`KEYS`] order: the folds of [`key_sources`] (an absent
/// userName, refused before anything is stored, would be the empty key).
pub(crate) fn keys_of(u: &User) -> [Option<String>; 3] {
    let [user_name, email, external_id] = key_sources(u).map(|k| k.map(fold));
    [Some(user_name.unwrap_or_default()), email, external_id]
}

/// A user as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub user_name_ci: String,
    pub email_ci: Option<String>,
    pub external_id_ci: Option<String>,
    pub body: String,
}

impl UserRow {
    /// Builds the row (keys folded) from a complete user that has an id.
    pub fn from_user(u: &User) -> Result<UserRow, StoreError> {
        let body = serde_json::to_string(u).map_err(|e| StoreError::Task(e.to_string()))?;
        let [user_name, email, external_id] = keys_of(u);
        Ok(UserRow {
            id: u.id.clone().unwrap_or_default(),
            user_name_ci: user_name.unwrap_or_default(),
            email_ci: email,
            external_id_ci: external_id,
            body,
        })
    }
}

pub fn insert(c: &Connection, row: &UserRow) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO users (id, user_name_ci, email_ci, external_id_ci, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![row.id, row.user_name_ci, row.email_ci, row.external_id_ci, row.body])?;
    Ok(())
}

/// Replaces the stored user; false when there is no such id.
pub fn update(c: &Connection, row: &UserRow) -> Result<bool, StoreError> {
    let n = c
        .prepare_cached(
            "UPDATE users SET user_name_ci = ?2, email_ci = ?3, external_id_ci = ?4, body = ?5 WHERE id = ?1",
        )?
        .execute(params![row.id, row.user_name_ci, row.email_ci, row.external_id_ci, row.body])?;
    Ok(n == 1)
}

pub fn get(c: &Connection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(c.prepare_cached("SELECT body FROM users WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub fn exists(c: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Deletes the user; memberships go with it (ON DELETE CASCADE).
pub fn delete(c: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM users WHERE id = ?1")?
        .execute([id])?
        == 1)
}

/// The list statements: `?1` the sequence number to continue after, `?2` the page size, `?3` the
/// key. Constants, so that the statement cache is hit without building the SQL text per call.
const LIST_ALL: &str = "SELECT seq, body FROM users WHERE seq > ?1 ORDER BY seq LIMIT ?2";
pub(crate) const LIST_BY_USER_NAME: &str =
    "SELECT seq, body FROM users WHERE seq > ?1 AND user_name_ci = ?3 ORDER BY seq LIMIT ?2";
const LIST_BY_EXTERNAL_ID: &str =
    "SELECT seq, body FROM users WHERE seq > ?1 AND external_id_ci = ?3 ORDER BY seq LIMIT ?2";
const LIST_BY_ID: &str =
    "SELECT seq, body FROM users WHERE seq > ?1 AND id = ?3 ORDER BY seq LIMIT ?2";
const LIST_BY_GROUP: &str = "SELECT u.seq, u.body FROM memberships m JOIN users u ON u.id = m.user_id \
     WHERE m.group_id = ?3 AND u.seq > ?1 ORDER BY u.seq LIMIT ?2";

/// Up to `limit` users after `after` (a `seq`) in storage order, matching the query.
pub fn list(
    c: &Connection,
    q: Option<&UserQuery>,
    after: i64,
    limit: i64,
) -> Result<Rows, StoreError> {
    match q {
        None => collect_rows(&mut c.prepare_cached(LIST_ALL)?, params![after, limit]),
        Some(UserQuery::UserName(v)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_USER_NAME)?,
            params![after, limit, fold(v)],
        ),
        Some(UserQuery::ExternalId(v)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_EXTERNAL_ID)?,
            params![after, limit, fold(v)],
        ),
        Some(UserQuery::Id(v)) => {
            collect_rows(&mut c.prepare_cached(LIST_BY_ID)?, params![after, limit, v])
        }
        Some(UserQuery::IdAndManager { id, manager }) => {
            let rows = collect_rows(
                &mut c.prepare_cached(LIST_BY_ID)?,
                params![after, limit, id],
            )?;
            Ok(rows
                .into_iter()
                .filter(|(_, body)| manager_of(body).as_deref() == Some(manager.as_str()))
                .collect())
        }
        Some(UserQuery::GroupsValue(g)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_GROUP)?,
            params![after, limit, g],
        ),
    }
}

fn manager_of(body: &str) -> Option<String> {
    let u: User = serde_json::from_str(body).ok()?;
    u.enterprise?.manager?.value
}
