//! Logging to stderr through `tracing-subscriber`: `-v` info, `-vv` debug, `-vvv` trace;
//! `RUST_LOG` replaces the verbosity-derived filter.
//!
//! Without `-v` only aws-ilm's own warnings are shown: a failure is reported once, as the
//! one-line `error:` of `main`, not also as a TLS library's ERROR log.
//!
//! Whatever the filter, events at `trace` from the HTTP stack (`hyper`, `hyper_util`, `reqwest`,
//! `h2`, `rustls`) are dropped: at that level those crates may print request headers, and one of
//! them is `Authorization: Bearer <token>` (PRODUCT.md §6: the token never reaches the logs).

use std::io::IsTerminal;

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::prelude::*;

/// Crates whose trace-level events may carry request headers.
const HTTP_STACK: &[&str] = &["hyper", "hyper_util", "reqwest", "h2", "rustls", "http"];

/// Our own crates: the only ones that speak without `-v`.
const OURS: &[&str] = &[
    "aws_ilm",
    "aws_ilm_scim",
    "aws_ilm_client",
    "aws_ilm_lifecycle",
    "aws_ilm_batch",
    "aws_ilm_emulator",
];

/// The filter for `verbose` `-v` flags and an optional `RUST_LOG` value.
pub fn filter_spec(verbose: u8, rust_log: Option<&str>) -> String {
    if let Some(s) = rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        return s.to_string();
    }
    match verbose {
        0 => {
            let mut spec = "off".to_string();
            for c in OURS {
                spec.push_str(&format!(",{c}=warn"));
            }
            spec
        }
        1 => "info".into(),
        2 => "debug".into(),
        _ => "trace".into(),
    }
}

/// Whether an event may be printed at all, whatever the filter: not trace from the HTTP stack.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    if *meta.level() != Level::TRACE {
        return true;
    }
    let target = meta.target();
    let krate = target.split("::").next().unwrap_or(target);
    !HTTP_STACK.contains(&krate)
}

/// Installs the stderr subscriber. A `RUST_LOG` that does not parse falls back to the
/// verbosity's default with a warning rather than failing the command.
pub fn init(verbose: u8) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = match EnvFilter::try_new(filter_spec(verbose, rust_log.as_deref())) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("warning: ignoring RUST_LOG ({e})");
            EnvFilter::new(filter_spec(verbose, None))
        }
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_filter(filter_fn(allowed));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_levels() {
        assert!(filter_spec(0, None).starts_with("off,aws_ilm=warn"));
        assert_eq!(filter_spec(1, None), "info");
        assert_eq!(filter_spec(3, None), "trace");
        assert_eq!(filter_spec(0, Some("hyper=trace")), "hyper=trace");
        for v in 0..4 {
            EnvFilter::try_new(filter_spec(v, None)).unwrap();
        }
    }
}
