//! End-to-end tests of the `aws-ilm` binary: the real binary, run as a process, against the real
//! emulator started in this test process, over real HTTP on 127.0.0.1. One test binary for the
//! root package (ARCHITECTURE practice 7) with one module per concern.

mod harness;

mod config;
mod demo;
mod errors;
mod groups;
mod inputs;
mod mappers;
mod secrets;
mod transcript;
mod users;
