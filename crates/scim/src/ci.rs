//! Case-insensitive names.
//!
//! RFC 7643 §2.1 makes attribute names case-insensitive, and AWS's schema marks `userName` and
//! group `displayName` `caseExact: false`. Comparing through this type means nobody has to
//! remember `to_lowercase()` at each call site.

use std::fmt;

/// A borrowed string that compares, and hashes, without regard to case.
#[derive(Clone, Copy)]
pub struct CiStr<'a>(pub &'a str);

impl CiStr<'_> {
    /// The key under which uniqueness is enforced: full Unicode lower-casing, so `ÄDA` and `äda`
    /// collide exactly as `ADA` and `ada` do.
    pub fn fold(&self) -> String {
        fold(self.0)
    }
}

/// Case-folds a value for comparison or for a unique index.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

impl PartialEq for CiStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.eq_ignore_ascii_case(other.0)
            || fold(self.0) == fold(other.0)
    }
}

impl Eq for CiStr<'_> {}

impl PartialEq<&str> for CiStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == CiStr(other)
    }
}

impl std::hash::Hash for CiStr<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        fold(self.0).hash(state);
    }
}

impl fmt::Display for CiStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for CiStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_across_case_and_unicode() {
        assert_eq!(CiStr("userName"), CiStr("USERNAME"));
        assert_eq!(CiStr("Ädä"), CiStr("äDÄ"));
        assert!(CiStr("ada") != CiStr("adb"));
        assert_eq!(CiStr("members.Value"), "MEMBERS.value");
    }
}
