//! Journals that tell the truth (docs/batch.md, "Resume"), against the real emulator: a journal is
//! bound to its directory, and a skip that only a switch caused is not journaled as done.
//! The lock and the exit codes are tested with the binary (`tests/it/batch_journal.rs`).

use aws_ilm_batch::{BatchError, Format, Journal};
use aws_ilm_emulator::Config;
use aws_ilm_lifecycle::IlmSettings;
use serde_json::json;

use crate::common::*;

/// Was: a journal written against one directory made every event "already done" against
/// another, and nothing was created there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_is_refused_against_another_directory() {
    let a = emulator(Config::ephemeral()).await;
    let b = emulator(Config::ephemeral()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let mut run = Batch::new(client_config(&a), creates(5), Format::JsonLines);
    run.journal = Some(path.clone());
    let (s, _) = run.run().await;
    assert_eq!(s.succeeded, 5, "{s}");

    let e = Journal::open(&path, &target(&b)).unwrap_err();
    assert!(matches!(e, BatchError::JournalMismatch { .. }), "{e:?}");
    let m = e.to_string();
    assert!(m.contains("the endpoint differs"), "{m}");
    assert!(
        m.contains(&a.root_url()) && m.contains(&b.root_url()),
        "{m}"
    );
    // The same server under another tenant id.
    let mut other_tenant = client_config(&a);
    other_tenant.endpoint =
        aws_ilm_client::Endpoint::parse(&a.root_url(), "another-tenant").unwrap();
    let c = aws_ilm_client::ScimClient::new(other_tenant).unwrap();
    let e = Journal::open(&path, &aws_ilm_batch::Target::of(c.endpoint()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the tenant differs") && !e.contains("endpoint differs"),
        "{e}"
    );
    // Another spelling of the same directory is the same directory.
    let mut spelled = client_config(&a);
    let console = format!("{}/{}/scim/v2/", a.root_url(), a.tenant_id);
    spelled.endpoint = aws_ilm_client::Endpoint::parse(&console, &a.tenant_id).unwrap();
    let c = aws_ilm_client::ScimClient::new(spelled).unwrap();
    let (_, done) = Journal::open(&path, &aws_ilm_batch::Target::of(c.endpoint())).unwrap();
    assert_eq!(done.len(), 5);
}

/// Was: events skipped because a switch was off were journaled as done, so a rerun with the
/// switch on never did them. Skips the directory caused stay final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_skipped_by_a_switch_run_when_it_is_turned_on() {
    let emu = emulator(Config::ephemeral()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    // Lines 1-3 create (allow-create off), 4 disables a user that does not exist (final),
    // 5 updates a missing user with create-if-not-exists off (held by that switch).
    let mut input = creates(3);
    input += &event(
        "iam-disable-user",
        json!({"user-profile": {"username": "ghost@example.test"}}),
    );
    input += &event("iam-update-user", json!({"user-profile": profile(7)}));
    let off = IlmSettings {
        allow_create: false,
        create_if_not_exists: false,
        ..Default::default()
    };
    let mut first = Batch::new(client_config(&emu), input.clone(), Format::JsonLines);
    first.journal = Some(path.clone());
    first.settings = off;
    let (s, results) = first.run().await;
    assert_eq!((s.skipped, s.held), (5, 4), "{s}");
    assert_eq!(s.held_by, ["allow-create", "create-if-not-exists"], "{s}");
    assert!(
        s.to_string()
            .contains("4 events were skipped because a setting was off"),
        "{s}"
    );
    each_line_once(&results, 1..=5);
    assert_eq!(
        journal_lines(&path),
        [4],
        "only the final skip is journaled"
    );
    assert!(users(&emu).await.is_empty());

    let mut second = Batch::new(client_config(&emu), input, Format::JsonLines);
    second.journal = Some(path.clone());
    let (s, results) = second.run().await;
    assert_eq!((s.succeeded, s.already_done, s.held), (4, 1, 0), "{s}");
    each_line_once(&results, [1, 2, 3, 5]);
    let users = users(&emu).await;
    assert_eq!(users.len(), 4, "the three creates and the update's create");
    assert!(users.contains_key("user7@example.test"));
}
