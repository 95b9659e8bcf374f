//! Test knobs and counters: which AWS operation a request is, per-operation request counts
//! (`GET /_emulator/stats`), AWS's per-API throttle, injected faults and latency. All are off by
//! default.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::config::Throttle;

/// The AWS operation names (the CloudTrail `eventName`s; docs/emulator.md, "The API it answers",
/// Operations), which the stats count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateUser,
    GetUser,
    ListUsers,
    PutUser,
    PatchUser,
    DeleteUser,
    CreateGroup,
    GetGroup,
    ListGroups,
    PatchGroup,
    DeleteGroup,
    ServiceProviderConfig,
    ListSchemas,
    GetSchema,
    ListResourceTypes,
}

impl Operation {
    pub const ALL: [Operation; 15] = [
        Operation::CreateUser,
        Operation::GetUser,
        Operation::ListUsers,
        Operation::PutUser,
        Operation::PatchUser,
        Operation::DeleteUser,
        Operation::CreateGroup,
        Operation::GetGroup,
        Operation::ListGroups,
        Operation::PatchGroup,
        Operation::DeleteGroup,
        Operation::ServiceProviderConfig,
        Operation::ListSchemas,
        Operation::GetSchema,
        Operation::ListResourceTypes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateUser => "CreateUser",
            Operation::GetUser => "GetUser",
            Operation::ListUsers => "ListUsers",
            Operation::PutUser => "PutUser",
            Operation::PatchUser => "PatchUser",
            Operation::DeleteUser => "DeleteUser",
            Operation::CreateGroup => "CreateGroup",
            Operation::GetGroup => "GetGroup",
            Operation::ListGroups => "ListGroups",
            Operation::PatchGroup => "PatchGroup",
            Operation::DeleteGroup => "DeleteGroup",
            Operation::ServiceProviderConfig => "ServiceProviderConfig",
            Operation::ListSchemas => "ListSchemas",
            Operation::GetSchema => "GetSchema",
            Operation::ListResourceTypes => "ListResourceTypes",
        }
    }

    /// AWS throttles write APIs at 25 TPS and read APIs at 40 TPS (docs/emulator.md, "The API it
    /// answers", Operations).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Operation::CreateUser
                | Operation::PutUser
                | Operation::PatchUser
                | Operation::DeleteUser
                | Operation::CreateGroup
                | Operation::PatchGroup
                | Operation::DeleteGroup
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Requests per operation since start (or the last reset).
#[derive(Debug, Default)]
pub struct Counters {
    counts: [AtomicU64; Operation::ALL.len()],
}

impl Counters {
    pub fn count(&self, op: Operation) {
        self.counts[op.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub fn reset(&self) {
        for c in &self.counts {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// Every operation's count, by its AWS name.
    pub fn by_name(&self) -> BTreeMap<String, u64> {
        Operation::ALL
            .into_iter()
            .map(|op| {
                let n = self.counts[op.index()].load(Ordering::Relaxed);
                (op.name().to_owned(), n)
            })
            .collect()
    }
}

/// A token bucket per operation: `rate` requests per second, bursts up to `rate`.
#[derive(Debug)]
pub struct Throttler {
    limits: Throttle,
    buckets: Mutex<Vec<Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Throttler {
    pub fn new(limits: Throttle) -> Self {
        let now = Instant::now();
        let buckets = Operation::ALL
            .iter()
            .map(|op| Bucket {
                tokens: f64::from(Self::rate_of(limits, *op)),
                at: now,
            })
            .collect();
        Throttler {
            limits,
            buckets: Mutex::new(buckets),
        }
    }

    fn rate_of(limits: Throttle, op: Operation) -> u32 {
        if op.is_write() {
            limits.write_per_sec
        } else {
            limits.read_per_sec
        }
    }

    /// Takes a token; `false` means answer 429.
    pub fn admit(&self, op: Operation) -> bool {
        let rate = f64::from(Self::rate_of(self.limits, op));
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let Some(b) = buckets.get_mut(op.index()) else {
            return true;
        };
        let now = Instant::now();
        let refill = now.duration_since(b.at).as_secs_f64() * rate;
        b.tokens = (b.tokens + refill).min(rate);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What the fault knob does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Answer 500 InternalServerException before doing anything.
    Error,
    /// Do the operation, then close the connection without answering: the outcome is unknown
    /// to the client, the case that must never lead to a blind second POST.
    Drop,
}

/// Rolls the dice: with probability `rate` a fault; one fault in three is a drop.
pub fn roll(rate: f64) -> Fault {
    if rate <= 0.0 {
        return Fault::None;
    }
    let x: f64 = rand::random();
    if x >= rate {
        Fault::None
    } else if x < rate / 3.0 {
        Fault::Drop
    } else {
        Fault::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refuses_past_the_rate() {
        let t = Throttler::new(Throttle {
            write_per_sec: 2,
            read_per_sec: 3,
        });
        let admitted = (0..10).filter(|_| t.admit(Operation::CreateUser)).count();
        // Two in the bucket, plus at most what refilled while the loop ran.
        assert!((2..=3).contains(&admitted), "{admitted}");
        assert!(t.admit(Operation::GetUser));
    }

    #[test]
    fn stats_count_and_reset() {
        let s = Counters::default();
        s.count(Operation::GetUser);
        s.count(Operation::GetUser);
        assert_eq!(s.by_name()["GetUser"], 2);
        assert_eq!(s.by_name().values().sum::<u64>(), 2);
        s.reset();
        assert_eq!(s.by_name().values().sum::<u64>(), 0);
    }

    #[test]
    fn faults_follow_the_rate() {
        assert_eq!(roll(0.0), Fault::None);
        assert_ne!(roll(1.0), Fault::None);
    }
}
