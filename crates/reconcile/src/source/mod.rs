//! Sources: a CSV, JSON or TOML file (or standard input) → the normalised [`Desired`] state
//! (docs/reconcile.md, "Sources").
//!
//! Each format only turns its text into records (a user's profile, where it came from, its
//! `active`, the groups it names) and group entries; [`build`] then does what every format
//! shares: the mapping through the configured outgoing mapper, which SCIM paths the source
//! provides, and every check, so that the formats cannot disagree on what a problem is. All
//! problems are collected and reported together: one run of `plan` shows a broken export in
//! full instead of one line at a time.

mod build;
mod csv;
mod doc;

use std::io::BufRead;
use std::str::FromStr;

use aws_ilm_lifecycle::Mapper;
use aws_ilm_lifecycle::bounded::{self, Limit, ReadError};
use aws_ilm_lifecycle::text::one_line;
use serde_json::{Map, Value};

use crate::model::{Desired, Problem};

/// The format of a source: from the file's extension, or `--format` for `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Json,
    Toml,
}

impl SourceFormat {
    /// The format a path's extension names (`.csv`, `.json`, `.toml`, any case).
    pub fn from_path(path: &std::path::Path) -> Option<SourceFormat> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.parse().ok())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Json => "json",
            SourceFormat::Toml => "toml",
        }
    }
}

impl FromStr for SourceFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<SourceFormat, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(SourceFormat::Csv),
            "json" => Ok(SourceFormat::Json),
            "toml" => Ok(SourceFormat::Toml),
            _ => Err(format!(
                "unknown source format '{}' (csv, json or toml)",
                one_line(s)
            )),
        }
    }
}

/// Bounds on what a source may cost in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimits {
    /// The whole source. 256 MiB holds far more than a million users of a real export.
    pub max_bytes: u64,
    /// One CSV record, or one user of a document, serialised.
    pub max_record_bytes: usize,
}

/// The default bound on a whole source (256 MiB).
pub const DEFAULT_MAX_SOURCE_BYTES: u64 = 256 << 20;

impl Default for SourceLimits {
    fn default() -> SourceLimits {
        SourceLimits {
            max_bytes: DEFAULT_MAX_SOURCE_BYTES,
            max_record_bytes: aws_ilm_batch::DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Why a source gave no desired state.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read the source: {reason}")]
    Read { reason: String },
    #[error("the source is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("{} problem(s) in the source", .0.len())]
    Problems(Vec<Problem>),
}

/// Reads a whole source and maps it to the desired state; every problem is reported, none
/// stops the reading of the rest.
pub fn read_source(
    reader: impl BufRead,
    format: SourceFormat,
    mapper: &Mapper,
    limits: &SourceLimits,
) -> Result<Desired, SourceError> {
    let too_large = || SourceError::TooLarge {
        max: limits.max_bytes,
    };
    let records = match format {
        SourceFormat::Csv => {
            // A CSV is read record by record, so the bound goes on the reader; one byte past it
            // tells a source of exactly `max_bytes` from a larger one.
            let mut capped = reader.take(limits.max_bytes.saturating_add(1));
            let records = csv::read(&mut capped, limits.max_record_bytes)?;
            if capped.limit() == 0 {
                return Err(too_large());
            }
            records
        }
        SourceFormat::Json | SourceFormat::Toml => {
            let limit = Limit {
                bytes: limits.max_bytes,
                what: "a source",
            };
            let text = bounded::read_to_string(reader, limit).map_err(|e| match e {
                ReadError::TooLarge(_) => too_large(),
                e => SourceError::Read {
                    reason: one_line(&e.to_string()).into_owned(),
                },
            })?;
            doc::read(&text, format, limits.max_record_bytes)
        }
    };
    build::build(records, mapper)
}

/// What a format reads, before mapping.
#[derive(Debug, Default)]
struct Records {
    users: Vec<UserRecord>,
    /// The profile keys the source provides (a CSV's columns, the keys any document user uses),
    /// `groups` and `active` excepted; in the source's order, without repeats.
    keys: Vec<String>,
    /// `Some` when the groups come from a CSV's `groups` column: then every group named in it
    /// is managed, with the users listing it as members.
    groups: GroupSource,
    problems: Vec<Problem>,
}

#[derive(Debug, Default)]
enum GroupSource {
    #[default]
    None,
    /// A CSV's `groups` column; each user's list is in [`UserRecord::groups`].
    Column,
    /// A document's `groups` array.
    Document(Vec<GroupRecord>),
}

#[derive(Debug)]
struct UserRecord {
    /// `line 12`, `users[3]`.
    at: String,
    /// Profile keys with values; empty values already left out.
    profile: Profile,
    active: bool,
    /// The groups a CSV row names in its `groups` column.
    groups: Vec<String>,
}

/// A record's profile as compact JSON text until it is mapped. Every record is read before any
/// is mapped (a source's problems are all reported, and the provided keys are known first), and
/// 100,000 profiles kept as `serde_json` maps would be most of a plan's peak memory
/// (docs/reconcile.md, "Benchmark"); as text they cost their length.
#[derive(Debug, Default)]
struct Profile(Box<str>);

impl Profile {
    fn new(map: &Map<String, Value>) -> Profile {
        Profile(
            serde_json::to_string(map)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    /// The profile as the mapper takes it; the text is dropped.
    fn take(&mut self) -> Map<String, Value> {
        let text = std::mem::take(&mut self.0);
        serde_json::from_str(&text).unwrap_or_default()
    }
}

#[derive(Debug)]
struct GroupRecord {
    /// `groups[2]`.
    at: String,
    display_name: String,
    external_id: Option<String>,
    /// As written: userNames or externalIds.
    members: Vec<String>,
}

/// The longest excerpt of source text a problem message quotes.
const QUOTE_MAX: usize = 80;
/// The longest problem message.
const MESSAGE_MAX: usize = 400;

/// `text` as a problem quotes it: at most [`QUOTE_MAX`] characters, on one line, with control
/// characters neutralised (a source is as untrusted as a server's answer).
fn quote(text: &str) -> String {
    let cut: String = text.chars().take(QUOTE_MAX).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("'{}{more}'", one_line(&cut))
}

/// A problem whose message is neutralised and bounded.
fn problem(at: &str, message: impl AsRef<str>) -> Problem {
    let m = one_line(message.as_ref());
    let mut bounded: String = m.chars().take(MESSAGE_MAX).collect();
    if bounded.len() < m.len() {
        bounded.push('…');
    }
    Problem::new(one_line(at).into_owned(), bounded)
}

/// `active` as a source writes it: a boolean, or true/false/yes/no/1/0 in any case; empty means
/// true (a user in the source is active unless it says otherwise).
fn parse_active(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(true),
        Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(format!(
                "active is {}: expected true/false, yes/no or 1/0",
                quote(s)
            )),
        },
        other => Err(format!(
            "active is {}: expected true/false, yes/no or 1/0",
            quote(&other.to_string())
        )),
    }
}

#[cfg(test)]
mod tests;
