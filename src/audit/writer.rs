//! The audit log's queue and writer thread, for batch runs and applies (docs/audit.md,
//! "Writing"). The write hook runs on the engine's thread, between one request and the next;
//! building a line (parsing the body sent, masking, formatting the time) and appending it
//! (lock, tail check, write, unlock) there cost the run a large share of its throughput. Here
//! the hook only queues its capture. The lines are built and appended in groups, all that are
//! queued under one lock with one `write`: by the group commit's flush, on the thread that
//! commits (the batch engine's output thread), which then syncs; and by the writer thread when
//! many writes pile up between two commits, and at the end of the run.
//!
//! The flush does the work itself rather than asking the writer thread and waiting for its
//! answer: that round trip was two thread wake-ups per group commit, a cost of the same order
//! as building the group's lines. The writer thread is a plain thread, not a tokio task: its
//! work is blocking file I/O, and it needs no runtime to drain the queue when the run ends. The
//! queue is a vector under a mutex rather than a channel, so that queueing a write is a push,
//! not a wake-up of anyone.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use aws_ilm_audit::Record;

use super::{Captured, Shared};

/// Writes queued that wake the writer thread to append them without waiting for a flush.
const WAKE: usize = 512;

/// Writes queued and not yet taken, at most. When the disk is slower than the writes, the hook
/// waits for room, which holds up the engine's thread until the queue is taken: the run slows
/// to what the log can take rather than holding an unbounded backlog in memory.
const CAPACITY: usize = 4 * WAKE;

/// The queue and the writer thread. Dropping it ends the thread after it has appended and
/// synced everything queued.
pub(super) struct Writer {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
}

/// What the hooks, the flushes and the writer thread share.
struct Queue {
    shared: Arc<Shared>,
    pending: Mutex<Pending>,
    /// Held from taking the queue to appending what was taken, so groups are appended in the
    /// order they were taken; it holds the vectors reused for each group.
    appender: Mutex<Spare>,
    /// The writer thread waits on it for work.
    work: Condvar,
    /// Hooks wait on it for room.
    room: Condvar,
}

#[derive(Default)]
struct Pending {
    writes: Vec<Captured>,
    /// Hooks waiting for room: only then is there anyone to wake when the queue is taken.
    full: usize,
    /// No more writes will come (the [`Writer`] is dropped).
    closed: bool,
    /// The writer thread has ended: a hook waiting for room must not wait for it.
    ended: bool,
}

/// The queue's vector and this one are swapped, not replaced, so neither is grown again once
/// both have their size: the hooks push without reallocating.
#[derive(Default)]
struct Spare {
    writes: Vec<Captured>,
    records: Vec<Record>,
}

impl Writer {
    pub(super) fn start(shared: Arc<Shared>) -> std::io::Result<Writer> {
        let queue = Arc::new(Queue {
            shared,
            pending: Mutex::new(Pending {
                writes: Vec::with_capacity(CAPACITY),
                ..Pending::default()
            }),
            appender: Mutex::new(Spare {
                writes: Vec::with_capacity(CAPACITY),
                records: Vec::new(),
            }),
            work: Condvar::new(),
            room: Condvar::new(),
        });
        let q = Arc::clone(&queue);
        let thread = std::thread::Builder::new()
            .name("audit-log".into())
            .spawn(move || run(&q))?;
        Ok(Writer {
            queue,
            thread: Some(thread),
        })
    }

    /// Queues a write's capture; waits while the queue is full.
    pub(super) fn send(&self, write: Captured) {
        let q = &self.queue;
        let Some(mut p) = q.lock() else {
            return q.shared.fail(q.stopped());
        };
        while p.writes.len() >= CAPACITY && !p.ended {
            p.full += 1;
            p = match q.room.wait(p) {
                Ok(p) => p,
                Err(_) => return q.shared.fail(q.stopped()),
            };
            p.full -= 1;
        }
        if p.ended {
            drop(p);
            return q.shared.fail(q.stopped());
        }
        p.writes.push(write);
        if p.writes.len() == WAKE {
            q.work.notify_one();
        }
    }

    /// Appends every write queued so far and syncs the log, on the calling thread.
    pub(super) fn flush(&self) -> Result<(), String> {
        let q = &self.queue;
        let mut spare = q.appender.lock().map_err(|_| q.stopped())?;
        q.append_queued(&mut spare)?;
        q.shared.sync();
        Ok(())
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

    /// Takes the queue, builds its lines and appends them as one group (the caller holds the
    /// appender lock: `spare`). A failed append is kept in `shared`, as every failure is.
    fn append_queued(&self, spare: &mut Spare) -> Result<(), String> {
        {
            let mut p = self.lock().ok_or_else(|| self.stopped())?;
            std::mem::swap(&mut p.writes, &mut spare.writes);
            if p.full > 0 {
                self.room.notify_all();
            }
        }
        let Spare { writes, records } = spare;
        records.extend(writes.drain(..).map(|w| self.shared.record_of(w)));
        self.shared.append(records);
        records.clear();
        Ok(())
    }

    fn stopped(&self) -> String {
        format!(
            "the write was sent but could not be recorded: audit log {}: its queue failed",
            self.shared.log.path().display()
        )
    }
}

/// Marks the queue ended when the writer thread ends, however it ends, so that no hook waits
/// for room in vain.
struct Ended<'q>(&'q Queue);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        let mut p = match self.0.pending.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        p.ended = true;
        self.0.room.notify_all();
    }
}

/// The writer thread: waits until [`WAKE`] writes are queued and appends them; once the queue
/// is closed, appends what is left and syncs.
fn run(queue: &Queue) {
    let _ended = Ended(queue);
    loop {
        let closed = {
            let Some(mut p) = queue.lock() else { return };
            while p.writes.len() < WAKE && !p.closed {
                p = match queue.work.wait(p) {
                    Ok(p) => p,
                    Err(_) => return,
                };
            }
            p.closed
        };
        let Ok(mut spare) = queue.appender.lock() else {
            return;
        };
        if queue.append_queued(&mut spare).is_err() {
            return;
        }
        if closed {
            queue.shared.sync();
            return;
        }
    }
}
