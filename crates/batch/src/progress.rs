//! The progress bar: on stderr, only when stderr is a terminal (the caller decides), with rate
//! and ETA when the number of events is known beforehand.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    bar: Option<ProgressBar>,
    /// A handle from [`Progress::unfinished`]: its `finish` leaves the bar up.
    keep: bool,
}

impl Progress {
    /// No output at all.
    pub fn hidden() -> Progress {
        Progress::default()
    }

    /// The same bar, for one of several runs that share it (reconcile's apply runs the engine
    /// once per phase): the run's end does not take the bar down; the owner finishes it.
    pub fn unfinished(&self) -> Progress {
        Progress {
            bar: self.bar.clone(),
            keep: true,
        }
    }

    /// A bar on stderr; `total` is the number of events when known (a file's line count).
    pub fn stderr(total: Option<u64>) -> Progress {
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let template = if total.is_some() {
            "{bar:30} {pos}/{len} events  {per_sec}  ETA {eta}  {msg}"
        } else {
            "{spinner} {pos} events  {per_sec}  {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            keep: false,
        }
    }

    /// Whether anything is drawn (callers skip building messages otherwise).
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    pub fn message(&self, msg: String) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = self.bar.as_ref().filter(|_| !self.keep) {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_handle_leaves_the_bar_to_its_owner() {
        let owner = Progress::stderr(Some(4));
        let run = owner.unfinished();
        run.inc(2);
        run.finish();
        let bar = owner.bar.as_ref().unwrap();
        assert!(!bar.is_finished());
        assert_eq!(bar.position(), 2);
        owner.finish();
        assert!(bar.is_finished());
    }
}
