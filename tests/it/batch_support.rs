//! What the `aws-ilm batch` process tests share: input, the directory's users, and the JSON
//! lines of results files and journals.

use std::collections::HashMap;
use std::path::Path;

use aws_ilm_scim::ci::fold;
use serde_json::{Value, json};

use crate::harness::Env;

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

/// `n` create events, one JSON line each.
pub fn creates(n: usize) -> String {
    (0..n)
        .map(|i| {
            json!({"command": "iam-create-user", "args": {"user-profile": profile(i)}}).to_string()
                + "\n"
        })
        .collect()
}

/// All users, by case-folded userName.
pub async fn users(env: &Env) -> HashMap<String, Value> {
    env.client()
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

/// Their line numbers, sorted.
pub fn journaled_lines(path: &Path) -> Vec<u64> {
    let mut lines: Vec<u64> = journal_records(path)
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    lines
}
