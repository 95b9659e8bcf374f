//! Benchmark helper (not a test): a trivial axum handler on the same stack (tokio, hyper, axum),
//! to measure the machine's HTTP ceiling next to the emulator's figures.
//!
//! Usage: hello ADDR

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18099".into());
    let app = Router::new().route("/", get(|| async { "{\"ok\":true}" }));
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
