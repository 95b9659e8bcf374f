//! JSON-valued arguments (`--user-profile`, `--scim`, the member lists): given inline, as
//! `@file.json`, or as `-` for standard input (README.md, "Commands").
//!
//! Only the text is read here; parsing and validation belong to the lifecycle engine
//! (`Command::parse`), which the batch file shares, so both report bad JSON the same way.

use std::io::Read;
use std::path::Path;

use crate::error::CliError;

/// Reads argument values, allowing standard input to be consumed once.
#[derive(Debug, Default)]
pub struct ArgReader {
    stdin_used_by: Option<&'static str>,
}

impl ArgReader {
    /// The text of argument `name` (e.g. "--user-profile") whose raw value is `raw`.
    pub fn read(&mut self, name: &'static str, raw: &str) -> Result<String, CliError> {
        if raw == "-" {
            if let Some(first) = self.stdin_used_by {
                return Err(CliError::usage(format!(
                    "{name} and {first} both read standard input ('-'); give one of them inline \
                     or as @file.json"
                )));
            }
            self.stdin_used_by = Some(name);
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("{name}: cannot read standard input: {e}")))?;
            return Ok(text);
        }
        if let Some(path) = raw.strip_prefix('@') {
            return read_file(name, Path::new(path));
        }
        Ok(raw.to_string())
    }
}

fn read_file(name: &str, path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!("{name}: cannot read {}: {e}", path.display()))
            .with_hint("give the JSON inline, as @path/to/file.json, or as - for stdin")
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
}
