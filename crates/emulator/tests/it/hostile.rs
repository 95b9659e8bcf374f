//! Hostile input against the real emulator over real HTTP: AWS's 400 for bad input
//! (docs/emulator.md, decisions table) and no token in the server's logs.
//!
//! Every request of the corpus in [`corpus`] must get a 4xx with AWS's error body and
//! `x-amzn-RequestId`; after each one the server must still answer normally and everything
//! stored (users, groups, memberships, read back through the API) must be exactly as before.
//! [`protocol`] sends bytes that are not HTTP at all. The check that no token reaches the
//! server's logs uses this harness from its own test binary, `tests/log_secrets.rs` (it needs a
//! process-wide subscriber). Run with `--nocapture` to see the summary (inputs, outcomes by
//! status).

mod corpus;
pub(crate) mod harness;
mod protocol;

use std::collections::{BTreeMap, BTreeSet};

use aws_ilm_emulator::Config;
use serde_json::Value;

use harness::{Ctx, Expect, check_error_body};

/// The floor: at least 150 distinct malformed or adversarial requests answered 4xx.
const MIN_REFUSED: usize = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_corpus_is_refused_without_harm() {
    let ctx = Ctx::start(Config::ephemeral()).await;
    let groups = corpus::all(&ctx);
    let before = ctx.snapshot().await;
    let mut labels = BTreeSet::new();
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut by_group: Vec<(&str, usize)> = Vec::new();
    let mut failures = Vec::new();
    let (mut refused, mut inert) = (0usize, 0usize);
    for (group, cases) in &groups {
        by_group.push((group, cases.len()));
        for case in cases {
            assert!(
                labels.insert(case.label.clone()),
                "duplicate label {}",
                case.label
            );
            let (status, rid, text) = ctx.send(case).await;
            *by_status.entry(status).or_default() += 1;
            let verdict = match case.expect {
                Expect::Client | Expect::Status(_) => {
                    refused += 1;
                    let want = match case.expect {
                        Expect::Status(s) => status == s,
                        _ => (400..500).contains(&status),
                    };
                    if want {
                        check_error_body(status, rid.as_deref(), &text)
                    } else {
                        Err(format!(
                            "status {status}, wanted {:?}: {text:.300}",
                            case.expect
                        ))
                    }
                }
                Expect::EmptyList => {
                    inert += 1;
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    if status == 200 && v["Resources"].as_array().is_some_and(Vec::is_empty) {
                        Ok(())
                    } else {
                        Err(format!(
                            "status {status}, wanted 200 and no match: {text:.300}"
                        ))
                    }
                }
            };
            if let Err(why) = verdict {
                failures.push(format!("[{group}] {}: {why}", case.label));
            }
            ctx.healthy().await;
            let after = ctx.snapshot().await;
            if after != before {
                failures.push(format!("[{group}] {}: stored data changed", case.label));
                panic!(
                    "{}\nbefore: {before:#?}\nafter: {after:#?}",
                    failures.join("\n")
                );
            }
        }
    }
    println!(
        "hostile corpus: {} inputs ({refused} must be refused 4xx, {inert} well-formed \
         injections must match nothing)",
        refused + inert
    );
    for (g, n) in &by_group {
        println!("  {g}: {n}");
    }
    println!("  outcomes by status: {by_status:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(refused >= MIN_REFUSED, "only {refused} refused inputs");
}

/// Regression (found by the corpus): the query decoder was lossy, so `%FF` in a filter value
/// became U+FFFD and the list answered 200 instead of refusing invalid UTF-8.
#[tokio::test]
async fn regression_invalid_utf8_in_query_is_400_not_lossy() {
    let ctx = Ctx::start(Config::ephemeral()).await;
    for q in [
        "filter=userName%20eq%20%22%FF%22",
        "filter=userName%20eq%20%22ada%C3%22",
        "count=%FF",
        "cursor=%FE",
    ] {
        let case = harness::Case::new(q, "GET", ctx.t(&format!("/Users?{q}")));
        let (status, rid, text) = ctx.send(&case).await;
        assert_eq!(status, 400, "{q}: {text}");
        check_error_body(status, rid.as_deref(), &text).unwrap();
    }
    // Valid multi-byte UTF-8 is still a plain search.
    let ok = harness::Case::new(
        "utf8",
        "GET",
        ctx.t("/Users?filter=userName%20eq%20%22%C3%A4%22"),
    );
    assert_eq!(ctx.send(&ok).await.0, 200);
}
