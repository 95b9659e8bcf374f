//! HTTPS (`Config.tls`, `aws-ilm serve --tls-cert/--tls-key`): with a self-signed certificate
//! made by rcgen, a client that trusts it gets answers over HTTP/2 and HTTP/1.1 (the ALPN the
//! server offers); a client that does not trust it fails the handshake, and the server goes on
//! serving.

use std::error::Error as _;

use aws_ilm_emulator::{Config, TlsFiles, spawn};
use reqwest::{Certificate, StatusCode, Version};

/// A certificate for 127.0.0.1 and localhost, written as PEM files; returns the files and the
/// certificate's PEM.
pub fn self_signed(dir: &std::path::Path) -> (TlsFiles, String) {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    let pem = made.cert.pem();
    std::fs::write(&files.cert, &pem).unwrap();
    std::fs::write(&files.key, made.signing_key.serialize_pem()).unwrap();
    (files, pem)
}

pub fn trusting(pem: &str) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .add_root_certificate(Certificate::from_pem(pem.as_bytes()).unwrap())
        .https_only(true)
}

#[tokio::test]
async fn https_with_a_trusted_certificate_and_refused_without() {
    let dir = tempfile::tempdir().unwrap();
    let (files, pem) = self_signed(dir.path());
    let mut config = Config::ephemeral();
    config.tls = Some(files);
    let run = spawn(config).await.unwrap();
    assert!(
        run.base_url.starts_with("https://127.0.0.1:"),
        "{}",
        run.base_url
    );
    assert!(run.root_url().starts_with("https://"));

    // A client that does not trust the certificate: the handshake fails, no answer at all.
    let stranger = reqwest::Client::builder().build().unwrap();
    let err = stranger
        .get(format!("{}/ServiceProviderConfig", run.base_url))
        .bearer_auth(run.token.expose())
        .send()
        .await
        .expect_err("an untrusted self-signed certificate must be refused");
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        chain.push_str(" / ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    assert!(err.is_connect(), "{chain}");
    assert!(chain.to_lowercase().contains("certificate"), "{chain}");

    // Clients that trust it, over both protocols the server offers; the failed handshake
    // above did not hurt the server.
    for (builder, version) in [
        (trusting(&pem), Version::HTTP_2),
        (trusting(&pem).http1_only(), Version::HTTP_11),
    ] {
        let http = builder.build().unwrap();
        let res = http
            .post(format!("{}/Users", run.base_url))
            .bearer_auth(run.token.expose())
            .json(&serde_json::json!({
                "userName": format!("tls-{version:?}"),
                "displayName": "T",
                "name": {"givenName": "T", "familyName": "L"},
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.version(), version);
        assert_eq!(res.status(), StatusCode::CREATED);
        assert!(res.headers().contains_key("x-amzn-RequestId"));
        let id = res.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = http
            .get(format!("{}/Users/{id}", run.base_url))
            .bearer_auth(run.token.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{version:?}");
        // The token is still checked over TLS.
        let res = http
            .get(format!("{}/Users/{id}", run.base_url))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    // Plain HTTP to the HTTPS port gets no SCIM answer.
    let plain = reqwest::Client::new();
    let url = run.base_url.replacen("https://", "http://", 1);
    let answered = plain
        .get(format!("{url}/ServiceProviderConfig"))
        .bearer_auth(run.token.expose())
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    assert!(!answered, "plain HTTP was served on the TLS port");
    run.stop().await;
}
