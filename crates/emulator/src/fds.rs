//! The open-file limit, and the connection cap that must stay below it.
//!
//! Every connection holds a file descriptor. When they run out, `accept` fails and every new
//! client waits in the backlog until it times out: 1,100 idle connections against the common
//! default soft limit of 1,024 stopped the server from answering anyone. So at start the soft
//! `RLIMIT_NOFILE` is raised to the hard limit (which an unprivileged process may do), and the
//! connection cap is lowered, with a warning, to leave [`RESERVE`] descriptors for everything
//! that is not a client connection (docs/emulator.md, "Connection limits").

use crate::EmulatorError;

/// Descriptors kept out of the connection cap: stdio, the listener, the runtime's event queue
/// and wakers, the SQLite files of the writer and the readers (database, WAL and SHM each), and
/// [`crate::conns::SLACK`] connections admitted while the ones they evicted are still closing.
pub const RESERVE: u64 = 48 + crate::conns::SLACK as u64;

/// Raises the soft open-file limit to the hard one and returns the limit now in force; `None`
/// when the platform has no such limit or it is unlimited.
pub fn raise_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(n) if n == rlimit::INFINITY => None,
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read or raise the open-file limit");
                rlimit::getrlimit(rlimit::Resource::NOFILE)
                    .ok()
                    .map(|(soft, _)| soft)
                    .filter(|n| *n != rlimit::INFINITY)
            }
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap to serve with: `requested`, or less when the open-file `limit` cannot
/// hold that many connections besides [`RESERVE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    pub max: usize,
    /// `Some(limit)` when the requested cap was lowered to fit this open-file limit.
    pub lowered_for: Option<u64>,
}

pub fn cap(requested: usize, limit: Option<u64>) -> Result<Cap, EmulatorError> {
    let Some(limit) = limit else {
        return Ok(Cap {
            max: requested,
            lowered_for: None,
        });
    };
    let room = usize::try_from(limit.saturating_sub(RESERVE)).unwrap_or(usize::MAX);
    if room == 0 {
        return Err(EmulatorError::Config(format!(
            "the open-file limit ({limit}) leaves no descriptor for connections: raise it \
             (ulimit -n) above {RESERVE}"
        )));
    }
    Ok(if requested <= room {
        Cap {
            max: requested,
            lowered_for: None,
        }
    } else {
        Cap {
            max: room,
            lowered_for: Some(limit),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_limit() {
        assert_eq!(
            cap(1024, None).unwrap(),
            Cap {
                max: 1024,
                lowered_for: None
            }
        );
        assert_eq!(
            cap(1024, Some(1_048_576)).unwrap(),
            Cap {
                max: 1024,
                lowered_for: None
            }
        );
        assert_eq!(
            cap(1024, Some(1024)).unwrap(),
            Cap {
                max: 1024 - RESERVE as usize,
                lowered_for: Some(1024)
            }
        );
        assert!(cap(10, Some(RESERVE)).is_err());
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        #[cfg(unix)]
        {
            let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
            let now = raise_limit().unwrap_or(u64::MAX);
            assert!(now >= soft, "{now} < {soft}");
        }
    }
}
