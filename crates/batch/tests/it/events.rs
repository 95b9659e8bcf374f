//! Batch input and output as the tests see them: numbered joiner profiles, event lines, the JSON
//! lines of results and journals, and the directory's users by folded name. The binary's batch
//! tests include this file too (`#[path]`), so both suites feed and read the same shapes.

use std::collections::HashMap;
use std::path::Path;

use aws_ilm_client::ScimClient;
use aws_ilm_scim::ci::fold;
use serde_json::{Value, json};

/// A joiner's profile, numbered.
pub fn profile(i: usize) -> Value {
    json!({
        "username": format!("user{i}@example.test"),
        "email": format!("user{i}@example.test"),
        "givenname": "Given",
        "surname": format!("Sur{i}"),
        "displayname": format!("User {i}"),
    })
}

/// One JSON-lines event.
pub fn event(command: &str, args: Value) -> String {
    json!({"command": command, "args": args}).to_string() + "\n"
}

/// `n` create events, one JSON line each.
pub fn creates(n: usize) -> String {
    (0..n)
        .map(|i| event("iam-create-user", json!({"user-profile": profile(i)})))
        .collect()
}

/// All users, by case-folded userName.
pub async fn users_of(client: &ScimClient) -> HashMap<String, Value> {
    client
        .list_users(None)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (fold(u["userName"].as_str().unwrap()), u))
        .collect()
}

/// Every line of `text` as JSON; a line that is not fails the test.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

/// The records of a finished journal (its header skipped).
pub fn journal_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    json_lines(text.split_once('\n').map_or("", |(_, rest)| rest))
}

/// The line numbers of a journal's records, in the order they were written.
pub fn journal_lines(path: &Path) -> Vec<u64> {
    journal_records(path)
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect()
}
