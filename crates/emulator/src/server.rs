//! Serving: a bound listener, optional TLS, one task per connection, graceful stop.
//!
//! Connections are served by hyper directly (not `axum::serve`) for two reasons: HTTPS with
//! rustls, and the `--fault-rate` drop, which must close a connection without any response —
//! each connection gets a [`ConnAbort`] handle the request middleware can pull.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tower::ServiceExt;

use crate::EmulatorError;
use crate::app::{self, AppState};
use crate::config::{Config, TlsFiles};
use crate::frame::ConnAbort;
use crate::store::Store;

/// How long a graceful stop waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `config` on `listener` until `shutdown` completes, then stops accepting and lets
/// requests in flight finish (bounded).
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    let prepared = prepare(&listener, &config)?;
    run(listener, prepared, shutdown).await
}

struct Prepared {
    router: Router,
    tls: Option<TlsAcceptor>,
}

fn prepare(listener: &TcpListener, config: &Config) -> Result<Prepared, EmulatorError> {
    config.validate()?;
    let addr = listener.local_addr()?;
    let tls = config.tls.as_ref().map(load_tls).transpose()?;
    let store = Store::open(&config.db)?;
    let base_url = base_url(addr, tls.is_some(), &config.tenant_id);
    let state = Arc::new(AppState::new(config, store, base_url));
    Ok(Prepared {
        router: app::router(state),
        tls,
    })
}

fn root_url(addr: SocketAddr, tls: bool) -> String {
    format!("{}://{addr}", if tls { "https" } else { "http" })
}

fn base_url(addr: SocketAddr, tls: bool, tenant: &str) -> String {
    format!("{}/{tenant}/scim/v2", root_url(addr, tls))
}

async fn run(
    listener: TcpListener,
    prepared: Prepared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = prepared.router.clone();
                let tls = prepared.tls.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    match tls {
                        None => connection(TokioIo::new(stream), router, watcher).await,
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(s) => connection(TokioIo::new(s), router, watcher).await,
                            Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
                        },
                    }
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

async fn connection<I>(io: TokioIo<I>, router: Router, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let abort = Arc::new(Notify::new());
    let handle = ConnAbort(Arc::clone(&abort));
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        let router = router.clone();
        async move {
            Ok::<_, Infallible>(
                router
                    .oneshot(req.map(Body::new))
                    .await
                    .into_response_infallible(),
            )
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(io, service);
    let conn = watcher.watch(conn.into_owned());
    tokio::select! {
        r = conn => if let Err(e) = r {
            tracing::debug!(error = %e, "connection ended with an error");
        },
        () = abort.notified() => tracing::debug!("connection dropped by the fault knob"),
    }
}

trait IntoResponseInfallible {
    fn into_response_infallible(self) -> axum::response::Response;
}

impl IntoResponseInfallible for Result<axum::response::Response, Infallible> {
    fn into_response_infallible(self) -> axum::response::Response {
        match self {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}

fn load_tls(files: &TlsFiles) -> Result<TlsAcceptor, EmulatorError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| EmulatorError::Tls(format!("{}: {e}", files.cert.display())))?;
    if certs.is_empty() {
        return Err(EmulatorError::Tls(format!(
            "{}: no certificate found",
            files.cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| EmulatorError::Tls(format!("{}: {e}", files.key.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| EmulatorError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| EmulatorError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(cfg)))
}

/// A running emulator (see [`spawn`]).
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    /// `http(s)://addr/{tenant}/scim/v2`
    pub base_url: String,
    pub tenant_id: String,
    /// The first accepted token.
    pub token: String,
    tls: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), EmulatorError>>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// `http(s)://addr`, for the emulator's own endpoints such as `/_emulator/stats`.
    pub fn root_url(&self) -> String {
        root_url(self.addr, self.tls)
    }
}

/// Binds 127.0.0.1 on a free port and serves `config` in the background.
pub async fn spawn(config: Config) -> Result<Running, EmulatorError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let prepared = prepare(&listener, &config)?;
    let tls = prepared.tls.is_some();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, prepared, async move {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        base_url: base_url(addr, tls, &config.tenant_id),
        tenant_id: config.tenant_id.clone(),
        token: config.tokens.first().cloned().unwrap_or_default(),
        tls,
        stop: Some(tx),
        task: Some(task),
    })
}
