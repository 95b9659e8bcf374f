//! Connection limits: a header-read timeout, an idle timeout and a cap on open connections
//! (docs/emulator.md, "Connection limits").
//!
//! Without them every idle or stalled connection held a descriptor for ever, and 1,100 of them
//! stopped the server from answering anyone. Each accepted connection is registered here and
//! followed through its socket ([`Tracked`]: bytes in and out) and its service ([`Track::begin`]:
//! requests in flight):
//!
//! - **header-read timeout**: from the accept (TLS handshake included) to the first request's
//!   head, and on HTTP/1 from the first byte of each later request to its head. Exceeded: the
//!   connection is dropped at once.
//! - **idle timeout**: no request in flight and no byte either way for that long. The connection
//!   is shut down gracefully. On HTTP/2 bytes do not count, only requests: hyper answers PINGs
//!   and window updates itself, and a socket cannot tell them from a request, so a client pinging
//!   every few seconds would otherwise keep an unused connection for ever. Its idle clock starts
//!   when its last request ends.
//! - **cap**: at the cap, a new connection evicts the least recently active idle one (graceful
//!   shutdown, so a keep-alive client just reconnects) and waits, briefly, for it to go; when
//!   every connection has a request in flight, the new one is closed at once — the client sees
//!   a refused connection, not a hang.
//!
//! A request in flight is never cut short by these limits (a slow handler, `--latency`).
//! Timestamps are milliseconds since the registry's start in atomics: the socket path costs a
//! clock read and a store per read or write, no lock.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Connections admitted beyond the cap while the ones they evicted are still closing; past
/// `max + SLACK` a new connection waits for those to close first. Counted in
/// [`crate::fds::RESERVE`].
pub const SLACK: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read: Duration,
    pub idle: Duration,
    pub max: usize,
}

/// Why a connection is being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    HeaderTimeout = 1,
    Idle = 2,
    Evicted = 3,
    Shutdown = 4,
}

impl Why {
    fn from_u8(n: u8) -> Option<Why> {
        [Why::HeaderTimeout, Why::Idle, Why::Evicted, Why::Shutdown]
            .into_iter()
            .find(|w| *w as u8 == n)
    }
}

/// What `/_emulator/stats` reports under `connections`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnStats {
    pub open: usize,
    /// Open connections with a request in flight.
    pub busy: usize,
    pub limit: usize,
    pub refused: u64,
    pub evicted: u64,
    pub header_timeouts: u64,
    pub idle_timeouts: u64,
    /// Requests answered 408: their body did not arrive within the body-read timeout.
    pub body_timeouts: u64,
}

#[derive(Debug, Default)]
struct Counters {
    refused: AtomicU64,
    evicted: AtomicU64,
    header_timeouts: AtomicU64,
    idle_timeouts: AtomicU64,
    body_timeouts: AtomicU64,
}

enum Admit {
    Yes(Slot),
    Wait,
    Refuse,
}

/// Every open connection, and the counters behind [`ConnStats`].
#[derive(Debug)]
pub struct Registry {
    limits: Limits,
    epoch: Instant,
    conns: Mutex<HashMap<u64, Arc<Track>>>,
    next_id: AtomicU64,
    open: watch::Sender<usize>,
    counters: Counters,
}

impl Registry {
    pub fn new(limits: Limits) -> Arc<Registry> {
        Arc::new(Registry {
            limits,
            epoch: Instant::now(),
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            open: watch::Sender::new(0),
            counters: Counters::default(),
        })
    }

    #[cfg(test)]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Track>>> {
        // The map stays consistent whatever panicked while holding it.
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Registers a new connection, evicting the least recently active idle one at the cap.
    /// When the room it needs is still being freed (evicted connections closing), it waits up to
    /// `patience` for that; `None`: refuse the connection — every connection is busy.
    pub async fn admit(self: &Arc<Self>, patience: Duration) -> Option<Slot> {
        let waited = tokio::time::timeout(patience, async {
            loop {
                // Subscribed before looking, so a close in between is not missed.
                let mut changed = self.open.subscribe();
                match self.try_admit() {
                    Admit::Yes(slot) => return Some(slot),
                    Admit::Refuse => return None,
                    Admit::Wait => {
                        let _ = changed.changed().await;
                    }
                }
            }
        })
        .await;
        let slot = waited.unwrap_or(None);
        if slot.is_none() {
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
        }
        slot
    }

    fn try_admit(self: &Arc<Self>) -> Admit {
        let mut conns = self.lock();
        if conns.len() >= self.limits.max {
            if conns.len() >= self.limits.max + SLACK {
                return Admit::Wait;
            }
            let victim = conns
                .values()
                .filter(|t| t.is_idle())
                .min_by_key(|t| (t.last.load(Ordering::Relaxed), t.id));
            match victim {
                Some(v) => {
                    v.kick(Why::Evicted);
                    self.counters.evicted.fetch_add(1, Ordering::Relaxed);
                }
                // Connections on their way out make room soon; busy ones may take long.
                None if conns.values().any(|t| t.is_closing()) => return Admit::Wait,
                None => return Admit::Refuse,
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = self.now_ms();
        let track = Arc::new(Track {
            id,
            epoch: self.epoch,
            last: AtomicU64::new(now),
            // The first request's head is due a header-read timeout after the accept.
            head_since: AtomicU64::new(now + 1),
            in_flight: AtomicU32::new(0),
            h2: AtomicBool::new(false),
            kicked: AtomicU8::new(0),
            kick: Notify::new(),
        });
        conns.insert(id, Arc::clone(&track));
        self.open.send_replace(conns.len());
        Admit::Yes(Slot {
            track,
            registry: Arc::clone(self),
        })
    }

    /// Asks every connection to finish gracefully (the server is stopping).
    pub fn shutdown(&self) {
        for t in self.lock().values() {
            t.kick(Why::Shutdown);
        }
    }

    /// Completes when no connection is open.
    pub async fn closed(&self) {
        let mut rx = self.open.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    pub fn stats(&self) -> ConnStats {
        let conns = self.lock();
        let c = &self.counters;
        ConnStats {
            open: conns.len(),
            busy: conns
                .values()
                .filter(|t| t.in_flight.load(Ordering::Relaxed) > 0)
                .count(),
            limit: self.limits.max,
            refused: c.refused.load(Ordering::Relaxed),
            evicted: c.evicted.load(Ordering::Relaxed),
            header_timeouts: c.header_timeouts.load(Ordering::Relaxed),
            idle_timeouts: c.idle_timeouts.load(Ordering::Relaxed),
            body_timeouts: c.body_timeouts.load(Ordering::Relaxed),
        }
    }

    /// Counts a request whose body did not arrive within the body-read timeout.
    pub fn body_timed_out(&self) {
        self.counters.body_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// Zeroes the counters (`POST /_emulator/stats/reset`); open connections stay counted.
    pub fn reset(&self) {
        let c = &self.counters;
        for n in [
            &c.refused,
            &c.evicted,
            &c.header_timeouts,
            &c.idle_timeouts,
            &c.body_timeouts,
        ] {
            n.store(0, Ordering::Relaxed);
        }
    }
}

/// One connection's state, shared by its socket, its service and its watchdog.
#[derive(Debug)]
pub struct Track {
    id: u64,
    epoch: Instant,
    /// Milliseconds since `epoch` of the last byte read or written, or the last request's end.
    last: AtomicU64,
    /// Milliseconds since `epoch`, plus one, since when a request head is awaited; 0: none.
    head_since: AtomicU64,
    in_flight: AtomicU32,
    /// HTTP/2 frames arrive between requests (window updates, pings): after the first request
    /// only the idle timeout applies, counted from the last request's end, not the last byte.
    h2: AtomicBool,
    kicked: AtomicU8,
    kick: Notify,
}

impl Track {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0 && self.kicked.load(Ordering::Relaxed) == 0
    }

    /// Asked to close, with a request still in flight: it may take long to go.
    fn is_closing(&self) -> bool {
        self.kicked.load(Ordering::Relaxed) != 0 && self.in_flight.load(Ordering::Relaxed) == 0
    }

    fn kick(&self, why: Why) {
        if self
            .kicked
            .compare_exchange(0, why as u8, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            self.kick.notify_one();
        }
    }

    fn on_read(&self) {
        if self.h2.load(Ordering::Relaxed) {
            return;
        }
        let now = self.now_ms();
        self.last.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            // The first byte of the next request starts its header-read clock.
            let _ =
                self.head_since
                    .compare_exchange(0, now + 1, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn on_write(&self) {
        if !self.h2.load(Ordering::Relaxed) {
            self.last.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    /// A request head arrived: the request is in flight until the guard is dropped.
    pub fn begin(self: &Arc<Self>, http2: bool) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(0, Ordering::Relaxed);
        if http2 {
            self.h2.store(true, Ordering::Relaxed);
        }
        InFlight(Arc::clone(self))
    }

    /// When this connection is due to close if nothing happens, and why.
    fn deadline(&self, limits: &Limits) -> (u64, Why) {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        if self.in_flight.load(Ordering::Acquire) > 0 {
            // Never while busy: look again an idle timeout later.
            return (self.now_ms().saturating_add(ms(limits.idle)), Why::Idle);
        }
        match self.head_since.load(Ordering::Relaxed) {
            0 => (
                self.last
                    .load(Ordering::Relaxed)
                    .saturating_add(ms(limits.idle)),
                Why::Idle,
            ),
            since => (
                (since - 1).saturating_add(ms(limits.header_read)),
                Why::HeaderTimeout,
            ),
        }
    }
}

/// A request in flight on a connection.
#[derive(Debug)]
pub struct InFlight(Arc<Track>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last.store(self.0.now_ms(), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A registered connection; dropping it unregisters the connection.
#[derive(Debug)]
pub struct Slot {
    track: Arc<Track>,
    registry: Arc<Registry>,
}

impl Slot {
    pub fn track(&self) -> Arc<Track> {
        Arc::clone(&self.track)
    }

    /// Completes when the connection must close: a timeout ran out, or it was evicted or the
    /// server is stopping.
    pub async fn watch(&self) -> Why {
        let t = &self.track;
        loop {
            let kicked = t.kick.notified();
            if let Some(why) = Why::from_u8(t.kicked.load(Ordering::Acquire)) {
                return why;
            }
            let (at, why) = t.deadline(&self.registry.limits);
            if at <= t.now_ms() {
                let n = match why {
                    Why::HeaderTimeout => &self.registry.counters.header_timeouts,
                    _ => &self.registry.counters.idle_timeouts,
                };
                n.fetch_add(1, Ordering::Relaxed);
                t.kick(why);
                return why;
            }
            let wake = t.epoch + Duration::from_millis(at);
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                () = kicked => {}
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut conns = self.registry.lock();
        conns.remove(&self.track.id);
        self.registry.open.send_replace(conns.len());
    }
}

/// A TCP stream that reports its traffic to its [`Track`].
#[derive(Debug)]
pub struct Tracked {
    io: TcpStream,
    track: Arc<Track>,
}

impl Tracked {
    pub fn new(io: TcpStream, track: Arc<Track>) -> Tracked {
        Tracked { io, track }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.track.on_read();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.track.on_write();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.track.on_write();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(max: usize) -> Arc<Registry> {
        Registry::new(Limits {
            header_read: Duration::from_secs(60),
            idle: Duration::from_secs(60),
            max,
        })
    }

    /// At the cap the least recently active idle connection makes room; while it is closing a
    /// newcomer waits for it; when every connection is busy the newcomer is refused.
    #[tokio::test]
    async fn the_cap_evicts_the_oldest_idle_waits_for_it_then_refuses() {
        let r = registry(2);
        let patience = Duration::from_secs(30);
        let a = r.admit(patience).await.unwrap();
        let b = r.admit(patience).await.unwrap();
        let _busy_a = a.track().begin(false);
        let c = r.admit(patience).await.expect("b is idle and makes room");
        assert_eq!(b.track.kicked.load(Ordering::Relaxed), Why::Evicted as u8);
        assert_eq!(a.track.kicked.load(Ordering::Relaxed), 0, "a is busy");
        let _busy_c = c.track().begin(false);
        // a and c are busy, b is leaving: d waits for b, then finds no room either.
        let d = tokio::spawn({
            let r = Arc::clone(&r);
            async move { r.admit(patience).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!d.is_finished(), "d must wait while b closes");
        drop(b);
        assert!(!d.await.unwrap(), "a and c are busy");
        let s = r.stats();
        assert_eq!((s.open, s.busy, s.evicted, s.refused), (2, 2, 1, 1));
        // A patience that runs out refuses too.
        let e = r.admit(Duration::from_millis(1)).await;
        assert!(e.is_none());
    }

    #[test]
    fn the_clock_follows_the_connection() {
        let r = registry(8);
        let s = r.try_admit();
        let Admit::Yes(s) = s else {
            panic!("room for one")
        };
        let t = s.track();
        let limits = r.limits();
        // A new connection waits for its first head.
        assert_eq!(t.deadline(&limits).1, Why::HeaderTimeout);
        let busy = t.begin(false);
        drop(busy);
        assert_eq!(t.deadline(&limits).1, Why::Idle);
        // On HTTP/1 the next request's first byte starts the header clock again…
        t.on_read();
        assert_eq!(t.deadline(&limits).1, Why::HeaderTimeout);
        // …but not on HTTP/2, where frames flow between requests, and where they do not put
        // the idle deadline off either: only requests do.
        drop(t.begin(true));
        let idle_at = t.deadline(&limits).0;
        std::thread::sleep(Duration::from_millis(5));
        t.on_read();
        t.on_write();
        assert_eq!(t.deadline(&limits), (idle_at, Why::Idle));
    }
}
