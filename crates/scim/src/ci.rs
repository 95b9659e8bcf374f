//! Case-insensitive names.
//!
//! RFC 7643 §2.1 makes attribute names case-insensitive, and AWS's schema marks `userName` and
//! group `displayName` `caseExact: false`. Everything in the workspace that compares names
//! without regard to case goes through [`fold`] (directly, or through [`CiStr`]), so that the
//! emulator's unique indexes, its filters, its renames and the client's own bookkeeping agree on
//! what "the same name" means (docs/emulator.md, "Case-insensitive matching").
//!
//! Lower-casing is not enough: it keeps `ß` apart from `SS` and the final sigma `ς` apart from
//! `σ`, and it treats the NFC and NFD spellings of `é`, or full-width `Ａｄａ` and `Ada`, as
//! different names although they render alike. [`fold`] is NFKC followed by Unicode full default
//! case folding (`CaseFolding.txt` statuses C and F), and NFKC once more: folding can leave a
//! sequence that NFKC composes (`ß` + U+0301 folds to `ss` + U+0301, whose NFKC is `sś`), and
//! without the last step folding that key again would give a different key.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// A borrowed string that compares, and hashes, by its [`fold`].
#[derive(Clone, Copy)]
pub struct CiStr<'a>(pub &'a str);

impl CiStr<'_> {
    /// The key under which uniqueness is enforced.
    pub fn fold(&self) -> String {
        fold(self.0)
    }
}

/// The case-insensitive key of a name: NFKC, full case folding, NFKC (see the module doc).
/// Two names are the same case-insensitively exactly when their folds are equal, and folding a
/// fold changes nothing.
pub fn fold(s: &str) -> String {
    // ASCII is its own NFKC form and folds to its lower case: the common case stays one pass.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    // Most names are already in NFKC (a quick table check): normalising them would only copy.
    let folded = if unicode_normalization::is_nfkc(s) {
        caseless::default_case_fold_str(s)
    } else {
        caseless::default_case_fold_str(&s.nfkc().collect::<String>())
    };
    if unicode_normalization::is_nfkc(&folded) {
        folded
    } else {
        folded.nfkc().collect()
    }
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
    use proptest::prelude::*;

    /// The slow path, for checking the ASCII shortcut against it.
    fn fold_unicode(s: &str) -> String {
        let nfkc: String = s.nfkc().collect();
        caseless::default_case_fold_str(&nfkc).nfkc().collect()
    }

    #[test]
    fn compares_across_case_and_unicode() {
        assert_eq!(CiStr("userName"), CiStr("USERNAME"));
        assert_eq!(CiStr("Ädä"), CiStr("äDÄ"));
        assert!(CiStr("ada") != CiStr("adb"));
        assert_eq!(CiStr("members.Value"), "MEMBERS.value");
    }

    /// Lower-casing kept the final sigma apart: "ΟΔΟΣ" blocked "οδος" but not "οδοσ".
    #[test]
    fn greek_final_sigma_is_one_name() {
        assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
        assert_eq!(fold("ΟΔΟΣ"), fold("οδοσ"));
        assert_eq!(fold("οδος"), fold("οδοσ"));
        assert_eq!(CiStr("οδος"), CiStr("οδοσ"));
    }

    /// Lower-casing kept "straße" and "STRASSE" apart.
    #[test]
    fn sharp_s_folds_to_ss() {
        assert_eq!(fold("straße"), fold("STRASSE"));
        assert_eq!(fold("STRAẞE"), fold("strasse"));
        assert_eq!(CiStr("straße"), CiStr("Strasse"));
    }

    #[test]
    fn nfc_and_nfd_are_one_name() {
        let nfc = "Jos\u{e9}";
        let nfd = "Jose\u{301}";
        assert_ne!(nfc, nfd);
        assert_eq!(fold(nfc), fold(nfd));
        assert_eq!(fold(&nfd.to_uppercase()), fold(nfc));
        assert_eq!(CiStr(nfc), CiStr(nfd));
    }

    #[test]
    fn full_width_is_one_name() {
        assert_eq!(fold("Ａｄａ"), "ada");
        assert_eq!(fold("ＡＤＡ"), fold("ada"));
        assert_eq!(CiStr("Ａｄａ"), CiStr("ADA"));
    }

    #[test]
    fn distinct_names_stay_distinct() {
        assert_ne!(fold("ada"), fold("adá"));
        assert_ne!(fold("straße"), fold("strase"));
        assert_ne!(fold("οδος"), fold("οδοι"));
        // Look-alikes from other scripts are different names (only the reserved-name check
        // treats them alike: `crate::lookalike`).
        assert_ne!(fold("аda"), fold("ada"));
    }

    /// Without the final NFKC, `ß` + U+0301 folded to `ss` + U+0301, and that to `sś`.
    #[test]
    fn fold_after_folding_recomposes() {
        let once = fold("\u{df}\u{301}");
        assert_eq!(once, "s\u{15b}");
        assert_eq!(fold(&once), once);
        assert_eq!(fold("SS\u{301}"), once);
    }

    #[test]
    fn fold_of_a_fold_is_the_same_for_every_scalar_value() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let once = fold(c.encode_utf8(&mut [0; 4]));
            assert_eq!(fold(&once), once, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn ascii_shortcut_agrees_with_the_unicode_path() {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        assert_eq!(fold(&all), fold_unicode(&all));
    }

    /// Characters whose folding or normalisation is not one-to-one, and combining marks, mixed
    /// with arbitrary ones: uniform random text almost never puts a mark after an `ß`.
    fn tricky_text() -> impl Strategy<Value = String> {
        let tricky = prop::sample::select(vec![
            'ß', 'ẞ', 'ǰ', 'İ', 'ı', 'ς', 'Σ', 'ᾳ', 'ﬁ', 'ŉ', 'Ａ', 'K', 'Å', '\u{301}', '\u{302}',
            '\u{307}', '\u{30c}', '\u{323}', '\u{345}', '\u{3099}',
        ]);
        prop::collection::vec(prop_oneof![any::<char>(), tricky], 0..24)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in tricky_text()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn canonical_equivalents_fold_alike(s in tricky_text()) {
            let nfc: String = s.nfc().collect();
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold(&nfc), fold(&nfd));
        }
    }
}
