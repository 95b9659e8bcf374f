//! Backoff and the retry budget.
//!
//! We write the loop ourselves rather than use `backon`: the loop is a dozen lines, and what
//! matters is AWS-specific and does not fit a generic "retry this future" shape: a server
//! `Retry-After` replaces the computed delay, a 429 feeds the batch engine's rate limiter, and a
//! POST whose outcome is unknown must be followed by a lookup instead of a re-send (see
//! [`crate::create`]). All sleeping is on `tokio::time`, so tests drive it with
//! `tokio::time::pause()`.
//!
//! A server's `Retry-After` is honoured: the next attempt starts no earlier than it says (plus a
//! jitter of at most `base_delay`). Otherwise delays are "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
//! retry sleeps uniformly in `0..=min(max_delay, base_delay * 2^(n-1))`. That spreads the retries of
//! many concurrent batch workers instead of having them hit a throttled tenant in lock-step.

use std::time::{Duration, SystemTime};

use rand::Rng;
use tokio::time::Instant;

use crate::config::RetryPolicy;

/// A Retry-After longer than this is treated as this (a server asking for days is broken, and
/// the elapsed-time budget will refuse to wait that long anyway).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The attempts and time one logical operation has used.
#[derive(Debug)]
pub(crate) struct Budget<'a> {
    policy: &'a RetryPolicy,
    started: Instant,
    attempts: u32,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy) -> Self {
        Budget {
            policy,
            started: Instant::now(),
            attempts: 0,
        }
    }

    /// Counts an attempt about to be made and returns its 1-based number.
    pub(crate) fn start_attempt(&mut self) -> u32 {
        self.attempts = self.attempts.saturating_add(1);
        self.attempts
    }

    /// Decides whether another attempt may be made; if so, sleeps before it and returns true.
    /// `retry_after` (the server's wish) replaces the computed backoff. Gives up, without
    /// sleeping, when the attempts are used up or the sleep would end past `max_elapsed`.
    pub(crate) async fn pause_before_retry(&mut self, retry_after: Option<Duration>) -> bool {
        match self.next_delay(retry_after) {
            Some(d) => {
                tracing::debug!(
                    attempt = self.attempts,
                    delay_ms = d.as_millis() as u64,
                    server_asked = retry_after.is_some(),
                    "retrying"
                );
                tokio::time::sleep(d).await;
                true
            }
            None => false,
        }
    }

    fn next_delay(&self, retry_after: Option<Duration>) -> Option<Duration> {
        if self.attempts >= self.policy.max_attempts.max(1) {
            return None;
        }
        let delay = match retry_after {
            // Never earlier than asked; a little later, by up to `base_delay`, so that the
            // concurrent workers a 429 stopped together do not all come back in the same
            // instant and get throttled together again.
            Some(ra) => ra
                .min(MAX_RETRY_AFTER)
                .saturating_add(full_jitter(self.policy.base_delay)),
            None => full_jitter(self.backoff_cap(self.attempts)),
        };
        let ends_at = self.started.elapsed().saturating_add(delay);
        (ends_at <= self.policy.max_elapsed).then_some(delay)
    }

    /// The jitter ceiling for the retry that follows attempt number `attempt` (1-based).
    fn backoff_cap(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        self.policy
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.policy.max_delay)
    }
}

fn full_jitter(cap: Duration) -> Duration {
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rand::rng().random_range(0..=nanos))
}

/// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. A date in the past
/// means "now". Fractional seconds, which some proxies send, are accepted too.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            max_elapsed: Duration::from_secs(10),
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let future = SystemTime::now() + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(future)).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("999999999"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn caps_double_and_saturate() {
        let p = policy();
        let b = Budget::new(&p);
        let caps: Vec<u128> = (1..=5).map(|a| b.backoff_cap(a).as_millis()).collect();
        assert_eq!(caps, vec![100, 200, 350, 350, 350]);
        assert_eq!(b.backoff_cap(u32::MAX), Duration::from_millis(350));
    }

    #[tokio::test(start_paused = true)]
    async fn full_jitter_sleeps_within_the_cap_and_stops_at_max_attempts() {
        let p = policy();
        let mut b = Budget::new(&p);
        let mut total = Duration::ZERO;
        let mut retries = 0;
        loop {
            let n = b.start_attempt();
            let before = Instant::now();
            if !b.pause_before_retry(None).await {
                break;
            }
            let slept = before.elapsed();
            assert!(slept <= b.backoff_cap(n), "attempt {n}: slept {slept:?}");
            total += slept;
            retries += 1;
        }
        assert_eq!(retries, 4, "5 attempts = 4 retries");
        assert!(total <= Duration::from_millis(100 + 200 + 350 + 350));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_exactly_and_bounded_by_elapsed() {
        let p = policy();
        let mut b = Budget::new(&p);
        b.start_attempt();
        let t0 = Instant::now();
        assert!(b.pause_before_retry(Some(Duration::from_secs(3))).await);
        let slept = t0.elapsed();
        assert!(
            slept >= Duration::from_secs(3) && slept <= Duration::from_millis(3100),
            "{slept:?}"
        );
        b.start_attempt();
        // ~3 s used of 10: a 6 s wait still fits, an 8 s one does not and gives up at once.
        let t1 = Instant::now();
        assert!(!b.pause_before_retry(Some(Duration::from_secs(8))).await);
        assert_eq!(t1.elapsed(), Duration::ZERO);
        assert!(b.pause_before_retry(Some(Duration::from_secs(6))).await);
    }

    #[tokio::test(start_paused = true)]
    async fn one_attempt_policy_never_retries() {
        let p = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::none()
        };
        let mut b = Budget::new(&p);
        b.start_attempt();
        assert!(!b.pause_before_retry(Some(Duration::ZERO)).await);
    }
}
