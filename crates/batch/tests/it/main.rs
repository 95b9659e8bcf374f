//! Integration tests of the batch engine against the real emulator over real HTTP. The
//! kill-and-resume test of the `aws-ilm batch` binary lives with the binary's own tests
//! (`tests/it/batch_kill.rs` at the workspace root), where cargo builds the binary for it.

mod breaker;
mod common;
mod create_first;
mod csv;
mod events;
mod interrupt;
mod journal;
mod runs;
mod unanswered;
