//! `aws-ilm`: the command-line layer. It parses arguments, builds settings, calls the libraries
//! and turns their results and errors into output and exit codes; no SCIM or HTTP logic lives
//! here.
//!
//! Exit status (README.md, docs/batch.md): 0 success or skipped, 1 the command ran and failed, 2 bad
//! input or usage, 3 configuration or connection failure, 4 `plan` found changes, 5 a safety
//! rail refused the plan, 6 `apply` found the plan stale (docs/reconcile.md), 130/143 a batch or
//! an apply stopped by SIGINT/SIGTERM. Every command ends in one [`error::Exit`] or one [`error::CliError`], and
//! this is the one place either becomes the process's status.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

mod audit;
mod cli;
mod cmd;
mod config;
mod error;
mod expiry;
mod input;
mod logging;
mod output;
mod render;
mod settings;
mod warnings;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `aws-ilm serve` logs one line per request (info) unless told otherwise.
    let serve_floor = u8::from(matches!(cli.command, Command::Serve(_)));
    logging::init(cli.global.verbose.max(serve_floor));
    let ended = runtime(&cli.command).and_then(|rt| rt.block_on(cmd::run(cli)));
    match ended {
        Ok(exit) => exit.into(),
        Err(e) => e.report(),
    }
}

/// A single lifecycle command does a handful of sequential requests: a current-thread runtime
/// starts faster than a pool of workers. The server, the demo (which hosts the emulator) and
/// batch get the multi-threaded one.
fn runtime(command: &Command) -> Result<tokio::runtime::Runtime, CliError> {
    let mut builder = match command {
        Command::Serve(_)
        | Command::Demo
        | Command::Batch(_)
        | Command::Plan(_)
        | Command::Apply(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| CliError::config(format!("cannot start the async runtime: {e}")))
}
