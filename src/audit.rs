//! The binary's side of the audit trail (docs/audit.md): the client's write hook turned into
//! audit records, with the origin and the target named by what the caller already knows (the
//! lifecycle command's subject, the batch event's lines), never by an extra read.
//!
//! The hook cannot fail the write it reports (the request is already sent), so an append that
//! fails is kept in [`Recorder`] and the caller stops on it before it reports the result: a
//! single command exits 3 after printing what happened, a batch run stops at its next group
//! commit (docs/audit.md, "When the log cannot be written").

use std::sync::{Arc, Mutex};

use aws_ilm_audit::{AuditLog, Durability, Origin, Outcome, Record, Target};
use aws_ilm_client::{ClientConfig, ClientError, WriteEvent};
use aws_ilm_lifecycle::text::{mask, mask_value};
use aws_ilm_scim::key;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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

impl Recorder {
    /// Opens the settings' audit log, if it is on; a log that cannot be opened stops the run
    /// before anything is sent.
    pub fn open(
        settings: &Settings,
        durability: Durability,
        source: Source,
    ) -> Result<Option<Arc<Recorder>>, crate::error::CliError> {
        let path = match &settings.audit_log {
            Ok(Some(path)) => path,
            Ok(None) => return Ok(None),
            Err(why) => return Err(crate::error::CliError::config(why.clone())),
        };
        let log = AuditLog::open(path, durability).map_err(|e| {
            crate::error::CliError::config(e.to_string())
                .with_hint("fix audit_log (an empty value turns the audit log off)")
        })?;
        Ok(Some(Arc::new(Recorder {
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
        })))
    }

    /// `config` with its write hook recording into this log.
    pub fn hook(self: &Arc<Self>, config: &mut ClientConfig) {
        let me = Arc::clone(self);
        config.on_write = Some(Arc::new(move |event: &WriteEvent<'_>| me.record(event)));
    }

    /// The first append that failed, if one did (the message names the log).
    pub fn failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }

    /// Makes the lines appended so far durable; an earlier failed append is reported here too.
    pub fn sync(&self) -> Result<(), String> {
        if let Some(f) = self.failure() {
            return Err(f);
        }
        self.log.sync().map_err(|e| e.to_string())
    }

    fn record(&self, event: &WriteEvent<'_>) {
        let mut record = self.record_of(event);
        if let Err(e) = self.log.append(&mut record) {
            let text = format!("the write was sent but could not be recorded: {e}");
            tracing::error!(error = %text, "audit log");
            if let Ok(mut slot) = self.failed.lock() {
                slot.get_or_insert(text);
            }
        }
    }

    fn record_of(&self, event: &WriteEvent<'_>) -> Record {
        let subject = aws_ilm_lifecycle::subject::current();
        let command = subject.as_ref().map(|s| s.command.to_owned());
        let origin = match (&self.source, aws_ilm_batch::current_lines()) {
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
        let mut sent: Value = if event.sent.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(event.sent)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(event.sent).into_owned()))
        };
        mask_value(&mut sent, &self.token);
        let named = |attr: &str| {
            key::get_in(&sent, attr)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| patched(&sent, attr))
        };
        let user = event.operation.ends_with("User");
        let target = Target {
            id: event.id.map(|id| self.masked(id)),
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
        let outcome = match event.outcome {
            Ok(info) => Outcome {
                ok: true,
                status: Some(info.status),
                request_id: info.request_id.as_deref().map(|r| self.masked(r)),
                error: None,
            },
            Err(e) => Outcome {
                ok: false,
                status: e.status(),
                request_id: e.request_id().map(|r| self.masked(r)),
                error: Some(self.error_text(e)),
            },
        };
        Record {
            time: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_else(|_| "unknown".to_owned()),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            user: self.fixed.user.clone(),
            host: self.fixed.host.clone(),
            instance: self.fixed.instance.clone(),
            tenant: self.fixed.tenant.clone(),
            endpoint: self.fixed.endpoint.clone(),
            origin,
            operation: event.operation.to_owned(),
            target,
            sent,
            outcome,
            prev: String::new(),
        }
    }

    fn masked(&self, text: &str) -> String {
        mask(text, &self.token).into_owned()
    }

    fn error_text(&self, e: &ClientError) -> String {
        let text = self.masked(&e.to_string());
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
