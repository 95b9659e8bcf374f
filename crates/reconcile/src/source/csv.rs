//! A CSV of users: the header row names profile keys exactly as `batch` reads them (the same
//! header, record and profile functions), plus two optional columns of its own: `groups`
//! (displayNames separated by `;`) and `active`.

use std::io::BufRead;

use aws_ilm_batch::BatchError;
use aws_ilm_batch::csv_rows::CsvRows;
use aws_ilm_batch::input::{csv_profile, read_csv_header, text_fields};
use aws_ilm_scim::key;
use serde_json::Value;

use super::{GroupSource, Profile, Records, SourceError, UserRecord, parse_active, problem};

const GROUPS: &str = "groups";
const ACTIVE: &str = "active";

pub(super) fn read<R: BufRead>(reader: R, max_record_bytes: usize) -> Result<Records, SourceError> {
    let mut rows = CsvRows::new(reader, max_record_bytes);
    let mut out = Records::default();
    let headers = match read_csv_header(&mut rows) {
        Ok(Some(h)) => h,
        Ok(None) => return Ok(out),
        Err(e) => {
            out.problems.push(problem("header row", batch_message(e)?));
            return Ok(out);
        }
    };
    let groups_col = headers.iter().position(|h| key::is(h, GROUPS));
    let active_col = headers.iter().position(|h| key::is(h, ACTIVE));
    let profile_cols: Vec<usize> = (0..headers.len())
        .filter(|i| Some(*i) != groups_col && Some(*i) != active_col)
        .collect();
    out.keys = profile_cols.iter().map(|&i| headers[i].clone()).collect();
    if groups_col.is_some() {
        out.groups = GroupSource::Column;
    }
    while let Some(rec) = rows.next_record().map_err(read_error)? {
        let at = format!("line {}", rec.line);
        if rec.too_long {
            out.problems.push(problem(
                &at,
                format!(
                    "record is longer than {} bytes (an unclosed quote?)",
                    rows.max_bytes()
                ),
            ));
            continue;
        }
        let cells = match text_fields(&rows) {
            Ok(c) => c,
            Err(why) => {
                out.problems.push(problem(&at, why));
                continue;
            }
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() != headers.len() {
            out.problems.push(problem(
                &at,
                format!(
                    "record has {} fields, the header has {}",
                    cells.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let active = match active_col.map(|i| parse_active(&Value::from(cells[i]))) {
            None => true,
            Some(Ok(a)) => a,
            Some(Err(why)) => {
                out.problems.push(problem(&at, why));
                true
            }
        };
        let groups = groups_col
            .map(|i| split_groups(cells[i]))
            .unwrap_or_default();
        let picked: Vec<&str> = profile_cols.iter().map(|&i| cells[i]).collect();
        out.users.push(UserRecord {
            at,
            profile: Profile::new(&csv_profile(&out.keys, &picked)),
            active,
            groups,
        });
    }
    Ok(out)
}

/// A `groups` cell: displayNames separated by `;`, trimmed, empty parts ignored.
fn split_groups(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A header problem is the source's; an I/O error is not.
fn batch_message(e: BatchError) -> Result<String, SourceError> {
    match e {
        BatchError::Input(m) => Ok(m),
        other => Err(read_error(other)),
    }
}

fn read_error(e: BatchError) -> SourceError {
    SourceError::Read {
        reason: aws_ilm_lifecycle::text::one_line(&e.to_string()).into_owned(),
    }
}
