//! Behaviours of non-AWS SCIM servers and broken networks, against the scripted server.

use std::time::Duration;

use aws_ilm_client::{ClientError, Op, PatchOp, PatchOperation, UserQuery};
use serde_json::{Value, json};

use crate::common::{client, config, user};
use crate::scripted::{Action, serve};

/// A SCIM ListResponse holding `resources`, with the members of `extra` added.
pub fn list(resources: Vec<Value>, extra: Value) -> Value {
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "Resources": resources,
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v
}

/// [`user`] as a server stores it: with the id `u-1`.
pub fn stored(user_name: &str) -> Value {
    let mut u = user(user_name);
    u["id"] = json!("u-1");
    u
}

#[tokio::test]
async fn patch_answered_204_is_read_back_with_get() {
    let srv = serve(|req, _| match req.method.as_str() {
        "PATCH" => Action::empty(204),
        "GET" => Action::json(200, json!({"id": "u-1", "userName": "ada", "title": "Dr"})),
        _ => Action::empty(500),
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let patch = PatchOp::new(vec![PatchOperation::new(
        Op::Replace,
        Some("title"),
        Some(json!("Dr")),
    )]);
    let got = c.patch_user("u-1", &patch).await.unwrap();
    assert_eq!(got["title"], "Dr");
    let reqs = srv.requests();
    assert_eq!(
        reqs.iter()
            .map(|r| (r.method.as_str(), r.path()))
            .collect::<Vec<_>>(),
        vec![
            ("PATCH", "/t/scim/v2/Users/u-1"),
            ("GET", "/t/scim/v2/Users/u-1")
        ]
    );
    // The PatchOp went out as JSON with AWS's PatchOp schema.
    let sent: Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(sent["Operations"][0]["op"], "replace");
    assert_eq!(reqs[0].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn patch_answered_200_with_the_resource_is_used_as_is() {
    let srv = serve(|_, _| Action::json(200, json!({"id": "u-1", "title": "Prof"}))).await;
    let c = client(&srv.base_url, "t", "tok");
    let got = c.patch_user("u-1", &PatchOp::new(vec![])).await.unwrap();
    assert_eq!(got["title"], "Prof");
    assert_eq!(srv.requests().len(), 1, "no GET needed");
}

#[tokio::test]
async fn headers_sent_with_every_request() {
    let srv = serve(|_, _| Action::json(200, json!({"schemas": []}))).await;
    let c = client(&format!("{}/", srv.base_url), "/t/", "tok-abc");
    c.service_provider_config().await.unwrap();
    let r = &srv.requests()[0];
    assert_eq!(r.path(), "/t/scim/v2/ServiceProviderConfig");
    assert_eq!(r.header("authorization"), Some("Bearer tok-abc"));
    let ua = r.header("user-agent").unwrap();
    assert_eq!(ua, format!("aws-ilm/{}", env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn numeric_status_error_body_still_gives_a_clear_error() {
    let srv = serve(|_, _| {
        Action::json(
            404,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "Resource u-9 not found", "status": 404}),
        )
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let err = c.delete_user("u-9").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.to_string(), "HTTP 404: Resource u-9 not found");
    assert_eq!(srv.requests().len(), 1, "404 is not retried");
}

#[tokio::test]
async fn huge_non_json_error_page_is_cut_and_retried_then_reported() {
    let page = format!("<html><body>{}</body></html>", "Bad gateway ".repeat(2000));
    let srv = serve(move |_, _| Action::Respond {
        status: 502,
        headers: vec![("content-type", "text/html".into())],
        body: page.clone(),
    })
    .await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.retry.max_attempts = 3;
    let c = aws_ilm_client::ScimClient::new(cfg).unwrap();
    let err = c.get_user("u-1").await.unwrap_err();
    let ClientError::Http { status, detail, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert!(detail.starts_with("<html><body>Bad gateway"), "{detail}");
    assert!(detail.len() < 1000, "detail is cut: {} bytes", detail.len());
    assert_eq!(srv.requests().len(), 3);
    assert_eq!(c.stats().requests, 3);
    assert_eq!(c.stats().retries, 2);
}

#[tokio::test]
async fn post_hung_up_after_sending_is_looked_up_not_resent() {
    // The server reads the POST and hangs up; the user was in fact created.
    let srv = serve(|req, _| match req.method.as_str() {
        "POST" => Action::Hangup,
        "GET" => Action::json(200, list(vec![stored("ada")], json!({"totalResults": 1}))),
        _ => Action::empty(500),
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let created = c.create_user(&user("ada")).await.unwrap();
    assert_eq!(created["id"], "u-1");
    assert_eq!(srv.count("POST"), 1, "never a blind second POST");
    let get = srv
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(get.path(), "/t/scim/v2/Users");
    assert_eq!(get.query("filter").as_deref(), Some(r#"userName eq "ada""#));
}

#[tokio::test]
async fn post_hung_up_and_not_created_is_sent_again() {
    let srv = serve(|req, n| match (req.method.as_str(), n) {
        ("POST", 0) => Action::Hangup,
        ("POST", _) => Action::json(201, stored("ada")),
        ("GET", _) => Action::json(200, list(vec![], json!({"totalResults": 0}))),
        _ => Action::empty(500),
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let created = c.create_user(&user("ada")).await.unwrap();
    assert_eq!(created["id"], "u-1");
    let methods: Vec<String> = srv.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, vec!["POST", "GET", "POST"]);
}

#[tokio::test]
async fn conflict_after_unknown_outcome_returns_our_resource() {
    // 500 (outcome unknown), lookup does not see it yet (eventual consistency), POST again → 409:
    // our first POST landed. The second lookup finds it.
    let srv = serve(|req, n| match (req.method.as_str(), n) {
        ("POST", 0) => Action::empty(500),
        ("GET", 1) => Action::json(200, list(vec![], json!({}))),
        ("POST", _) => Action::json(
            409,
            json!({"detail": "Refused to create a new, duplicate resource.", "status": "409"}),
        ),
        ("GET", _) => Action::json(200, list(vec![stored("ada")], json!({}))),
        _ => Action::empty(500),
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let created = c.create_user(&user("ada")).await.unwrap();
    assert_eq!(created["id"], "u-1");
    let methods: Vec<String> = srv.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, vec!["POST", "GET", "POST", "GET"]);
}

#[tokio::test]
async fn conflict_on_a_clean_first_attempt_is_a_real_conflict() {
    let srv = serve(|_, _| {
        Action::json(
            409,
            json!({"detail": "Refused to create a new, duplicate resource.", "status": "409"}),
        )
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let err = c.create_user(&user("ada")).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(srv.requests().len(), 1, "no lookup, no retry");
}

#[tokio::test]
async fn create_without_user_name_is_never_resent_after_unknown_outcome() {
    let srv = serve(|_, _| Action::empty(503)).await;
    let c = client(&srv.base_url, "t", "tok");
    let err = c
        .create_user(&json!({"displayName": "x"}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn delete_retried_after_unknown_outcome_and_then_404_is_success() {
    let srv = serve(|_, n| {
        if n == 0 {
            Action::Hangup
        } else {
            Action::empty(404)
        }
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    c.delete_user("u-1").await.unwrap();
    let info = c.delete_group("g-1").await.unwrap_err();
    assert_eq!(
        info.status(),
        Some(404),
        "a 404 on a clean first attempt is an error"
    );
}

#[tokio::test]
async fn paging_that_repeats_its_cursor_is_stopped() {
    let srv = serve(|_, _| {
        Action::json(
            200,
            list(vec![stored("ada")], json!({"nextCursor": "same"})),
        )
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let err = c.list_users(None).await.unwrap_err();
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    assert_eq!(srv.requests().len(), 2);
}

#[tokio::test]
async fn cursor_paging_sends_empty_cursor_then_next_cursor_with_same_filter() {
    let srv = serve(|req, _| {
        let page = req.query("cursor").unwrap_or_default();
        match page.as_str() {
            "" => Action::json(200, list(vec![stored("a")], json!({"nextCursor": "c2"}))),
            "c2" => Action::json(200, list(vec![], json!({"nextCursor": "c3"}))),
            _ => Action::json(200, list(vec![stored("b")], json!({}))),
        }
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let all = c
        .list_users(Some(&UserQuery::GroupsValue("g-1".into())))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let reqs = srv.requests();
    let cursors: Vec<Option<String>> = reqs.iter().map(|r| r.query("cursor")).collect();
    assert_eq!(
        cursors,
        vec![Some(String::new()), Some("c2".into()), Some("c3".into())],
        "a short (even empty) page with a cursor does not end the walk"
    );
    for r in &reqs {
        assert_eq!(
            r.query("filter").as_deref(),
            Some(r#"groups.value eq "g-1""#)
        );
        assert_eq!(r.query("count").as_deref(), Some("100"));
    }
}

#[tokio::test]
async fn server_without_cursors_is_paged_by_start_index() {
    let all: Vec<Value> = (0..250).map(|i| json!({"id": format!("u{i}")})).collect();
    let srv = serve(move |req, _| {
        let start: usize = req
            .query("startIndex")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let page: Vec<Value> = all.iter().skip(start - 1).take(100).cloned().collect();
        let n = page.len();
        Action::json(
            200,
            list(
                page,
                json!({"totalResults": 250, "startIndex": start, "itemsPerPage": n}),
            ),
        )
    })
    .await;
    let c = client(&srv.base_url, "t", "tok");
    let got = c.list_users(None).await.unwrap();
    let ids: Vec<&str> = got.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[0], "u0");
    assert_eq!(ids[249], "u249");
    let starts: Vec<Option<String>> = srv
        .requests()
        .iter()
        .map(|r| r.query("startIndex"))
        .collect();
    assert_eq!(starts, vec![None, Some("101".into()), Some("201".into())]);
}

#[tokio::test]
async fn retry_after_http_date_and_throttle_hook() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let srv = serve(|_, n| {
        if n == 0 {
            Action::Respond {
                status: 429,
                headers: vec![("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT".into())],
                body: String::new(),
            }
        } else {
            Action::json(200, json!({"id": "u-1"}))
        }
    })
    .await;
    let hits = Arc::new(AtomicUsize::new(0));
    let mut cfg = config(&srv.base_url, "t", "tok");
    let h = hits.clone();
    cfg.on_throttle = Some(Arc::new(move |ra| {
        assert_eq!(ra, Some(Duration::ZERO), "a past date means retry now");
        h.fetch_add(1, Ordering::SeqCst);
    }));
    let c = aws_ilm_client::ScimClient::new(cfg).unwrap();
    assert!(c.get_user("u-1").await.unwrap().is_some());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let s = c.stats();
    assert_eq!((s.requests, s.retries, s.throttled), (2, 1, 1));
}

#[tokio::test]
async fn connection_refused_is_a_retryable_connection_error() {
    // Bind then drop: nothing listens on the port any more.
    let addr = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let mut cfg = config(&format!("http://{addr}"), "t", "tok");
    cfg.retry.max_attempts = 2;
    let c = aws_ilm_client::ScimClient::new(cfg).unwrap();
    let err = c.get_user("x").await.unwrap_err();
    assert!(matches!(err, ClientError::Connect(_)), "{err:?}");
    assert!(err.is_connection() && err.is_retryable());
    assert_eq!(c.stats().requests, 2);
}

#[tokio::test]
async fn post_that_times_out_is_looked_up() {
    let srv = serve(|req, _| match req.method.as_str() {
        "POST" => Action::Stall(Duration::from_secs(20)),
        "GET" => Action::json(200, list(vec![stored("ada")], json!({}))),
        _ => Action::empty(500),
    })
    .await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.request_timeout = Duration::from_millis(300);
    let c = aws_ilm_client::ScimClient::new(cfg).unwrap();
    let created = c.create_user(&user("ada")).await.unwrap();
    assert_eq!(created["id"], "u-1");
    assert_eq!(
        srv.count("POST"),
        1,
        "a timed-out POST is not re-sent blindly"
    );
}

#[tokio::test]
async fn read_timeout_is_a_retryable_timeout_error() {
    let srv = serve(|_, _| Action::Stall(Duration::from_secs(20))).await;
    let mut cfg = config(&srv.base_url, "t", "tok");
    cfg.request_timeout = Duration::from_millis(200);
    cfg.retry.max_attempts = 2;
    let c = aws_ilm_client::ScimClient::new(cfg).unwrap();
    let err = c.get_user("u-1").await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert!(err.is_retryable() && err.is_connection());
    assert_eq!(srv.requests().len(), 2);
}
