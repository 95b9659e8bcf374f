//! Case-insensitive means full Unicode case folding after NFKC (docs/emulator.md), in create,
//! rename and filter alike; and the reserved userNames cannot be had through a look-alike.
//! Each pair below was two names under the old `to_lowercase` keys.

use serde_json::json;

use crate::support::{Emu, enc, patch_op, user_body};

/// Pairs of spellings of one name: final sigma, sharp s, NFC/NFD, full-width.
const PAIRS: [(&str, &str); 4] = [
    ("ΟΔΟΣ", "οδοσ"),
    ("straße", "STRASSE"),
    ("Jos\u{e9}", "Jose\u{301}"),
    ("Ａｄａ", "ada"),
];

/// A valid user named `name` whose email and externalId derive from `tag`.
fn named(name: &str, tag: &str) -> serde_json::Value {
    let mut b = user_body(tag);
    b["userName"] = json!(name);
    b
}

/// Creates a user named `name` (keys from `tag`); its id.
async fn create(e: &Emu, name: &str, tag: &str) -> String {
    let a = e.post("/Users", named(name, tag)).await;
    assert_eq!(a.status, 201, "{name}: {}", a.text);
    a.json()["id"].as_str().unwrap().to_owned()
}

fn rename(name: &str) -> serde_json::Value {
    patch_op(json!([{"op": "replace", "path": "userName", "value": name}]))
}

#[tokio::test]
async fn create_refuses_a_user_name_that_folds_to_a_taken_one() {
    let e = Emu::start().await;
    for (i, (a, b)) in PAIRS.iter().enumerate() {
        create(&e, a, &format!("a{i}")).await;
        let d = e
            .post("/Users", named(b, &format!("b{i}")))
            .await
            .aws_error(409);
        assert_eq!(
            d, "Refused to create a new, duplicate resource.",
            "{a} / {b}"
        );
    }
}

#[tokio::test]
async fn email_and_external_id_fold_too() {
    let e = Emu::start().await;
    let mut first = user_body("first");
    first["emails"][0]["value"] = json!("straße@example.com");
    first["externalId"] = json!("ΟΔΟΣ-1");
    assert_eq!(e.post("/Users", first).await.status, 201);
    let mut b = user_body("second");
    b["emails"][0]["value"] = json!("STRASSE@example.com");
    e.post("/Users", b).await.aws_error(409);
    let mut b = user_body("third");
    b["externalId"] = json!("οδοσ-1");
    e.post("/Users", b).await.aws_error(409);
}

#[tokio::test]
async fn rename_to_a_name_that_folds_to_a_taken_one_is_refused() {
    let e = Emu::start().await;
    for (i, (a, b)) in PAIRS.iter().enumerate() {
        create(&e, a, &format!("a{i}")).await;
        let other = create(&e, &format!("other{i}"), &format!("o{i}")).await;
        e.put(&format!("/Users/{other}"), named(b, &format!("o{i}")))
            .await
            .aws_error(409);
        e.patch(&format!("/Users/{other}"), rename(b))
            .await
            .aws_error(409);
        // Renaming a user to another spelling of its own name is no conflict.
        let a = e
            .patch(&format!("/Users/{other}"), rename(&format!("OTHER{i}")))
            .await;
        assert!(a.status.is_success(), "{}", a.text);
        let again = e.get(&format!("/Users/{other}")).await;
        assert_eq!(again.json()["userName"], format!("OTHER{i}"));
    }
}

#[tokio::test]
async fn filter_eq_finds_the_user_under_every_spelling() {
    let e = Emu::start().await;
    for (i, (a, b)) in PAIRS.iter().enumerate() {
        let id = create(&e, a, &format!("a{i}")).await;
        for form in [a, b] {
            let f = enc(&format!(r#"userName eq "{form}""#));
            let list = e.get(&format!("/Users?filter={f}")).await.json();
            assert_eq!(list["totalResults"], 1, "{form}: {list}");
            assert_eq!(list["Resources"][0]["id"], id.as_str(), "{form}");
        }
    }
    let mut u = user_body("ext");
    u["externalId"] = json!("STRASSE-7");
    assert_eq!(e.post("/Users", u).await.status, 201);
    let f = enc(r#"externalId eq "straße-7""#);
    assert_eq!(
        e.get(&format!("/Users?filter={f}")).await.json()["totalResults"],
        1
    );
}

#[tokio::test]
async fn group_display_names_fold_in_create_rename_and_filter() {
    let e = Emu::start().await;
    for (i, (a, b)) in PAIRS.iter().enumerate() {
        let g = e.group(a).await;
        e.post("/Groups", json!({"displayName": b}))
            .await
            .aws_error(409);
        let other = e.group(&format!("other{i}")).await;
        e.patch(
            &format!("/Groups/{other}"),
            patch_op(json!([{"op": "replace", "path": "displayName", "value": b}])),
        )
        .await
        .aws_error(409);
        let f = enc(&format!(r#"displayName eq "{b}""#));
        let list = e.get(&format!("/Groups?filter={f}")).await.json();
        assert_eq!(list["totalResults"], 1, "{b}: {list}");
        assert_eq!(list["Resources"][0]["id"], g.as_str());
    }
}

/// Full-width, Cyrillic and dotless-i look-alikes of the reserved names, and an `l` among
/// capitals.
const LOOK_ALIKES: [&str; 6] = [
    "Ａｄｍｉｎｉｓｔｒａｔｏｒ",
    "\u{410}DMINISTRATOR",
    "\u{430}dministrator",
    "adm\u{131}nistrator",
    "AWSAdm\u{456}nistrators",
    "ADMINlSTRATOR",
];

#[tokio::test]
async fn reserved_user_name_look_alikes_are_refused() {
    let e = Emu::start().await;
    let id = e.user("plain").await;
    for (i, name) in LOOK_ALIKES.iter().enumerate() {
        let d = e
            .post("/Users", named(name, &format!("r{i}")))
            .await
            .aws_error(400);
        assert!(d.contains("reserved"), "{name}: {d}");
        let d = e
            .put(&format!("/Users/{id}"), named(name, "plain"))
            .await
            .aws_error(400);
        assert!(d.contains("reserved"), "{name}: {d}");
        let d = e
            .patch(&format!("/Users/{id}"), rename(name))
            .await
            .aws_error(400);
        assert!(d.contains("reserved"), "{name}: {d}");
    }
    // A name that merely contains a reserved one is an ordinary name.
    create(&e, "Administrators-team", "t").await;
}
