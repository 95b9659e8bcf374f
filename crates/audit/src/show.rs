//! `aws-ilm audit show`: the log as a readable history, one entry per write, filtered by the
//! user or group written to and by time (docs/audit.md, "Reading it").
//!
//! Everything printed is file text, so every control character is made visible
//! (`aws_ilm_scim::text::neutralise`): a doctored log cannot drive the terminal.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use aws_ilm_scim::ci::fold;
use aws_ilm_scim::text::neutralise;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::chain::Lines;
use crate::error::AuditError;
use crate::record::{Origin, Record};

/// Which lines to show. Names compare as AWS compares them (case-insensitively).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Writes to this user: its `userName` or `id`.
    pub user: Option<String>,
    /// Writes to this group: its `displayName` or `id`.
    pub group: Option<String>,
    /// Writes at or after this time.
    pub since: Option<OffsetDateTime>,
}

/// `--since`: an RFC 3339 time, or a date (`YYYY-MM-DD`, from its start, UTC).
pub fn since(text: &str) -> Result<OffsetDateTime, AuditError> {
    let t = text.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(t, format)
        .map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc())
        .map_err(|_| {
            AuditError::Since(format!(
                "--since {}: expected an RFC 3339 time (2026-03-01T09:00:00Z) or a date \
                 (2026-03-01)",
                neutralise(t, false)
            ))
        })
}

impl Filter {
    /// Whether `r` is shown. `ids` are the ids seen so far with the wanted name: a later write
    /// that names its target by id alone (`iam-update-group --scim '{"id": ..}'`) is about the
    /// same user or group.
    pub fn accepts(&self, r: &Record, ids: &mut HashSet<String>) -> bool {
        let mut names = |want: &str, name: &Option<String>| {
            let want = fold(want);
            let id = r.target.id.as_deref().map(fold);
            let named = name.as_deref().is_some_and(|n| fold(n) == want);
            if named && let Some(id) = &id {
                ids.insert(id.clone());
            }
            named || id.is_some_and(|id| id == want || ids.contains(&id))
        };
        let user = r.is_user();
        if let Some(u) = &self.user
            && !(user && names(u, &r.target.user_name))
        {
            return false;
        }
        if let Some(g) = &self.group
            && (user || !names(g, &r.target.display_name))
        {
            return false;
        }
        if let Some(since) = self.since {
            match OffsetDateTime::parse(&r.time, &Rfc3339) {
                Ok(at) if at >= since => {}
                _ => return false,
            }
        }
        true
    }
}

/// The entries of the log at `path` that `filter` accepts, rendered; lines that are not
/// records are shown as such (the chain is `audit verify`'s business).
pub fn show(path: &Path, filter: &Filter, out: &mut String) -> Result<u64, AuditError> {
    walk(path, filter, |n, r| match r {
        Some(r) => render(n, r, out),
        None => {
            let _ = writeln!(out, "line {n}: not an audit record\n");
        }
    })
}

/// The entries `filter` accepts as a document, for `--output json`: an array of
/// `{"line": N, "record": {…}}`, oldest first, the record as the log holds it (`null` for a
/// line that is not a record).
pub fn entries(path: &Path, filter: &Filter) -> Result<Value, AuditError> {
    let mut out = Vec::new();
    walk(path, filter, |n, r| {
        let record = r
            .and_then(|r| serde_json::to_value(r).ok())
            .unwrap_or(Value::Null);
        out.push(json!({ "line": n, "record": record }));
    })?;
    Ok(Value::Array(out))
}

/// Calls `each` with the line number and record of every line `filter` accepts, and with
/// `None` for every line that is not a record; returns how many records were accepted.
fn walk(
    path: &Path,
    filter: &Filter,
    mut each: impl FnMut(u64, Option<&Record>),
) -> Result<u64, AuditError> {
    let mut lines = Lines::open(path)?;
    let mut shown = 0u64;
    let mut ids = HashSet::new();
    while let Some((n, _)) = lines.next()? {
        match serde_json::from_slice::<Record>(&lines.buf) {
            Ok(r) if filter.accepts(&r, &mut ids) => {
                each(n, Some(&r));
                shown += 1;
            }
            Ok(_) => {}
            Err(_) => each(n, None),
        }
    }
    Ok(shown)
}

/// One entry: a heading line (time, operation, target, outcome), then who, where from and
/// what was sent, indented.
fn render(n: u64, r: &Record, out: &mut String) {
    let t = &r.target;
    let name = if r.is_user() {
        t.user_name.as_deref()
    } else {
        t.display_name.as_deref()
    };
    let mut target = String::new();
    if let Some(name) = name {
        target.push_str(name);
    }
    if let Some(id) = &t.id {
        let _ = write!(target, "{}(id {id})", if name.is_some() { " " } else { "" });
    }
    let result = match (&r.outcome.status, r.outcome.ok) {
        (Some(s), true) => format!("done, HTTP {s}"),
        (None, true) => "done".to_owned(),
        (Some(s), false) => format!("failed, HTTP {s}"),
        (None, false) => "failed, no answer".to_owned(),
    };
    let origin = match &r.origin {
        Origin::Command { command } => command.clone(),
        Origin::Batch { file, lines, .. } => format!("batch {file}, line {}", join(lines)),
        Origin::Plan { file, changes, .. } => format!("plan {file}, change {}", join(changes)),
    };
    let mut text = String::new();
    let _ = writeln!(text, "{}  {}  {target}  {result}", r.time, r.operation);
    let _ = writeln!(
        text,
        "    by {}@{} via {origin}; instance {}, tenant {} at {}",
        r.user, r.host, r.instance, r.tenant, r.endpoint
    );
    if let Some(id) = &r.outcome.request_id {
        let _ = writeln!(text, "    request id {id}");
    }
    if let Some(e) = &r.outcome.error {
        let _ = writeln!(text, "    error: {e}");
    }
    if !r.sent.is_null() {
        let _ = writeln!(text, "    sent: {}", r.sent);
    }
    let _ = writeln!(text, "    (line {n})");
    out.push_str(&neutralise(&text, true));
    out.push('\n');
}

fn join(ns: &[u64]) -> String {
    ns.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_or_a_date() {
        assert_eq!(
            since("2026-03-01").unwrap(),
            OffsetDateTime::parse("2026-03-01T00:00:00Z", &Rfc3339).unwrap()
        );
        assert!(since("2026-03-01T09:00:00+02:00").is_ok());
        assert!(since("yesterday").is_err());
    }
}
