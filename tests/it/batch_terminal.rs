//! Result lines as a person at a terminal sees them (docs/batch.md, "Results"): `batch` and
//! `apply` run on a real pseudo-terminal against the real emulator print one readable line per
//! event; `--output json` and `--results FILE` keep JSON lines there, as a pipe does.

use serde_json::Value;

use crate::harness::{Env, Out, s};
use crate::reconcile_support::{apply_from, people};

/// A success, an invalid line, a skip and a failure (the second create of one group).
const EVENTS: &str = r#"{"command":"iam-create-user","args":{"user-profile":{"username":"jane@example.com","email":"jane@example.com","givenname":"Jane","surname":"Doe","displayname":"Jane Doe"}}}
not json
{"command":"iam-disable-user","args":{"user-profile":{"username":"nobody@example.com"}}}
{"command":"iam-create-group","args":{"scim":{"displayName":"Eng"}}}
{"command":"iam-create-group","args":{"scim":{"displayName":"Eng"}}}
"#;

/// The lines of `out` that are JSON result lines.
fn json_lines(out: &Out) -> Vec<Value> {
    out.stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[track_caller]
fn has_line(out: &Out, start: &str) {
    assert!(
        out.stdout.lines().any(|l| l.starts_with(start)),
        "no line starting {start:?}\n{}",
        out.describe()
    );
}

#[tokio::test]
async fn batch_on_a_terminal_prints_readable_lines() {
    let env = Env::start().await;
    let input = env.write("events.jsonl", EVENTS);
    let batch = || env.cmd().args(["batch", "--no-progress", &s(&input)]);
    let Some(out) = batch().run_on_terminal().await else {
        return;
    };
    out.code(2);
    has_line(&out, "✓ 1 iam-create-user user jane@example.com (id ");
    has_line(&out, "! 2: malformed JSON");
    has_line(
        &out,
        "- 3 iam-disable-user user nobody@example.com: User does not exist",
    );
    has_line(&out, "✓ 4 iam-create-group group Eng (id ");
    has_line(
        &out,
        "✗ 5 iam-create-group group Eng: Refused to create a new, duplicate resource. (request id ",
    );
    assert!(json_lines(&out).is_empty(), "{}", out.describe());
    // No TERM in the test's environment: no colour, nor any other control character.
    assert!(
        !out.stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{}",
        out.describe()
    );
    assert!(!out.stdout.contains(env.token()), "{}", out.describe());

    // --output json asks for JSON lines on a terminal too.
    let Some(json) = batch().args(["--output", "json"]).run_on_terminal().await else {
        return;
    };
    json.code(2);
    let mut lines: Vec<u64> = json_lines(&json)
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [1, 2, 3, 4, 5], "{}", json.describe());

    // --results FILE gets JSON lines; the terminal gets none.
    let file = env.path("results.jsonl");
    let Some(to_file) = batch()
        .args(["--results", &s(&file)])
        .run_on_terminal()
        .await
    else {
        return;
    };
    to_file.code(2);
    assert!(
        !to_file.stdout.contains("iam-create-group"),
        "{}",
        to_file.describe()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    for line in text.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }

    // A pipe keeps JSON lines.
    let piped = batch().run().await;
    piped.code(2);
    assert_eq!(piped.stdout.lines().count(), 5, "{}", piped.describe());
    assert_eq!(json_lines(&piped).len(), 5, "{}", piped.describe());
}

#[tokio::test]
async fn readable_lines_are_coloured_only_where_colour_is_wanted() {
    let env = Env::start().await;
    let input = env.write("events.jsonl", "not json\n");
    let batch = || {
        env.cmd()
            .args(["batch", "--no-progress", &s(&input)])
            .env("TERM", "xterm-256color")
    };
    let Some(coloured) = batch().run_on_terminal().await else {
        return;
    };
    coloured.code(2);
    assert!(
        coloured
            .stdout
            .contains("\u{1b}[1m\u{1b}[31m!\u{1b}[0m 1: malformed JSON"),
        "{}",
        coloured.describe()
    );
    let Some(plain) = batch().env("NO_COLOR", "1").run_on_terminal().await else {
        return;
    };
    plain.code(2);
    has_line(&plain, "! 1: malformed JSON");
    assert!(!plain.stdout.contains('\u{1b}'), "{}", plain.describe());
}

#[tokio::test]
async fn apply_on_a_terminal_prints_readable_lines() {
    let env = Env::start().await;
    let source = env.write("people.csv", &people(1..=2, "Eng"));
    let Some(out) = apply_from(&env, &source).run_on_terminal().await else {
        return;
    };
    out.code(0);
    has_line(&out, "✓ 1 create-group group Eng (id ");
    for i in 1..=2 {
        assert!(
            out.stdout.lines().any(|l| l.starts_with("✓ ")
                && l.contains(&format!(" create-user user u{i}@in.test (id "))),
            "{}",
            out.describe()
        );
    }
    has_line(&out, "✓ 4 add-members group Eng");
    assert!(json_lines(&out).is_empty(), "{}", out.describe());
}
