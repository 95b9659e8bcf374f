//! `plan`, `apply`, `audit` and `doctor`, each branch that shows something different, run in
//! order against a fresh emulator once per output format, as `transcript.rs` runs the seed's
//! commands; the redacted transcript (command line, exit status, stdout, stderr) is a
//! snapshot. `plan` and `apply` report on stderr as they go, so stderr is always recorded.
//!
//! What each format prints is in docs/reconcile.md ("The command line"), docs/audit.md
//! ("Reading it") and docs/doctor.md ("Output"): `markdown` prints what `human` prints for
//! these commands, and `apply`'s stdout is result lines in every format.

use aws_ilm_client::{Op, PatchOp, PatchOperation};
use serde_json::Value;

use crate::harness::{Env, closed_url, redact, s};
use crate::reconcile_support::{HEADER, row, users};
use crate::transcript::Transcript;

/// The team of row `i` of the people source.
fn team(i: usize) -> &'static str {
    match i {
        0..3 => "Eng",
        3..5 => "Ops",
        _ => "",
    }
}

/// Rows `0..n`, each in its team, `edit` applied to each row's text.
fn people(n: usize, edit: impl Fn(usize, String) -> Option<String>) -> String {
    let mut csv = HEADER.to_owned();
    for i in 0..n {
        if let Some(r) = edit(i, row(i, team(i))) {
            csv += &r;
        }
    }
    csv
}

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The reconcile branches: initial load, no changes, changes pending, refused, source problems,
/// saved plan applied, stale plan, `apply --from --auto-approve`.
async fn reconcile(t: &mut Transcript<'_>) {
    let env = t.env;
    t.vars = vec![("AWS_ILM_AUDIT_LOG", s(&env.path("reconcile.jsonl")))];
    let pace = ["--max-rps", "0"];
    // One change at a time: result lines come in the order changes finish.
    let one = ["--concurrency", "1"];
    let v1 = s(&env.write("v1.csv", &people(6, |_, r| Some(r))));
    let apply_from = |source: &str| -> Vec<String> {
        ["apply", "--from", source, "--auto-approve", "--no-progress"]
            .into_iter()
            .chain(pace)
            .chain(one)
            .map(str::to_owned)
            .collect()
    };
    let load = apply_from(&v1);
    assert_eq!(
        t.run("apply --from: the initial load", &argv(&load)).await,
        0
    );
    let plan = |source: &str, more: &[&str]| -> Vec<String> {
        ["plan", "--from", source]
            .into_iter()
            .chain(pace)
            .chain(more.iter().copied())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(t.run("plan: no changes", &argv(&plan(&v1, &[]))).await, 0);

    // v2: u6 joins Eng, u1 is renamed, u3 moves into Eng too, u2 leaves Eng, u5 is gone.
    let v2 = people(7, |i, r| match i {
        1 => Some(r.replace("User 1", "Ada Lovelace")),
        2 => Some(r.replace(",Eng\n", ",\n")),
        3 => Some(r.replace(",Ops\n", ",Eng;Ops\n")),
        5 => None,
        6 => Some(r.replace(",\n", ",Eng\n")),
        _ => Some(r),
    });
    let v2 = s(&env.write("v2.csv", &v2));
    let saved = s(&env.path("plan.json"));
    let pending = plan(&v2, &["--absent", "disable", "--out", &saved]);
    assert_eq!(
        t.run(
            "plan: create, update, disable, member additions and removals",
            &argv(&pending)
        )
        .await,
        4
    );
    let cut = s(&env.write("cut.csv", &people(1, |_, r| Some(r))));
    assert_eq!(
        t.run(
            "plan: refused by a safety rail",
            &argv(&plan(&cut, &["--absent", "disable"]))
        )
        .await,
        5
    );
    let dup = people(3, |i, r| {
        Some(if i == 2 {
            r.replace("u2@in.test,E2", "U1@IN.TEST,E2")
        } else {
            r
        })
    });
    let dup = s(&env.write("dup.csv", &dup));
    assert_eq!(
        t.run("plan: a source with a problem", &argv(&plan(&dup, &[])))
            .await,
        2
    );
    let apply_saved = ["apply", &saved, "--no-progress", "--max-rps", "0"];
    let apply_saved = [&apply_saved[..], &one].concat();
    assert_eq!(t.run("apply: the saved plan", &apply_saved).await, 0);

    // v3 renames u4; someone renames u4 otherwise between plan and apply.
    let v3 = env.write(
        "v3.csv",
        &std::fs::read_to_string(&v2)
            .expect("v2")
            .replace("User 4", "User Four"),
    );
    let v3 = s(&v3);
    let stale = s(&env.path("stale.json"));
    assert_eq!(
        t.run(
            "plan: saved, to go stale",
            &argv(&plan(&v3, &["--absent", "disable", "--out", &stale]))
        )
        .await,
        4
    );
    let id = users(env).await["u4@in.test"]["id"]
        .as_str()
        .expect("u4's id")
        .to_owned();
    let patch = PatchOp::new(vec![PatchOperation::new(
        Op::Replace,
        Some("displayName"),
        Some(Value::from("Changed Behind Its Back")),
    )]);
    env.client().patch_user(&id, &patch).await.expect("patch");
    let apply_stale = ["apply", &stale, "--no-progress", "--max-rps", "0"];
    assert_eq!(
        t.run("apply: a stale plan is refused", &apply_stale).await,
        6
    );
    assert_eq!(
        t.run(
            "apply --from --auto-approve: plans and applies at once",
            &argv(&apply_from(&v3))
        )
        .await,
        0
    );
}

/// A few writes through the binary into a log of their own, then `audit show` with and without
/// filters, `audit verify` and `audit head`.
async fn audit(t: &mut Transcript<'_>) {
    let env = t.env;
    let log = env.path("audit.jsonl");
    t.vars = vec![("AWS_ILM_AUDIT_LOG", s(&log)), ("USER", "tester".into())];
    let jane = r#"{"username":"jane@example.com","email":"jane@example.com","givenname":"Jane","surname":"Doe","displayname":"Jane Doe"}"#;
    let bob = r#"{"username":"bob@example.com","email":"bob@example.com","givenname":"Bob","surname":"Roe","displayname":"Bob Roe"}"#;
    quiet(t, &["iam-create-user", "--user-profile", jane]).await;
    quiet(
        t,
        &["iam-create-group", "--scim", r#"{"displayName":"Support"}"#],
    )
    .await;
    let jane_u = r#"{"username":"jane@example.com"}"#;
    let jane_id = t.json(&["iam-get-user", "--user-profile", jane_u]).await["IAM"]["Vendor"]["id"]
        .as_str()
        .expect("jane")
        .to_owned();
    let eng = r#"{"displayName":"Support"}"#;
    let eng_id = t.json(&["iam-get-group", "--scim", eng]).await["GetGroup"]["id"]
        .as_str()
        .expect("eng")
        .to_owned();
    // By id alone: `--group support` still finds it, paired with the name by the line before.
    let by_id = serde_json::json!({ "id": eng_id }).to_string();
    let add = [
        "iam-update-group",
        "--scim",
        &by_id,
        "--memberIdsToAdd",
        &jane_id,
    ];
    quiet(t, &add).await;
    quiet(t, &["iam-disable-user", "--user-profile", jane_u]).await;
    quiet(t, &["iam-create-user", "--user-profile", bob]).await;
    let text = std::fs::read_to_string(&log).expect("the log");
    let fourth: Value = serde_json::from_str(text.lines().nth(3).expect("5 lines")).expect("json");
    let since = fourth["time"].as_str().expect("time").to_owned();

    t.run("audit show: everything", &["audit", "show"]).await;
    t.run(
        "audit show --user",
        &["audit", "show", "--user", "JANE@example.com"],
    )
    .await;
    t.run(
        "audit show --group",
        &["audit", "show", "--group", "support"],
    )
    .await;
    t.run(
        "audit show --since a time: the last two writes",
        &["audit", "show", "--since", &since],
    )
    .await;
    t.run(
        "audit show --since a date, with --user: nothing",
        &[
            "audit",
            "show",
            "--since",
            "2999-01-01",
            "--user",
            "jane@example.com",
        ],
    )
    .await;
    t.run(
        "audit show --since: not a time",
        &["audit", "show", "--since", "yesterday"],
    )
    .await;
    t.run("audit verify", &["audit", "verify"]).await;
    t.run("audit head", &["audit", "head"]).await;
}

/// A write that is not part of the transcript, which must succeed.
async fn quiet(t: &Transcript<'_>, argv: &[&str]) {
    t.cmd().args(argv).run().await.code(0);
}

/// `doctor` with its settings named explicitly (so each line's origin is fixed), passing, then
/// with a wrong token and with nothing listening.
async fn doctor(t: &mut Transcript<'_>) -> String {
    let env = t.env;
    t.vars = vec![
        ("AWS_ILM_AUDIT_LOG", s(&env.path("audit.jsonl"))),
        ("AWS_ILM_INSTANCE_NAME", "transcript".into()),
        ("AWS_ILM_TIMEOUT", "10".into()),
    ];
    t.run("doctor: passing", &["doctor"]).await;
    t.run_as(
        "doctor: the token is refused",
        Some("not-the-emulators-token"),
        &["doctor"],
    )
    .await;
    let closed = closed_url();
    let cmd = t.cmd().env("AWS_ILM_BASE_URL", &closed);
    t.record("doctor: nothing listening", cmd, &["doctor"])
        .await;
    closed
}

async fn transcript(format: &'static str) -> String {
    let env = Env::start().await;
    let mut t = Transcript::new(&env, format);
    t.all_stderr = true;
    reconcile(&mut t).await;
    audit(&mut t).await;
    let closed = doctor(&mut t).await;
    let text = t.text.replace(&closed, "[closed]").replace(
        closed.split_once("://").map_or(closed.as_str(), |(_, a)| a),
        "[closed-address]",
    );
    redact(&text, &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_human() {
    insta::assert_snapshot!("ops_human", transcript("human").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_markdown() {
    insta::assert_snapshot!("ops_markdown", transcript("markdown").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_json() {
    insta::assert_snapshot!("ops_json", transcript("json").await);
}
