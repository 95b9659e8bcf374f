//! The per-request info line (docs/configuration.md, "Logging"): method, path, status, duration,
//! AWS request id and attempt, and never the token or the filter values (user names, e-mails).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use aws_ilm_client::UserQuery;

use crate::common::{client, client_for, emulator, user};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Everything logged in this test binary. A global subscriber, because a thread-scoped one can
/// miss callsites whose interest another test thread cached first.
fn captured() -> &'static Captured {
    static OUT: OnceLock<Captured> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(out.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        out
    })
}

#[tokio::test]
async fn one_info_line_per_request_without_secrets() {
    let out = captured();
    let run = emulator().await;
    let c = client_for(&run);
    c.create_user(&user("pii-marker")).await.unwrap();
    c.find_user(&UserQuery::UserName("pii-marker".into()))
        .await
        .unwrap()
        .unwrap();
    let wrong = "wrong-token-Kx93";
    let _ = client(&run.root_url(), &run.tenant_id, wrong)
        .get_user("x")
        .await
        .unwrap_err();
    let (token, tenant) = (run.token.expose().to_owned(), run.tenant_id.clone());
    run.stop().await;

    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(&token), "the token was logged");
    assert!(!text.contains(wrong), "the wrong token was logged");
    // Other tests log too: keep the client's lines about this emulator's tenant.
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("scim request") && l.contains(tenant.as_str()))
        .collect();
    assert_eq!(ours.len(), 3, "{ours:#?}");
    let path = format!("path=/{}/scim/v2/Users", tenant);
    for (line, method, status) in [(ours[0], "POST", 201), (ours[1], "GET", 200)] {
        assert!(line.contains(" INFO "), "at info, what -v shows: {line}");
        assert!(line.contains(&format!("method={method}")), "{line}");
        assert!(line.contains(&path), "{line}");
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(
            line.contains("attempt=1") && line.contains("elapsed_ms="),
            "{line}"
        );
        assert!(
            !line.contains("request_id=-"),
            "AWS request id logged: {line}"
        );
        assert!(
            !line.contains("pii-marker"),
            "filter values stay out: {line}"
        );
    }
    assert!(ours[2].contains("status=401"), "{}", ours[2]);
}
