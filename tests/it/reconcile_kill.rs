//! `kill -9` part-way through `aws-ilm apply plan.json`, then a rerun of the same plan: the
//! journal next to the plan lets it do exactly the rest. It ends converged, with no duplicate
//! user, and every change reported exactly once across both runs (a change in flight at the
//! kill, done but not journaled, is found in effect: reported as skipped, not sent again).

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Env, s};
use crate::reconcile_support::{groups, line_of, people, plan, users};

fn journal_records(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter(|l| serde_json::from_str::<Value>(l).is_ok())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_part_way_resumes_from_its_journal() {
    const N: usize = 600;
    let env = Env::start().await;
    let source = env.write("people.csv", &people(0..N, "All"));
    let saved = env.path("plan.json");
    plan(&env, &source)
        .args(["--out", &s(&saved)])
        .run()
        .await
        .code(4);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let total = doc["changes"].as_array().unwrap().len();
    assert_eq!(
        total,
        1 + N + N.div_ceil(100),
        "a group, the users, member chunks"
    );
    let journal = env.path("plan.json.journal");
    let results = env.path("results");
    let apply = |max_rps: &str| {
        env.cmd().args([
            "apply",
            &s(&saved),
            "--results",
            &s(&results),
            "--no-progress",
            "--max-rps",
            max_rps,
        ])
    };

    // Paced so the run is still going when it is killed.
    let mut child = apply("60").spawn();
    let mut killed = false;
    for _ in 0..1200 {
        if journal_records(&journal) >= 60 {
            child.start_kill().unwrap(); // SIGKILL
            killed = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = child.wait_with_output().await.unwrap();
    assert!(
        killed,
        "the apply ended before the kill: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(journal_records(&journal) < total, "killed part-way");

    let second = apply("0").run().await;
    second.code(0);
    line_of(&second.stderr, "apply: ");

    // Each change reported exactly once across both runs (a line torn by the kill aside).
    let text = std::fs::read_to_string(&results).unwrap();
    let mut lines: Vec<u64> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert!(
        text.lines().count() <= lines.len() + 1,
        "at most one torn line"
    );
    lines.sort_unstable();
    assert_eq!(
        lines,
        (1..=total as u64).collect::<Vec<_>>(),
        "{}",
        second.describe()
    );

    let users = users(&env).await;
    assert_eq!(users.len(), N, "no duplicate, none missing");
    assert!(users.values().all(|u| u["active"] == true));
    assert_eq!(groups(&env).await["All"].1.len(), N);
    // Converged: a new plan is empty.
    let again = plan(&env, &source).run().await;
    again.code(0);
    assert!(again.stdout.contains("No changes"), "{}", again.describe());
}
