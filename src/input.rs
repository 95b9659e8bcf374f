//! JSON-valued arguments (`--user-profile`, `--scim`, the member lists): given inline, as
//! `@file.json`, or as `-` for standard input (README.md, "Commands").
//!
//! Only the text is read here; parsing and validation belong to the lifecycle engine
//! (`Command::parse`), which the batch file shares, so both report bad JSON the same way.

use std::path::Path;

use aws_ilm_lifecycle::bounded::{self, Limit};

use crate::error::CliError;

/// The largest JSON argument read from a file or standard input (16 MiB): a profile is a few
/// KB and a member list of 100,000 ids a few MB, while `--scim @/dev/zero` must stop at once.
pub const JSON_ARG_LIMIT: Limit = Limit {
    bytes: 16 << 20,
    what: "a JSON argument",
};

/// Reads argument values, allowing standard input to be consumed once.
#[derive(Debug, Default)]
pub struct ArgReader {
    stdin_used_by: Option<&'static str>,
}

impl ArgReader {
    /// The text of argument `name` (e.g. "--user-profile") whose raw value is `raw`; a file or
    /// standard input is read up to [`JSON_ARG_LIMIT`].
    pub fn read(&mut self, name: &'static str, raw: &str) -> Result<String, CliError> {
        if raw == "-" {
            if let Some(first) = self.stdin_used_by {
                return Err(CliError::usage(format!(
                    "{name} and {first} both read standard input ('-'); give one of them inline \
                     or as @file.json"
                )));
            }
            self.stdin_used_by = Some(name);
            return bounded::read_to_string(std::io::stdin(), JSON_ARG_LIMIT)
                .map_err(|e| CliError::usage(format!("{name}: cannot read standard input: {e}")));
        }
        if let Some(path) = raw.strip_prefix('@') {
            return read_file(name, Path::new(path));
        }
        Ok(raw.to_string())
    }
}

fn read_file(name: &str, path: &Path) -> Result<String, CliError> {
    bounded::read_file(path, JSON_ARG_LIMIT).map_err(|e| {
        let error = CliError::usage(format!("{name}: cannot read {}: {e}", path.display()));
        match e {
            // A file that cannot be opened or read may be a mistyped path or a missing `@`.
            bounded::ReadError::Io(_) => {
                error.with_hint("give the JSON inline, as @path/to/file.json, or as - for stdin")
            }
            bounded::ReadError::TooLarge(_) | bounded::ReadError::NotUtf8 => error,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_file_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.json");
        std::fs::write(&p, r#"{"username":"a"}"#).unwrap();
        let mut r = ArgReader::default();
        assert_eq!(r.read("--scim", "{}").unwrap(), "{}");
        assert_eq!(
            r.read("--user-profile", &format!("@{}", p.display()))
                .unwrap(),
            r#"{"username":"a"}"#
        );
        let e = r
            .read("--user-profile", "@/nonexistent/x.json")
            .unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Usage);
        assert!(e.message.contains("/nonexistent/x.json"));
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused_at_the_limit() {
        let e = ArgReader::default()
            .read("--scim", "@/dev/zero")
            .unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Usage);
        assert_eq!(
            e.message,
            "--scim: cannot read /dev/zero: it is larger than 16 MiB (the limit for a JSON argument)"
        );
        assert_eq!(e.hint, None);
    }
}
