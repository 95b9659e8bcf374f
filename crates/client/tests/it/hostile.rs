//! A hostile or broken server (docs/client.md): bodies too large to hold, paging that
//! never ends, redirects to another host, and success answers that cannot be trusted.

use std::sync::Arc;
use std::time::Duration;

use aws_ilm_client::{ClientError, Op, PatchOp, PatchOperation, ScimClient};
use serde_json::{Value, json};

use crate::common::{config, user};
use crate::nonaws::{list, stored};
use crate::scripted::{Action, Tally, serve};

const MIB: u64 = 1024 * 1024;

#[track_caller]
fn assert_too_large(err: &ClientError, limit: u64) {
    assert!(
        matches!(err, ClientError::ResponseTooLarge { limit: l, .. } if *l == limit),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("max_response_bytes") && msg.contains(&limit.to_string()),
        "{msg}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn content_length_above_the_cap_is_refused_before_reading() {
    let srv = serve(|_, _| Action::DeclareLength(2 * 1024 * MIB)).await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    // Old code waits for the 2 GiB it was promised and times out instead (and retries once).
    cfg.request_timeout = Duration::from_secs(5);
    cfg.retry.max_attempts = 2;
    let c = ScimClient::new(cfg).unwrap();
    let err = c.get_user("u-1").await.unwrap_err();
    assert_too_large(&err, 8 * MIB);
    assert_eq!(srv.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn endless_chunked_body_stops_at_the_cap() {
    let tally = Arc::new(Tally::default());
    let t = tally.clone();
    let srv = serve(move |_, _| Action::Endless(t.clone())).await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.max_response_bytes = MIB;
    cfg.request_timeout = Duration::from_secs(20);
    cfg.retry.max_attempts = 2;
    let c = ScimClient::new(cfg).unwrap();
    let err = c.list_users(None).await.unwrap_err();
    assert_too_large(&err, MIB);
    // What the server got out before the client hung up: the cap, plus what the kernel's socket
    // buffers held. Far from the 128 MiB it would have sent a client that kept reading.
    let sent = tally.sent().await;
    assert!(sent < 24 * MIB, "the client read on: {sent} bytes sent");
    assert_eq!(srv.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn a_b_cursor_cycle_is_stopped_at_the_first_repeat() {
    let srv = serve(|req, _| {
        let next = match req.query("cursor").unwrap_or_default().as_str() {
            "B" => "A",
            _ => "B",
        };
        Action::json(200, list(vec![stored("ada")], json!({"nextCursor": next})))
    })
    .await;
    let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
    let err = c.list_users(None).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Protocol(m) if m.contains("already given")),
        "{err:?}"
    );
    let cursors: Vec<Option<String>> = srv.requests().iter().map(|r| r.query("cursor")).collect();
    assert_eq!(
        cursors,
        vec![Some(String::new()), Some("B".into()), Some("A".into())],
        "the third answer hands back B again: stop there"
    );
}

#[tokio::test]
async fn endless_fresh_cursors_stop_at_the_page_cap() {
    let srv = serve(|_, n| {
        Action::json(
            200,
            list(vec![stored("ada")], json!({"nextCursor": format!("c{n}")})),
        )
    })
    .await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.max_pages = 5;
    let c = ScimClient::new(cfg).unwrap();
    let err = c.list_groups(None).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Protocol(m) if m.contains("after 5 (max_pages)")),
        "{err:?}"
    );
    assert_eq!(srv.requests().len(), 5);
}

#[tokio::test]
async fn start_index_paging_stops_at_the_page_cap() {
    // A server without cursors that claims a billion users and hands out one per page.
    let srv = serve(|_, n| {
        Action::json(
            200,
            list(
                vec![json!({"id": format!("u{n}")})],
                json!({"totalResults": 1_000_000_000u64}),
            ),
        )
    })
    .await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.max_pages = 4;
    let c = ScimClient::new(cfg).unwrap();
    let err = c.list_users(None).await.unwrap_err();
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    assert_eq!(srv.requests().len(), 4);
}

#[tokio::test]
async fn redirects_are_not_followed_and_name_the_location() {
    // The second listener stands for another origin: it must never hear from us.
    let elsewhere = serve(|_, _| Action::json(201, stored("ada"))).await;
    let target = format!("{}/t/scim/v2/Users", elsewhere.base_url);
    let to = target.clone();
    let srv = serve(move |req, _| {
        let status = match req.method.as_str() {
            "POST" => 307,
            _ => 308,
        };
        Action::Respond {
            status,
            headers: vec![("location", to.clone())],
            body: String::new(),
        }
    })
    .await;
    let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
    let patch = PatchOp::new(vec![PatchOperation::new(
        Op::Replace,
        Some("title"),
        Some(json!("x")),
    )]);
    let errors = [
        (307, c.create_user(&user("ada")).await.unwrap_err()),
        (308, c.patch_user("u-1", &patch).await.unwrap_err()),
        (308, c.delete_user("u-1").await.unwrap_err()),
        (308, c.patch_group("g-1", &patch).await.unwrap_err()),
        (308, c.delete_group("g-1").await.unwrap_err()),
    ];
    for (status, err) in &errors {
        assert_eq!(err.status(), Some(*status), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains(&target) && msg.contains("follows no redirects"),
            "{msg}"
        );
    }
    assert_eq!(
        srv.requests().len(),
        errors.len(),
        "one request each, no retry"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect target got {:?}",
        elsewhere.requests()
    );
}

#[tokio::test]
async fn a_redirect_location_is_shown_with_its_control_characters_escaped() {
    // U+009B (CSI) is a terminal control in UTF-8 and passes HTTP header parsing as obs-text.
    let srv = serve(|_, _| Action::Respond {
        status: 302,
        headers: vec![("location", "http://x.example/\u{9b}31m".into())],
        body: String::new(),
    })
    .await;
    let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
    let msg = c.get_user("u-1").await.unwrap_err().to_string();
    assert!(
        msg.contains(r"http://x.example/\u{9b}31m") && !msg.contains('\u{9b}'),
        "{msg:?}"
    );
}

#[tokio::test]
async fn success_answers_without_a_usable_id_are_errors() {
    for body in [
        json!({"userName": "ada"}),
        json!({"id": ""}),
        json!({"id": 7, "userName": "ada"}),
        json!({"id": null}),
        json!([{"id": "u-1"}]),
    ] {
        let b = body.clone();
        let srv = serve(move |req, _| match (req.method.as_str(), req.path()) {
            ("GET", "/t/scim/v2/Users") => Action::json(200, list(vec![b.clone()], json!({}))),
            ("POST", _) => Action::json(201, b.clone()),
            _ => Action::json(200, b.clone()),
        })
        .await;
        let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
        let patch = PatchOp::new(vec![]);
        let results: Vec<(&str, Result<Value, ClientError>)> = vec![
            (
                "get",
                c.get_user("u-1").await.map(|u| u.unwrap_or_default()),
            ),
            (
                "get group",
                c.get_group("g-1").await.map(|u| u.unwrap_or_default()),
            ),
            ("create", c.create_user(&user("ada")).await),
            (
                "create group",
                c.create_group(&json!({"displayName": "G"})).await,
            ),
            ("patch", c.patch_user("u-1", &patch).await),
            ("put", c.put_user("u-1", &user("ada")).await),
            ("list", c.list_users(None).await.map(Value::from)),
            (
                "find",
                c.find_user(&aws_ilm_client::UserQuery::UserName("ada".into()))
                    .await
                    .map(|u| u.unwrap_or_default()),
            ),
        ];
        for (what, r) in results {
            assert!(
                matches!(&r, Err(ClientError::Decode(m)) if m.contains("answered success")),
                "{what} of {body}: {r:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_answer_by_id_carrying_another_id_is_an_error_naming_it() {
    // Every by-id path: GET user and group (404 kept or not), PATCH/PUT answered with a body,
    // and the GET that follows a PATCH answered 204.
    let srv = serve(|req, _| match (req.method.as_str(), req.path()) {
        ("PATCH", "/t/scim/v2/Users/u-204") => Action::empty(204),
        _ => Action::json(200, json!({"id": "U-1\u{1b}[2J", "userName": "mallory"})),
    })
    .await;
    let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
    let patch = PatchOp::new(vec![]);
    let results: Vec<(&str, &str, Result<Value, ClientError>)> = vec![
        (
            "get",
            "Users id \"u-1\"",
            c.get_user("u-1").await.map(Option::unwrap_or_default),
        ),
        (
            "get group",
            "Groups id \"g-1\"",
            c.get_group("g-1").await.map(Option::unwrap_or_default),
        ),
        ("read group", "Groups id \"g-1\"", c.read_group("g-1").await),
        (
            "patch",
            "Users id \"u-1\"",
            c.patch_user("u-1", &patch).await,
        ),
        (
            "patch then get",
            "Users id \"u-204\"",
            c.patch_user("u-204", &patch).await,
        ),
        (
            "put",
            "Users id \"u-1\"",
            c.put_user("u-1", &user("ada")).await,
        ),
    ];
    for (what, asked, r) in results {
        let want = format!(
            "asked for {asked} but the server answered success with id \"U-1\\u{{1b}}[2J\""
        );
        assert!(
            matches!(&r, Err(ClientError::Decode(m)) if *m == want),
            "{what}: {r:?}"
        );
    }
    assert_eq!(srv.requests().len(), 7, "none retried");
}

/// A server has the token and may echo it where the client cuts text short (an id in an error
/// is cut at 64 characters): the token is scrubbed as the answer arrives, so no piece of it
/// survives the cut for a later whole-token mask to miss.
#[tokio::test]
async fn a_token_echoed_by_the_server_is_gone_before_any_cut() {
    let token = format!("tok-{}", "s".repeat(120));
    let echoed = format!("x{token}");
    let srv = serve(move |_, _| {
        Action::json(
            409,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                   "status": "409", "detail": format!("{echoed} {echoed}")}),
        )
    })
    .await;
    let c = ScimClient::new(config(&srv.base_url, "t", &token)).unwrap();
    let err = c.get_user("u-1").await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("x(redacted) x(redacted)"), "{text}");
    assert!(!text.contains("tok-sss"), "no piece of the token: {text}");

    let impostor = format!("{token}-and-more");
    let srv = serve(move |_, _| Action::json(200, json!({"id": impostor, "userName": "m"}))).await;
    let c = ScimClient::new(config(&srv.base_url, "t", &token)).unwrap();
    let err = c.get_user("u-1").await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("id \"(redacted)-and-more\""), "{text}");
    assert!(!text.contains("tok-"), "no piece of the token: {text}");
}

#[tokio::test]
async fn lookup_after_an_unknown_post_must_find_the_user_sent() {
    let mut sent = user("ada");
    sent["externalId"] = json!("E-1");
    let mut wrong_external = stored("ADA");
    wrong_external["externalId"] = json!("E-2");
    let mut right = stored("ADA");
    right["externalId"] = json!("E-1");
    for (found, ok) in [
        (stored("mallory"), false),
        (wrong_external, false),
        (stored("ada"), false),
        (right, true),
    ] {
        let f = found.clone();
        let srv = serve(move |req, _| match req.method.as_str() {
            "POST" => Action::Hangup,
            _ => Action::json(200, list(vec![f.clone()], json!({"totalResults": 1}))),
        })
        .await;
        let c = ScimClient::new(config(&srv.base_url, "t", "tok")).unwrap();
        let result = c.create_user(&sent).await;
        if ok {
            assert_eq!(result.unwrap()["id"], "u-1");
        } else {
            assert!(
                matches!(&result, Err(ClientError::Protocol(m)) if m.contains("not reporting it as created")),
                "{found}: {result:?}"
            );
        }
        assert_eq!(srv.count("POST"), 1, "never a second POST");
    }
}
