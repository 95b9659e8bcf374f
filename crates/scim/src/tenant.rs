//! The one rule for a tenant id, wherever one is met: the binary's settings, the client's
//! endpoint and the emulator's `--tenant-id` (docs/configuration.md, "The tenant id").
//!
//! A tenant id is the first path segment of every SCIM URL. AWS's are letters, digits and `-`
//! (`d-9067xxxxxx`, or `xxxxxxxxxxx-xxxx-…` in logs); `_` and `.` are allowed as well so that a
//! local name reads naturally. Anything else is a typo or a pasted URL piece, and `.` and `..`
//! would be resolved away by the URL standard, so those are refused before any request is made.

/// Why a text is not a tenant id. The messages complete "tenant id …" and never repeat the whole
/// text, which may be a pasted secret or hold control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error("must not be empty")]
    Empty,
    #[error("must not be {0:?}")]
    Dots(String),
    #[error("may hold only letters, digits, '-', '_' and '.', not {0:?}")]
    Char(char),
}

/// `Ok` when `tenant` can name a tenant: non-empty, ASCII letters, digits, `-`, `_`, `.`, and
/// neither `.` nor `..`.
pub fn check(tenant: &str) -> Result<(), TenantError> {
    if tenant.is_empty() {
        return Err(TenantError::Empty);
    }
    if tenant == "." || tenant == ".." {
        return Err(TenantError::Dots(tenant.to_owned()));
    }
    match tenant
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some(c) => Err(TenantError::Char(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_forms_pass_and_path_pieces_do_not() {
        for ok in [
            "d-9067abcdef",
            "a1b2c3d4e5f-1234-5678-9abc-def012345678",
            "lab_1.x",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        assert_eq!(check(""), Err(TenantError::Empty));
        assert_eq!(check(".."), Err(TenantError::Dots("..".into())));
        assert_eq!(check("."), Err(TenantError::Dots(".".into())));
        for (bad, c) in [
            ("t/x", '/'),
            ("../x", '/'),
            ("a b", ' '),
            ("t%2F", '%'),
            ("tö", 'ö'),
        ] {
            assert_eq!(check(bad), Err(TenantError::Char(c)), "{bad}");
        }
        // The message names the character made visible, never the text.
        let e = check("secret\u{1b}[2J").unwrap_err().to_string();
        assert!(e.contains("\\u{1b}") && !e.contains("secret"), "{e}");
    }
}
