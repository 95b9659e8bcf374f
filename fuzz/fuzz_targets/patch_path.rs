//! PatchOp paths (`attr`, `attr.sub`, `attr[sub eq "v"].sub`, with a schema URN prefix): no
//! input panics, and a value filter always comes back as exactly one `eq` clause.
#![no_main]

use aws_ilm_scim::PatchPath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = PatchPath::parse(text) {
        // A parsed path names an attribute unless it targets a whole schema extension.
        assert!(!p.attr.is_empty() || p.schema.is_some(), "{text:?} → {p:?}");
        let _ = p.is_enterprise();
    }
});
