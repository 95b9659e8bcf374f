//! Source problems (docs/reconcile.md, "Safety rails"): each is reported on its own line with
//! where it is, the run ends with exit 2 and one `error:` line, and no plan is made (nothing
//! read beyond what the check needs, nothing written).

use crate::harness::Env;
use crate::reconcile_support::{HEADER, line_of, load, people, plan, row, writes};

/// Plans `text` as `name` and checks the problem line (`where` and `what` in it) and the error
/// line; nothing is written.
async fn refused(env: &Env, name: &str, text: &str, at: &str, what: &str) {
    env.reset_stats().await;
    let source = env.write(name, text);
    let out = plan(env, &source).run().await;
    out.code(2);
    let problem = line_of(&out.stderr, &format!("problem: {at}"));
    assert!(problem.contains(what), "{problem:?}\n{}", out.describe());
    line_of(
        &out.stderr,
        "error: the source has 1 problem; no plan was made",
    );
    assert!(out.stdout.is_empty(), "{}", out.describe());
    assert_eq!(writes(env).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_source_problem_is_reported_with_its_place_and_exit_2() {
    let env = Env::start().await;
    // Duplicate userName once case is folded.
    let dup = people(0..2, "") + &row(1, "").replace("u1@in.test,E1", "U1@IN.TEST,E9");
    refused(&env, "dup.csv", &dup, "line 4", "duplicate userName").await;
    // Duplicate externalId.
    let dup_ext = people(0..2, "") + &row(5, "").replace("E5", "E1");
    refused(&env, "ext.csv", &dup_ext, "line 4", "duplicate externalId").await;
    // A member naming a user the source does not have.
    let doc = r#"{"users": [{"username": "a@in.test", "email": "a@in.test", "givenname": "A",
        "surname": "A", "displayname": "A"}],
        "groups": [{"displayName": "Eng", "members": ["a@in.test", "nobody@in.test"]}]}"#;
    refused(
        &env,
        "unknown.json",
        doc,
        "groups[0].members[1]",
        "nobody@in.test",
    )
    .await;
    // A field AWS requires, missing.
    let missing = people(0..2, "") + "u9@in.test,E9,u9@in.test,Given,,User 9,\n";
    refused(&env, "missing.csv", &missing, "line 4", "name.familyName").await;
    // A malformed line.
    let malformed = people(0..2, "") + "u9@in.test,E9\n";
    refused(&env, "short.csv", &malformed, "line 4", "fields").await;
}

/// A source user whose externalId is one AWS user and whose userName is another cannot be
/// matched without guessing: a problem, found against AWS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_conflict_with_aws_is_a_problem() {
    let env = Env::start().await;
    load(&env, "setup.csv", &people(0..2, "")).await;
    let conflict = format!(
        "{HEADER}{}",
        row(0, "").replace("u0@in.test,E0,u0@in.test", "u1@in.test,E0,u1@in.test")
    );
    refused(
        &env,
        "conflict.csv",
        &conflict,
        "line 2",
        "another AWS user",
    )
    .await;
}
