//! CSV input against the real emulator: every `--command` a CSV can drive, line numbers in CRLF
//! files (results and journal), and the bound on one record (docs/batch.md, "Input").

use aws_ilm_batch::Format;
use aws_ilm_emulator::Config;
use serde_json::Value;

use crate::common::*;

/// Three users as CSV rows, with `title` in the last column.
fn people(title: &str) -> String {
    let mut csv = String::from("username,email,givenname,surname,displayname,title\n");
    for i in 0..3 {
        csv += &format!("p{i}@example.test,p{i}@example.test,Given,Sur{i},P {i},{title}\n");
    }
    csv
}

async fn run_csv(
    emu: &aws_ilm_emulator::Running,
    csv: String,
    command: &str,
) -> (aws_ilm_batch::Summary, Vec<Value>) {
    let fmt = Format::csv(command, None).unwrap();
    run_batch(emu, csv, fmt, 4, 0.0, None).await
}

/// Every command a CSV can drive, in a lifecycle order, each checked in the directory. Was:
/// get, disable, enable and delete refused every row with "unknown argument 'allow-enable'".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_csv_command_runs_each_row_against_the_emulator() {
    const COMMANDS: [&str; 6] = [
        "iam-create-user",
        "iam-update-user",
        "iam-get-user",
        "iam-disable-user",
        "iam-enable-user",
        "iam-delete-user",
    ];
    // A command added to the user commands must be added here too.
    let mut listed = aws_ilm_batch::csv_commands();
    listed.sort_unstable();
    let mut tested = COMMANDS.to_vec();
    tested.sort_unstable();
    assert_eq!(listed, tested);

    let emu = emulator(Config::ephemeral()).await;
    let all_ok = |s: &aws_ilm_batch::Summary, results: &[Value], command: &str| {
        assert_eq!(
            (s.succeeded, s.invalid, s.failed),
            (3, 0, 0),
            "{command}: {s}"
        );
        each_line_once(results, 2..=4);
        assert!(
            results
                .iter()
                .all(|r| r["status"] == "success" && r["command"] == command),
            "{command}: {results:?}"
        );
    };

    let (s, r) = run_csv(&emu, people("Engineer"), COMMANDS[0]).await;
    all_ok(&s, &r, COMMANDS[0]);
    let users = users(&emu).await;
    assert_eq!(users.len(), 3);
    assert!(
        users
            .values()
            .all(|u| u["active"] == true && u["title"] == "Engineer")
    );

    let (s, r) = run_csv(&emu, people("Manager"), COMMANDS[1]).await;
    all_ok(&s, &r, COMMANDS[1]);
    assert!(users_of(&emu).await.iter().all(|u| u["title"] == "Manager"));

    let (s, r) = run_csv(&emu, people(""), COMMANDS[2]).await;
    all_ok(&s, &r, COMMANDS[2]);
    for res in &r {
        let vendor = &res["result"]["IAM"]["Vendor"];
        assert_eq!(vendor["details"]["title"], "Manager", "{res}");
    }

    let (s, r) = run_csv(&emu, people(""), COMMANDS[3]).await;
    all_ok(&s, &r, COMMANDS[3]);
    assert!(users_of(&emu).await.iter().all(|u| u["active"] == false));

    let (s, r) = run_csv(&emu, people(""), COMMANDS[4]).await;
    all_ok(&s, &r, COMMANDS[4]);
    assert!(users_of(&emu).await.iter().all(|u| u["active"] == true));

    let (s, r) = run_csv(&emu, people(""), COMMANDS[5]).await;
    all_ok(&s, &r, COMMANDS[5]);
    assert!(users_of(&emu).await.is_empty());
}

/// `--allow-enable false` reaches the commands that take it: the users are created inactive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_allow_enable_false_creates_inactive_users() {
    let emu = emulator(Config::ephemeral()).await;
    let fmt = Format::csv("iam-create-user", Some(false)).unwrap();
    let (s, _) = run_batch(&emu, people("T"), fmt, 4, 0.0, None).await;
    assert_eq!(s.succeeded, 3, "{s}");
    assert!(users_of(&emu).await.iter().all(|u| u["active"] == false));
}

async fn users_of(emu: &aws_ilm_emulator::Running) -> Vec<Value> {
    users(emu).await.into_values().collect()
}

/// A CRLF file, with a quoted line break and a blank line: each result and each journal record
/// carries the row's physical line. Was: every row one line early (the first data row as 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_csv_rows_are_reported_and_journaled_on_their_own_lines() {
    let emu = emulator(Config::ephemeral()).await;
    let csv = concat!(
        "username,email,givenname,surname,displayname,title\r\n",
        "c0@example.test,c0@example.test,Given,Sur,C 0,\"Head of\r\nThings\"\r\n",
        "\r\n",
        "c1@example.test,c1@example.test,Given,Sur,C 1,\r\n",
        "c2@example.test,c2@example.test,Given,Sur\r\n",
        "c3@example.test,c3@example.test,Given,Sur,C 3,Boss\r\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let mut b = Batch::new(
        client_config(&emu),
        csv.to_string(),
        Format::csv("iam-create-user", None).unwrap(),
    );
    b.journal = Some(journal.clone());
    let (s, results) = b.run().await;
    assert_eq!((s.succeeded, s.invalid), (3, 1), "{s}");
    each_line_once(&results, [2, 5, 6, 7]);
    let line_of = |name: &str| {
        results
            .iter()
            .find(|r| r["result"]["IAM"]["Vendor"]["username"] == name)
            .map(|r| r["line"].as_u64().unwrap())
    };
    assert_eq!(line_of("c0@example.test"), Some(2));
    assert_eq!(line_of("c1@example.test"), Some(5));
    assert_eq!(line_of("c3@example.test"), Some(7));
    let bad = results.iter().find(|r| r["status"] == "invalid").unwrap();
    assert_eq!(bad["line"], 6, "{bad}");
    let mut journaled = journal_lines(&journal);
    journaled.sort_unstable();
    assert_eq!(journaled, [2, 5, 7]);
    assert_eq!(
        users(&emu).await["c0@example.test"]["title"],
        "Head of\r\nThings"
    );
}

/// An unclosed quote no longer makes the rest of the file one huge record sent as a request:
/// the rows before it run, the quote's row is reported invalid on its line, nothing after it is
/// created, and the record is never held whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclosed_quote_is_one_bounded_invalid_record() {
    let emu = emulator(Config::ephemeral()).await;
    let mut csv = people("T");
    csv += "\"q@example.test,q@example.test,Given,Sur,Q,T\n";
    for i in 0..50_000 {
        csv += &format!("z{i}@example.test,z{i}@example.test,Given,Sur,Z {i},T\n");
    }
    let mut b = Batch::new(
        client_config(&emu),
        csv,
        Format::csv("iam-create-user", None).unwrap(),
    );
    b.max_record_bytes = 64 * 1024;
    let (s, results) = b.run().await;
    assert_eq!((s.succeeded, s.invalid, s.events), (3, 1, 4), "{s}");
    let bad = results.iter().find(|r| r["status"] == "invalid").unwrap();
    assert_eq!(bad["line"], 5, "{bad}");
    assert!(
        bad["error"].as_str().unwrap().contains("longer than 65536"),
        "{bad}"
    );
    assert_eq!(users(&emu).await.len(), 3);
    assert_eq!(emulator_stats(&emu).await.1["CreateUser"], 3);
}
