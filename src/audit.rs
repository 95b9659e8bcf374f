//! The binary's side of the audit trail (docs/audit.md): the client's write hook turned into
//! audit records, with the origin and the target named by what the caller already knows (the
//! lifecycle command's subject, the batch event's lines), never by an extra read.
//!
//! The hook only captures the write ([`Captured`]: owned copies of the event and of the
//! task-locals naming its origin, which can only be read in the request's task). A single
//! command builds and appends the line right there, synced, before its result is printed. A
//! batch run or an apply queues the capture ([`writer`]); the lines are built and appended in
//! groups off the engine's thread, by [`Recorder::sync`] in the run's group commit (which then
//! syncs them) or by the writer thread when many are queued.
//!
//! The hook cannot fail the write it reports (the request is already sent), so an append that
//! fails is kept in [`Recorder`] and the caller stops on it before it reports the result: a
//! single command exits 3 after printing what happened, a batch run stops at its next group
//! commit (docs/audit.md, "When the log cannot be written").

mod writer;

use std::sync::{Arc, Mutex};

use aws_ilm_audit::{AuditLog, Durability, Origin, Outcome, Record, Target};
use aws_ilm_client::{ClientConfig, WriteEvent};
use aws_ilm_lifecycle::subject::Subject;
use aws_ilm_lifecycle::text::{mask, mask_value};
use aws_ilm_scim::key;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CliError, Exit};
use crate::settings::Settings;

/// Longest error text kept in a line.
const MAX_ERROR_CHARS: usize = 500;

/// Where the run's writes come from, beyond the command: a batch file or a reconcile plan
/// (each write's lines, or change indexes, come from `aws_ilm_batch::current_lines`: apply
/// runs the plan's changes as the batch engine's events).
#[derive(Debug, Clone)]
pub enum Source {
    Command,
    Batch { file: String },
    Plan { file: String },
}

/// Records every write of one run.
pub struct Recorder {
    shared: Arc<Shared>,
    /// The queue and its writer thread, for [`Durability::OnSync`]; `None` appends in the hook.
    writer: Option<writer::Writer>,
}

/// What building and appending a line needs, on whichever thread does it.
struct Shared {
    log: AuditLog,
    token: String,
    source: Source,
    fixed: Fixed,
    failed: Mutex<Option<String>>,
}

/// The fields that are the same on every line of a run.
struct Fixed {
    user: String,
    host: String,
    instance: String,
    tenant: String,
    endpoint: String,
}

/// A write as the hook saw it, owned: everything its line is built from later.
struct Captured {
    time: OffsetDateTime,
    operation: &'static str,
    id: Option<String>,
    sent: Vec<u8>,
    answer: Answer,
    subject: Option<Subject>,
    lines: Option<Arc<[u64]>>,
}

/// The write's final answer, or the error when there was none.
enum Answer {
    Ok {
        status: u16,
        request_id: Option<String>,
    },
    Failed {
        status: Option<u16>,
        request_id: Option<String>,
        error: String,
    },
}

impl Captured {
    /// Reads the task-locals, so it must run in the request's task (the hook does).
    fn of(event: &WriteEvent<'_>) -> Captured {
        Captured {
            time: OffsetDateTime::now_utc(),
            operation: event.operation,
            id: event.id.map(str::to_owned),
            sent: event.sent.to_vec(),
            answer: match event.outcome {
                Ok(info) => Answer::Ok {
                    status: info.status,
                    request_id: info.request_id.clone(),
                },
                Err(e) => Answer::Failed {
                    status: e.status(),
                    request_id: e.request_id().map(str::to_owned),
                    error: e.to_string(),
                },
            },
            subject: aws_ilm_lifecycle::subject::current(),
            lines: aws_ilm_batch::current_lines(),
        }
    }
}

impl Recorder {
    /// Opens the settings' audit log, if it is on; a log that cannot be opened stops the run
    /// before anything is sent. [`Durability::OnSync`] starts the writer thread.
    pub fn open(
        settings: &Settings,
        durability: Durability,
        source: Source,
    ) -> Result<Option<Arc<Recorder>>, CliError> {
        let path = match &settings.audit_log {
            Ok(Some(path)) => path,
            Ok(None) => return Ok(None),
            Err(why) => return Err(CliError::config(why.clone())),
        };
        let log = AuditLog::open(path, durability).map_err(|e| {
            CliError::config(e.to_string())
                .with_hint("fix audit_log (an empty value turns the audit log off)")
        })?;
        let shared = Arc::new(Shared {
            log,
            token: settings.token.expose().to_owned(),
            source,
            fixed: Fixed {
                user: aws_ilm_audit::who::user(),
                host: aws_ilm_audit::who::host(),
                instance: settings.instance_name.clone(),
                tenant: settings.endpoint.tenant_id().to_owned(),
                endpoint: host_of(settings.endpoint.base().as_str()).to_owned(),
            },
            failed: Mutex::new(None),
        });
        let writer = match durability {
            Durability::EachLine => None,
            Durability::OnSync => {
                Some(writer::Writer::start(Arc::clone(&shared)).map_err(|e| {
                    CliError::config(format!("cannot start the audit log's writer: {e}"))
                })?)
            }
        };
        Ok(Some(Arc::new(Recorder { shared, writer })))
    }

    /// `config` with its write hook recording into this log.
    pub fn hook(self: &Arc<Self>, config: &mut ClientConfig) {
        let me = Arc::clone(self);
        config.on_write = Some(Arc::new(move |event: &WriteEvent<'_>| me.record(event)));
    }

    /// The first append (or sync) that failed, if one did (the message names the log).
    pub fn failure(&self) -> Option<String> {
        self.shared.failure()
    }

    /// Makes the lines of every write reported so far appended and durable; a failed append or
    /// sync, now or earlier, is the error.
    pub fn sync(&self) -> Result<(), String> {
        match &self.writer {
            Some(w) => w.flush()?,
            None => self.shared.sync(),
        }
        self.failure().map_or(Ok(()), Err)
    }

    fn record(&self, event: &WriteEvent<'_>) {
        let captured = Captured::of(event);
        match &self.writer {
            Some(w) => w.send(captured),
            None => self.shared.append(&mut [self.shared.record_of(captured)]),
        }
    }
}

/// The end of a batch run or an apply that ended as `exit`: the lines still queued are appended
/// and synced (a run that stopped early may not have reported its last writes, so no group
/// commit synced them), and a line that could not be written fails the run with exit 3, unless
/// it already stopped on that (exit 3, the summary says why).
pub fn finish(recorder: Option<Arc<Recorder>>, exit: Exit) -> Result<Exit, CliError> {
    let Some(recorder) = recorder else {
        return Ok(exit);
    };
    match recorder.sync() {
        Err(failure) if exit != Exit::Config => Err(CliError::config(failure)
            .with_hint("fix audit_log's file or folder; the writes reported were done")),
        _ => Ok(exit),
    }
}

impl Shared {
    fn failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }

    /// Keeps the first failure: the one the run stops on.
    fn fail(&self, text: String) {
        tracing::error!(error = %text, "audit log");
        if let Ok(mut slot) = self.failed.lock() {
            slot.get_or_insert(text);
        }
    }

    /// Appends `records` as one group; a failure is kept, not returned (the writes are sent).
    fn append(&self, records: &mut [Record]) {
        if let Err(e) = self.log.append_all(records) {
            self.fail(format!("the write was sent but could not be recorded: {e}"));
        }
    }

    /// Makes the lines appended so far durable; a failure is kept.
    fn sync(&self) {
        if let Err(e) = self.log.sync() {
            self.fail(e.to_string());
        }
    }

    fn record_of(&self, write: Captured) -> Record {
        let Captured {
            time,
            operation,
            id,
            sent,
            answer,
            subject,
            lines,
        } = write;
        let command = subject.as_ref().map(|s| s.command.to_owned());
        let origin = match (&self.source, lines) {
            (Source::Batch { file }, Some(lines)) => Origin::Batch {
                file: file.clone(),
                lines: lines.to_vec(),
                command,
            },
            (Source::Plan { file }, Some(changes)) => Origin::Plan {
                file: file.clone(),
                changes: changes.to_vec(),
                command,
            },
            _ => Origin::Command {
                command: command.unwrap_or_else(|| "unknown".to_owned()),
            },
        };
        let mut sent: Value = if sent.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&sent)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&sent).into_owned()))
        };
        mask_value(&mut sent, &self.token);
        let named = |attr: &str| {
            key::get_in(&sent, attr)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| patched(&sent, attr))
        };
        let user = operation.ends_with("User");
        let target = Target {
            id: id.map(|id| self.masked(&id)),
            user_name: user.then(|| named("userName")).flatten().or_else(|| {
                subject
                    .as_ref()
                    .and_then(|s| s.user_name.clone())
                    .filter(|_| user)
            }),
            display_name: (!user).then(|| named("displayName")).flatten().or_else(|| {
                subject
                    .as_ref()
                    .and_then(|s| s.display_name.clone())
                    .filter(|_| !user)
            }),
        };
        let outcome = match answer {
            Answer::Ok { status, request_id } => Outcome {
                ok: true,
                status: Some(status),
                request_id: request_id.map(|r| self.masked(&r)),
                error: None,
            },
            Answer::Failed {
                status,
                request_id,
                error,
            } => Outcome {
                ok: false,
                status,
                request_id: request_id.map(|r| self.masked(&r)),
                error: Some(self.error_text(&error)),
            },
        };
        Record {
            time: time
                .format(&Rfc3339)
                .unwrap_or_else(|_| "unknown".to_owned()),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            user: self.fixed.user.clone(),
            host: self.fixed.host.clone(),
            instance: self.fixed.instance.clone(),
            tenant: self.fixed.tenant.clone(),
            endpoint: self.fixed.endpoint.clone(),
            origin,
            operation: operation.to_owned(),
            target,
            sent,
            outcome,
            prev: String::new(),
        }
    }

    fn masked(&self, text: &str) -> String {
        mask(text, &self.token).into_owned()
    }

    fn error_text(&self, error: &str) -> String {
        let text = self.masked(error);
        match text.char_indices().nth(MAX_ERROR_CHARS) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text,
        }
    }
}

/// The value a PATCH body sets `attr` to (`replace`/`add` with that path, or a value object
/// holding it), for naming the target of a rename.
fn patched(body: &Value, attr: &str) -> Option<String> {
    let ops = key::get_in(body, "Operations")?.as_array()?;
    ops.iter().rev().find_map(|op| {
        let value = key::get_in(op, "value")?;
        match key::get_in(op, "path").and_then(Value::as_str) {
            Some(p) if aws_ilm_scim::ci::fold(p) == aws_ilm_scim::ci::fold(attr) => {
                value.as_str().map(str::to_owned)
            }
            None => key::get_in(value, attr)
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        }
    })
}

/// `host[:port]` of a normalised base URL (`scheme://host[:port][/prefix]`).
fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn host_and_patched_names() {
        assert_eq!(
            host_of("https://scim.us-east-1.amazonaws.com/x"),
            "scim.us-east-1.amazonaws.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
        let body = json!({"Operations": [
            {"op": "replace", "path": "userName", "value": "ada2"},
            {"op": "replace", "path": "active", "value": false}]});
        assert_eq!(patched(&body, "userName").as_deref(), Some("ada2"));
        let body = json!({"Operations": [{"op": "replace", "value": {"displayName": "G"}}]});
        assert_eq!(patched(&body, "displayName").as_deref(), Some("G"));
        assert_eq!(patched(&json!({}), "userName"), None);
    }
}
