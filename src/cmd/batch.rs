//! `aws-ilm batch FILE`: many lifecycle events from a JSON-lines or CSV file, run concurrently,
//! rate-limited, in per-user order, with an optional resume journal (PRODUCT.md §5).
//!
//! Signature for the dispatcher in `main.rs`: the CLI builds the client configuration and the
//! lifecycle settings from its `Settings` exactly as for a single command, then calls
//! `cmd::batch::run(args, client_config, ilm_settings).await` → `anyhow::Result<ExitCode>`.

use std::process::ExitCode;

use aws_ilm_client::ClientConfig;
use aws_ilm_lifecycle::IlmSettings;

/// Arguments of `aws-ilm batch` (filled in by the batch work).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(
    _args: Args,
    _client: ClientConfig,
    _ilm: IlmSettings,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("batch is not built yet")
}
