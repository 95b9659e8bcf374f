//! Integration tests of the lifecycle engine: every command and every branch of
//! docs/commands.md against the real emulator over real HTTP with the real client, plus the request
//! budgets, counted by the emulator's `/_emulator/stats`.

mod common;
mod create_first;
mod errors;
mod faults;
mod groups;
mod hostile;
mod users;
// The client's scripted HTTP server, shared rather than copied; not every helper is used here.
#[allow(dead_code)]
#[path = "../../../client/tests/it/scripted.rs"]
mod scripted;
