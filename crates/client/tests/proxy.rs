//! `proxy: true` sends requests through HTTP_PROXY / HTTPS_PROXY; `proxy: false` ignores them
//! (docs/configuration.md). Checked with a real tinyproxy started on a free port, by reading its
//! log.
//!
//! This is its own test binary with `harness = false`: proxy variables are process-wide, so they
//! are set in `main` before any thread exists and no other test can observe them.
//!
//! Without tinyproxy the test is skipped with a message, except in CI (`CI=true`), where a
//! missing proxy is a failure: `scripts/install-test-deps.sh` installs it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_ilm_client::{ClientConfig, ClientError, Endpoint, RetryPolicy, ScimClient};
use aws_ilm_emulator::{Config, Running, TlsFiles};

/// Kills the tinyproxy this test started (by its own handle) when the test ends.
struct Proxy {
    child: Child,
    log: PathBuf,
    port: u16,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proxy {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn find_tinyproxy() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|d| d.join("tinyproxy"))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn start_tinyproxy(bin: &Path, dir: &Path) -> Proxy {
    let port = free_port();
    let log = dir.join("tinyproxy.log");
    let conf = dir.join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\n\
             MaxClients 20\nAllow 127.0.0.1\n",
            log.display()
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut proxy = Proxy { child, log, port };
    // Wait (bounded) until it accepts connections.
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return proxy;
        }
        if let Ok(Some(status)) = proxy.child.try_wait() {
            panic!("tinyproxy exited with {status}; log:\n{}", proxy.log());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!(
        "tinyproxy did not listen on {port} within 5 s; log:\n{}",
        proxy.log()
    );
}

fn client(run: &Running, proxy: bool, insecure: bool) -> ScimClient {
    let mut cfg = ClientConfig::new(
        Endpoint::parse(&run.root_url(), &run.tenant_id.clone()).unwrap(),
        run.token.clone(),
    );
    cfg.proxy = proxy;
    cfg.insecure = insecure;
    cfg.retry = RetryPolicy::none();
    ScimClient::new(cfg).unwrap()
}

fn self_signed(dir: &Path) -> TlsFiles {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.cert.pem()).unwrap();
    std::fs::write(&files.key, cert.signing_key.serialize_pem()).unwrap();
    files
}

fn main() {
    let Some(bin) = find_tinyproxy() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            eprintln!("proxy test: tinyproxy is not installed (run scripts/install-test-deps.sh)");
            std::process::exit(1);
        }
        eprintln!(
            "proxy test SKIPPED: tinyproxy is not installed (scripts/install-test-deps.sh \
             installs it; in CI this is a failure)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let proxy = start_tinyproxy(&bin, dir.path());
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    // SAFETY: `main` of a harness-less test binary; no other thread exists yet, so nothing can
    // read the environment concurrently.
    unsafe {
        for k in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            std::env::set_var(k, &proxy_url);
        }
        for k in [
            "NO_PROXY",
            "no_proxy",
            "ALL_PROXY",
            "all_proxy",
            "REQUEST_METHOD",
        ] {
            std::env::remove_var(k);
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run_checks(&proxy, dir.path()));
    println!("proxy test: ok");
}

async fn run_checks(proxy: &Proxy, dir: &Path) {
    // Plain HTTP: the proxy forwards the request itself.
    let run = aws_ilm_emulator::spawn(Config::ephemeral()).await.unwrap();
    let port = run.addr.port();

    let direct = client(&run, false, false);
    assert_eq!(direct.get_user("direct-marker").await.unwrap(), None);
    let log = proxy.log();
    assert!(
        !log.contains("direct-marker"),
        "proxy: false must bypass the proxy:\n{log}"
    );

    let proxied = client(&run, true, false);
    assert_eq!(proxied.get_user("proxied-marker").await.unwrap(), None);
    let log = proxy.log();
    assert!(
        log.contains(&format!("127.0.0.1:{port}")) && log.contains("proxied-marker"),
        "proxy: true must go through HTTP_PROXY:\n{log}"
    );
    run.stop().await;

    // HTTPS: the client tunnels through the proxy with CONNECT; TLS stays end to end, so the
    // self-signed certificate is still refused unless insecure.
    let tls_dir = dir.join("tls");
    std::fs::create_dir_all(&tls_dir).unwrap();
    let mut cfg = Config::ephemeral();
    cfg.tls = Some(self_signed(&tls_dir));
    let run = aws_ilm_emulator::spawn(cfg).await.unwrap();
    let port = run.addr.port();
    let strict = client(&run, true, false);
    let err = strict.service_provider_config().await.unwrap_err();
    assert!(matches!(err, ClientError::Tls(_)), "{err:?}");
    let lax = client(&run, true, true);
    lax.service_provider_config().await.unwrap();
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{port}")),
        "HTTPS with proxy: true must tunnel through HTTPS_PROXY:\n{log}"
    );
    let before = log.matches("CONNECT").count();
    client(&run, false, true)
        .service_provider_config()
        .await
        .unwrap();
    assert_eq!(
        proxy.log().matches("CONNECT").count(),
        before,
        "proxy: false must not tunnel"
    );
    run.stop().await;
}
