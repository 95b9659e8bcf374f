//! Request-rate limiter with additive-increase / multiplicative-decrease on 429.
//!
//! Decision (the spec leaves it open): the limiter paces *estimated requests* per event, not
//! HTTP requests one by one. Every event is charged its [`Cost`] (reads and writes) before it
//! starts, against two token buckets: writes at `--max-rps` and reads at 40/25 of it, the ratio
//! of AWS's quotas (UG:limits: 25 TPS per write API, 40 TPS per read API). Each lifecycle
//! command's request pattern is known (a lookup, then one write), so the estimate is close,
//! and pacing whole events keeps the client's own retry path free of a second limiter.
//! Retried requests are not charged: 429s lower the rate instead.
//!
//! Buckets work by reservation: an event takes its tokens now (the balance may go negative)
//! and sleeps until the balance would have been repaid, so waiters are served in arrival order
//! and a rate change never strands anyone. Everything runs on `tokio::time`, so tests drive
//! it with a paused clock.
//!
//! On a 429 (the client's `on_throttle` hook): new events wait for `Retry-After` (AWS sends
//! it with 429, [3P:proxy]; 1 s when absent), and the rate halves (floor 1/s). 429s that
//! arrive within the same episode (before the pause ends and at least one second after the
//! decrease) count once, since requests already in flight when the server first pushed back
//! say nothing new. After two quiet seconds the rate climbs back each second: quickly to 90%
//! of the rate that was throttled, then by small steps, up to `--max-rps`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::executor::Cost;

/// AWS: 40 read TPS against 25 write TPS per Identity Store (UG:limits).
pub const READ_TO_WRITE_RATIO: f64 = 40.0 / 25.0;
/// The floor of the adaptive rate (docs/batch.md, "Rate": halve the rate, floor 1/s).
pub const MIN_RATE: f64 = 1.0;
/// No increase until this long after the last 429.
const QUIET: Duration = Duration::from_secs(2);
/// At most one increase step per this interval.
const STEP_EVERY: Duration = Duration::from_secs(1);
/// Pause when a 429 carries no Retry-After.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// Retry-After values beyond this are capped: a misbehaving header must not stall a run.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst(rate),
            rate,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(burst(self.rate));
    }

    /// Takes `cost` tokens; returns how long the caller must wait before its turn.
    fn reserve(&mut self, cost: f64, now: Instant) -> Duration {
        if cost <= 0.0 {
            return Duration::ZERO;
        }
        self.refill(now);
        self.tokens -= cost;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }

    fn set_rate(&mut self, rate: f64, now: Instant) {
        self.refill(now);
        self.rate = rate;
        self.tokens = self.tokens.min(burst(rate));
    }
}

/// A quarter second of traffic, at least one request: small bursts, so a per-second quota on
/// the server side is not overrun right after an idle spell.
fn burst(rate: f64) -> f64 {
    (rate * 0.25).max(1.0)
}

#[derive(Debug)]
struct State {
    /// Current write rate; `None` while unlimited (`--max-rps 0` and never throttled).
    rate: Option<f64>,
    writes: Bucket,
    reads: Bucket,
    paused_until: Option<Instant>,
    last_decrease: Option<Instant>,
    last_throttle: Option<Instant>,
    last_step: Instant,
    /// The rate at which the server last pushed back; recovery aims just below it.
    throttled_at: f64,
    /// Writes charged in the current one-second window and the rate of the last one, to know
    /// what "half" means when running unlimited.
    window_start: Instant,
    window_writes: f64,
    observed: f64,
    throttles: u64,
}

/// Shared by the engine (acquire) and the HTTP client's 429 hook (throttled).
#[derive(Debug)]
pub struct RateLimiter {
    ceiling: Option<f64>,
    state: Mutex<State>,
}

impl RateLimiter {
    /// `max_rps` = 0 means unlimited until the server pushes back.
    pub fn new(max_rps: f64) -> RateLimiter {
        let now = Instant::now();
        let ceiling = (max_rps.is_finite() && max_rps > 0.0).then_some(max_rps.max(MIN_RATE));
        let rate = ceiling;
        let r = rate.unwrap_or(f64::INFINITY);
        RateLimiter {
            ceiling,
            state: Mutex::new(State {
                rate,
                writes: Bucket::new(r, now),
                reads: Bucket::new(r * READ_TO_WRITE_RATIO, now),
                paused_until: None,
                last_decrease: None,
                last_throttle: None,
                last_step: now,
                throttled_at: r,
                window_start: now,
                window_writes: 0.0,
                observed: 0.0,
                throttles: 0,
            }),
        }
    }

    /// Current write rate (requests/s), `None` when unlimited.
    pub fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// 429s seen by the hook.
    pub fn throttles(&self) -> u64 {
        self.lock().throttles
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another task panicked mid-update; the numbers are still
        // usable for pacing, so carry on rather than propagate the panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until an event of this cost may start.
    pub async fn acquire(&self, cost: Cost) {
        // Bounded: each pass either returns or sleeps until a pause ends; a pause can only be
        // extended by new 429s, and those come from requests we let through.
        loop {
            let now = Instant::now();
            let wait = {
                let mut s = self.lock();
                if let Some(until) = s.paused_until {
                    if until > now {
                        Some(until)
                    } else {
                        s.paused_until = None;
                        None
                    }
                } else {
                    None
                }
            };
            if let Some(until) = wait {
                tokio::time::sleep_until(until).await;
                continue;
            }
            let delay = {
                let mut s = self.lock();
                self.maybe_increase(&mut s, now);
                s.window_writes += cost.writes;
                let span = now.saturating_duration_since(s.window_start);
                if span >= Duration::from_secs(1) {
                    s.observed = s.window_writes / span.as_secs_f64();
                    s.window_start = now;
                    s.window_writes = 0.0;
                }
                if s.rate.is_none() {
                    Duration::ZERO
                } else {
                    let w = s.writes.reserve(cost.writes, now);
                    let r = s.reads.reserve(cost.reads, now);
                    w.max(r)
                }
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            // A 429 may have arrived while we slept: honour its pause before starting.
            let paused = self.lock().paused_until.is_some_and(|u| u > Instant::now());
            if !paused {
                return;
            }
        }
    }

    /// Called on every 429 the client sees, with the response's `Retry-After`.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        let now = Instant::now();
        let pause = retry_after
            .unwrap_or(DEFAULT_RETRY_AFTER)
            .min(MAX_RETRY_AFTER);
        let mut s = self.lock();
        s.throttles += 1;
        s.last_throttle = Some(now);
        let same_episode = s.last_decrease.is_some_and(|d| {
            now.saturating_duration_since(d) < Duration::from_secs(1)
                || s.paused_until.is_some_and(|u| u > now)
        });
        if same_episode {
            return;
        }
        s.paused_until = Some(now + pause);
        let current = match s.rate {
            Some(r) => r,
            None => {
                let span = now.saturating_duration_since(s.window_start).as_secs_f64();
                let partial = if span > 0.0 {
                    s.window_writes / span
                } else {
                    0.0
                };
                s.observed.max(partial).max(MIN_RATE * 2.0)
            }
        };
        let new = (current / 2.0).max(MIN_RATE);
        s.throttled_at = current;
        s.rate = Some(new);
        s.writes.set_rate(new, now);
        s.reads.set_rate(new * READ_TO_WRITE_RATIO, now);
        s.last_decrease = Some(now);
        s.last_step = now;
    }

    fn maybe_increase(&self, s: &mut State, now: Instant) {
        let Some(rate) = s.rate else { return };
        if let Some(c) = self.ceiling
            && rate >= c
        {
            return;
        }
        let quiet = s
            .last_throttle
            .is_none_or(|t| now.saturating_duration_since(t) >= QUIET);
        if !quiet || now.saturating_duration_since(s.last_step) < STEP_EVERY {
            return;
        }
        let target = s.throttled_at * 0.9;
        let next = if rate < target {
            // Fast recovery: halve the gap to just below where the server pushed back.
            (rate + ((target - rate) / 2.0).max(1.0)).min(target.max(rate + 1.0))
        } else {
            // Probing: small additive steps past the last known limit.
            rate + (s.throttled_at * 0.02).max(0.2)
        };
        let next = match self.ceiling {
            Some(c) => next.min(c),
            None => next,
        };
        s.rate = Some(next);
        s.writes.set_rate(next, now);
        s.reads.set_rate(next * READ_TO_WRITE_RATIO, now);
        s.last_step = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: Cost = Cost {
        reads: 1.0,
        writes: 1.0,
    };

    /// Counts how many acquires complete within `secs` of paused time.
    async fn run_for(limiter: &RateLimiter, secs: u64, cost: Cost) -> u64 {
        let end = Instant::now() + Duration::from_secs(secs);
        let mut n = 0;
        while Instant::now() < end {
            limiter.acquire(cost).await;
            if Instant::now() <= end {
                n += 1;
            }
        }
        n
    }

    #[tokio::test(start_paused = true)]
    async fn paces_writes_at_max_rps() {
        let limiter = RateLimiter::new(20.0);
        let n = run_for(&limiter, 10, CREATE).await;
        // 10 s at 20/s plus the initial burst of 5.
        assert!((200..=206).contains(&n), "{n}");
    }

    #[tokio::test(start_paused = true)]
    async fn reads_are_paced_at_the_aws_read_ratio() {
        let limiter = RateLimiter::new(25.0);
        let n = run_for(
            &limiter,
            10,
            Cost {
                reads: 1.0,
                writes: 0.0,
            },
        )
        .await;
        assert!((400..=411).contains(&n), "{n}");
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_never_waits() {
        let limiter = RateLimiter::new(0.0);
        let start = Instant::now();
        for _ in 0..10_000 {
            limiter.acquire(CREATE).await;
        }
        assert_eq!(Instant::now(), start);
        assert_eq!(limiter.rate(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_the_rate_and_pauses_for_retry_after() {
        let limiter = RateLimiter::new(20.0);
        limiter.acquire(CREATE).await;
        let t0 = Instant::now();
        limiter.throttled(Some(Duration::from_secs(3)));
        assert_eq!(limiter.rate(), Some(10.0));
        limiter.acquire(CREATE).await;
        assert!(Instant::now() >= t0 + Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_429s_counts_once() {
        let limiter = RateLimiter::new(20.0);
        for _ in 0..8 {
            limiter.throttled(None);
        }
        assert_eq!(limiter.rate(), Some(10.0));
        assert_eq!(limiter.throttles(), 8);
        // A new episode, once the first is over, halves again.
        tokio::time::advance(Duration::from_millis(1500)).await;
        limiter.throttled(None);
        assert_eq!(limiter.rate(), Some(5.0));
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_never_drops_below_the_floor() {
        let limiter = RateLimiter::new(4.0);
        for _ in 0..10 {
            limiter.throttled(Some(Duration::ZERO));
            tokio::time::advance(Duration::from_secs(2)).await;
        }
        assert_eq!(limiter.rate(), Some(MIN_RATE));
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_climbs_back_to_the_ceiling_when_quiet() {
        let limiter = RateLimiter::new(20.0);
        limiter.throttled(Some(Duration::from_secs(1)));
        assert_eq!(limiter.rate(), Some(10.0));
        // Keep acquiring: increases happen lazily on acquire.
        let _ = run_for(&limiter, 4, CREATE).await;
        let mid = limiter.rate().unwrap();
        assert!(
            mid > 10.0 && mid <= 18.0,
            "fast recovery to 90% of 20: {mid}"
        );
        let _ = run_for(&limiter, 60, CREATE).await;
        assert_eq!(limiter.rate(), Some(20.0));
    }

    #[tokio::test(start_paused = true)]
    async fn no_increase_while_429s_keep_coming() {
        let limiter = RateLimiter::new(20.0);
        limiter.throttled(Some(Duration::ZERO));
        for _ in 0..10 {
            tokio::time::advance(Duration::from_millis(1100)).await;
            limiter.acquire(CREATE).await;
            limiter.throttled(Some(Duration::ZERO));
        }
        assert_eq!(limiter.rate(), Some(MIN_RATE));
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_halves_the_observed_rate_on_429() {
        let limiter = RateLimiter::new(0.0);
        // 100 writes spread over 2 s: observed ~50/s.
        for _ in 0..100 {
            limiter.acquire(CREATE).await;
            tokio::time::advance(Duration::from_millis(20)).await;
        }
        limiter.throttled(None);
        let r = limiter.rate().unwrap();
        assert!((20.0..=30.0).contains(&r), "{r}");
        // Without a ceiling it keeps probing upward while the server keeps up.
        let _ = run_for(&limiter, 30, CREATE).await;
        assert!(limiter.rate().unwrap() > r);
    }
}
