//! Sending one corpus case to the real emulator and judging the answer: the status class, AWS's
//! error body and `x-amzn-RequestId`, and a snapshot of everything stored (users, groups and
//! memberships) taken through the public list calls, so a change by a refused request shows.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_ilm_emulator::{Config, Running, spawn};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Value, json};

pub use crate::support::{enc, patch_op, user_body};

/// What the case sends as `Authorization`.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Bearer <the right token>`.
    Good,
    /// No header at all.
    Missing,
    /// This exact header value (bytes: obs-text is allowed on the wire).
    Raw(Vec<u8>),
    /// Two Authorization headers, in this order.
    Twice(Vec<u8>, Vec<u8>),
}

/// What the answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Any 4xx with AWS's error body.
    Client,
    /// Exactly this 4xx, with AWS's error body.
    Status(u16),
    /// A well-formed request carrying an attack inside a quoted value: 200, an empty list
    /// (the value is a literal, never syntax).
    EmptyList,
}

/// One hostile request.
#[derive(Debug, Clone)]
pub struct Case {
    pub label: String,
    pub method: String,
    /// Path and query, from the server root (`/{tenant}/scim/v2/...` or anything else).
    pub path: String,
    pub auth: Auth,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
    pub expect: Expect,
}

impl Case {
    pub fn new(label: impl Into<String>, method: &str, path: impl Into<String>) -> Case {
        Case {
            label: label.into(),
            method: method.to_owned(),
            path: path.into(),
            auth: Auth::Good,
            headers: Vec::new(),
            body: None,
            expect: Expect::Client,
        }
    }

    pub fn body(mut self, b: impl Into<Vec<u8>>) -> Case {
        self.body = Some(b.into());
        self
    }

    pub fn json(self, v: &Value) -> Case {
        self.body(v.to_string())
    }

    pub fn auth(mut self, a: Auth) -> Case {
        self.auth = a;
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Case {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn expect(mut self, e: Expect) -> Case {
        self.expect = e;
        self
    }
}

/// A running emulator seeded with two users and two groups (one with a member).
pub struct Ctx {
    pub run: Running,
    pub http: reqwest::Client,
    pub user: String,
    pub user2: String,
    pub group: String,
    pub group2: String,
}

impl Ctx {
    pub async fn start(config: Config) -> Ctx {
        let run = spawn(config).await.unwrap();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let mut ctx = Ctx {
            run,
            http,
            user: String::new(),
            user2: String::new(),
            group: String::new(),
            group2: String::new(),
        };
        ctx.user = ctx.create("/Users", &user_body("ada")).await;
        ctx.user2 = ctx.create("/Users", &user_body("bob")).await;
        ctx.group = ctx
            .create("/Groups", &json!({"displayName": "Engineers"}))
            .await;
        ctx.group2 = ctx
            .create("/Groups", &json!({"displayName": "Finance"}))
            .await;
        let add = patch_op(json!([{"op": "add", "path": "members",
            "value": [{"value": ctx.user}]}]));
        let (status, _, text) = ctx
            .raw_send(
                "PATCH",
                &ctx.t(&format!("/Groups/{}", ctx.group)),
                Some(add),
            )
            .await;
        assert!(status == 200 || status == 204, "{status} {text}");
        ctx
    }

    /// `/{tenant}/scim/v2{rest}`
    pub fn t(&self, rest: &str) -> String {
        format!("/{}/scim/v2{rest}", self.run.tenant_id)
    }

    pub fn token(&self) -> &str {
        self.run.token.expose()
    }

    async fn create(&self, path: &str, body: &Value) -> String {
        let (status, _, text) = self
            .raw_send("POST", &self.t(path), Some(body.clone()))
            .await;
        assert_eq!(status, 201, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        v["id"].as_str().unwrap().to_owned()
    }

    async fn raw_send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let url = format!("{}{path}", self.run.root_url());
        let mut rb = self
            .http
            .request(Method::from_bytes(method.as_bytes()).unwrap(), url)
            .bearer_auth(self.token());
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let res = rb.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        (status, headers, res.text().await.unwrap())
    }

    /// Everything stored, read through the API: users, groups, and each group's members.
    pub async fn snapshot(&self) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for what in ["/Users", "/Groups"] {
            let (status, _, text) = self.raw_send("GET", &self.t(what), None).await;
            assert_eq!(status, 200, "the server no longer lists {what}: {text}");
            let v: Value = serde_json::from_str(&text).unwrap();
            let list = v["Resources"].as_array().cloned().unwrap_or_default();
            assert!(list.len() < 100, "the snapshot assumes one page");
            for r in list {
                let id = r["id"].as_str().unwrap().to_owned();
                if what == "/Groups" {
                    let filter = enc(&format!("groups.value eq \"{id}\""));
                    let (s, _, text) = self
                        .raw_send("GET", &self.t(&format!("/Users?filter={filter}")), None)
                        .await;
                    assert_eq!(s, 200, "{text}");
                    let m: Value = serde_json::from_str(&text).unwrap();
                    let mut ids: Vec<String> = m["Resources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u["id"].as_str().unwrap().to_owned())
                        .collect();
                    ids.sort();
                    out.insert(format!("members:{id}"), json!(ids));
                }
                out.insert(format!("{what}:{id}"), r);
            }
        }
        out
    }

    /// Whether the server answers an ordinary request normally.
    pub async fn healthy(&self) {
        let (status, headers, text) = self
            .raw_send("GET", &self.t("/ServiceProviderConfig"), None)
            .await;
        assert_eq!(status, 200, "the server stopped answering normally: {text}");
        assert!(headers.contains_key("x-amzn-RequestId"));
    }

    /// Sends `case`; returns the status, the request-id header and the body, or `None` if the
    /// request could not even be expressed by the HTTP client (counted as a harness failure).
    pub async fn send(&self, case: &Case) -> (u16, Option<String>, String) {
        let url = Url::parse(&format!("{}{}", self.run.root_url(), case.path))
            .unwrap_or_else(|e| panic!("{}: bad URL {:.300}: {e}", case.label, case.path));
        let method = Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, url);
        match &case.auth {
            Auth::Good => rb = rb.bearer_auth(self.token()),
            Auth::Missing => {}
            Auth::Raw(v) => rb = rb.header("authorization", hv(v)),
            Auth::Twice(a, b) => {
                let mut map = reqwest::header::HeaderMap::new();
                map.append("authorization", hv(a));
                map.append("authorization", hv(b));
                rb = rb.headers(map);
            }
        }
        let mut has_type = false;
        for (k, v) in &case.headers {
            has_type |= k.eq_ignore_ascii_case("content-type");
            rb = rb.header(HeaderName::from_bytes(k.as_bytes()).unwrap(), hv(v));
        }
        if let Some(b) = &case.body {
            if !has_type {
                rb = rb.header("content-type", "application/scim+json");
            }
            rb = rb.body(b.clone());
        }
        let res = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: no answer: {:.300}", case.label, e.to_string()));
        let status = res.status().as_u16();
        let rid = res
            .headers()
            .get("x-amzn-RequestId")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = res
            .text()
            .await
            .unwrap_or_else(|e| panic!("{}: body: {e}", case.label));
        (status, rid, text)
    }
}

fn hv(v: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(v).unwrap_or_else(|e| panic!("header {v:?}: {e}"))
}

/// Checks AWS's error body (docs/emulator.md, "Errors"): `schema` and `schemas`, a string `status`
/// equal to the HTTP status, a string `detail`, `exceptionRequestId` equal to the header, a
/// `timeStamp`.
pub fn check_error_body(status: u16, rid: Option<&str>, text: &str) -> Result<(), String> {
    let rid = rid.ok_or("no x-amzn-RequestId header")?;
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("error body is not JSON ({e}): {text:.200?}"))?;
    let urn = json!(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    let ok = v["schemas"] == urn
        && v["schema"] == urn
        && v["status"] == json!(status.to_string())
        && v["detail"].as_str().is_some_and(|d| !d.is_empty())
        && v["exceptionRequestId"] == json!(rid)
        && v["timeStamp"].as_str().is_some();
    if ok {
        Ok(())
    } else {
        Err(format!("not AWS's error body: {v}"))
    }
}
