//! Directories that never answer, for the circuit-breaker tests: this crate's and the binary's
//! (which includes this file by `#[path]`), so both trip the breaker on the same two dead ends.

use tokio::net::TcpListener;

/// A server that accepts every connection and never sends a byte; it lives as long as the
/// test's runtime.
pub async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    format!("http://{addr}")
}

/// `http://127.0.0.1:<port>` for a port that was just free and is closed now: nothing listens
/// there.
pub fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = l.local_addr().expect("its address").port();
    format!("http://127.0.0.1:{port}")
}
