//! `aws-ilm`: the command-line layer. It parses arguments, builds settings, calls the libraries
//! and turns their results and errors into output and exit codes; no SCIM or HTTP logic lives
//! here.
//!
//! Exit status (PRODUCT.md §3): 0 success or skipped, 1 the command ran and failed, 2 bad input
//! or usage, 3 configuration or connection failure.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod config;
mod error;
mod input;
mod logging;
mod output;
mod settings;
mod warnings;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, EXIT_CONFIG};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let cli::Command::Completions { shell } = cli.command {
        return ExitCode::from(cmd::completions::run(shell));
    }
    // `aws-ilm serve` logs one line per request (info) unless told otherwise.
    let serve_floor = u8::from(matches!(cli.command, cli::Command::Serve(_)));
    logging::init(cli.global.verbose.max(serve_floor));

    // A single lifecycle command does a handful of sequential requests: a current-thread
    // runtime starts faster than a pool of workers. The server, the demo (which hosts the
    // emulator) and batch get the multi-threaded one.
    let multi = matches!(
        cli.command,
        cli::Command::Serve(_) | cli::Command::Demo | cli::Command::Batch(_)
    );
    let runtime = if multi {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let result: Result<u8, CliError> = runtime.block_on(async move {
        match cli.command {
            cli::Command::Serve(args) => anyhow_code(cmd::serve::run(args).await),
            cli::Command::Batch(args) => {
                let settings = settings::Settings::build(&cli.global, &settings::process_env)?;
                warnings::print(&settings);
                let client = cmd::ilm::client_config(&settings);
                let ilm = cmd::ilm::ilm_settings(&settings)?;
                let secret = settings.token.expose();
                anyhow_code(cmd::batch::run(args, client, ilm, secret).await)
                    .map_err(|e| e.masked(secret))
            }
            cli::Command::Demo => cmd::demo::run(&cli.global).await,
            ref command => cmd::ilm::run(&cli.global, command).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", e.render(None));
            ExitCode::from(e.code)
        }
    }
}

/// Subcommands owned elsewhere return `anyhow::Result<ExitCode>`; their errors are
/// configuration or runtime failures (exit 3), printed on one line.
fn anyhow_code(r: anyhow::Result<ExitCode>) -> Result<u8, CliError> {
    match r {
        Ok(code) => {
            // ExitCode is opaque; the subcommands only return the documented codes (batch
            // also 130/143: interrupted by SIGINT/SIGTERM, docs/batch.md).
            for c in [0u8, 1, 2, 3, 130, 143] {
                if code == ExitCode::from(c) {
                    return Ok(c);
                }
            }
            Ok(EXIT_CONFIG)
        }
        Err(e) => Err(CliError::config(format!("{e:#}"))),
    }
}
