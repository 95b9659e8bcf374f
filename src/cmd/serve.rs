//! `aws-ilm serve`: the AWS-faithful SCIM emulator behind a TCP listener.
//!
//! It parses the flags, binds the address (port 0 picks a free one), prints the base URL, the
//! tenant and — when it generated one — the token to stdout (the one place the emulator's token
//! is shown: the operator needs it), then serves until ctrl-c or SIGTERM, logging one line per
//! request to stderr through the log thread (`logging::queue_stderr`), flushed on the way out.

use std::path::PathBuf;
use std::time::Duration;

use aws_ilm_emulator::{Config, Throttle, TlsFiles, config};
use aws_ilm_scim::secret::SecretToken;

use crate::error::{CliError, Exit};
use crate::settings::layer::{Seconds, Setting};

/// Run a local SCIM server that answers like AWS IAM Identity Center, on SQLite.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// SQLite database file (created if missing), or `:memory:` for a throwaway store.
    #[arg(long, default_value = "aws-ilm-emulator.db")]
    pub db: String,
    /// Tenant id (the first path segment). Default: a random id of AWS's form.
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// Accepted bearer token (repeatable, at most 2 as in AWS). Default: a random one, printed.
    #[arg(
        long = "token",
        env = "AWS_ILM_EMULATOR_TOKEN",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub tokens: Vec<SecretToken>,
    /// Enforce AWS's quotas: 25 requests/s per write API, 40 per read API (429 + Retry-After).
    #[arg(long)]
    pub throttle: bool,
    /// Write requests per second per API when throttling (implies --throttle).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub throttle_write: Option<u32>,
    /// Read requests per second per API when throttling (implies --throttle).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub throttle_read: Option<u32>,
    /// Fraction of requests (0..1) answered 500 or, for one in three of them, done and then
    /// dropped without a response.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = fraction)]
    pub fault_rate: f64,
    /// Milliseconds added before every operation.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// PEM certificate chain: serve HTTPS (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Seconds a connection may take to send a complete request head (from its start, or from
    /// the first byte of a later request) before it is dropped.
    #[arg(long, value_name = "SECONDS", value_parser = seconds,
          default_value_t = config::DEFAULT_HEADER_READ_TIMEOUT.as_secs_f64())]
    pub header_read_timeout: f64,
    /// Seconds a request body may take to arrive whole; a slower one (a stalled or trickling
    /// client) is answered 408 and its connection closed.
    #[arg(long, value_name = "SECONDS", value_parser = seconds,
          default_value_t = config::DEFAULT_BODY_READ_TIMEOUT.as_secs_f64())]
    pub body_read_timeout: f64,
    /// Seconds without a request or a byte after which a connection is closed (on HTTP/2:
    /// without a request, whatever pings or other frames arrive).
    #[arg(long, value_name = "SECONDS", value_parser = seconds,
          default_value_t = config::DEFAULT_IDLE_TIMEOUT.as_secs_f64())]
    pub idle_timeout: f64,
    /// Open connections at most; lowered to fit the open-file limit. At the cap a new
    /// connection closes the least recently active idle one, or is refused if all are busy.
    #[arg(long, value_name = "N", default_value_t = config::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
}

/// Exit 2 for flags that cannot be served (an unusable token, a path-breaking tenant: bad input;
/// numeric ranges are refused earlier, by clap, with the same exit), 3 when the address, the
/// database or TLS cannot be set up.
pub async fn run(args: Args) -> Result<Exit, CliError> {
    let generated = args.tokens.is_empty();
    let throttle = (args.throttle || args.throttle_write.is_some() || args.throttle_read.is_some())
        .then(|| {
            let d = Throttle::default();
            Throttle {
                write_per_sec: args.throttle_write.unwrap_or(d.write_per_sec),
                read_per_sec: args.throttle_read.unwrap_or(d.read_per_sec),
            }
        });
    let config = Config {
        db: args.db.clone(),
        tenant_id: args
            .tenant_id
            .clone()
            .unwrap_or_else(config::random_tenant_id),
        tokens: if generated {
            vec![SecretToken::new(config::random_token())]
        } else {
            args.tokens.clone()
        },
        throttle,
        fault_rate: args.fault_rate,
        latency: Duration::from_millis(args.latency),
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        },
        header_read_timeout: Duration::from_secs_f64(args.header_read_timeout),
        body_read_timeout: Duration::from_secs_f64(args.body_read_timeout),
        idle_timeout: Duration::from_secs_f64(args.idle_timeout),
        max_connections: args.max_connections,
    };
    let failed = |e: &dyn std::fmt::Display| CliError::config(e.to_string());
    config
        .validate()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| failed(&format_args!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener.local_addr().map_err(|e| failed(&e))?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("aws-ilm emulator listening");
    println!("base URL: {scheme}://{addr}/{}/scim/v2", config.tenant_id);
    println!("tenant:   {}", config.tenant_id);
    if generated {
        println!("token:    {}", config.tokens[0].expose());
    } else {
        println!("token:    (the {} token(s) given)", config.tokens.len());
    }
    println!("database: {}", config.db);
    println!("stats:    {scheme}://{addr}/_emulator/stats");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // The request log goes through the log thread while serving (a write per line on the
    // request path cost 15-25% of a lookup); dropping the guard on the way out, after the
    // graceful stop, writes out what is still queued.
    let log = crate::logging::queue_stderr();
    let served = aws_ilm_emulator::serve(listener, config, stop_signal()).await;
    drop(log);
    served.map_err(|e| failed(&e))?;
    Ok(Exit::Success)
}

/// A timeout flag: the same rule as every other timeout setting (`Seconds`: above 0, at most an
/// hour), as a plain number so that its default can come from the emulator's constant.
fn seconds(text: &str) -> Result<f64, String> {
    <Seconds as Setting>::parse(text).map(|s| s.0)
}

/// `--fault-rate`: a fraction, 0 to 1 inclusive. Refused at parse time like every other flag
/// range, so the message is clap's and names the flag; `Config::validate` keeps the same bound
/// for library callers.
fn fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        Ok(_) => Err("must be between 0 and 1".into()),
        Err(e) => Err(format!("not a number: {e}")),
    }
}

/// Completes on ctrl-c or, on Unix, SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = ctrl_c => {},
            () = term => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
