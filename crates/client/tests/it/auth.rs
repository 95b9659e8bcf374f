//! Authentication failures: clear, not retried, and never showing the token.

use aws_ilm_client::ClientError;

use crate::common::{client, emulator};

#[tokio::test]
async fn wrong_token_is_a_401_that_does_not_show_any_token() {
    let run = emulator().await;
    let wrong = "wrong-token-Zq8xY2";
    let c = client(&run.root_url(), &run.tenant_id, wrong);
    let err = c.get_user("x").await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
    assert!(!err.is_retryable() && !err.is_connection());
    for shown in [err.to_string(), format!("{err:?}"), format!("{c:?}")] {
        assert!(!shown.contains(wrong), "{shown}");
        assert!(!shown.contains(run.token.expose()), "{shown}");
    }
    assert_eq!(c.stats().requests, 1, "401 is not retried");

    let wrong_tenant = client(&run.root_url(), "other-tenant", run.token.expose());
    let err = wrong_tenant.service_provider_config().await.unwrap_err();
    assert!(matches!(err.status(), Some(401 | 404)), "{err}");
    run.stop().await;
}

#[tokio::test]
async fn bad_configuration_is_refused_before_any_request() {
    use aws_ilm_client::{ClientConfig, Endpoint, ScimClient, SecretToken};
    for (base, tenant, token) in [
        ("not a url", "t", "tok"),
        ("https://h", "", "tok"),
        ("https://h", "t", " "),
        ("https://h", "t", "line\nbreak-secret"),
    ] {
        // The endpoint is parsed on its own now; a bad one is the same configuration error.
        let err = Endpoint::parse(base, tenant)
            .map_err(ClientError::from)
            .and_then(|e| ScimClient::new(ClientConfig::new(e, SecretToken::from(token))))
            .unwrap_err();
        assert!(matches!(err, ClientError::Config(_)), "{err:?}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
