//! A database written before schema versions is migrated at start (keys re-folded, version
//! recorded) or, when two of its names are one name under the new folding, refused unchanged
//! with a message that says what to do (docs/emulator.md, "Schema versions").

use aws_ilm_emulator::{Config, spawn};
use serde_json::json;

use crate::support::{Emu, enc, user_body};

#[path = "../common/old_db.rs"]
mod old_db;
use old_db::{OldDb, key_of, old_id, schema_version};

fn config(path: &std::path::Path) -> Config {
    let mut cfg = Config::ephemeral();
    cfg.db = path.to_string_lossy().into_owned();
    cfg
}

async fn total(e: &Emu, resource: &str, filter: &str) -> serde_json::Value {
    let list = e
        .get(&format!("/{resource}?filter={}", enc(filter)))
        .await
        .json();
    list["totalResults"].clone()
}

#[tokio::test]
async fn old_database_is_migrated_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let (u1, u2, u3, g1) = (old_id(1), old_id(2), old_id(3), old_id(4));
    OldDb::create(&path)
        .user(&u1, "straße", "one")
        .user(&u2, "ΟΔΟΣ", "two")
        .user(&u3, "Jos\u{e9}", "three")
        .group(&g1, "Ａｄａ Team")
        .member(&g1, &u1);
    assert_eq!(schema_version(&path), 0);

    let e = Emu::with(config(&path)).await;
    // Found under spellings the old keys did not match…
    assert_eq!(total(&e, "Users", r#"userName eq "STRASSE""#).await, 1);
    assert_eq!(total(&e, "Users", r#"userName eq "οδοσ""#).await, 1);
    assert_eq!(total(&e, "Groups", r#"displayName eq "ada team""#).await, 1);
    // …and taken under them.
    for (name, tag) in [("strasse", "x1"), ("οδοσ", "x2"), ("Jose\u{301}", "x3")] {
        let mut b = user_body(tag);
        b["userName"] = json!(name);
        e.post("/Users", b).await.aws_error(409);
    }
    // Everything else is as it was.
    let got = e.get(&format!("/Users/{u1}")).await.json();
    assert_eq!(got["userName"], "straße");
    let f = enc(&format!(r#"id eq "{g1}" and members eq "{u1}""#));
    assert_eq!(
        e.get(&format!("/Groups?filter={f}")).await.json()["totalResults"],
        1
    );
    assert_eq!(e.user("new").await.len(), 36);
    e.run.stop().await;

    assert_eq!(schema_version(&path), aws_ilm_emulator::SCHEMA_VERSION);
    assert_eq!(
        key_of(&path, "users", "user_name_ci", &u1).as_deref(),
        Some("strasse")
    );
    assert_eq!(
        key_of(&path, "users", "user_name_ci", &u2).as_deref(),
        Some("οδοσ")
    );
    // A second start finds nothing to migrate and serves the same data.
    let e = Emu::with(config(&path)).await;
    assert_eq!(total(&e, "Users", r#"userName eq "STRASSE""#).await, 1);
    e.run.stop().await;
}

#[tokio::test]
async fn old_database_whose_names_collide_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("collide.db");
    let (u1, u2, g1, g2) = (old_id(1), old_id(2), old_id(3), old_id(4));
    OldDb::create(&path)
        .user(&u1, "straße", "one")
        .user(&u2, "STRASSE", "two")
        .user(&old_id(5), "unrelated", "five")
        .group(&g1, "ΟΔΟΣ")
        .group(&g2, "οδοσ");

    let err = spawn(config(&path)).await.unwrap_err().to_string();
    for needle in [
        "users userName 'straße'",
        &format!("(id {u1})"),
        "'STRASSE'",
        &format!("(id {u2})"),
        "groups displayName 'ΟΔΟΣ'",
        &format!("(id {g2})"),
        "2 pair(s)",
        "Nothing was changed",
        "rename or delete one of each pair",
        "new --db file",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
    assert!(!err.contains('\n'), "one line: {err}");
    // Not touched: still version 0, old keys.
    assert_eq!(schema_version(&path), 0);
    assert_eq!(
        key_of(&path, "users", "user_name_ci", &u1).as_deref(),
        Some("straße")
    );
    assert_eq!(
        key_of(&path, "users", "user_name_ci", &old_id(5)).as_deref(),
        Some("unrelated")
    );
}

#[tokio::test]
async fn database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    let newer = aws_ilm_emulator::SCHEMA_VERSION + 1;
    OldDb::create(&path)
        .0
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = spawn(config(&path)).await.unwrap_err().to_string();
    assert!(err.contains("newer aws-ilm"), "{err}");
    assert!(err.contains(&format!("schema version {newer}")), "{err}");
    assert_eq!(schema_version(&path), newer);
}

#[tokio::test]
async fn new_database_records_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let e = Emu::with(config(&path)).await;
    e.user("ada").await;
    e.run.stop().await;
    assert_eq!(schema_version(&path), aws_ilm_emulator::SCHEMA_VERSION);
}
