//! The groups and memberships tables. Group displayName and externalId are unique
//! case-insensitively (AWS: `Duplicate GroupDisplayName`); memberships are indexed both ways so
//! that "members of G" and "groups of U" are both index scans.

use aws_ilm_scim::ci::fold;
use aws_ilm_scim::{Group, GroupQuery};
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::Key;
use super::{Rows, StoreError, collect_rows};

/// The folded key columns, in the order of [`key_sources`] and [`keys_of`].
pub(crate) const KEYS: &[Key] = &[
    Key::required("display_name_ci", "displayName"),
    Key::optional("external_id_ci", "externalId"),
];

/// The values the key columns are folded from, in [`KEYS`] order.
pub(crate) fn key_sources(g: &Group) -> [Option<&str>; 2] {
    [g.display_name.as_deref(), g.external_id.as_deref()]
}

/// The key column values of `g`, in [`KEYS`] order: the folds of [`key_sources`].
pub(crate) fn keys_of(g: &Group) -> [Option<String>; 2] {
    let [display_name, external_id] = key_sources(g).map(|k| k.map(fold));
    [Some(display_name.unwrap_or_default()), external_id]
}

#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: String,
    pub display_name_ci: String,
    pub external_id_ci: Option<String>,
    pub body: String,
}

impl GroupRow {
    /// The row for a group as stored: `members` is never part of the body (AWS never returns
    /// it); memberships live in their own table.
    pub fn from_group(g: &Group) -> Result<GroupRow, StoreError> {
        let mut g = g.clone();
        g.members = None;
        let body = serde_json::to_string(&g).map_err(|e| StoreError::Task(e.to_string()))?;
        let [display_name, external_id] = keys_of(&g);
        Ok(GroupRow {
            id: g.id.clone().unwrap_or_default(),
            display_name_ci: display_name.unwrap_or_default(),
            external_id_ci: external_id,
            body,
        })
    }
}

pub fn insert(c: &Connection, row: &GroupRow) -> Result<(), StoreError> {
    execute_row(
        c,
        "INSERT INTO groups (id, display_name_ci, external_id_ci, body) VALUES (?1, ?2, ?3, ?4)",
        row,
    )?;
    Ok(())
}

pub fn update(c: &Connection, row: &GroupRow) -> Result<bool, StoreError> {
    let n = execute_row(
        c,
        "UPDATE groups SET display_name_ci = ?2, external_id_ci = ?3, body = ?4 WHERE id = ?1",
        row,
    )?;
    Ok(n == 1)
}

/// Runs `sql` with the row bound as `?1` id, `?2` display_name_ci, `?3` external_id_ci, `?4`
/// body: one binding order for every statement that writes a whole row. Returns the rows changed.
fn execute_row(c: &Connection, sql: &str, row: &GroupRow) -> Result<usize, StoreError> {
    Ok(c.prepare_cached(sql)?.execute(params![
        row.id,
        row.display_name_ci,
        row.external_id_ci,
        row.body
    ])?)
}

pub fn get(c: &Connection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(c.prepare_cached("SELECT body FROM groups WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Deletes the group and its memberships (ON DELETE CASCADE).
pub fn delete(c: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(c.prepare_cached("DELETE FROM groups WHERE id = ?1")?
        .execute([id])?
        == 1)
}

/// Adds a membership; adding an existing one is a no-op.
pub fn add_member(c: &Connection, group_id: &str, user_id: &str) -> Result<(), StoreError> {
    c.prepare_cached("INSERT OR IGNORE INTO memberships (group_id, user_id) VALUES (?1, ?2)")?
        .execute([group_id, user_id])?;
    Ok(())
}

/// Removes a membership; removing a non-member is a no-op.
pub fn remove_member(c: &Connection, group_id: &str, user_id: &str) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2")?
        .execute([group_id, user_id])?;
    Ok(())
}

/// The list statements, as for users: `?1` after, `?2` page size, `?3` (and `?4`) the keys.
const LIST_ALL: &str = "SELECT seq, body FROM groups WHERE seq > ?1 ORDER BY seq LIMIT ?2";
const LIST_BY_DISPLAY_NAME: &str =
    "SELECT seq, body FROM groups WHERE seq > ?1 AND display_name_ci = ?3 ORDER BY seq LIMIT ?2";
const LIST_BY_EXTERNAL_ID: &str =
    "SELECT seq, body FROM groups WHERE seq > ?1 AND external_id_ci = ?3 ORDER BY seq LIMIT ?2";
const LIST_BY_MEMBER: &str = "SELECT g.seq, g.body FROM memberships m JOIN groups g ON g.id = m.group_id \
     WHERE m.user_id = ?3 AND g.seq > ?1 ORDER BY g.seq LIMIT ?2";
const LIST_BY_ID_AND_MEMBER: &str = "SELECT g.seq, g.body FROM groups g JOIN memberships m ON m.group_id = g.id \
     WHERE g.id = ?3 AND m.user_id = ?4 AND g.seq > ?1 ORDER BY g.seq LIMIT ?2";

/// Up to `limit` groups after `after` in storage order, matching the query.
pub fn list(
    c: &Connection,
    q: Option<&GroupQuery>,
    after: i64,
    limit: i64,
) -> Result<Rows, StoreError> {
    match q {
        None => collect_rows(&mut c.prepare_cached(LIST_ALL)?, params![after, limit]),
        Some(GroupQuery::DisplayName(v)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_DISPLAY_NAME)?,
            params![after, limit, fold(v)],
        ),
        Some(GroupQuery::ExternalId(v)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_EXTERNAL_ID)?,
            params![after, limit, fold(v)],
        ),
        Some(GroupQuery::MembersValue(u)) => collect_rows(
            &mut c.prepare_cached(LIST_BY_MEMBER)?,
            params![after, limit, u],
        ),
        Some(GroupQuery::IdAndMembers { id, member }) => collect_rows(
            &mut c.prepare_cached(LIST_BY_ID_AND_MEMBER)?,
            params![after, limit, id, member],
        ),
    }
}
