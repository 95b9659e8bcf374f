//! Integration tests of the batch engine against the real emulator over real HTTP, and of the
//! `aws-ilm batch` binary for the kill-and-resume case.

mod common;
mod create_first;
mod kill;
mod runs;
