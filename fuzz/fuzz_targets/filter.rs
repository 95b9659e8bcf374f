//! The AWS filter subset: no input panics, and whatever parses renders back to a filter that
//! parses to the same thing (the builder's escaping and the parser agree).
#![no_main]

use aws_ilm_scim::{Filter, GroupQuery, UserQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::parse(text) else {
        return;
    };
    let rendered = filter.to_string();
    let again = Filter::parse(&rendered).unwrap_or_else(|e| panic!("{rendered:?}: {e}"));
    assert_eq!(again, filter, "round trip through {rendered:?}");
    if let Ok(q) = UserQuery::from_filter(&filter) {
        assert_eq!(UserQuery::from_filter(&q.to_filter()).ok(), Some(q));
    }
    if let Ok(q) = GroupQuery::from_filter(&filter) {
        assert_eq!(GroupQuery::from_filter(&q.to_filter()).ok(), Some(q));
    }
});
