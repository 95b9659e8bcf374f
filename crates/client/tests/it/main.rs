//! Integration tests of aws_ilm_client: against the real emulator over real HTTP, and against a
//! scripted server for what AWS (and so the emulator) never does. The proxy tests live in their
//! own binary (`tests/proxy.rs`) because they set process-wide environment variables.

mod auth;
mod common;
mod crud;
mod hostile;
mod logging;
mod nonaws;
mod paging;
mod retries;
mod scripted;
mod tls;
mod writes;
