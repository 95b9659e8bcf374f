//! List parameters and cursor paging (docs/emulator.md, "Lists and paging",
//! "Filters").
//!
//! Without `cursor` a list answers one page in the classic shape (`totalResults` counts that
//! page, as AWS's examples do). With `cursor` (empty on the first call) it answers AWS's cursor
//! shape: `itemsPerPage`, and `nextCursor` while more pages remain. The cursor is opaque to
//! clients: URL-safe base64 of the last row's storage sequence number and a hash of the
//! resource type and canonical filter, so a cursor replayed with another filter is a 400, as in
//! AWS. Rows are ordered by an insertion sequence that is never reused, so paging is stable
//! while resources are created and deleted.

use std::borrow::Cow;

use aws_ilm_scim::{Filter, urn};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;
use crate::store::Rows;

/// AWS: `count` is 1..=100, default 100.
pub const MAX_COUNT: i64 = 100;

/// Query parameters AWS documents as unsupported; the emulator refuses them rather than
/// silently ignoring them (decision: a client relying on them is broken against AWS).
const UNSUPPORTED: [&str; 5] = [
    "startIndex",
    "attributes",
    "excludedAttributes",
    "sortBy",
    "sortOrder",
];

/// What a query-string key names. The supported list parameters count only in AWS's documented
/// spelling; any other spelling of them, and the unsupported ones in any spelling, are a 400
/// (docs/emulator.md, decision 2): ignoring `Filter=` would answer an unfiltered page, and a
/// client reading its first entry as the match would act on the wrong user.
enum Key {
    Filter,
    Count,
    Cursor,
    /// Not a SCIM parameter: ignored, like AWS ignores unknown parameters.
    Other,
}

impl Key {
    fn of(k: &str) -> Result<Key, ApiError> {
        match k {
            "filter" => return Ok(Key::Filter),
            "count" => return Ok(Key::Count),
            "cursor" => return Ok(Key::Cursor),
            _ => {}
        }
        if let Some(u) = UNSUPPORTED.iter().find(|u| u.eq_ignore_ascii_case(k)) {
            return Err(ApiError::bad_request(format!(
                "The query parameter '{u}' is not supported."
            )));
        }
        if let Some(p) = ["filter", "count", "cursor"]
            .iter()
            .find(|p| p.eq_ignore_ascii_case(k))
        {
            return Err(ApiError::bad_request(format!(
                "The query parameter '{}' is not supported: query parameter names are \
                 case-sensitive (use '{p}').",
                crate::error::printable(k)
            )));
        }
        Ok(Key::Other)
    }
}

/// The query string as (decoded key, raw value) pairs; empty pairs (`a&&b`) are skipped.
fn pairs(raw: Option<&str>) -> impl Iterator<Item = Result<(Cow<'_, str>, &str), ApiError>> {
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((form_decode(k)?, v))
        })
}

/// GetUser and GetGroup take no list parameter: `filter`, `count` and `cursor` there are a 400
/// like the unsupported ones, rather than being ignored (docs/emulator.md, decision 2).
pub fn refuse_list_params(raw: Option<&str>) -> Result<(), ApiError> {
    for pair in pairs(raw) {
        let (k, v) = pair?;
        match Key::of(&k)? {
            Key::Other => {
                // Ignored, but still a 400 when it is not UTF-8 (as on the lists).
                form_decode(v)?;
            }
            Key::Filter | Key::Count | Key::Cursor => {
                return Err(ApiError::bad_request(format!(
                    "The query parameter '{k}' is supported only when listing resources."
                )));
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub filter: Option<Filter>,
    pub count: i64,
    /// `None`: no `cursor` parameter; `Some("")`: first cursor page.
    pub cursor: Option<String>,
}

impl ListParams {
    pub fn parse(raw: Option<&str>) -> Result<ListParams, ApiError> {
        let mut filter = None;
        let mut count = None;
        let mut cursor = None;
        for pair in pairs(raw) {
            let (k, v) = pair?;
            let slot = match Key::of(&k)? {
                Key::Filter => &mut filter,
                Key::Count => &mut count,
                Key::Cursor => &mut cursor,
                Key::Other => {
                    // Ignored, but still a 400 when it is not UTF-8 (as before any use).
                    form_decode(v)?;
                    continue;
                }
            };
            if slot.replace(form_decode(v)?.into_owned()).is_some() {
                return Err(ApiError::bad_request(format!(
                    "The query parameter '{k}' may be given only once."
                )));
            }
        }
        let count = match count {
            None => MAX_COUNT,
            Some(c) => match c.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "count must be an integer between 1 and {MAX_COUNT}."
                    )));
                }
            },
        };
        let filter = filter.map(|f| Filter::parse(&f)).transpose()?;
        Ok(ListParams {
            filter,
            count,
            cursor,
        })
    }

    /// What a cursor of this listing is bound to: the resource and the canonical filter. Only
    /// cursor mode needs it, so the filter is rendered only then (the hot path is a filtered GET
    /// without a cursor).
    pub fn listing(&self, resource: &str, canonical: impl FnOnce() -> Option<Filter>) -> String {
        match self.cursor {
            None => String::new(),
            Some(_) => format!(
                "{resource}|{}",
                canonical().map(|f| f.to_string()).unwrap_or_default()
            ),
        }
    }

    /// Rows to read: a page, plus one in cursor mode to learn whether another page follows.
    pub fn limit(&self) -> i64 {
        self.count + i64::from(self.cursor.is_some())
    }

    /// The sequence number to continue after, checking the cursor belongs to this listing.
    pub fn after(&self, listing: &str) -> Result<i64, ApiError> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(0),
            Some(c) => decode(c, listing),
        }
    }
}

/// One component of the query string (`application/x-www-form-urlencoded`: `+` is a space,
/// then percent-decoding), in one pass and without copying when nothing is encoded. It must be
/// UTF-8 once decoded: a lossy decoder would turn `filter=userName eq "%FF"` into a search for
/// U+FFFD instead of refusing it (invalid UTF-8 gets a 400: docs/emulator.md, decisions table).
fn form_decode(part: &str) -> Result<Cow<'_, str>, ApiError> {
    let not_utf8 = |_| {
        ApiError::bad_request("Invalid query string: it is not valid UTF-8 once percent-decoded.")
    };
    if !part.contains('+') {
        return percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map_err(not_utf8);
    }
    let spaced = part.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map_err(not_utf8)?;
    Ok(Cow::Owned(decoded.into_owned()))
}

/// FNV-1a: a stable fingerprint of the listing (resource type + canonical filter).
fn fingerprint(listing: &str) -> u64 {
    listing.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

pub fn encode(seq: i64, listing: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{seq}.{:016x}", fingerprint(listing)))
}

fn decode(cursor: &str, listing: &str) -> Result<i64, ApiError> {
    let invalid = || ApiError::bad_request("The cursor is invalid.");
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let (seq, fp) = text.split_once('.').ok_or_else(invalid)?;
    let seq: i64 = seq.parse().map_err(|_| invalid())?;
    if fp != format!("{:016x}", fingerprint(listing)) {
        // AWS: 400 when the filter changes between paginated requests.
        return Err(ApiError::bad_request(
            "The filter must not change between paginated requests.",
        ));
    }
    Ok(seq)
}

/// Builds the list body from stored JSON rows without re-serialising or re-parsing them (they
/// were serialised by this server). `rows` holds at most `count + 1` rows in cursor mode; the
/// extra one only says that more remain. Field order follows `aws_ilm_scim::ListResponse`.
pub fn respond(
    params: &ListParams,
    listing: &str,
    mut rows: Rows,
    decorate: impl Fn(String) -> String,
) -> Result<String, ApiError> {
    let more = rows.len() as i64 > params.count;
    rows.truncate(params.count as usize);
    let n = rows.len();
    let next = match (&params.cursor, more, rows.last()) {
        (Some(_), true, Some((seq, _))) => Some(encode(*seq, listing)),
        _ => None,
    };
    let total: usize = rows.iter().map(|(_, b)| b.len() + 16).sum();
    let mut out = String::with_capacity(total + 160);
    out.push_str("{\"schemas\":[\"");
    out.push_str(urn::LIST_RESPONSE);
    out.push_str("\"],");
    match (&params.cursor, next) {
        (None, _) => out.push_str(&format!(
            "\"totalResults\":{n},\"itemsPerPage\":{n},\"startIndex\":1,"
        )),
        (Some(_), None) => out.push_str(&format!("\"itemsPerPage\":{n},")),
        (Some(_), Some(c)) => {
            // The cursor is URL-safe base64: nothing to escape.
            out.push_str(&format!("\"itemsPerPage\":{n},\"nextCursor\":\"{c}\","));
        }
    }
    out.push_str("\"Resources\":[");
    for (i, (_, body)) in rows.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&decorate(body));
    }
    out.push_str("]}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params() {
        let p = ListParams::parse(Some("filter=userName+eq+%22a%22&count=5&cursor")).unwrap();
        assert_eq!(p.count, 5);
        assert_eq!(p.cursor.as_deref(), Some(""));
        assert!(p.filter.is_some());
        assert_eq!(ListParams::parse(None).unwrap().count, 100);
        for bad in [
            "count=0",
            "count=101",
            "count=x",
            "startIndex=1",
            "filter=a&filter=b",
            "filter=userName+co+%22a%22",
            "filter=userName+eq+%22%FF%22",
            "other=%FF",
            "%FF=1",
            "Filter=userName+eq+%22a%22",
            "COUNT=5",
            "Cursor=",
            "ATTRIBUTES=userName",
        ] {
            assert!(ListParams::parse(Some(bad)).is_err(), "{bad}");
        }
        // Form decoding: `+` and `%20` are spaces, `%2B` is a plus; keys are decoded too.
        let p = ListParams::parse(Some("filter=userName+eq%20%22a%2Bb%22&%63ount=7&&x")).unwrap();
        assert_eq!(
            p.filter.unwrap().to_string(),
            Filter::parse("userName eq \"a+b\"").unwrap().to_string()
        );
        assert_eq!(p.count, 7);
    }

    /// Regression: GetUser/GetGroup ignored every list parameter (docs/emulator.md, decision 2).
    #[test]
    fn item_reads_refuse_list_parameters() {
        assert!(refuse_list_params(None).is_ok());
        assert!(refuse_list_params(Some("x=1&&y")).is_ok());
        for bad in [
            "filter=userName+eq+%22a%22",
            "count=1",
            "cursor",
            "attributes=userName",
            "excludedAttributes=emails",
            "startIndex=1",
            "sortBy=userName",
            "sortOrder=ascending",
            "Filter=x",
            "x=%FF",
        ] {
            assert!(refuse_list_params(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_bodies_match_the_shared_type() {
        let rows = vec![
            (1, "{\"id\":\"a\"}".to_owned()),
            (2, "{\"id\":\"b\"}".to_owned()),
        ];
        let plain = ListParams::parse(Some("count=5")).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&respond(&plain, "l", rows.clone(), |b| b).unwrap()).unwrap();
        let want = aws_ilm_scim::ListResponse::page(vec![
            serde_json::json!({"id": "a"}),
            serde_json::json!({"id": "b"}),
        ]);
        assert_eq!(v, serde_json::to_value(&want).unwrap());
        let cur = ListParams::parse(Some("count=1&cursor=")).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&respond(&cur, "l", rows, |b| b).unwrap()).unwrap();
        assert_eq!(v["itemsPerPage"], 1);
        assert_eq!(v["nextCursor"], encode(1, "l"));
        assert!(v.get("totalResults").is_none());
    }

    #[test]
    fn cursors_are_bound_to_their_listing() {
        let c = encode(42, "users|userName eq \"a\"");
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let p = ListParams {
            filter: None,
            count: 1,
            cursor: Some(c),
        };
        assert_eq!(p.after("users|userName eq \"a\""), Ok(42));
        assert!(p.after("users|userName eq \"b\"").is_err());
        let junk = ListParams {
            cursor: Some("!!!".into()),
            ..p
        };
        assert!(junk.after("users|").is_err());
    }
}
