//! Transport security (docs/configuration.md, `insecure`): a self-signed emulator certificate is
//! refused by default with a TLS error that says so, and accepted with `insecure`.

use aws_ilm_client::{ClientError, ScimClient};
use aws_ilm_emulator::TlsFiles;

use crate::common::{config, emulator_with};

pub fn self_signed(dir: &std::path::Path) -> TlsFiles {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.cert.pem()).unwrap();
    std::fs::write(&files.key, cert.signing_key.serialize_pem()).unwrap();
    files
}

#[tokio::test]
async fn self_signed_certificate_is_refused_unless_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let files = self_signed(dir.path());
    let run = emulator_with(|c| c.tls = Some(files)).await;
    assert!(run.root_url().starts_with("https://"));

    let strict =
        ScimClient::new(config(&run.root_url(), &run.tenant_id, run.token.expose())).unwrap();
    let err = strict.service_provider_config().await.unwrap_err();
    assert!(matches!(err, ClientError::Tls(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("TLS/certificate") && msg.contains("insecure"),
        "{msg}"
    );
    assert!(!err.is_retryable() && err.is_connection());
    assert_eq!(
        strict.stats().requests,
        1,
        "a certificate problem is not retried"
    );

    let mut cfg = config(&run.root_url(), &run.tenant_id, run.token.expose());
    cfg.insecure = true;
    let lax = ScimClient::new(cfg).unwrap();
    let spc = lax.service_provider_config().await.unwrap();
    assert_eq!(spc["patch"]["supported"], true);
    run.stop().await;
}
