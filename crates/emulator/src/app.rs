//! The router factory: every route, the AWS operation each method is, and the emulator's own
//! `/_emulator/stats` (the state the handlers share is [`crate::state`]).

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};

use crate::knobs::Operation;
use crate::state::App;
use crate::stats::Stats;
use crate::{frame, groups, meta, users};

/// The whole HTTP surface: the SCIM routes under `/{tenant}/scim/v2`, the emulator's own
/// `/_emulator/stats`, and [`frame::frame`] around all of it.
pub fn router(app: App) -> Router {
    use axum::routing::MethodRouter;
    // AWS: unsupported operations are a 400 ValidationException (docs/emulator.md, "The API it
    // answers", Errors), so a known resource with an unsupported method (PUT on a group) is
    // answered 400, not 405.
    let unsupported = || async { frame::unsupported_method() };
    let with_fallback = |m: MethodRouter<App>| m.fallback(unsupported);
    // The SCIM routes carry the `/{tenant}/scim/v2` prefix themselves rather than being
    // `nest`ed: a nested router costs a second route lookup and a rewritten URI per request.
    // Every SCIM path is also routed with one trailing slash (`/Users/`, `/Users/{id}/`): the
    // seed integration calls the collections that way against AWS (docs/emulator.md,
    // "Trailing slashes"); both spellings are one route, so one operation.
    // Each method carries the AWS operation it is ([`op`]): the one place that says which
    // request is which operation, for the counters, the throttle and the faults.
    const T: &str = "/{tenant}/scim/v2";
    use Operation as O;
    let op = |operation: Operation, route: MethodRouter<App>| {
        route.route_layer(middleware::from_fn_with_state(
            (Arc::clone(&app), operation),
            frame::operation,
        ))
    };
    let scim_routes: [(&str, MethodRouter<App>); 8] = [
        (
            "/Users",
            op(O::ListUsers, get(users::list::handle))
                .merge(op(O::CreateUser, post(users::create::handle))),
        ),
        (
            "/Users/{id}",
            op(O::GetUser, get(users::get::handle))
                .merge(op(O::PutUser, put(users::replace::handle)))
                .merge(op(O::PatchUser, patch(users::patch::handle)))
                .merge(op(O::DeleteUser, delete(users::delete::handle))),
        ),
        (
            "/Groups",
            op(O::ListGroups, get(groups::list::handle))
                .merge(op(O::CreateGroup, post(groups::create::handle))),
        ),
        (
            "/Groups/{id}",
            op(O::GetGroup, get(groups::get::handle))
                .merge(op(O::PatchGroup, patch(groups::patch::handle)))
                .merge(op(O::DeleteGroup, delete(groups::delete::handle))),
        ),
        (
            "/ServiceProviderConfig",
            op(
                O::ServiceProviderConfig,
                get(meta::service_provider_config::handle),
            ),
        ),
        ("/Schemas", op(O::ListSchemas, get(meta::schemas::list))),
        ("/Schemas/{urn}", op(O::GetSchema, get(meta::schemas::get))),
        (
            "/ResourceTypes",
            op(O::ListResourceTypes, get(meta::resource_types::handle)),
        ),
    ];
    let mut router = Router::new();
    for (path, methods) in scim_routes {
        let methods = with_fallback(methods);
        router = router
            .route(&format!("{T}{path}/"), methods.clone())
            .route(&format!("{T}{path}"), methods);
    }
    router
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/stats/reset", post(reset_stats))
        .fallback(frame::no_route)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            frame::frame,
        ))
        .with_state(app)
}

/// `{"total", "operations", "connections"}`: the per-operation counts and the connection limits'
/// figures (docs/emulator.md).
async fn stats(axum::extract::State(app): axum::extract::State<App>) -> impl IntoResponse {
    (
        StatusCode::OK,
        serde_json::to_string(&Stats::of(&app)).unwrap_or_default(),
    )
}

async fn reset_stats(axum::extract::State(app): axum::extract::State<App>) -> StatusCode {
    app.reset_stats();
    StatusCode::NO_CONTENT
}
