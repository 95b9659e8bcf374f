//! The audit trail (docs/audit.md) through the real binary against the real emulator: what a
//! write's line holds, that reads add none, batch origins, the chain catching tampering, whole
//! lines from concurrent processes, the file's mode, and turning it off.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::batch_support::{creates, json_lines};
use crate::harness::{Cmd, Env, Out, s};

/// `env.cmd()` writing its audit log to `log`.
fn cmd(env: &Env, log: &Path) -> Cmd {
    env.cmd()
        .env("AWS_ILM_AUDIT_LOG", &s(log))
        .args(["--output", "json"])
}

fn lines(log: &Path) -> Vec<Value> {
    json_lines(&std::fs::read_to_string(log).unwrap_or_default())
}

async fn audit(env: &Env, args: &[&str]) -> Out {
    env.bare().arg1("audit").args(args).run().await
}

fn profile(name: &str) -> String {
    json!({"username": name, "email": name, "givenname": "G", "surname": "S",
           "displayname": format!("G S {name}")})
    .to_string()
}

#[tokio::test]
async fn each_single_write_appends_one_line_and_reads_none() {
    let env = Env::start().await;
    let log = env.path("state/audit.jsonl");
    let ada = profile("ada@example.test");
    let who = json!({"username": "ada@example.test"}).to_string();

    let out = cmd(&env, &log)
        .args(["iam-create-user", "--user-profile", &ada])
        .run()
        .await;
    out.code(0);
    let id = out.json()["IAM"]["Vendor"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let l = lines(&log);
    assert_eq!(l.len(), 1, "{l:?}");
    let c = &l[0];
    assert_eq!(c["operation"], "CreateUser");
    assert_eq!(
        c["origin"],
        json!({"kind": "command", "command": "iam-create-user"})
    );
    assert_eq!(c["target"]["id"], json!(id));
    assert_eq!(c["target"]["userName"], "ada@example.test");
    assert_eq!(c["sent"]["userName"], "ada@example.test");
    assert_eq!(c["outcome"]["ok"], true);
    assert_eq!(c["outcome"]["status"], 201);
    assert!(c["outcome"]["requestId"].is_string(), "{c}");
    assert_eq!(c["prev"], aws_ilm_audit::GENESIS);
    assert_eq!(c["tenant"], json!(env.emu.tenant_id));
    assert_eq!(c["endpoint"], json!(env.emu.addr.to_string()));
    assert_eq!(c["version"], env!("CARGO_PKG_VERSION"));
    for key in ["time", "user", "host", "instance"] {
        assert!(c[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {c}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the log is private");

    // Reads append nothing.
    cmd(&env, &log)
        .args(["iam-get-user", "--user-profile", &who])
        .run()
        .await
        .code(0);
    assert_eq!(lines(&log).len(), 1);

    cmd(&env, &log)
        .args([
            "iam-update-user",
            "--user-profile",
            &profile("ada@example.test").replace("\"S\"", "\"S2\""),
        ])
        .args(["--allow-enable", "true"])
        .run()
        .await
        .code(0);
    cmd(&env, &log)
        .args(["iam-disable-user", "--user-profile", &who])
        .run()
        .await
        .code(0);
    let l = lines(&log);
    assert_eq!(l.len(), 3, "{l:?}");
    let disable = &l[2];
    assert_eq!(disable["operation"], "PatchUser");
    assert_eq!(disable["origin"]["command"], "iam-disable-user");
    assert_eq!(disable["target"]["id"], json!(id));
    assert_eq!(disable["target"]["userName"], "ada@example.test");
    assert!(
        disable["sent"]["Operations"].to_string().contains("active"),
        "{disable}"
    );
    assert_eq!(l[1]["operation"], "PatchUser");
    assert_eq!(l[1]["origin"]["command"], "iam-update-user");

    // Groups: create, add a member, read (nothing), delete.
    let out = cmd(&env, &log)
        .args(["iam-create-group", "--scim", r#"{"displayName":"Staff"}"#])
        .run()
        .await;
    out.code(0);
    let gid = out.json()["CreateGroup"]["id"].as_str().unwrap().to_owned();
    let by_id = json!({"id": gid}).to_string();
    cmd(&env, &log)
        .args([
            "iam-update-group",
            "--scim",
            &by_id,
            "--memberIdsToAdd",
            &id,
        ])
        .run()
        .await
        .code(0);
    cmd(&env, &log)
        .args(["iam-get-group", "--scim", &by_id])
        .run()
        .await
        .code(0);
    cmd(&env, &log)
        .args(["iam-delete-group", "--scim", &by_id])
        .run()
        .await
        .code(0);
    cmd(&env, &log)
        .args(["iam-delete-user", "--user-profile", &who])
        .run()
        .await
        .code(0);
    let l = lines(&log);
    let ops: Vec<&str> = l.iter().map(|r| r["operation"].as_str().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "CreateUser",
            "PatchUser",
            "PatchUser",
            "CreateGroup",
            "PatchGroup",
            "DeleteGroup",
            "DeleteUser"
        ]
    );
    assert_eq!(l[3]["target"]["displayName"], "Staff");
    assert_eq!(l[3]["sent"]["displayName"], "Staff");
    assert!(l[4]["sent"].to_string().contains(&id), "{}", l[4]);
    assert_eq!(l[4]["target"]["id"], json!(gid));
    assert_eq!(l[5]["target"]["id"], json!(gid));
    assert_eq!(l[5]["sent"], Value::Null);
    assert_eq!(l[5]["outcome"]["status"], 204);
    assert_eq!(
        l[6]["target"],
        json!({"id": id, "userName": "ada@example.test"})
    );

    let out = audit(&env, &["verify", &s(&log)]).await;
    out.code(0);
    assert!(
        out.stdout.contains("chain intact, 7 lines"),
        "{}",
        out.describe()
    );

    // show: by user, by group, by time.
    let out = audit(&env, &["show", &s(&log), "--user", "ADA@example.test"]).await;
    out.code(0);
    assert_eq!(
        out.stdout.matches("User  ").count(),
        4,
        "{}",
        out.describe()
    );
    assert!(!out.stdout.contains("Group"), "{}", out.describe());
    // The PATCH and the DELETE named the group by id only; the id was seen with the name.
    let out = audit(&env, &["show", &s(&log), "--group", "staff"]).await;
    assert_eq!(
        out.stdout.matches("Group  ").count(),
        3,
        "{}",
        out.describe()
    );
    let out = audit(&env, &["show", &s(&log), "--since", "2999-01-01"]).await;
    out.code(0);
    assert!(out.stdout.trim().is_empty(), "{}", out.describe());
    audit(&env, &["show", &s(&log), "--since", "soon"])
        .await
        .code(2);
}

#[tokio::test]
async fn a_failed_write_is_recorded_with_its_status() {
    let env = Env::start().await;
    let log = env.path("audit.jsonl");
    let out = cmd(&env, &log)
        .args(["iam-delete-group", "--scim", r#"{"id":"no-such-group"}"#])
        .run()
        .await;
    out.code(1);
    let l = lines(&log);
    assert_eq!(l.len(), 1, "{}", out.describe());
    assert_eq!(l[0]["outcome"]["ok"], false);
    assert_eq!(l[0]["outcome"]["status"], 404);
    assert!(l[0]["outcome"]["error"].is_string());
}

#[tokio::test]
async fn a_batch_records_each_write_with_its_file_and_line() {
    let env = Env::start().await;
    let log = env.path("audit.jsonl");
    let disable = |i: usize| {
        json!({"command": "iam-disable-user",
               "args": {"user-profile": {"username": format!("user{i}@example.test")}}})
        .to_string()
    };
    // Lines 1-2 create, line 3 is blank, lines 4-5 disable those users (PATCH), 6 creates.
    let input = env.write(
        "in.jsonl",
        &format!(
            "{}\n{}\n{}\n{}",
            creates(2),
            disable(0),
            disable(1),
            creates(3).lines().nth(2).unwrap()
        ),
    );
    let out = cmd(&env, &log)
        .args(["batch", &s(&input), "--no-progress", "--concurrency", "1"])
        .run()
        .await;
    out.code(0);
    let l = lines(&log);
    let mut by_line: Vec<(u64, String)> = l
        .iter()
        .map(|r| {
            assert_eq!(r["origin"]["kind"], "batch", "{r}");
            assert_eq!(r["origin"]["file"], json!(s(&input)));
            let lines = r["origin"]["lines"].as_array().unwrap();
            assert_eq!(lines.len(), 1);
            (
                lines[0].as_u64().unwrap(),
                r["operation"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_line.sort();
    assert_eq!(
        by_line,
        [
            (1, "CreateUser"),
            (2, "CreateUser"),
            (4, "PatchUser"),
            (5, "PatchUser"),
            (6, "CreateUser")
        ]
        .map(|(n, o)| (n, o.to_owned()))
    );
    audit(&env, &["verify", &s(&log)]).await.code(0);
}

/// Five lines written by the binary, and the head after them.
async fn five_lines(env: &Env) -> (PathBuf, String) {
    let log = env.path("audit.jsonl");
    let input = env.write("in.jsonl", &creates(5));
    cmd(env, &log)
        .args(["batch", &s(&input), "--no-progress", "--concurrency", "1"])
        .run()
        .await
        .code(0);
    let out = audit(env, &["head", &s(&log)]).await;
    out.code(0);
    (log, out.stdout.trim().to_owned())
}

/// Writes `lines` (without newlines) as the log at `name`; returns its path.
fn tampered(env: &Env, name: &str, lines: &[String]) -> PathBuf {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    env.write(name, &text)
}

#[tokio::test]
async fn verify_names_the_first_bad_line_of_a_tampered_log() {
    let env = Env::start().await;
    let (log, head) = five_lines(&env).await;
    let original: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(original.len(), 5);
    let out = audit(&env, &["verify", &s(&log), "--head", &head]).await;
    out.code(0);
    assert!(out.stdout.contains(&head), "{}", out.describe());

    let expect_bad = |out: &Out, line: u64| {
        out.code(1);
        assert!(
            out.stderr.contains(&format!("line {line}:")),
            "expected line {line} named\n{}",
            out.describe()
        );
    };
    // An edited value: line 2's own prev still holds, line 3's no longer does.
    let mut edited = original.clone();
    edited[1] = edited[1].replace("\"ok\":true", "\"ok\":false");
    assert_ne!(edited[1], original[1]);
    let p = tampered(&env, "edited.jsonl", &edited);
    expect_bad(&audit(&env, &["verify", &s(&p)]).await, 3);

    // A deleted middle line.
    let mut deleted = original.clone();
    deleted.remove(2);
    let p = tampered(&env, "deleted.jsonl", &deleted);
    expect_bad(&audit(&env, &["verify", &s(&p)]).await, 3);

    // Two lines swapped.
    let mut swapped = original.clone();
    swapped.swap(1, 2);
    let p = tampered(&env, "swapped.jsonl", &swapped);
    expect_bad(&audit(&env, &["verify", &s(&p)]).await, 2);

    // Not JSON any more.
    let mut broken = original.clone();
    broken[3] = "{oops".into();
    let p = tampered(&env, "broken.jsonl", &broken);
    expect_bad(&audit(&env, &["verify", &s(&p)]).await, 4);

    // The last line removed: the chain alone still holds; the recorded head does not.
    let truncated = original[..4].to_vec();
    let p = tampered(&env, "truncated.jsonl", &truncated);
    audit(&env, &["verify", &s(&p)]).await.code(0);
    let out = audit(&env, &["verify", &s(&p), "--head", &head]).await;
    out.code(1);
    out.stderr_has("is not the hash of any of its 4 lines");

    // A head recorded earlier stays valid as the log grows.
    let mut r = serde_json::from_str::<Value>(&original[4]).unwrap();
    r["prev"] = json!(aws_ilm_audit::hash_line(original[4].as_bytes()));
    let mut grown = original.clone();
    grown.push(r.to_string());
    let p = tampered(&env, "grown.jsonl", &grown);
    audit(&env, &["verify", &s(&p), "--head", &head])
        .await
        .code(0);
}

#[tokio::test]
async fn concurrent_processes_keep_one_chain_of_whole_lines() {
    let env = Env::start().await;
    let log = env.path("audit.jsonl");
    // Two batch runs and four single commands, all at once.
    let a = env.write("a.jsonl", &creates(20));
    let b_text: String = (100..120)
        .map(|i| {
            json!({"command": "iam-create-group", "args": {"scim": {"displayName": format!("g{i}")}}})
                .to_string()
                + "\n"
        })
        .collect();
    let b = env.write("b.jsonl", &b_text);
    let mut runs = Vec::new();
    for input in [&a, &b] {
        runs.push(tokio::spawn(
            cmd(&env, &log)
                .args(["batch", &s(input), "--no-progress", "--max-rps", "0"])
                .run(),
        ));
    }
    for i in 0..4 {
        let scim = json!({"displayName": format!("single{i}")}).to_string();
        runs.push(tokio::spawn(
            cmd(&env, &log)
                .args(["iam-create-group", "--scim", &scim])
                .run(),
        ));
    }
    for r in runs {
        r.await.unwrap().code(0);
    }
    let out = audit(&env, &["verify", &s(&log)]).await;
    out.code(0);
    assert!(
        out.stdout.contains("chain intact, 44 lines"),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn an_empty_setting_turns_the_log_off_and_the_default_is_in_the_state_folder() {
    let env = Env::start().await;
    let group = |name: &str| json!({"displayName": name}).to_string();
    env.cmd()
        .env("AWS_ILM_AUDIT_LOG", "")
        .args(["iam-create-group", "--scim", &group("off")])
        .run()
        .await
        .code(0);
    let default = env.path(".local/state/aws-ilm/audit.jsonl");
    assert!(!default.exists());
    env.cmd()
        .args(["iam-create-group", "--scim", &group("on")])
        .run()
        .await
        .code(0);
    assert_eq!(lines(&default).len(), 1);
    let state = env.path("xdg-state");
    env.cmd()
        .env("XDG_STATE_HOME", &s(&state))
        .args(["iam-create-group", "--scim", &group("xdg")])
        .run()
        .await
        .code(0);
    assert_eq!(lines(&state.join("aws-ilm/audit.jsonl")).len(), 1);
    // `audit` finds the log by the same settings.
    let out = env.bare().args(["audit", "head"]).run().await;
    out.code(0);
    assert_eq!(out.stdout.trim().len(), 64, "{}", out.describe());
}

#[tokio::test]
async fn a_log_that_cannot_be_opened_stops_before_any_write() {
    let env = Env::start().await;
    let blocker = env.write("file", "not a folder");
    let out = env
        .cmd()
        .env("AWS_ILM_AUDIT_LOG", &s(&blocker.join("audit.jsonl")))
        .args(["iam-create-group", "--scim", r#"{"displayName":"x"}"#])
        .run()
        .await;
    out.code(3).stderr_has("audit log");
    assert_eq!(
        env.stats().await["operations"]["CreateGroup"]
            .as_u64()
            .unwrap_or(0),
        0
    );
}

/// A line that cannot be written (here: a full disk) stops a batch at its group commit, before
/// the group's results are reported (exit 3); a single command prints its result, then exits 3.
#[tokio::test]
async fn a_log_that_cannot_be_written_stops_a_batch_before_it_reports() {
    let env = Env::start().await;
    let full = Path::new("/dev/full");
    let input = env.write("in.jsonl", &creates(3));
    let out = cmd(&env, full)
        .args(["batch", &s(&input), "--no-progress"])
        .run()
        .await;
    out.code(3).stderr_has("could not be recorded");
    assert_eq!(out.stdout, "", "no result reported: {}", out.describe());
    let single = cmd(&env, full)
        .args(["iam-create-group", "--scim", r#"{"displayName":"x"}"#])
        .run()
        .await;
    single.code(3).stderr_has("could not be recorded");
    assert!(single.stdout.contains("\"x\""), "{}", single.describe());
}

#[tokio::test]
async fn an_apply_records_each_write_with_its_plan_and_change() {
    use crate::reconcile_support::{apply_plan, people, plan};
    let env = Env::start().await;
    let log = env.path("audit.jsonl");
    let source = env.write("people.csv", &people(0..3, "Team"));
    let saved = env.path("plan.json");
    plan(&env, &source)
        .env("AWS_ILM_AUDIT_LOG", &s(&log))
        .args(["--out", &s(&saved)])
        .run()
        .await
        .code(4);
    assert!(lines(&log).is_empty(), "a plan only reads");
    apply_plan(&env, &saved)
        .env("AWS_ILM_AUDIT_LOG", &s(&log))
        .run()
        .await
        .code(0);
    let l = lines(&log);
    let count = |op: &str| l.iter().filter(|r| r["operation"] == op).count();
    assert_eq!(count("CreateUser"), 3, "{l:?}");
    assert_eq!(count("CreateGroup"), 1, "{l:?}");
    assert!(count("PatchGroup") >= 1, "{l:?}");
    for r in &l {
        assert_eq!(r["origin"]["kind"], "plan", "{r}");
        assert_eq!(r["origin"]["file"], json!(s(&saved)));
        assert_eq!(r["origin"]["command"], "apply");
        let changes = r["origin"]["changes"].as_array().unwrap();
        assert!(
            !changes.is_empty() && changes.iter().all(|c| c.as_u64() >= Some(1)),
            "{r}"
        );
        assert_eq!(r["outcome"]["ok"], true, "{r}");
    }
    for r in l.iter().filter(|r| r["operation"] == "PatchGroup") {
        assert_eq!(
            r["target"]["displayName"], "Team",
            "named without a read: {r}"
        );
    }
    audit(&env, &["verify", &s(&log)]).await.code(0);
}
