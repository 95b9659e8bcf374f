//! One module per subcommand. `ilm` holds the lifecycle commands (`iam-*`,
//! `get-mapping-fields`, `test-module`), which share one code path.
//!
//! [`run`] is the one dispatcher: every subcommand returns how the run ended ([`Exit`]) or a
//! [`CliError`], which `main` prints. The commands that work on a configured directory get
//! their [`Settings`] built here, after their arguments parsed (bad input is exit 2 and needs
//! no configuration), with the settings' warnings printed once.

pub mod apply;
pub mod audit;
pub mod batch;
pub mod completions;
pub mod demo;
pub mod doctor;
pub mod ilm;
pub mod man;
pub mod plan;
pub mod serve;

use crate::cli::{Cli, Command, GlobalArgs, ReconcileArgs};
use crate::error::{CliError, Exit};
use crate::settings::{self, Settings};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Man => man::run(),
        Command::Doctor => doctor::run(&cli.global).await,
        Command::Audit(c) => audit::run(c, &cli.global),
        Command::Serve(args) => serve::run(args).await,
        Command::Demo => demo::run(&cli.global).await,
        Command::Batch(args) => batch::run(args, &configured(&cli.global)?).await,
        Command::Plan(args) => {
            let settings = configured_with(&cli.global, Some(&args.reconcile))?;
            plan::run(args, &settings).await
        }
        Command::Apply(args) => {
            let settings = configured_with(&cli.global, Some(&args.reconcile))?;
            apply::run(args, &settings).await
        }
        command => {
            let cmd = ilm::parse(&command)?;
            ilm::run(&cmd, &configured(&cli.global)?).await
        }
    }
}

/// The settings of this run, from flags, variables and the config file; warnings printed.
fn configured(global: &GlobalArgs) -> Result<Settings, CliError> {
    configured_with(global, None)
}

/// [`configured`], with the reconcile settings of `plan` and `apply`.
fn configured_with(
    global: &GlobalArgs,
    reconcile: Option<&ReconcileArgs>,
) -> Result<Settings, CliError> {
    let settings = Settings::build_with(global, reconcile, &settings::process_env)?;
    // Names and sources only, never values: `-vv` shows where each setting came from.
    for (setting, source) in &settings.origins {
        tracing::debug!(setting, from = %source, "setting");
    }
    crate::warnings::print(&settings);
    Ok(settings)
}
