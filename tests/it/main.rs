//! End-to-end tests of the `aws-ilm` binary: the real binary, run as a process, against the real
//! emulator started in this test process over real HTTP on 127.0.0.1, or against `aws-ilm serve`
//! run as a process where the server binary itself is under test. One test binary for the root
//! package (ARCHITECTURE practice 7) with one module per concern.

mod harness;
mod server;

mod audit;
mod batch_breaker;
mod batch_csv;
mod batch_interrupt;
mod batch_journal;
mod batch_kill;
mod batch_terminal;
// The batch crate's event and result helpers, shared rather than copied.
#[allow(dead_code)]
#[path = "../../crates/batch/tests/it/events.rs"]
mod batch_support;
// The dead-end directories of the batch crate's breaker tests, shared rather than copied.
mod config;
mod crash;
mod demo;
mod doctor;
mod errors;
mod expiry;
mod groups;
mod hostile;
mod human;
mod input_limits;
mod inputs;
mod limits;
mod logs;
mod man;
mod mappers;
mod migrate;
mod reconcile;
mod reconcile_kill;
mod reconcile_problems;
mod reconcile_support;
mod schema;
mod secrets;
mod serve;
mod transcript;
mod transcript_ops;
#[path = "../../crates/batch/tests/it/unanswered.rs"]
mod unanswered;
mod user_groups;
mod users;
mod warnings;
