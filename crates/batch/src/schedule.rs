//! Per-key ordering: events that share a key (one user, one group) run in input order; events
//! with disjoint keys run in parallel.
//!
//! Every admitted event joins the queue of each of its keys. An event is ready when it heads
//! every one of its queues; when it finishes it leaves them and the new heads are checked.
//! Queues are dropped as soon as they empty, and only admitted events (a bounded window) are
//! ever queued, so memory follows the window, not the input. Ready events start in input order.
//!
//! Coalescing: when a ready event may be merged (the executor says so: a membership change of
//! one group), the events queued right behind it on that group, with no other key, are merged
//! into it for as long as the executor accepts each one. They were next in that group's order
//! anyway and nothing else orders them, so running them as one command keeps per-group order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use crate::executor::Executor;

/// At most this many events share one command (AWS: PatchGroup takes at most 100 member
/// changes; the executor enforces the change count, this bounds the bookkeeping).
pub const MAX_MERGED_EVENTS: usize = 100;

#[derive(Debug)]
pub struct Pending<C> {
    pub hash: u64,
    pub name: String,
    keys: Vec<String>,
    /// `None` once dispatched.
    cmd: Option<C>,
    queued: bool,
}

/// A unit of work: one command standing for one or more events (lines, in input order).
/// When events were merged, `parts` holds each event's own command, in the same order, so
/// the engine can fall back to running them one by one.
#[derive(Debug)]
pub struct Job<C> {
    pub lines: Vec<u64>,
    pub cmd: C,
    pub parts: Vec<C>,
}

#[derive(Debug)]
pub struct Scheduler<C> {
    pending: HashMap<u64, Pending<C>>,
    queues: HashMap<String, VecDeque<u64>>,
    ready: BinaryHeap<Reverse<u64>>,
}

impl<C> Default for Scheduler<C> {
    fn default() -> Self {
        Scheduler {
            pending: HashMap::new(),
            queues: HashMap::new(),
            ready: BinaryHeap::new(),
        }
    }
}

impl<C> Scheduler<C> {
    /// Events admitted and not yet finished.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Number of live key queues (for tests: they must not grow with the input).
    pub fn queue_count(&self) -> usize {
        self.queues.len()
    }

    /// Admits an event. `line` must grow with every call (input order).
    pub fn admit(&mut self, line: u64, hash: u64, name: String, cmd: C, mut keys: Vec<String>) {
        keys.sort();
        keys.dedup();
        let mut blocked = false;
        for k in &keys {
            let q = self.queues.entry(k.clone()).or_default();
            blocked |= !q.is_empty();
            q.push_back(line);
        }
        let queued = !blocked;
        self.pending.insert(
            line,
            Pending {
                hash,
                name,
                keys,
                cmd: Some(cmd),
                queued,
            },
        );
        if queued {
            self.ready.push(Reverse(line));
        }
    }

    /// The next job to start, merging followers when the executor allows it.
    pub fn next_job<E: Executor<Command = C>>(&mut self, exec: &E) -> Option<Job<C>> {
        loop {
            let Reverse(line) = self.ready.pop()?;
            let Some(p) = self.pending.get_mut(&line) else {
                continue;
            };
            let Some(cmd) = p.cmd.take() else { continue };
            let mut lines = vec![line];
            if p.keys.len() != 1 || !exec.mergeable(&cmd) {
                return Some(Job {
                    lines,
                    cmd,
                    parts: Vec::new(),
                });
            }
            let key = p.keys[0].clone();
            let mut merged: Option<C> = None;
            if let Some(q) = self.queues.get(&key) {
                for next in q.iter().skip(1) {
                    if lines.len() >= MAX_MERGED_EVENTS {
                        break;
                    }
                    let Some(np) = self.pending.get(next) else {
                        break;
                    };
                    if np.keys.len() != 1 || np.keys[0] != key {
                        break;
                    }
                    let Some(ncmd) = np.cmd.as_ref() else { break };
                    if !exec.mergeable(ncmd) {
                        break;
                    }
                    match exec.merge(merged.as_ref().unwrap_or(&cmd), ncmd) {
                        Some(m) => {
                            merged = Some(m);
                            lines.push(*next);
                        }
                        None => break,
                    }
                }
            }
            let Some(merged) = merged else {
                return Some(Job {
                    lines,
                    cmd,
                    parts: Vec::new(),
                });
            };
            let mut parts = Vec::with_capacity(lines.len());
            parts.push(cmd);
            for l in &lines[1..] {
                if let Some(c) = self.pending.get_mut(l).and_then(|np| np.cmd.take()) {
                    parts.push(c);
                }
            }
            return Some(Job {
                lines,
                cmd: merged,
                parts,
            });
        }
    }

    /// Marks the events of a job finished, readies whoever now heads all its queues, and
    /// returns the finished events' bookkeeping (in the order given).
    pub fn finish(&mut self, lines: &[u64]) -> Vec<(u64, Pending<C>)> {
        let mut done = Vec::with_capacity(lines.len());
        let mut touched: Vec<String> = Vec::new();
        for &line in lines {
            let Some(p) = self.pending.remove(&line) else {
                continue;
            };
            for k in &p.keys {
                if let Some(q) = self.queues.get_mut(k) {
                    if q.front() == Some(&line) {
                        q.pop_front();
                    } else if let Some(pos) = q.iter().position(|l| *l == line) {
                        q.remove(pos);
                    }
                    if q.is_empty() {
                        self.queues.remove(k);
                    } else {
                        touched.push(k.clone());
                    }
                }
            }
            done.push((line, p));
        }
        for k in touched {
            let Some(&head) = self.queues.get(&k).and_then(|q| q.front()) else {
                continue;
            };
            let is_ready = self.pending.get(&head).is_some_and(|p| {
                !p.queued
                    && p.cmd.is_some()
                    && p.keys
                        .iter()
                        .all(|k| self.queues.get(k).and_then(|q| q.front()) == Some(&head))
            });
            if is_ready {
                if let Some(p) = self.pending.get_mut(&head) {
                    p.queued = true;
                }
                self.ready.push(Reverse(head));
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::{Cost, ExecOutcome};
    use serde_json::{Map, Value};

    /// Commands are (keys, mergeable, weight); merge accepts while the summed weight ≤ 3.
    struct Fake;
    type Cmd = (Vec<String>, bool, u32);

    impl Executor for Fake {
        type Command = Cmd;
        fn parse(&self, _: &str, _: &Map<String, Value>) -> Result<Cmd, String> {
            Err("unused".into())
        }
        fn keys(&self, c: &Cmd) -> Vec<String> {
            c.0.clone()
        }
        fn cost(&self, _: &Cmd) -> Cost {
            Cost::default()
        }
        fn mergeable(&self, c: &Cmd) -> bool {
            c.1
        }
        fn merge(&self, a: &Cmd, b: &Cmd) -> Option<Cmd> {
            (a.2 + b.2 <= 3).then(|| (a.0.clone(), true, a.2 + b.2))
        }
        async fn execute(&self, _: &Cmd) -> ExecOutcome {
            ExecOutcome::Fatal("unused".into())
        }
    }

    fn cmd(keys: &[&str]) -> Cmd {
        (keys.iter().map(|k| k.to_string()).collect(), false, 1)
    }

    fn admit(s: &mut Scheduler<Cmd>, line: u64, c: Cmd) {
        let keys = c.0.clone();
        s.admit(line, 0, "x".into(), c, keys);
    }

    fn drain(s: &mut Scheduler<Cmd>) -> Vec<Vec<u64>> {
        let mut out = Vec::new();
        while let Some(j) = s.next_job(&Fake) {
            out.push(j.lines);
        }
        out
    }

    #[test]
    fn same_key_waits_other_keys_run() {
        let mut s = Scheduler::default();
        admit(&mut s, 1, cmd(&["u:a"]));
        admit(&mut s, 2, cmd(&["u:b"]));
        admit(&mut s, 3, cmd(&["u:a"]));
        admit(&mut s, 4, cmd(&[]));
        assert_eq!(drain(&mut s), vec![vec![1], vec![2], vec![4]]);
        s.finish(&[2]);
        assert!(drain(&mut s).is_empty(), "3 still waits for 1");
        s.finish(&[1]);
        assert_eq!(drain(&mut s), vec![vec![3]]);
        s.finish(&[3]);
        s.finish(&[4]);
        assert!(s.is_empty());
        assert_eq!(s.queue_count(), 0, "idle queues are dropped");
    }

    #[test]
    fn an_event_with_two_keys_waits_for_both() {
        let mut s = Scheduler::default();
        admit(&mut s, 1, cmd(&["u:a"]));
        admit(&mut s, 2, cmd(&["g:x"]));
        admit(&mut s, 3, cmd(&["u:a", "g:x"]));
        admit(&mut s, 4, cmd(&["g:x"]));
        assert_eq!(drain(&mut s), vec![vec![1], vec![2]]);
        s.finish(&[1]);
        assert!(drain(&mut s).is_empty());
        s.finish(&[2]);
        assert_eq!(drain(&mut s), vec![vec![3]]);
        s.finish(&[3]);
        assert_eq!(drain(&mut s), vec![vec![4]]);
    }

    #[test]
    fn followers_of_one_group_are_merged_until_the_executor_refuses() {
        let mut s: Scheduler<Cmd> = Scheduler::default();
        let m = |k: &str| (vec![k.to_string()], true, 1);
        for (line, c) in [
            (1, m("g:x")),
            (2, m("g:x")),
            (3, m("g:x")),
            (4, m("g:x")),
            (5, cmd(&["g:x"])),
            (6, m("g:x")),
        ] {
            let keys = c.0.clone();
            s.admit(line, 0, "x".into(), c, keys);
        }
        let j = s.next_job(&Fake).unwrap();
        assert_eq!(j.lines, vec![1, 2, 3], "weight cap of 3");
        assert_eq!(j.cmd.2, 3);
        assert_eq!(j.parts.len(), 3, "each event's own command is kept");
        assert!(s.next_job(&Fake).is_none());
        s.finish(&j.lines);
        let j = s.next_job(&Fake).unwrap();
        assert_eq!(j.lines, vec![4], "5 is not mergeable, so 4 runs alone");
        s.finish(&j.lines);
        assert_eq!(s.next_job(&Fake).unwrap().lines, vec![5]);
    }

    #[test]
    fn memory_follows_the_window_not_the_input() {
        let mut s = Scheduler::default();
        let mut next = 1u64;
        for round in 0..1000u64 {
            while s.len() < 16 {
                admit(
                    &mut s,
                    next,
                    cmd(&[&format!("u:{}", next % 7), &format!("g:{round}")]),
                );
                next += 1;
            }
            let jobs = drain(&mut s);
            assert!(!jobs.is_empty(), "the oldest event is always ready");
            for j in jobs {
                s.finish(&j);
            }
            assert!(s.queue_count() <= 32);
        }
    }
}
