//! The audit log's writer thread, for batch runs and applies (docs/audit.md, "Writing"). The
//! write hook runs on the engine's thread, between one request and the next; building a line
//! (parsing the body sent, masking, formatting the time) and appending it (lock, tail check,
//! write, unlock) there cost the run a large share of its throughput. Here the hook only
//! queues its capture; this thread builds the lines and appends all that are pending as one
//! group, under one lock with one `write`.
//!
//! A plain thread, not a tokio task: the work is blocking file I/O from start to end, the
//! engine runs on a current-thread runtime that a blocking task would not relieve, and a
//! thread of its own needs no runtime to drain when the run ends. The queue is a vector under
//! a mutex rather than a channel so that queueing a write is a push, not a wake-up of this
//! thread: it is woken only when [`WAKE`] writes are pending, when a flush is asked for, and at
//! the end, so its appends come in large groups and cost few system calls per line.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::{Captured, Shared};

/// Writes pending that wake the thread for an append without waiting for a flush.
const WAKE: usize = 512;

/// Writes queued and not yet taken by the thread, at most. When the disk is slower than the
/// writes, the hook waits for room, which holds up the engine's thread until the thread has
/// taken the queue: the run slows to what the log can take rather than holding an unbounded
/// backlog in memory.
const CAPACITY: usize = 4 * WAKE;

/// The running thread and the way to it. Dropping it ends the thread after it has appended
/// and synced everything queued.
pub(super) struct Writer {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// What the hooks, the flushes and the thread share.
struct Queue {
    pending: Mutex<Pending>,
    /// The thread waits on it for work.
    work: Condvar,
    /// Hooks wait on it for room in the queue.
    room: Condvar,
    /// Flushes wait on it for their turn to be done.
    done: Condvar,
}

#[derive(Default)]
struct Pending {
    writes: Vec<Captured>,
    /// Flushes asked for and done: each is a number; a flush is done when `flushed` reaches it.
    asked: u64,
    flushed: u64,
    /// Hooks waiting for room: only then is there anyone to wake when the queue is taken.
    full: usize,
    /// No more writes will come (the [`Writer`] is dropped).
    closed: bool,
    /// The thread has ended; nobody will take the queue any more.
    ended: bool,
}

impl Writer {
    pub(super) fn start(shared: Arc<Shared>) -> std::io::Result<Writer> {
        let queue = Arc::new(Queue {
            pending: Mutex::new(Pending {
                writes: Vec::with_capacity(CAPACITY),
                ..Pending::default()
            }),
            work: Condvar::new(),
            room: Condvar::new(),
            done: Condvar::new(),
        });
        let (q, s) = (Arc::clone(&queue), Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name("audit-log".into())
            .spawn(move || run(&q, &s))?;
        Ok(Writer {
            queue,
            thread: Some(thread),
            shared,
        })
    }

    /// Queues a write's capture; waits while the queue is full.
    pub(super) fn send(&self, write: Captured) {
        let Some(mut p) = self.queue.lock() else {
            return self.shared.fail(self.stopped());
        };
        while p.writes.len() >= CAPACITY && !p.ended {
            p.full += 1;
            p = match self.queue.room.wait(p) {
                Ok(p) => p,
                Err(_) => return self.shared.fail(self.stopped()),
            };
            p.full -= 1;
        }
        if p.ended {
            drop(p);
            return self.shared.fail(self.stopped());
        }
        p.writes.push(write);
        if p.writes.len() == WAKE {
            self.queue.work.notify_one();
        }
    }

    /// Returns once every write queued before the call is appended and synced.
    pub(super) fn flush(&self) -> Result<(), String> {
        let mut p = self.queue.lock().ok_or_else(|| self.stopped())?;
        p.asked += 1;
        let mine = p.asked;
        self.queue.work.notify_one();
        while p.flushed < mine {
            if p.ended {
                return Err(self.stopped());
            }
            p = self.queue.done.wait(p).map_err(|_| self.stopped())?;
        }
        Ok(())
    }

    fn stopped(&self) -> String {
        format!(
            "the write was sent but could not be recorded: audit log {}: its writer thread stopped",
            self.shared.log.path().display()
        )
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(mut p) = self.queue.lock() {
            p.closed = true;
            self.queue.work.notify_one();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Queue {
    /// The pending state; `None` when a thread panicked holding it (nothing here panics).
    fn lock(&self) -> Option<MutexGuard<'_, Pending>> {
        self.pending.lock().ok()
    }
}

/// Marks the queue ended when the thread ends, however it ends, so no hook or flush waits for
/// it in vain.
struct Ended<'q>(&'q Queue);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        let mut p = match self.0.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        p.ended = true;
        self.0.room.notify_all();
        self.0.done.notify_all();
    }
}

/// Waits for work, takes the whole queue, builds the lines and appends them as one group;
/// syncs when a flush was asked for, then answers it. At the end (closed and empty), syncs
/// what was appended.
fn run(queue: &Queue, shared: &Shared) {
    let _ended = Ended(queue);
    let mut records = Vec::new();
    // The queue's vector and this one are swapped, not replaced, so neither is grown again
    // once both have their size: the hooks push without reallocating.
    let mut writes = Vec::with_capacity(CAPACITY);
    loop {
        let Some(mut p) = queue.lock() else { return };
        while p.writes.len() < WAKE && p.asked == p.flushed && !p.closed {
            p = match queue.work.wait(p) {
                Ok(p) => p,
                Err(_) => return,
            };
        }
        std::mem::swap(&mut p.writes, &mut writes);
        let asked = (p.asked > p.flushed).then_some(p.asked);
        let last = p.closed && writes.is_empty();
        if p.full > 0 {
            queue.room.notify_all();
        }
        drop(p);
        records.extend(writes.drain(..).map(|w| shared.record_of(w)));
        shared.append(&mut records);
        records.clear();
        if asked.is_some() || last {
            shared.sync();
        }
        if let Some(asked) = asked {
            let Some(mut p) = queue.lock() else { return };
            p.flushed = asked;
            queue.done.notify_all();
        }
        if last {
            return;
        }
    }
}
