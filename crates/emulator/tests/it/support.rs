//! A running emulator and a small HTTP helper around it.

use aws_ilm_emulator::{Config, Running, Stats, spawn};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "../common/bodies.rs"]
mod bodies;
pub use bodies::{enc, patch_op, user_body};

pub struct Emu {
    pub run: Running,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the AWS error shape and returns the detail.
    pub fn aws_error(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        let v = self.json();
        let urn = "urn:ietf:params:scim:api:messages:2.0:Error";
        assert_eq!(v["schemas"], json!([urn]), "{v}");
        assert_eq!(v["schema"], json!([urn]), "{v}");
        assert_eq!(v["status"], json!(status.to_string()), "{v}");
        let rid = self.headers["x-amzn-RequestId"].to_str().unwrap();
        assert_eq!(v["exceptionRequestId"], json!(rid));
        let ts = v["timeStamp"].as_str().unwrap();
        assert_eq!(ts.len(), 23, "{ts}");
        assert!(v.get("scimType").is_none());
        v["detail"].as_str().unwrap().to_owned()
    }
}

impl Emu {
    pub async fn start() -> Emu {
        Self::with(Config::ephemeral()).await
    }

    pub async fn with(config: Config) -> Emu {
        let run = spawn(config).await.unwrap();
        let http = reqwest::Client::builder().build().unwrap();
        Emu { run, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.run.base_url)
    }

    /// Builds the request now, so the future borrows nothing.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> impl std::future::Future<Output = Answer> + use<> {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .bearer_auth(self.run.token.expose());
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        Self::answer(rb)
    }

    pub async fn answer(rb: reqwest::RequestBuilder) -> Answer {
        let res = rb.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        assert!(headers.contains_key("x-amzn-RequestId"), "no request id");
        let text = res.text().await.unwrap();
        Answer {
            status,
            headers,
            text,
        }
    }

    pub fn get(&self, path: &str) -> impl std::future::Future<Output = Answer> + use<> {
        self.send(Method::GET, path, None)
    }

    pub fn post(
        &self,
        path: &str,
        body: Value,
    ) -> impl std::future::Future<Output = Answer> + use<> {
        self.send(Method::POST, path, Some(body))
    }

    pub fn patch(
        &self,
        path: &str,
        body: Value,
    ) -> impl std::future::Future<Output = Answer> + use<> {
        self.send(Method::PATCH, path, Some(body))
    }

    pub fn put(
        &self,
        path: &str,
        body: Value,
    ) -> impl std::future::Future<Output = Answer> + use<> {
        self.send(Method::PUT, path, Some(body))
    }

    pub fn delete(&self, path: &str) -> impl std::future::Future<Output = Answer> + use<> {
        self.send(Method::DELETE, path, None)
    }

    /// Creates a user and returns its id.
    pub async fn user(&self, name: &str) -> String {
        let a = self.post("/Users", user_body(name)).await;
        assert_eq!(a.status, 201, "{}", a.text);
        a.json()["id"].as_str().unwrap().to_owned()
    }

    /// Creates a group and returns its id.
    pub async fn group(&self, name: &str) -> String {
        let a = self.post("/Groups", json!({"displayName": name})).await;
        assert_eq!(a.status, 201, "{}", a.text);
        a.json()["id"].as_str().unwrap().to_owned()
    }

    /// The emulator's counts ([`Running::stats`], the one way tests read them).
    pub async fn stats(&self) -> Stats {
        self.run.stats()
    }
}
