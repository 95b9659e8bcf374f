//! `aws-ilm serve` on a database written before schema versions (docs/emulator.md, "Schema
//! versions"): migrated at start when its names stay distinct under full case folding; refused,
//! unchanged, with one `error:` line that says what to do when two of them become one.

use crate::harness::Cmd;
use crate::server::Serve;

#[allow(dead_code)]
#[path = "../../crates/emulator/tests/common/old_db.rs"]
mod old_db;
use old_db::{OldDb, old_id, schema_version};

const TOKEN: &str = "migrate-test-token-0123456789";

#[test]
fn serve_migrates_an_old_database_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    OldDb::create(&path).user(&old_id(1), "straße", "one");
    let db = path.to_str().expect("utf-8 path");
    let mut server = Serve::new(db).token(TOKEN).start();
    let (status, body) = server
        .scim
        .request("GET", "/Users?filter=userName%20eq%20%22STRASSE%22", "")
        .expect("the server answers");
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(list["totalResults"], 1, "{list}");
    server.kill();
    assert_eq!(schema_version(&path), aws_ilm_emulator::SCHEMA_VERSION);
}

#[tokio::test]
async fn serve_refuses_an_old_database_whose_names_collide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("collide.db");
    let (u1, u2) = (old_id(1), old_id(2));
    OldDb::create(&path)
        .user(&u1, "straße", "one")
        .user(&u2, "STRASSE", "two");
    let out = Cmd::scrubbed(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--token", TOKEN, "--db"])
        .arg1(path.to_str().expect("utf-8 path"))
        .run()
        .await;
    out.code(3)
        .stderr_has("error: cannot open the database: ")
        .stderr_has(&format!("'straße' (id {u1}) and 'STRASSE' (id {u2})"))
        .stderr_has("Nothing was changed: rename or delete one of each pair");
    // Besides the error, only the warning that the old file (0644) is readable by others.
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.is_empty() && !l.contains("readable or writable by other users"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", out.describe());
    assert_eq!(schema_version(&path), 0, "the database is left as it was");
}
