//! Names that look like another name: the reserved-name check's comparison.
//!
//! A reserved name (`Administrator`) must not be claimable by a name that merely renders like
//! it: full-width `Ａｄｍｉｎｉｓｔｒａｔｏｒ`, a Cyrillic `а` in place of the Latin `a`, a dotless
//! `ı`. Unicode's answer is the confusable *skeleton* of UTS #39 (§4): two strings are
//! confusable when their skeletons are equal. A skeleton keeps case (`A` and `a` have
//! different skeletons) and maps upper-case `I` to `l`, so one comparison is not enough:
//!
//! - the skeletons of the two [`fold`]s, which catches every case variant of every look-alike;
//! - the skeleton of the name as written against the skeleton of the protected name as written
//!   and in upper case, which catches `ADMINlSTRATOR` (a lower-case `l` among capitals), a
//!   look-alike that folding turns into an ordinary different name.
//!
//! Only the reserved-name check uses this: uniqueness is by [`fold`], so `аda` (Cyrillic `а`)
//! and `ada` remain two users, as they are two names. Decision recorded in docs/emulator.md.

use unicode_security::skeleton;

use crate::ci::fold;

/// Whether `name` is, or looks like, `protected` (see the module doc).
pub fn looks_like(name: &str, protected: &str) -> bool {
    let sk = |s: &str| skeleton(s).collect::<String>();
    if sk(&fold(name)) == sk(&fold(protected)) {
        return true;
    }
    let written = sk(name);
    written == sk(protected) || written == sk(&protected.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: &str = "Administrator";

    #[test]
    fn the_name_itself_in_any_case() {
        for n in [
            "Administrator",
            "administrator",
            "ADMINISTRATOR",
            "aDmInIsTrAtOr",
        ] {
            assert!(looks_like(n, R), "{n}");
        }
    }

    #[test]
    fn full_width() {
        assert!(looks_like("Ａｄｍｉｎｉｓｔｒａｔｏｒ", R));
        assert!(looks_like("ＡＤＭＩＮＩＳＴＲＡＴＯＲ", R));
    }

    #[test]
    fn cyrillic_and_greek_letters() {
        // Cyrillic а (U+0430), Cyrillic і (U+0456), Greek ο (U+03BF).
        assert!(looks_like("\u{430}dministrator", R));
        assert!(looks_like("Admin\u{456}strator", R));
        assert!(looks_like("Administrat\u{3bf}r", R));
        // Cyrillic А (U+0410) in upper case.
        assert!(looks_like("\u{410}DMINISTRATOR", R));
    }

    #[test]
    fn dotless_i() {
        assert!(looks_like("adm\u{131}nistrator", R));
        assert!(looks_like(
            "AWSAdm\u{131}n\u{131}strators",
            "AWSAdministrators"
        ));
    }

    #[test]
    fn lower_case_l_among_capitals() {
        assert!(looks_like("ADMINlSTRATOR", R));
    }

    #[test]
    fn different_names_are_not_look_alikes() {
        for n in [
            "Administrators",
            "Admin",
            "administrator2",
            "ada",
            "Adminístrator",
        ] {
            assert!(!looks_like(n, R), "{n}");
        }
    }
}
