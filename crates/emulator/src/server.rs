//! Serving: a bound listener, optional TLS, one task per connection under the connection limits
//! of [`crate::conns`], graceful stop.
//!
//! Connections are served by hyper directly (not `axum::serve`) for three reasons: HTTPS with
//! rustls; the `--fault-rate` drop, which must close a connection without any response — each
//! connection gets a [`ConnAbort`] handle the request middleware can pull; and the connection
//! limits, which need each connection's traffic and requests in flight.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Version;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tower::ServiceExt;

use crate::EmulatorError;
use crate::app;
use crate::config::{Config, TlsFiles};
use crate::conns::{ConnStats, Limits, Registry, Slot, Tracked, Why};
use crate::frame::ConnAbort;
use crate::state::{App, AppState};
use crate::stats::Stats;
use crate::store::Store;
use aws_ilm_scim::secret::SecretToken;

/// How long a graceful stop waits for requests in flight, and how long a connection asked to
/// close (idle, evicted, stopping) may take to do so before it is dropped.
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
    app: App,
    tls: Option<TlsAcceptor>,
    conns: Arc<Registry>,
}

fn prepare(listener: &TcpListener, config: &Config) -> Result<Prepared, EmulatorError> {
    config.validate()?;
    let addr = listener.local_addr()?;
    let tls = config.tls.as_ref().map(load_tls).transpose()?;
    let conns = Registry::new(limits(config)?);
    let store = Store::open(&config.db)?;
    let base_url = base_url(addr, tls.is_some(), &config.tenant_id);
    let state = Arc::new(AppState::new(config, store, base_url, Arc::clone(&conns)));
    Ok(Prepared {
        router: app::router(Arc::clone(&state)),
        app: state,
        tls,
        conns,
    })
}

/// The configured limits, with the cap lowered (and a warning) to fit the open-file limit,
/// which is first raised as far as the process may (docs/emulator.md, "Connection limits").
fn limits(config: &Config) -> Result<Limits, EmulatorError> {
    let cap = crate::fds::cap(config.max_connections, crate::fds::raise_limit())?;
    if let Some(limit) = cap.lowered_for {
        tracing::warn!(
            "connection cap lowered from {} to {}: the open-file limit is {limit} \
             (raise it with `ulimit -n` to allow more)",
            config.max_connections,
            cap.max
        );
    }
    Ok(Limits {
        header_read: config.header_read_timeout,
        idle: config.idle_timeout,
        max: cap.max,
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
                // At the cap this waits (at most DRAIN) for an evicted connection to close.
                let Some(slot) = prepared.conns.admit(DRAIN).await else {
                    // At the cap with every connection busy: closed at once, so the client
                    // fails fast instead of waiting in the backlog.
                    tracing::debug!("connection refused: at the connection cap, none idle");
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = prepared.router.clone();
                let tls = prepared.tls.clone();
                tokio::spawn(connection(stream, tls, router, slot));
            }
        }
    }
    drop(listener);
    prepared.conns.shutdown();
    if tokio::time::timeout(DRAIN, prepared.conns.closed())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

/// One connection, from the TLS handshake (if any) to its end; the slot unregisters it.
async fn connection(stream: TcpStream, tls: Option<TlsAcceptor>, router: Router, slot: Slot) {
    let io = Tracked::new(stream, slot.track());
    match tls {
        None => http(TokioIo::new(io), router, &slot).await,
        Some(acceptor) => {
            let accepted = tokio::select! {
                r = acceptor.accept(io) => r,
                why = slot.watch() => {
                    tracing::debug!(?why, "connection closed during the TLS handshake");
                    return;
                }
            };
            match accepted {
                Ok(s) => http(TokioIo::new(s), router, &slot).await,
                Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
            }
        }
    }
}

async fn http<I>(io: TokioIo<I>, router: Router, slot: &Slot)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let abort = Arc::new(Notify::new());
    let handle = ConnAbort(Arc::clone(&abort));
    let track = slot.track();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        let busy = track.begin(req.version() == Version::HTTP_2);
        let router = router.clone();
        async move {
            let res = router
                .oneshot(req.map(Body::new))
                .await
                .into_response_infallible();
            drop(busy);
            Ok::<_, Infallible>(res)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = abort.notified() => {
                tracing::debug!("connection dropped by the fault knob");
                return;
            }
            why = slot.watch(), if !closing => {
                if why == Why::HeaderTimeout {
                    tracing::debug!("connection dropped: no request head within the header-read timeout");
                    return;
                }
                tracing::debug!(?why, "closing connection");
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            () = tokio::time::sleep(DRAIN), if closing => {
                tracing::debug!("connection did not close within {DRAIN:?}; dropped");
                return;
            }
        }
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

/// A running emulator (see [`spawn`]). Its `Debug` shows the token as `(redacted)`.
pub struct Running {
    pub addr: SocketAddr,
    /// `http(s)://addr/{tenant}/scim/v2`
    pub base_url: String,
    pub tenant_id: String,
    /// The first accepted token.
    pub token: SecretToken,
    tls: bool,
    conns: Arc<Registry>,
    app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), EmulatorError>>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url)
            .field("tenant_id", &self.tenant_id)
            .field("token", &self.token)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
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

    /// The connections now open and what the limits did to them, read without a connection
    /// (the same figures as `connections` in `/_emulator/stats`).
    pub fn connections(&self) -> ConnStats {
        self.conns.stats()
    }

    /// The figures of `GET /_emulator/stats`, read without a request: the one way tests read
    /// them.
    pub fn stats(&self) -> Stats {
        Stats::of(&self.app)
    }

    /// `POST /_emulator/stats/reset`, without a request.
    pub fn reset_stats(&self) {
        self.app.reset_stats();
    }
}

/// Binds 127.0.0.1 on a free port and serves `config` in the background.
pub async fn spawn(config: Config) -> Result<Running, EmulatorError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let prepared = prepare(&listener, &config)?;
    let tls = prepared.tls.is_some();
    let conns = Arc::clone(&prepared.conns);
    let app = Arc::clone(&prepared.app);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, prepared, async move {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        base_url: base_url(addr, tls, &config.tenant_id),
        tenant_id: config.tenant_id.clone(),
        token: config
            .tokens
            .first()
            .cloned()
            .unwrap_or_else(|| SecretToken::new(String::new())),
        tls,
        conns,
        app,
        stop: Some(tx),
        task: Some(task),
    })
}
