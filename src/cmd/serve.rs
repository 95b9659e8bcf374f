//! `aws-ilm serve`: the emulator behind a TCP listener.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the emulator is not built yet")
}
