//! The circuit breaker: a run against a directory that does not answer ends soon, instead of every
//! event waiting out its timeouts and retries (docs/batch.md, "A server that does not answer": a
//! server that accepted connections and never answered kept a run going for 300 s and more).
//!
//! It counts the HTTP attempts in a row, across all events, that got no answer at all: connection
//! refused or lost, timeout. Anything else resets the count — an answer of any status, a body over
//! the size limit, a TLS failure (which stops the run anyway): a server that answers 500 or 429 is
//! up, and retries and the rate limiter deal with it. At `threshold` the breaker trips, once: the
//! engine starts no event after that, gives the events in flight [`Breaker::grace`] (the request
//! timeout: an attempt already sent may still be answered) and abandons what is left, and the run
//! ends with exit 3 and the reason in the summary. Events not finished are not journaled, so a
//! rerun with the journal does them; running an abandoned one again is safe, because every command
//! looks up before it writes.
//!
//! Attempts are counted, not events: one event retries several times, and with many events in
//! flight a dead server produces failures from all of them at once, so the threshold is reached
//! after about `threshold / concurrency` rounds of timeouts. A short outage can trip it too;
//! that run stops with exit 3 and is resumed with its journal (docs/batch.md).

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use aws_ilm_client::{ClientError, OnAttempt};
use tokio::sync::watch;

/// The default [`Breaker`] threshold (`--max-no-answer`).
pub const DEFAULT_MAX_NO_ANSWER: u32 = 10;

/// Counts attempts without an answer and trips at a threshold.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    grace: Duration,
    state: Mutex<State>,
    tripped: watch::Sender<Option<String>>,
}

#[derive(Debug, Default)]
struct State {
    in_a_row: u32,
    last: String,
}

impl Breaker {
    /// Trips after `threshold` attempts in a row without an answer (0: never); `grace` is how
    /// long the events in flight then get (the client's request timeout).
    pub fn new(threshold: u32, grace: Duration) -> Breaker {
        Breaker {
            threshold,
            grace,
            state: Mutex::new(State::default()),
            tripped: watch::Sender::new(None),
        }
    }

    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// The client hook ([`aws_ilm_client::ClientConfig::on_attempt`]) that feeds this breaker.
    pub fn hook(self: &Arc<Self>) -> OnAttempt {
        let me = Arc::clone(self);
        Arc::new(move |attempt| me.observe(attempt))
    }

    /// Takes one attempt's outcome into account.
    pub fn observe(&self, attempt: Result<u16, &ClientError>) {
        // Anything else came from a server that is there (an answer of any status, a body too
        // large, a TLS handshake it took part in).
        let no_answer = match attempt {
            Err(
                e @ (ClientError::Connect(_)
                | ClientError::Disconnected(_)
                | ClientError::Timeout(_)),
            ) => Some(e),
            _ => None,
        };
        // A poisoned lock only means another thread panicked while counting; the count is
        // still a number, so go on with it.
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some(e) = no_answer else {
            s.in_a_row = 0;
            return;
        };
        s.in_a_row = s.in_a_row.saturating_add(1);
        s.last = e.to_string();
        if self.threshold > 0 && s.in_a_row >= self.threshold {
            let why = format!(
                "the directory does not answer: {} requests in a row got no answer (last: {}); \
                 no event was started after that",
                s.in_a_row, s.last
            );
            self.tripped.send_if_modified(|t| {
                if t.is_none() {
                    *t = Some(why);
                    true
                } else {
                    false
                }
            });
        }
    }

    /// Why it tripped, once it has.
    pub fn tripped(&self) -> Option<String> {
        self.tripped.borrow().clone()
    }

    /// Resolves when the breaker trips, with the reason.
    pub async fn wait(&self) -> String {
        let mut rx = self.tripped.subscribe();
        // The sender lives in `self`, so the wait cannot fail while we borrow it.
        let why = rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|w| w.clone());
        match why {
            Some(why) => why,
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout() -> ClientError {
        ClientError::Timeout("GET /Users: operation timed out".into())
    }

    #[test]
    fn trips_after_the_threshold_of_attempts_in_a_row_without_an_answer() {
        let b = Breaker::new(3, Duration::from_secs(1));
        b.observe(Err(&timeout()));
        b.observe(Err(&timeout()));
        // An answer, even an error status, resets the count.
        b.observe(Ok(503));
        b.observe(Err(&ClientError::Connect("refused".into())));
        b.observe(Err(&timeout()));
        assert_eq!(b.tripped(), None);
        b.observe(Err(&ClientError::Disconnected("reset".into())));
        let why = b.tripped().unwrap();
        assert!(why.contains("3 requests in a row got no answer"), "{why}");
        assert!(why.contains("connection lost: reset"), "{why}");
        // Trips once: the reason stays the first one.
        b.observe(Err(&timeout()));
        assert_eq!(b.tripped(), Some(why));
    }

    #[test]
    fn a_server_that_is_there_resets_the_count() {
        let b = Breaker::new(2, Duration::from_secs(1));
        b.observe(Err(&timeout()));
        b.observe(Err(&ClientError::Tls("bad cert".into())));
        b.observe(Err(&timeout()));
        assert_eq!(b.tripped(), None);
    }

    #[test]
    fn zero_never_trips() {
        let b = Breaker::new(0, Duration::from_secs(1));
        for _ in 0..1000 {
            b.observe(Err(&timeout()));
        }
        assert_eq!(b.tripped(), None);
    }

    #[tokio::test]
    async fn wait_resolves_when_it_trips() {
        let b = Arc::new(Breaker::new(1, Duration::from_secs(1)));
        let waiter = tokio::spawn({
            let b = Arc::clone(&b);
            async move { b.wait().await }
        });
        tokio::task::yield_now().await;
        (b.hook())(Err(&timeout()));
        let why = tokio::time::timeout(Duration::from_secs(60), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(why.contains("timed out"), "{why}");
    }
}
