//! Which input lines the running job stands for, readable by anything the executor calls (a
//! task-local the engine sets around each execution). The binary's audit hook reads it to
//! record a write's origin as the batch file's line (docs/audit.md); a merged job stands for
//! several lines.

use std::sync::Arc;

tokio::task_local! {
    static LINES: Arc<[u64]>;
}

/// Runs `fut` as the execution of the events on `lines`.
pub(crate) async fn within<F: Future>(lines: &[u64], fut: F) -> F::Output {
    LINES.scope(Arc::from(lines), fut).await
}

/// The input lines of the event (or merged events) running in this task, if any.
pub fn current_lines() -> Option<Arc<[u64]>> {
    LINES.try_with(Arc::clone).ok()
}

/// Called by the output thread once per group of finished events, after the journal commit
/// and before their result lines are written: whatever must be durable before a result is
/// reported (the audit log) is synced here. An `Err` stops the run like a journal failure.
#[derive(Clone)]
pub struct OnGroup(pub Arc<dyn Fn() -> Result<(), String> + Send + Sync>);

impl std::fmt::Debug for OnGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnGroup(Fn)")
    }
}
