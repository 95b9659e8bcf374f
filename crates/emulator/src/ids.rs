//! Resource ids. New ids are plain UUIDs, as in AWS's current examples; ids in paths are checked
//! against the form the Identity Store allows (`([0-9a-f]{10}-)?UUID`, at most 47 characters,
//! docs/emulator.md, "Ids") so that `../x`, `%00` or a 10 kB segment is a clean 404 and never
//! reaches SQL.

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `s` could be an id AWS issued.
pub fn is_valid(s: &str) -> bool {
    let uuid_part = match s.len() {
        36 => s,
        47 => match s.split_at(11) {
            (head, rest) if head.ends_with('-') && is_hex(&head[..10]) => rest,
            _ => return false,
        },
        _ => return false,
    };
    uuid::Uuid::try_parse(uuid_part).is_ok() && uuid_part.as_bytes()[8] == b'-'
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(is_valid(&new_id()));
        assert!(is_valid("9067729b3d-94f1e0b3-c394-48d5-8ab1-2c122a167074"));
        assert!(is_valid("c4488478-a0e1-700e-3d75-96c6bb641596"));
        for bad in [
            "",
            "../x",
            "\0",
            "abc",
            "9067729b3dx94f1e0b3-c394-48d5-8ab1-2c122a167074",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
        assert!(!is_valid(&"a".repeat(10_000)));
    }
}
