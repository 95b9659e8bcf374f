//! `aws-ilm batch FILE.csv --command CMD` as a process against the real emulator
//! (docs/batch.md, "Input"): every command a CSV drives, physical line numbers in CRLF files in
//! the results and the journal, `--allow-enable` only where it means something, and the bound
//! on one CSV record.

use serde_json::Value;

use crate::batch_support::{journal_lines, json_lines, users_of};
use crate::harness::{Cmd, Env, Out, s};

/// Three users as CSV rows with the given line ending, `title` in the last column.
fn people(title: &str, eol: &str) -> String {
    let mut csv = format!("username,email,givenname,surname,displayname,title{eol}");
    for i in 0..3 {
        csv += &format!("p{i}@example.test,p{i}@example.test,Given,Sur{i},P {i},{title}{eol}");
    }
    csv
}

/// `aws-ilm batch FILE --command COMMAND --no-progress`, more flags to add.
fn batch_csv(env: &Env, file: &str, command: &str) -> Cmd {
    env.cmd()
        .args(["batch", file, "--command", command, "--no-progress"])
}

/// Each row succeeded, lines 2 to 4.
#[track_caller]
fn three_successes(out: &Out, command: &str) {
    out.code(0);
    let results = json_lines(&out.stdout);
    let mut lines: Vec<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [2, 3, 4], "{}", out.describe());
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "success" && r["command"] == command),
        "{}",
        out.describe()
    );
}

/// Was: iam-get-user, iam-disable-user, iam-enable-user and iam-delete-user refused every row
/// ("unknown argument 'allow-enable'").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_csv_command_runs_through_the_binary() {
    let env = Env::start().await;
    let created = env.write("created.csv", &people("Engineer", "\n"));
    let moved = env.write("moved.csv", &people("Manager", "\r\n"));
    let created = s(&created);
    let moved = s(&moved);

    three_successes(
        &batch_csv(&env, &created, "iam-create-user").run().await,
        "iam-create-user",
    );
    assert!(
        users_of(&env.client())
            .await
            .values()
            .all(|u| u["title"] == "Engineer")
    );

    three_successes(
        &batch_csv(&env, &moved, "iam-update-user").run().await,
        "iam-update-user",
    );
    assert!(
        users_of(&env.client())
            .await
            .values()
            .all(|u| u["title"] == "Manager")
    );

    let out = batch_csv(&env, &created, "iam-get-user").run().await;
    three_successes(&out, "iam-get-user");
    for r in json_lines(&out.stdout) {
        assert_eq!(
            r["result"]["IAM"]["Vendor"]["details"]["title"], "Manager",
            "{r}"
        );
    }

    three_successes(
        &batch_csv(&env, &created, "iam-disable-user").run().await,
        "iam-disable-user",
    );
    assert!(
        users_of(&env.client())
            .await
            .values()
            .all(|u| u["active"] == false)
    );

    three_successes(
        &batch_csv(&env, &moved, "iam-enable-user").run().await,
        "iam-enable-user",
    );
    assert!(
        users_of(&env.client())
            .await
            .values()
            .all(|u| u["active"] == true)
    );

    three_successes(
        &batch_csv(&env, &created, "iam-delete-user").run().await,
        "iam-delete-user",
    );
    assert!(users_of(&env.client()).await.is_empty());
}

/// `--allow-enable` goes to the commands that take it, and is refused (exit 2, before any
/// request) with a command that takes none, instead of failing every row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_allow_enable_reaches_create_and_is_refused_where_it_means_nothing() {
    let env = Env::start().await;
    let file = s(&env.write("people.csv", &people("T", "\n")));
    let out = batch_csv(&env, &file, "iam-get-user")
        .args(["--allow-enable", "false"])
        .run()
        .await;
    out.code(2).one_line_error();
    out.stderr_has("iam-get-user takes no allow-enable argument");
    assert_eq!(env.stats().await["total"], 0, "no request sent");

    batch_csv(&env, &file, "iam-create-user")
        .args(["--allow-enable", "false"])
        .run()
        .await
        .code(0);
    let users = users_of(&env.client()).await;
    assert_eq!(users.len(), 3);
    assert!(users.values().all(|u| u["active"] == false));
}

/// Was: in a CRLF file the first data row was reported as line 1, every row one line early,
/// and the journal had the same wrong numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_csv_rows_are_reported_and_journaled_on_their_own_lines() {
    let env = Env::start().await;
    let csv = concat!(
        "username,email,givenname,surname,displayname,title\r\n",
        "c0@example.test,c0@example.test,Given,Sur,C 0,\"Head of\r\nThings\"\r\n",
        "\r\n",
        "c1@example.test,c1@example.test,Given,Sur,C 1,\r\n",
        "c2@example.test,c2@example.test,Given\r\n",
        "c3@example.test,c3@example.test,Given,Sur,C 3,Boss\r\n",
    );
    let file = s(&env.write("people.csv", csv));
    let journal = env.path("journal");
    let results = env.path("results");
    let out = batch_csv(&env, &file, "iam-create-user")
        .args(["--journal", &s(&journal), "--results", &s(&results)])
        .run()
        .await;
    // The short row is invalid, and the summary says so.
    out.code(2).stderr_has(" 1 invalid,");
    let reported = json_lines(&std::fs::read_to_string(&results).unwrap());
    let line_of = |name: &str| {
        reported
            .iter()
            .find(|r| r["result"]["IAM"]["Vendor"]["username"] == name)
            .map(|r| r["line"].as_u64().unwrap())
    };
    assert_eq!(line_of("c0@example.test"), Some(2), "{reported:?}");
    assert_eq!(line_of("c1@example.test"), Some(5), "{reported:?}");
    assert_eq!(line_of("c3@example.test"), Some(7), "{reported:?}");
    let bad: Vec<u64> = reported
        .iter()
        .filter(|r| r["status"] == "invalid")
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [6]);
    let mut journaled = journal_lines(&journal);
    journaled.sort_unstable();
    assert_eq!(journaled, [2, 5, 7]);
}

/// Was: an unclosed quote made the rest of the file one record (300 MB, 1.5 GB of memory)
/// that was sent as a request body. Now it is one invalid line, reported on the line where
/// the quote opens, and the rows before it run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclosed_quote_is_reported_on_its_line_within_max_record_bytes() {
    let env = Env::start().await;
    let mut csv = people("T", "\n");
    csv += "\"q@example.test,q@example.test,Given,Sur,Q,T\n";
    for i in 0..20_000 {
        csv += &format!("z{i}@example.test,z{i}@example.test,Given,Sur,Z {i},T\n");
    }
    let file = s(&env.write("people.csv", &csv));
    let out = batch_csv(&env, &file, "iam-create-user")
        .args(["--max-record-bytes", "65536"])
        .run()
        .await;
    out.code(2).stderr_has(" 1 invalid,");
    let results = json_lines(&out.stdout);
    let bad: Vec<&Value> = results
        .iter()
        .filter(|r| r["status"] == "invalid")
        .collect();
    assert_eq!(bad.len(), 1, "{}", out.describe());
    assert_eq!(bad[0]["line"], 5);
    assert!(
        bad[0]["error"]
            .as_str()
            .unwrap()
            .contains("longer than 65536 bytes"),
        "{}",
        out.describe()
    );
    assert_eq!(users_of(&env.client()).await.len(), 3);
}
