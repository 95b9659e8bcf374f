//! A database file as aws-ilm wrote it before schema versions (`user_version` 0): the same
//! tables, key columns holding `str::to_lowercase` of the names. Written by hand here, not by
//! the emulator, so the migration tests start from exactly what an old release left on disk.
//! Included with `#[path]` by the emulator's tests and the binary's.

use rusqlite::{Connection, params};
use serde_json::json;

/// The schema before versions, verbatim.
const V0_SCHEMA: &str = "
CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_name_ci TEXT NOT NULL UNIQUE,
    email_ci TEXT UNIQUE,
    external_id_ci TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    display_name_ci TEXT NOT NULL UNIQUE,
    external_id_ci TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE memberships (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships(user_id, group_id);
";

/// An id of AWS's form, numbered.
pub fn old_id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub struct OldDb(pub Connection);

impl OldDb {
    /// A new version-0 database at `path`.
    pub fn create(path: &std::path::Path) -> OldDb {
        let c = Connection::open(path).unwrap();
        c.execute_batch(V0_SCHEMA).unwrap();
        OldDb(c)
    }

    /// A user as the old release stored it; its email and externalId derive from `tag`.
    pub fn user(&self, id: &str, user_name: &str, tag: &str) -> &Self {
        let email = format!("{tag}@example.com");
        let external_id = format!("ext-{tag}");
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": id,
            "externalId": external_id,
            "userName": user_name,
            "name": {"givenName": "G", "familyName": "F"},
            "displayName": format!("D {tag}"),
            "active": true,
            "emails": [{"value": email, "type": "work", "primary": true}],
            "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z",
                     "lastModified": "2024-01-01T00:00:00Z"}
        });
        self.0
            .execute(
                "INSERT INTO users (id, user_name_ci, email_ci, external_id_ci, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    user_name.to_lowercase(),
                    email.to_lowercase(),
                    external_id.to_lowercase(),
                    body.to_string()
                ],
            )
            .unwrap();
        self
    }

    /// A group as the old release stored it.
    pub fn group(&self, id: &str, display_name: &str) -> &Self {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": id,
            "displayName": display_name,
            "meta": {"resourceType": "Group", "created": "2024-01-01T00:00:00Z",
                     "lastModified": "2024-01-01T00:00:00Z"}
        });
        self.0
            .execute(
                "INSERT INTO groups (id, display_name_ci, body) VALUES (?1, ?2, ?3)",
                params![id, display_name.to_lowercase(), body.to_string()],
            )
            .unwrap();
        self
    }

    pub fn member(&self, group: &str, user: &str) -> &Self {
        self.0
            .execute(
                "INSERT INTO memberships (group_id, user_id) VALUES (?1, ?2)",
                params![group, user],
            )
            .unwrap();
        self
    }
}

/// `PRAGMA user_version` of the file at `path`.
pub fn schema_version(path: &std::path::Path) -> i32 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// The stored key column `column` of row `id` in `table`.
pub fn key_of(path: &std::path::Path, table: &str, column: &str, id: &str) -> Option<String> {
    Connection::open(path)
        .unwrap()
        .query_row(
            &format!("SELECT {column} FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .unwrap()
}
