//! What the `aws-ilm plan` / `aws-ilm apply` process tests share: sources, the commands, and the
//! directory's users, groups and write counts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use aws_ilm_scim::ci::fold;
use aws_ilm_scim::filter::UserQuery;
use serde_json::Value;

use crate::harness::{Cmd, Env, s};

pub const HEADER: &str = "username,employeeid,email,givenname,surname,displayname,groups\n";

/// Row `i` of a people CSV: `u{i}@in.test`, employee id `E{i}`, in `groups` (`;`-separated).
pub fn row(i: usize, groups: &str) -> String {
    format!("u{i}@in.test,E{i},u{i}@in.test,Given,Sur{i},User {i},{groups}\n")
}

/// A people CSV of the rows `range`, each in `groups`.
pub fn people(range: impl IntoIterator<Item = usize>, groups: &str) -> String {
    let mut csv = HEADER.to_owned();
    for i in range {
        csv += &row(i, groups);
    }
    csv
}

/// `aws-ilm plan --from SOURCE --max-rps 0`, more flags to add.
pub fn plan(env: &Env, source: &Path) -> Cmd {
    env.cmd()
        .args(["plan", "--from", &s(source), "--max-rps", "0"])
}

/// `aws-ilm apply --from SOURCE --auto-approve --max-rps 0 --no-progress`.
pub fn apply_from(env: &Env, source: &Path) -> Cmd {
    env.cmd().args([
        "apply",
        "--from",
        &s(source),
        "--auto-approve",
        "--max-rps",
        "0",
        "--no-progress",
    ])
}

/// `aws-ilm apply PLAN --max-rps 0 --no-progress`.
pub fn apply_plan(env: &Env, plan: &Path) -> Cmd {
    env.cmd()
        .args(["apply", &s(plan), "--max-rps", "0", "--no-progress"])
}

/// Writes `text` as `name` in the test's folder and applies it, which must succeed.
pub async fn load(env: &Env, name: &str, text: &str) {
    let source = env.write(name, text);
    let out = apply_from(env, &source).run().await;
    out.code(0).stderr_has(" failed, 0 invalid");
}

/// All users, by folded userName.
pub async fn users(env: &Env) -> HashMap<String, Value> {
    crate::batch_support::users_of(&env.client()).await
}

/// All groups, by displayName: its id and its members' userNames (folded, sorted).
pub async fn groups(env: &Env) -> BTreeMap<String, (String, BTreeSet<String>)> {
    let c = env.client();
    let mut out = BTreeMap::new();
    for g in c.list_groups(None).await.unwrap() {
        let id = g["id"].as_str().unwrap().to_owned();
        let members = c
            .list_users(Some(&UserQuery::GroupsValue(id.clone())))
            .await
            .unwrap()
            .iter()
            .map(|u| fold(u["userName"].as_str().unwrap()))
            .collect();
        out.insert(g["displayName"].as_str().unwrap().to_owned(), (id, members));
    }
    out
}

/// Write requests the emulator answered since its stats were last reset.
pub async fn writes(env: &Env) -> u64 {
    let stats = env.stats().await;
    [
        "CreateUser",
        "PutUser",
        "PatchUser",
        "DeleteUser",
        "CreateGroup",
        "PatchGroup",
        "DeleteGroup",
    ]
    .iter()
    .map(|op| stats["operations"][op].as_u64().unwrap_or(0))
    .sum()
}

/// The stderr line that starts with `prefix`.
#[track_caller]
pub fn line_of<'a>(stderr: &'a str, prefix: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{stderr}"))
}
