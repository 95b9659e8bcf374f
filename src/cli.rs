//! clap definitions: parsing and validation only. Settings are built from these in one place.

use clap::{Parser, Subcommand};

use crate::cmd;

#[derive(Debug, Parser)]
#[command(name = "aws-ilm", version, about = "Employee lifecycle for AWS IAM Identity Center over SCIM 2.0")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local SCIM server that answers like AWS IAM Identity Center, on SQLite.
    Serve(cmd::serve::Args),
}
