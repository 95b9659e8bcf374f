//! The command being executed and whom it is about, readable by anything the command calls
//! (a task-local set by [`crate::Ilm::execute`]). The binary's audit hook reads it to name the
//! origin and the target of each write by the identifiers the command was given, without an
//! extra read (docs/audit.md).

use crate::Command;

/// What [`crate::Ilm::execute`] is running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `iam-create-user`, …
    pub command: &'static str,
    /// The profile's `username`, as given.
    pub user_name: Option<String>,
    /// The group's `displayName` in the `scim` argument, as given.
    pub display_name: Option<String>,
}

impl Subject {
    pub fn of(cmd: &Command) -> Subject {
        Subject {
            command: cmd.name.as_str(),
            user_name: cmd.user_profile.as_ref().and_then(|p| p.text("username")),
            display_name: cmd
                .scim
                .as_ref()
                .and_then(|s| s.get("displayName"))
                .and_then(crate::json::text_of),
        }
    }
}

tokio::task_local! {
    static SUBJECT: Subject;
}

/// Runs `fut` with `subject` as the current one.
pub async fn within<F: Future>(subject: Subject, fut: F) -> F::Output {
    SUBJECT.scope(subject, fut).await
}

/// The subject of the command running in this task, if one is.
pub fn current() -> Option<Subject> {
    SUBJECT.try_with(Clone::clone).ok()
}
