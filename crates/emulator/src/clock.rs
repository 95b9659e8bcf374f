//! The two timestamp formats AWS uses: `meta.created`/`lastModified` in ISO-8601 UTC to the
//! second with a `Z`, and the error body's `timeStamp`, `YYYY-MM-DD HH:MM:SS.mmm`
//! without a zone (docs/emulator.md, "Timestamps").

use time::OffsetDateTime;
use time::macros::format_description;

/// `2025-01-02T03:04:05Z`
pub fn meta_now() -> String {
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::now_utc()
        .format(f)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// `2023-01-03 11:50:22.856`
pub fn error_time_stamp() -> String {
    let f =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]");
    OffsetDateTime::now_utc()
        .format(f)
        .unwrap_or_else(|_| "1970-01-01 00:00:00.000".to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        let m = super::meta_now();
        assert_eq!(m.len(), 20);
        assert!(m.ends_with('Z') && m.as_bytes()[10] == b'T');
        let e = super::error_time_stamp();
        assert_eq!(e.len(), 23);
        assert_eq!(e.as_bytes()[10], b' ');
        assert_eq!(e.as_bytes()[19], b'.');
    }
}
