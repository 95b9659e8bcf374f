//! The middleware around every request, in the order AWS would apply it: a request id, the
//! tenant and bearer-token check (401), the operation's counter, the throttle (429), injected
//! latency and faults, then the handler; afterwards every error gets AWS's body, every response
//! gets `x-amzn-RequestId` and `Content-Type: application/json` (204s included, as in AWS's
//! examples), and one log line is written: method, path, status, duration, request id. The
//! Authorization header is never logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::knobs::{self, Fault, Operation};
use crate::state::App;

/// Set by the server on every request: notifying it drops the request's connection (the
/// `Drop` fault).
#[derive(Debug, Clone)]
pub struct ConnAbort(pub Arc<Notify>);

/// AWS's `x-amzn-RequestId` as a header name, made once (HTTP/1 header names are case-insensitive; hyper
/// sends them lower-case).
static REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-amzn-requestid");

pub async fn frame(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut res = match admit(&app, &req) {
        Err(e) => e.into_response(),
        Ok(()) => next.run(req).await,
    };
    // Set by [`operation`] when the `Drop` fault chose this request.
    let drop_connection = res.extensions_mut().remove::<ConnAbort>();
    let mut id_buf = uuid::Uuid::encode_buffer();
    let request_id = &*request_id.hyphenated().encode_lower(&mut id_buf);
    finish(&mut res, request_id);
    log(
        &method,
        &path,
        res.status(),
        started,
        request_id,
        drop_connection.is_some(),
    );
    if let Some(ConnAbort(n)) = drop_connection {
        // The `Drop` fault: the operation is done and logged; the connection task now drops
        // the connection (and this future with it) without answering. The bound only matters
        // if it somehow does not.
        n.notify_one();
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    res
}

/// The request's log line. Fields rather than a message so they stay machine-readable; the
/// duration in tenths of a millisecond without float formatting, and `dropped` only on the
/// requests the fault knob drops (the rest would only repeat `dropped=false`).
fn log(
    method: &axum::http::Method,
    path: &str,
    status: StatusCode,
    started: Instant,
    request_id: &str,
    dropped: bool,
) {
    let tenths = started.elapsed().as_micros() / 100;
    let ms = format_args!("{}.{}", tenths / 10, tenths % 10);
    let status = status.as_u16();
    if dropped {
        tracing::info!(target: "aws_ilm_emulator::request", %method, %path, status, ms, %request_id, dropped);
    } else {
        tracing::info!(target: "aws_ilm_emulator::request", %method, %path, status, ms, %request_id);
    }
}

/// Auth for tenant paths.
fn admit(app: &App, req: &Request) -> Result<(), ApiError> {
    let path = req.uri().path();
    if path.starts_with("/_emulator/") {
        return Ok(());
    }
    let Some((tenant, _)) = split_tenant(path) else {
        return Ok(());
    };
    // AWS documents a wrong tenant as 401 UnauthorizedException (docs/emulator.md, decision 9).
    if tenant != app.tenant_id || !token_ok(app, req) {
        return Err(ApiError::unauthorized());
    }
    Ok(())
}

/// The step of a request that is an AWS operation, layered on each route method by
/// [`crate::app::router`] with the operation it is: count it, then the knobs and the handler.
/// Two requests the router hands to a handler are no AWS operation, and go straight to it,
/// uncounted: a `HEAD` (axum answers it with the `GET` handler), and a path with an empty
/// segment (`/Users//`, which the router matches as an empty `{id}` and the handler refuses
/// with a 404; docs/emulator.md, "Trailing slashes": two slashes are no route).
pub async fn operation(
    State((app, op)): State<(App, Operation)>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == axum::http::Method::HEAD || req.uri().path().contains("//") {
        return next.run(req).await;
    }
    app.counters.count(op);
    match run_operation(&app, op, req, next).await {
        Ok((mut res, abort)) => {
            if let Some(abort) = abort {
                res.extensions_mut().insert(abort);
            }
            res
        }
        Err(e) => e.into_response(),
    }
}

/// `/{tenant}/scim/v2/rest` → (tenant, `/rest`).
fn split_tenant(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (tenant, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("scim/v2")?;
    (rest.is_empty() || rest.starts_with('/')).then_some((tenant, rest))
}

/// `Authorization: Bearer <token>`, compared in constant time against every accepted token.
fn token_ok(app: &App, req: &Request) -> bool {
    let Some(given) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
    else {
        return false;
    };
    let mut ok = subtle::Choice::from(0u8);
    for t in &app.tokens {
        ok |= t.expose().as_bytes().ct_eq(given.as_bytes());
    }
    ok.into()
}

/// The knobs, then the handler. `Ok((res, Some(abort)))`: the `Drop` fault chose this request,
/// and its connection is to be dropped instead of answered.
async fn run_operation(
    app: &App,
    op: Operation,
    req: Request,
    next: Next,
) -> Result<(Response, Option<ConnAbort>), ApiError> {
    if let Some(t) = &app.throttle
        && !t.admit(op)
    {
        return Err(ApiError::throttled(1));
    }
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    match knobs::roll(app.fault_rate) {
        Fault::None => Ok((next.run(req).await, None)),
        Fault::Error => Err(ApiError::internal("Injected fault (--fault-rate).")),
        Fault::Drop => {
            let abort = req.extensions().get::<ConnAbort>().cloned();
            Ok((next.run(req).await, abort))
        }
    }
}

/// Writes AWS's error body for any error response, and the headers every response carries.
fn finish(res: &mut Response, request_id: &str) {
    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        let err = match res.extensions_mut().remove::<ApiError>() {
            Some(e) => e,
            None => generic(status),
        };
        let body = serde_json::to_string(&err.body(request_id)).unwrap_or_default();
        *res.status_mut() = err.status;
        *res.body_mut() = Body::from(body);
        res.headers_mut().remove(header::CONTENT_LENGTH);
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert(&REQUEST_ID_HEADER, v);
    }
}

/// Errors that did not come from a handler (axum's own rejections).
fn generic(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => no_route_error(),
        StatusCode::METHOD_NOT_ALLOWED => unsupported_error(),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::bad_request(format!(
            "Request body exceeds the maximum payload size of {} bytes.",
            crate::body::MAX_BODY
        )),
        s if s.is_client_error() => ApiError::bad_request(aws_ilm_scim::error::detail::UNPARSABLE),
        _ => ApiError::internal("An internal error occurred. Please try again."),
    }
}

fn no_route_error() -> ApiError {
    ApiError::not_found("The requested resource or endpoint does not exist.")
}

fn unsupported_error() -> ApiError {
    ApiError::bad_request("The requested operation is not supported on this resource.")
}

/// The fallback for paths no route matches.
pub async fn no_route() -> ApiError {
    no_route_error()
}

/// The fallback for a known resource and an unsupported method.
pub fn unsupported_method() -> ApiError {
    unsupported_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_paths() {
        assert_eq!(split_tenant("/t/scim/v2/Users"), Some(("t", "/Users")));
        assert_eq!(split_tenant("/t/scim/v2"), Some(("t", "")));
        assert_eq!(split_tenant("/t/scim/v20/Users"), None);
        assert_eq!(split_tenant("/_emulator/stats"), None);
        assert_eq!(split_tenant("/"), None);
    }
}
