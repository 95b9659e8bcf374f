//! `aws-ilm plan --from SOURCE`: what would make IAM Identity Center equal to a source of truth,
//! Terraform style (docs/reconcile.md). The work is `aws_ilm_reconcile`'s; this layer opens the
//! source, reads AWS, prints the plan, saves it, and maps the outcome to the exit status:
//! 0 no changes, 4 changes pending, 5 refused by a safety rail, 2 a bad source, 3 connection
//! or configuration.
//!
//! A refused plan is printed (what it would have done) with each refusal and the flag that
//! allows it, and is not written to `--out`: a file on disk is something to apply, and a
//! refused plan must not be (docs/reconcile.md, "Safety rails").

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_ilm_batch::{Breaker, DEFAULT_MAX_NO_ANSWER, RateLimiter, Target};
use aws_ilm_client::ScimClient;
use aws_ilm_reconcile::source::{SourceError, SourceFormat, SourceLimits, read_source};
use aws_ilm_reconcile::{Actual, Plan, Problem, Refusal, diff, rails};

use crate::audit::Recorder;
use crate::cli::{OutputFormat, ReconcileArgs};
use crate::error::{CliError, Exit};
use crate::output;
use crate::settings::Settings;

/// Show what would make IAM Identity Center equal to a source of truth: `+` create, `~` update
/// (each attribute old → new), `-` disable or delete, member additions and removals, and a
/// summary. Exit 0 no changes, 4 changes pending, 5 refused by a safety rail (nothing written),
/// 2 a bad source (every problem listed), 3 connection or configuration
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Save the plan here (JSON, mode 0600) for `aws-ilm apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub reconcile: ReconcileArgs,
    #[command(flatten)]
    pub pace: Pace,
}

/// Where the desired state comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// The source of truth: a .csv, .json or .toml file, or - for standard input (with
    /// --format)
    #[arg(long, value_name = "SOURCE", allow_hyphen_values = true)]
    pub from: String,
    /// The source's format: csv, json or toml [default: the file's extension]
    #[arg(long, value_name = "FORMAT", value_parser = <SourceFormat as std::str::FromStr>::from_str)]
    pub format: Option<SourceFormat>,
}

/// How fast reads (and, for `apply`, writes) go; the same flags and defaults as `batch`'s.
#[derive(Debug, Clone, clap::Args)]
pub struct Pace {
    /// Requests running at once
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Write requests per second at most (reads: 40/25 of it, AWS's quota ratio); lowered
    /// automatically on 429 and raised again while the server keeps up. 0 = unlimited
    #[arg(long, value_name = "R", default_value_t = 20.0, value_parser = super::batch::parse_rps)]
    pub max_rps: f64,
}

/// A plan made against the directory, and the rails it runs into.
pub struct Made {
    pub plan: Plan,
    /// The state the plan was made against.
    pub actual: Actual,
    pub refusals: Vec<Refusal>,
    /// The client that read AWS, its limiter and breaker, for `apply --from` to go on with.
    pub client: ScimClient,
    pub limiter: Arc<RateLimiter>,
    pub breaker: Arc<Breaker>,
}

/// `aws-ilm plan`.
pub async fn run(args: Args, settings: &Settings) -> Result<Exit, CliError> {
    // A plan only reads: nothing to audit.
    let made = make(&args.source, &args.reconcile, &args.pace, settings, None).await?;
    let secret = settings.token.expose();
    let text = match settings.output {
        OutputFormat::Json => output::json(&plan_document(&made.plan)?, secret),
        OutputFormat::Human | OutputFormat::Markdown => show(&made.plan, secret),
    };
    super::ilm::print(&text)?;
    if !made.refusals.is_empty() {
        return Err(refused(&made.refusals, secret));
    }
    if let Some(out) = &args.out {
        made.plan
            .save(out)
            .map_err(|e| CliError::config(e.to_string()))?;
        if !made.plan.changes.is_empty() {
            let note = format!(
                "plan saved to {0}; apply it with `aws-ilm apply {0}`",
                out.display()
            );
            eprintln!("{}", output::line(&note, secret));
        }
    }
    Ok(if made.plan.changes.is_empty() {
        Exit::Success
    } else {
        Exit::ChangesPending
    })
}

/// The plan's text for a person (docs/reconcile.md, "A worked example"): the token masked,
/// controls visible, line breaks kept.
pub fn show(plan: &Plan, secret: &str) -> String {
    output::block(&aws_ilm_reconcile::render::render(plan), secret)
}

fn plan_document(plan: &Plan) -> Result<serde_json::Value, CliError> {
    serde_json::to_value(plan).map_err(|e| CliError::config(format!("cannot show the plan: {e}")))
}

/// Each refusal on stderr with the flag that allows it, and the error that ends the run
/// (exit 5).
pub fn refused(refusals: &[Refusal], secret: &str) -> CliError {
    for r in refusals {
        eprintln!("{}", output::line(&format!("refused: {r}"), secret));
    }
    CliError::refused(format!(
        "the plan was refused by {} safety rail{}; nothing was changed",
        refusals.len(),
        if refusals.len() == 1 { "" } else { "s" }
    ))
}

/// Reads the source and AWS and computes the plan and its refusals. Source problems (and the
/// conflicts the diff finds between source and AWS) are printed, one line each, and end the run
/// with exit 2: no plan is made.
pub async fn make(
    source: &SourceArgs,
    reconcile: &ReconcileArgs,
    pace: &Pace,
    settings: &Settings,
    audit: Option<&Arc<Recorder>>,
) -> Result<Made, CliError> {
    let secret = settings.token.expose();
    let format = format_of(source)?;
    let mapper = super::ilm::ilm_settings(settings)?.mapper_out;
    let desired = read_source(
        open(&source.from)?,
        format,
        &mapper,
        &SourceLimits::default(),
    )
    .map_err(|e| match e {
        SourceError::Problems(problems) => problems_error(&problems, secret),
        other => CliError::usage(format!("{}: {other}", source.from)),
    })?;
    let options = settings
        .reconcile
        .as_ref()
        .ok_or_else(|| CliError::config("the reconcile settings were not built"))?
        .options(reconcile.allow_mass_change, settings.allow_enable);
    let (client, limiter, breaker) = client(settings, pace, audit)?;
    let actual = aws_ilm_reconcile::read::read_actual(
        &client,
        &desired,
        &options,
        &limiter,
        pace.concurrency as usize,
    )
    .await
    .map_err(|e| CliError::from_client(&e, settings))?;
    let diff = diff(&desired, &actual, &options).map_err(|p| problems_error(&p, secret))?;
    let refusals = rails::check(&desired, &actual, &diff.changes, &options);
    let plan = Plan::new(diff, desired, options, &Target::of(&settings.endpoint));
    Ok(Made {
        plan,
        actual,
        refusals,
        client,
        limiter,
        breaker,
    })
}

/// The client of a run, the limiter it reports 429s to and its breaker, wired as `batch` wires
/// its own (`aws_ilm_batch::client::configure`).
pub fn client(
    settings: &Settings,
    pace: &Pace,
    audit: Option<&Arc<Recorder>>,
) -> Result<(ScimClient, Arc<RateLimiter>, Arc<Breaker>), CliError> {
    let limiter = Arc::new(RateLimiter::new(pace.max_rps));
    let mut config = super::ilm::client_config(settings);
    if let Some(r) = audit {
        r.hook(&mut config);
    }
    let (config, breaker) =
        aws_ilm_batch::client::configure(config, &limiter, DEFAULT_MAX_NO_ANSWER);
    let client = ScimClient::new(config).map_err(|e| CliError::from_client(&e, settings))?;
    Ok((client, limiter, breaker))
}

/// `--format`, else the file's extension; standard input needs `--format`.
fn format_of(source: &SourceArgs) -> Result<SourceFormat, CliError> {
    if let Some(f) = source.format {
        return Ok(f);
    }
    if source.from == "-" {
        return Err(CliError::usage(
            "--from - (standard input) needs --format csv, json or toml",
        ));
    }
    SourceFormat::from_path(Path::new(&source.from)).ok_or_else(|| {
        CliError::usage(format!(
            "{}: cannot tell the source's format from its name; give --format csv, json or toml",
            source.from
        ))
    })
}

fn open(from: &str) -> Result<Box<dyn BufRead>, CliError> {
    if from == "-" {
        return Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            std::io::stdin(),
        )));
    }
    let f = File::open(from).map_err(|e| CliError::usage(format!("cannot read {from}: {e}")))?;
    Ok(Box::new(BufReader::with_capacity(256 * 1024, f)))
}

/// Every problem on its own line of stderr, then the error that ends the run (exit 2).
fn problems_error(problems: &[Problem], secret: &str) -> CliError {
    for p in problems {
        eprintln!("{}", output::line(&format!("problem: {p}"), secret));
    }
    CliError::usage(format!(
        "the source has {} problem{}; no plan was made",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ))
}
