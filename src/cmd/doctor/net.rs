//! The checks that talk to the network, each needing the one before: the host resolves (DNS),
//! a TCP connection opens, the TLS handshake succeeds with a trusted certificate (https only),
//! one authenticated request is accepted, and the server's clock agrees with ours
//! (docs/doctor.md).
//!
//! DNS and TCP are checked directly, as the client would connect; with `proxy` on and a proxy
//! variable set, requests go through the proxy instead, so those two are skipped and the TLS
//! and auth checks (made through the real client) tell.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime};

use aws_ilm_client::{ClientError, ScimClient};

use super::Check;
use crate::error::{CliError, unauthorized_hint};
use crate::settings::Settings;

/// A clock further off than this is worth a warning.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

const PROXY_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// DNS, TCP, TLS, auth and clock, in order.
pub async fn checks(settings: &Settings) -> Vec<Check> {
    let mut out = Vec::new();
    let base = settings.endpoint.base();
    let proxied = settings.proxy
        && PROXY_VARS
            .iter()
            .any(|v| std::env::var(v).is_ok_and(|x| !x.is_empty()));
    if proxied {
        let why = "requests go through the proxy (proxy is on); the tls and auth checks use it";
        out.push(Check::skip("dns", why));
        out.push(Check::skip("tcp", why));
    } else {
        let (dns, addrs) = resolve(base.host(), base.port(), settings.connect_timeout()).await;
        out.push(dns);
        if addrs.is_empty() {
            out.push(Check::skip("tcp", "the host did not resolve"));
            return skip_rest(out, "the host did not resolve");
        }
        let tcp = connect(&addrs, settings.connect_timeout()).await;
        let failed = tcp.status == super::Mark::Fail;
        out.push(tcp);
        if failed {
            return skip_rest(out, "no TCP connection");
        }
    }
    request(settings, &mut out).await;
    out
}

fn skip_rest(mut out: Vec<Check>, why: &str) -> Vec<Check> {
    out.extend(["tls", "auth", "clock"].map(|c| Check::skip(c, why)));
    out
}

/// The host's addresses, and the check saying so.
async fn resolve(host: &str, port: u16, timeout: Duration) -> (Check, Vec<SocketAddr>) {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        let check = Check::pass("dns", format!("{bare} is an address, nothing to resolve"));
        return (check, vec![SocketAddr::new(ip, port)]);
    }
    let hint = "check the host name in base_url, and that this machine's DNS (or VPN) can see it";
    match tokio::time::timeout(timeout, tokio::net::lookup_host((bare, port))).await {
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                return (
                    Check::fail("dns", format!("{bare} has no address")).hint(hint),
                    addrs,
                );
            }
            let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
            let more = if addrs.len() > 3 { ", ..." } else { "" };
            let check = Check::pass(
                "dns",
                format!("{bare} resolves to {}{more}", shown.join(", ")),
            );
            (check, addrs)
        }
        Ok(Err(e)) => (
            Check::fail("dns", format!("cannot resolve {bare}: {e}")).hint(hint),
            Vec::new(),
        ),
        Err(_) => (
            Check::fail(
                "dns",
                format!("resolving {bare} took longer than {timeout:?}"),
            )
            .hint(hint),
            Vec::new(),
        ),
    }
}

/// A TCP connection to the first address that takes one.
async fn connect(addrs: &[SocketAddr], timeout: Duration) -> Check {
    let mut errors = Vec::new();
    for addr in addrs.iter().take(4) {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => return Check::pass("tcp", format!("connected to {addr}")),
            Ok(Err(e)) => errors.push(format!("{addr}: {e}")),
            Err(_) => errors.push(format!("{addr}: no answer within {timeout:?}")),
        }
    }
    Check::fail("tcp", format!("cannot connect: {}", errors.join("; "))).hint(
        "is the server running and reachable from here? a firewall may be in the way, or the \
         network needs a proxy (--proxy with HTTPS_PROXY)",
    )
}

/// TLS (https only), auth and clock, from one `GET /ServiceProviderConfig` through the real
/// client: the handshake happens before the token is sent, so a certificate failure never
/// exposes it.
async fn request(settings: &Settings, out: &mut Vec<Check>) {
    let https = !settings.endpoint.base().is_plain_http();
    let client = match ScimClient::new(crate::cmd::ilm::client_config(settings)) {
        Ok(c) => c,
        Err(e) => {
            out.push(Check::fail("auth", e.to_string()));
            out.push(Check::skip("clock", "no request was made"));
            return;
        }
    };
    let probe = client.probe().await;
    let (info, refused) = match probe {
        Ok(answer) => answer,
        Err(e) => {
            let name = if https { "tls" } else { "auth" };
            out.push(transport_failure(name, &e, settings));
            if https && name == "tls" {
                out.push(Check::skip("auth", "no TLS connection"));
            }
            out.push(Check::skip("clock", "no answer from the server"));
            return;
        }
    };
    if https {
        let host = settings.endpoint.base().host();
        out.push(if settings.insecure {
            Check::warn(
                "tls",
                "handshake done, but the certificate was not checked (insecure is on)",
            )
            .hint("turn insecure off once the server's certificate is trusted here")
        } else {
            Check::pass(
                "tls",
                format!("handshake done, the certificate is trusted for {host}"),
            )
        });
    } else {
        out.push(Check::skip("tls", "plain http://, no TLS"));
    }
    let rid = info
        .request_id
        .as_deref()
        .map(|r| format!(", request id {r}"))
        .unwrap_or_default();
    out.push(match refused {
        None => Check::pass(
            "auth",
            format!(
                "the server accepted the token (GET /ServiceProviderConfig: HTTP {}{rid})",
                info.status
            ),
        ),
        Some(e) => refused_check(&e, settings),
    });
    out.push(clock(info.date.as_deref(), SystemTime::now()));
}

/// A request that got no answer.
fn transport_failure(name: &str, e: &ClientError, settings: &Settings) -> Check {
    let c = Check::fail(name, e.to_string());
    match e {
        ClientError::Tls(_) => c.hint(
            "if the server's certificate comes from a private CA, add that CA to this \
             machine's trust store; `insecure` skips the check (testing only)",
        ),
        _ => match CliError::from_client(e, settings).hint {
            Some(h) => c.hint(h),
            None => c,
        },
    }
}

/// An error answer to the authenticated request.
fn refused_check(e: &ClientError, settings: &Settings) -> Check {
    let c = Check::fail("auth", e.to_string());
    match e.status() {
        Some(401) => c.hint(unauthorized_hint(settings)),
        Some(404) => c.hint(
            "the server has no SCIM endpoint there: check the tenant id and base_url \
             (https://scim.<region>.amazonaws.com)",
        ),
        _ => match CliError::from_client(e, settings).hint {
            Some(h) => c.hint(h),
            None => c,
        },
    }
}

/// The server's `Date` against our clock `now`.
pub fn clock(date: Option<&str>, now: SystemTime) -> Check {
    let Some(date) = date else {
        return Check::warn(
            "clock",
            "the server sent no Date header; cannot compare clocks",
        );
    };
    let Ok(server) = httpdate::parse_http_date(date) else {
        return Check::warn(
            "clock",
            format!("the server's Date header is not a date: {date:?}"),
        );
    };
    let (skew, direction) = match server.duration_since(now) {
        Ok(ahead) => (ahead, "ahead of"),
        Err(e) => (e.duration(), "behind"),
    };
    if skew <= MAX_SKEW {
        return Check::pass(
            "clock",
            format!(
                "the server's clock and ours agree (within {} s)",
                skew.as_secs().max(1)
            ),
        );
    }
    Check::warn(
        "clock",
        format!(
            "the server's clock is {} min {direction} ours",
            skew.as_secs() / 60
        ),
    )
    .hint("set this machine's clock (NTP): token expiry, logs and the audit trail use it")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::doctor::Mark;

    #[test]
    fn clock_skew_over_five_minutes_warns() {
        let now = httpdate::parse_http_date("Wed, 02 Dec 2026 10:00:00 GMT").unwrap();
        let at = |d: &str| clock(Some(d), now);
        assert_eq!(at("Wed, 02 Dec 2026 10:00:01 GMT").status, Mark::Pass);
        assert_eq!(at("Wed, 02 Dec 2026 10:05:00 GMT").status, Mark::Pass);
        let ahead = at("Wed, 02 Dec 2026 10:05:01 GMT");
        assert_eq!(ahead.status, Mark::Warn);
        let behind = at("Wed, 02 Dec 2026 09:30:00 GMT");
        assert_eq!(behind.status, Mark::Warn);
        assert!(behind.message.contains("30 min behind"), "{behind:?}");
        assert!(ahead.message.contains("ahead of"), "{ahead:?}");
        assert_eq!(clock(None, now).status, Mark::Warn);
        assert_eq!(clock(Some("yesterday"), now).status, Mark::Warn);
    }
}
