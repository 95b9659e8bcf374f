//! Integration tests of aws_ilm_client: against the real emulator over real HTTP, and against a
//! scripted server for what AWS (and so the emulator) never does.

mod common;
mod nonaws;
mod scripted;
