//! The SCIM client as a batch run uses it (docs/batch.md): unattended bulk work rides out
//! longer throttling than an interactive command would (a run never gives up an event to
//! throttling), the rate limiter hears every 429 and the circuit breaker sees every attempt.
//! The binary and the tests wire a run through [`configure`], so they cannot drift apart.

use std::sync::Arc;
use std::time::Duration;

use aws_ilm_client::{ClientConfig, RetryPolicy};

use crate::breaker::Breaker;
use crate::rate::RateLimiter;

/// Attempts per request at least, the first included.
pub const MIN_ATTEMPTS: u32 = 10;
/// Time one request may spend on retries, at least: five minutes of AWS throttling.
pub const MIN_RETRY_ELAPSED: Duration = Duration::from_secs(300);

/// `retry` raised to the batch's floor ([`MIN_ATTEMPTS`], [`MIN_RETRY_ELAPSED`]); a
/// configuration that already allows more keeps it.
pub fn unattended(retry: RetryPolicy) -> RetryPolicy {
    RetryPolicy {
        max_attempts: retry.max_attempts.max(MIN_ATTEMPTS),
        max_elapsed: retry.max_elapsed.max(MIN_RETRY_ELAPSED),
        ..retry
    }
}

/// A single command's client configuration made a batch run's: the [`unattended`] retry
/// policy, `limiter` told of every 429, and a [`Breaker`] that trips after `max_no_answer`
/// attempts in a row got no answer (0 = never). The breaker's grace is one request timeout:
/// the time the requests in flight get to be answered once it trips.
pub fn configure(
    mut config: ClientConfig,
    limiter: &Arc<RateLimiter>,
    max_no_answer: u32,
) -> (ClientConfig, Arc<Breaker>) {
    config.retry = unattended(config.retry);
    let hook = Arc::clone(limiter);
    config.on_throttle = Some(Arc::new(move |retry_after| hook.throttled(retry_after)));
    let breaker = Arc::new(Breaker::new(max_no_answer, config.request_timeout));
    config.on_attempt = Some(breaker.hook());
    (config, breaker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_raises_short_budgets_and_keeps_longer_ones() {
        let short = unattended(RetryPolicy::default());
        assert_eq!(
            (short.max_attempts, short.max_elapsed),
            (MIN_ATTEMPTS, MIN_RETRY_ELAPSED)
        );
        assert_eq!(short.base_delay, RetryPolicy::default().base_delay);
        let long = RetryPolicy {
            max_attempts: 50,
            max_elapsed: Duration::from_secs(3600),
            ..RetryPolicy::default()
        };
        assert_eq!(unattended(long.clone()), long);
    }
}
