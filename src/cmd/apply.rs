//! `aws-ilm apply PLAN.json` and `aws-ilm apply --from SOURCE --auto-approve`: a plan carried
//! out through the batch engine (docs/reconcile.md, "Apply"). The work is
//! `aws_ilm_reconcile::apply`'s; this layer loads the plan or makes one, asks for approval,
//! wires the run as `batch` wires its own (rate limiter, breaker, signals, progress, result
//! lines, summary) and maps the outcome to the exit status: 0 every change succeeded, 1 some
//! failed, 2 a bad plan file or no approval, 3 connection or configuration, 5 refused by a
//! safety rail, 6 stale plan, 130/143 interrupted.
//!
//! Result lines go to stdout (or `--results`), as `batch`'s; the plan text, the question and
//! the summary go to stderr, so stdout stays machine-readable.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_ilm_audit::Durability;
use aws_ilm_batch::OnGroup;
use aws_ilm_batch::{Breaker, Ending, Progress, RateLimiter, Target};
use aws_ilm_client::ScimClient;
use aws_ilm_reconcile::apply::{ApplyError, ApplyOptions, ApplyReport, apply};
use aws_ilm_reconcile::source::SourceFormat;
use aws_ilm_reconcile::{Actual, Plan};

use super::batch::{GracefulStop, on_own_thread, open_results};
use super::plan::{Pace, SourceArgs};
use crate::audit::{Recorder, Source as AuditSource};
use crate::cli::ReconcileArgs;
use crate::error::{CliError, Exit, Signal};
use crate::output;
use crate::settings::Settings;

/// Carry out a plan saved by `aws-ilm plan --out` (only if AWS still matches what it saw: else
/// exit 6, nothing changed), or plan a source and apply it in one go (--from, asking on a
/// terminal unless --auto-approve). Result lines on stdout, summary on stderr. Exit 0 every
/// change succeeded, 1 some failed, 2 a bad plan file or no approval, 3 connection or
/// configuration, 5 refused by a safety rail, 6 stale plan, 130/143 interrupted (rerun to
/// resume)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file `aws-ilm plan --out` wrote
    #[arg(
        value_name = "PLAN",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    pub plan: Option<PathBuf>,
    /// Plan this source (a .csv, .json or .toml file, or - with --format) and apply it
    #[arg(long, value_name = "SOURCE", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The source's format: csv, json or toml [default: the file's extension]
    #[arg(long, value_name = "FORMAT", requires = "from",
          value_parser = <SourceFormat as std::str::FromStr>::from_str)]
    pub format: Option<SourceFormat>,
    /// With --from: apply without asking (needed where there is no terminal to ask on)
    #[arg(long, requires = "from")]
    pub auto_approve: bool,
    /// Record each finished change here; rerunning the same plan does only the rest
    /// [default: PLAN.journal]
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    pub journal: Option<PathBuf>,
    /// Write result lines here instead of stdout (appended to, so a resumed apply completes
    /// the same file)
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Never show the progress bar (it is shown only when stderr is a terminal)
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub reconcile: ReconcileArgs,
    #[command(flatten)]
    pub pace: Pace,
}

/// `aws-ilm apply`.
pub async fn run(args: Args, settings: &Settings) -> Result<Exit, CliError> {
    let secret = settings.token.expose();
    // Each write's line names the plan (or the source planned from) and the change's index;
    // lines are synced with the journal, before results are reported (docs/audit.md).
    let file = match (&args.plan, &args.from) {
        (Some(path), _) => path.display().to_string(),
        (_, Some(from)) if from == "-" => "(stdin)".to_owned(),
        (_, Some(from)) => from.clone(),
        (None, None) => String::new(),
    };
    let audit = Recorder::open(settings, Durability::OnSync, AuditSource::Plan { file })?;
    let (plan, actual, run) = match (&args.plan, &args.from) {
        (Some(path), _) => saved(&args, path, settings, audit.as_ref()).await?,
        (None, Some(from)) => match fresh(&args, from, settings, audit.as_ref()).await? {
            Some(prepared) => prepared,
            None => return Ok(Exit::Success),
        },
        (None, None) => return Err(CliError::usage("give a PLAN file or --from SOURCE")),
    };
    let (report, signal) = run_apply(&args, settings, plan, actual, run, audit.clone()).await?;
    let summary = report.summary.to_string().replace("batch: ", "apply: ");
    eprint!("{}", output::block(&format!("{summary}\n"), secret));
    if report.found_done > 0 {
        let note = format!(
            "apply: {} changes of the plan were found already in effect and not run",
            report.found_done
        );
        eprintln!("{}", output::line(&note, secret));
    }
    crate::audit::finish(
        audit,
        match report.summary.ending() {
            Ending::AllDone => Exit::Success,
            Ending::SomeFailed => Exit::Failed,
            Ending::SomeInvalid | Ending::Stopped { bad_input: true } => Exit::Usage,
            Ending::Stopped { bad_input: false } => Exit::Config,
            Ending::Interrupted => Exit::Interrupted(signal),
        },
    )
}

/// A saved plan, the state it is checked against, and how to run it.
type Prepared = (Plan, Actual, Run);

/// `apply PLAN`: the plan file, for this directory, and AWS re-read with its embedded desired
/// state and options.
async fn saved(
    args: &Args,
    path: &Path,
    settings: &Settings,
    audit: Option<&Arc<Recorder>>,
) -> Result<Prepared, CliError> {
    if args.reconcile.any() {
        return Err(CliError::usage(
            "apply PLAN uses the options the plan was made with; scope, protect, absent and cap \
             flags go with `aws-ilm plan` (or apply --from)",
        ));
    }
    let plan = Plan::load(path).map_err(|e| CliError::usage(e.to_string()))?;
    plan.check_target(&Target::of(&settings.endpoint))
        .map_err(|e| CliError::usage(e.to_string()))?;
    let (client, limiter, breaker) = super::plan::client(settings, &args.pace, audit)?;
    let actual = aws_ilm_reconcile::read::read_actual(
        &client,
        &plan.desired,
        &plan.options,
        &limiter,
        args.pace.concurrency as usize,
    )
    .await
    .map_err(|e| CliError::from_client(&e, settings))?;
    let journal = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(path));
    let run = Run {
        client,
        limiter,
        breaker,
        journal: Some(journal),
    };
    Ok((plan, actual, run))
}

/// `apply --from`: a plan made now, shown, checked by the rails and approved; `None` when there
/// is nothing to do.
async fn fresh(
    args: &Args,
    from: &str,
    settings: &Settings,
    audit: Option<&Arc<Recorder>>,
) -> Result<Option<Prepared>, CliError> {
    let secret = settings.token.expose();
    let source = SourceArgs {
        from: from.to_owned(),
        format: args.format,
    };
    let made = super::plan::make(&source, &args.reconcile, &args.pace, settings, audit).await?;
    eprint!("{}", super::plan::show(&made.plan, secret));
    if !made.refusals.is_empty() {
        return Err(super::plan::refused(&made.refusals, secret));
    }
    if made.plan.changes.is_empty() {
        return Ok(None);
    }
    approve(args.auto_approve, made.plan.changes.len())?;
    let run = Run {
        client: made.client,
        limiter: made.limiter,
        breaker: made.breaker,
        journal: None,
    };
    Ok(Some((made.plan, made.actual, run)))
}

/// What an apply runs with: the client that read AWS, its limiter and breaker, and the journal.
struct Run {
    client: ScimClient,
    limiter: Arc<RateLimiter>,
    breaker: Arc<Breaker>,
    journal: Option<PathBuf>,
}

/// `plan.json.journal` next to `plan.json`.
fn default_journal(plan: &Path) -> PathBuf {
    let mut name = plan.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// `--auto-approve`, or a `y` typed on a terminal; anywhere else there is nobody to ask, and
/// applying unasked is what `--auto-approve` is for.
fn approve(auto_approve: bool, changes: usize) -> Result<(), CliError> {
    if auto_approve {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(CliError::usage(
            "apply --from asks before it changes anything, and there is no terminal to ask on; \
             nothing was changed",
        )
        .with_hint(
            "give --auto-approve, or save the plan with `aws-ilm plan --out plan.json` and run \
             `aws-ilm apply plan.json`",
        ));
    }
    eprint!("Apply these {changes} changes? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError {
            exit: Exit::Failed,
            message: "apply cancelled; nothing was changed".into(),
            hint: None,
        }),
    }
}

/// The apply itself, on a thread of its own as `batch`'s engine runs, with Ctrl-C and SIGTERM
/// stopping it gracefully; the report and the signal that stopped it, if one did.
async fn run_apply(
    args: &Args,
    settings: &Settings,
    plan: Plan,
    actual: Actual,
    run: Run,
    audit: Option<Arc<Recorder>>,
) -> Result<(ApplyReport, Signal), CliError> {
    let Run {
        client,
        limiter,
        breaker,
        journal,
    } = run;
    let secret = settings.token.expose();
    let file = args
        .results
        .as_deref()
        .map(|p| open_results(p, true))
        .transpose()?;
    let results = output::results(file, settings.output, secret);
    let mut options = ApplyOptions::new(limiter, results);
    options.concurrency = args.pace.concurrency as usize;
    options.reported = args.results.clone();
    options.breaker = Some(breaker);
    if let Some(r) = audit.clone() {
        options.on_group = Some(OnGroup(Arc::new(move || r.sync())));
    }
    if !args.no_progress && std::io::stderr().is_terminal() {
        options.progress = Progress::stderr(Some(plan.changes.len() as u64));
    }
    let stop = GracefulStop::install("apply", options.grace, audit)?;
    options.shutdown = Some(stop.shutdown());
    let result = on_own_thread("apply", move || async move {
        apply(&client, &plan, &actual, journal.as_deref(), options).await
    })
    .await?;
    let signal = stop.finish();
    let report = result.map_err(|e| apply_error(e, secret))?;
    Ok((report, signal))
}

/// Why the apply did not run, as the error that ends the run; a stale plan's differences are
/// printed first, one per line.
fn apply_error(e: ApplyError, secret: &str) -> CliError {
    match e {
        ApplyError::Stale(stale) => {
            for line in &stale.lines {
                eprintln!("{}", output::line(line, secret));
            }
            CliError::stale("the plan is stale: AWS changed since it was made; nothing was changed")
                .with_hint("make a new plan with `aws-ilm plan`, review it, and apply that")
        }
        ApplyError::Conflicts(_) => CliError::stale(format!("{e}; nothing was changed")),
        ApplyError::Plan(_) => CliError::usage(e.to_string()),
        ApplyError::Journal(_) | ApplyError::Output(_) => CliError::config(e.to_string()),
    }
}
