//! Cursor paging (docs/emulator.md, "Lists and paging"): one page without a cursor, nextCursor with
//! one, 400 when the filter changes between pages.

use std::collections::HashSet;

use serde_json::json;

use crate::support::{Emu, enc, patch_op};

#[tokio::test]
async fn without_cursor_one_page_only() {
    let e = Emu::start().await;
    for i in 0..7 {
        e.user(&format!("p{i}")).await;
    }
    let v = e.get("/Users?count=3").await.json();
    assert_eq!(v["totalResults"], 3, "totalResults counts the page");
    assert_eq!(v["itemsPerPage"], 3);
    assert_eq!(v["startIndex"], 1);
    assert!(v.get("nextCursor").is_none());
    assert_eq!(v["Resources"].as_array().unwrap().len(), 3);
    let v = e.get("/Users").await.json();
    assert_eq!(v["totalResults"], 7);
}

#[tokio::test]
async fn cursor_pages_cover_everything_once() {
    let e = Emu::start().await;
    for i in 0..23 {
        e.user(&format!("c{i}")).await;
    }
    let mut seen = HashSet::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 10, "paging does not end");
        let v = e
            .get(&format!("/Users?count=5&cursor={cursor}"))
            .await
            .json();
        assert!(
            v.get("totalResults").is_none() && v.get("startIndex").is_none(),
            "{v}"
        );
        for r in v["Resources"].as_array().unwrap() {
            assert!(seen.insert(r["id"].as_str().unwrap().to_owned()));
        }
        assert_eq!(v["itemsPerPage"], v["Resources"].as_array().unwrap().len());
        match v["nextCursor"].as_str() {
            Some(c) => {
                assert!(
                    c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-+=/:_".contains(&b))
                );
                cursor = c.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 23);
    assert_eq!(pages, 5);
}

#[tokio::test]
async fn changing_the_filter_between_pages_is_400() {
    let e = Emu::start().await;
    let g = e.group("pg").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(json!({"value": e.user(&format!("m{i}")).await}));
    }
    e.patch(
        &format!("/Groups/{g}"),
        patch_op(json!([{"op": "add", "path": "members", "value": ids}])),
    )
    .await;
    let f = enc(&format!(r#"groups.value eq "{g}""#));
    let v = e
        .get(&format!("/Users?filter={f}&count=2&cursor"))
        .await
        .json();
    let next = v["nextCursor"].as_str().unwrap().to_owned();
    let d = e
        .get(&format!(
            "/Users?filter={}&count=2&cursor={next}",
            enc(r#"userName eq "m1""#)
        ))
        .await
        .aws_error(400);
    assert!(d.contains("filter"), "{d}");
    e.get(&format!("/Users?count=2&cursor={next}"))
        .await
        .aws_error(400);
    e.get(&format!("/Groups?count=2&cursor={next}"))
        .await
        .aws_error(400);
    // The same filter, even with another count, continues.
    let v = e
        .get(&format!("/Users?filter={f}&count=10&cursor={next}"))
        .await
        .json();
    assert_eq!(v["Resources"].as_array().unwrap().len(), 2);
    assert!(v.get("nextCursor").is_none());
}

#[tokio::test]
async fn groups_page_too() {
    let e = Emu::start().await;
    for i in 0..3 {
        e.group(&format!("gp{i}")).await;
    }
    let v = e.get("/Groups?count=2&cursor=").await.json();
    assert_eq!(v["Resources"].as_array().unwrap().len(), 2);
    assert_eq!(v["Resources"][0]["members"], json!([]));
    let next = v["nextCursor"].as_str().unwrap();
    let v = e
        .get(&format!("/Groups?count=2&cursor={next}"))
        .await
        .json();
    assert_eq!(v["Resources"].as_array().unwrap().len(), 1);
}
