//! Where requests go: `{base_url}/{tenant_id}/scim/v2/{resource}/{id}` (docs/client.md).
//!
//! The base URL is parsed once, by the URL standard's parser, into a [`BaseUrl`]; with the tenant
//! it becomes an [`Endpoint`] that the binary's settings hold and the client sends every request
//! to. Everything derived from the URL (the normalised root the batch journal records, whether
//! the token would cross the network in clear text, whether TLS roots are needed) is read off the
//! parsed value, never off the text again.
//!
//! The tenant must pass the one tenant rule (`aws_ilm_scim::tenant`, docs/configuration.md), so
//! it is a plain segment already. Every resource id becomes exactly one path segment: it is
//! percent-encoded with everything but RFC 3986 unreserved characters escaped, so an id holding
//! `/`, `?`, `#` or `%` can never reach another resource or add a query. `.` and `..` are refused
//! outright: the URL standard resolves them (even as `%2E%2E`), which would turn
//! `GET /Users/..` into a different request.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use aws_ilm_scim::tenant::{self, TenantError};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::Url;

use crate::error::ClientError;

/// RFC 3986 §2.3 unreserved characters stay; everything else is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a base URL or tenant cannot make an endpoint. Each message names the setting
/// (`base_url`, `tenant_id`) it is about; the binary adds where the value came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("base_url {url:?} is not a URL: {reason}")]
    NotUrl { url: String, reason: String },
    #[error("base_url must be http:// or https://, not {0}://")]
    Scheme(String),
    #[error("base_url has no host")]
    NoHost,
    /// The URL parser drops tabs and line breaks and escapes spaces; a URL holding them was
    /// mistyped or pasted badly, and is refused rather than silently changed.
    #[error("base_url must not contain spaces, a query or a fragment")]
    Extra,
    /// Credentials in the URL would be sent as Basic auth next to the bearer token and end up in
    /// logs; AWS only knows bearer tokens.
    #[error("base_url must not contain a user name or password")]
    Credentials,
    #[error(
        "base_url ends in /scim/v2 but names no tenant before it: give the server root \
         (e.g. https://scim.us-east-1.amazonaws.com) and the tenant id separately"
    )]
    ScimWithoutTenant,
    /// The tenant rule is `aws_ilm_scim::tenant`'s, shared with the binary and the emulator.
    #[error("tenant_id {0}")]
    Tenant(#[from] TenantError),
    #[error("tenant id '{given}' differs from the tenant '{in_url}' in the base URL")]
    TenantMismatch { given: String, in_url: String },
}

impl From<EndpointError> for ClientError {
    fn from(e: EndpointError) -> Self {
        ClientError::Config(e.to_string())
    }
}

/// A base URL, checked and normalised: `http(s)://host[:port][/prefix]` with no credentials,
/// query or fragment, the scheme and host as the URL standard writes them, empty path segments
/// and the trailing `/` dropped. The full SCIM endpoint the AWS console shows
/// (`https://host/<tenant>/scim/v2/`) is accepted too: its tenant is kept apart
/// ([`BaseUrl::tenant`]) and the root is what comes before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `scheme://host[:port][/prefix]`, no trailing slash.
    root: String,
    plain_http: bool,
    /// The host as the parser normalised it: IPv4 dotted decimal, IPv6 in brackets, names in
    /// lower case.
    host: String,
    /// The tenant of a console-style URL, percent-decoded.
    tenant: Option<String>,
}

impl FromStr for BaseUrl {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Self, EndpointError> {
        let text = text.trim();
        let url = Url::parse(text).map_err(|e| EndpointError::NotUrl {
            url: text.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Scheme(url.scheme().to_owned()));
        }
        let host = url.host_str().unwrap_or_default();
        if host.is_empty() {
            return Err(EndpointError::NoHost);
        }
        if url.query().is_some() || url.fragment().is_some() || text.contains(char::is_whitespace) {
            return Err(EndpointError::Extra);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointError::Credentials);
        }
        let mut path: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
        let n = path.len();
        let mut tenant = None;
        if n >= 2
            && path[n - 2].eq_ignore_ascii_case("scim")
            && path[n - 1].eq_ignore_ascii_case("v2")
        {
            if n < 3 {
                return Err(EndpointError::ScimWithoutTenant);
            }
            tenant = Some(
                percent_decode_str(path[n - 3])
                    .decode_utf8_lossy()
                    .into_owned(),
            );
            path.truncate(n - 3);
        }
        let mut root = format!("{}://{host}", url.scheme());
        if let Some(port) = url.port() {
            root.push_str(&format!(":{port}"));
        }
        for seg in path {
            root.push('/');
            root.push_str(seg);
        }
        Ok(BaseUrl {
            root,
            plain_http: url.scheme() == "http",
            host: host.to_owned(),
            tenant,
        })
    }
}

impl BaseUrl {
    /// `scheme://host[:port][/prefix]`: two spellings of one server give the same text.
    pub fn as_str(&self) -> &str {
        &self.root
    }

    /// The tenant a console-style URL names, if it is one.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The host as the URL parser normalised it (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port requests go to: the URL's, else the scheme's (80, 443).
    pub fn port(&self) -> u16 {
        let authority = self
            .root
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
        authority
            .rsplit_once(':')
            .filter(|(_, p)| !p.ends_with(']'))
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(if self.plain_http { 80 } else { 443 })
    }

    /// The path before the tenant (`/prefix` of `https://host/prefix`), empty for a server
    /// root. AWS serves SCIM at the root, so a prefix there is a mistake `doctor` names.
    pub fn prefix(&self) -> &str {
        let rest = self.root.split_once("://").map_or("", |(_, rest)| rest);
        rest.find('/').map_or("", |i| &rest[i..])
    }

    /// Whether the host is this machine: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.as_str();
        match host.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(IpAddr::V4(ip)) => ip.is_loopback(),
            Ok(IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .map_or(ip.is_loopback(), |v4| v4.is_loopback()),
            Err(_) => {
                let name = host.trim_end_matches('.');
                name == "localhost" || name.ends_with(".localhost")
            }
        }
    }

    /// `http://`: no TLS, so no certificate roots are needed.
    pub fn is_plain_http(&self) -> bool {
        self.plain_http
    }

    /// The host when requests would cross the network in clear text: an `http://` URL whose
    /// host is not loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`, and IPv4 written in
    /// any form the URL standard accepts, such as `127.1`). The token would travel readable by
    /// anyone on the path, so the binary warns (docs/configuration.md, "Warnings").
    pub fn cleartext_remote_host(&self) -> Option<&str> {
        if !self.plain_http {
            return None;
        }
        (!self.is_loopback()).then_some(self.host.as_str())
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)
    }
}

/// One tenant's SCIM root: a [`BaseUrl`] and a tenant id, ready to have resource segments
/// appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: BaseUrl,
    /// The tenant id as sent (trimmed, not encoded).
    tenant: String,
    /// `{base}/{tenant}/scim/v2`, parsed once.
    scim_root: Url,
}

impl Endpoint {
    /// The endpoint of `tenant_id` under `base`. A console-style base URL must name the same
    /// tenant.
    pub fn new(base: BaseUrl, tenant_id: &str) -> Result<Self, EndpointError> {
        // Surrounding spaces and slashes are how a tenant is pasted out of a URL, not part of it.
        let tenant = tenant_id.trim().trim_matches('/');
        tenant::check(tenant)?;
        if let Some(in_url) = base.tenant()
            && in_url != tenant
        {
            return Err(EndpointError::TenantMismatch {
                given: tenant.to_owned(),
                in_url: in_url.to_owned(),
            });
        }
        let root = format!("{}/{}/scim/v2", base.root, encode(tenant));
        let scim_root = Url::parse(&root).map_err(|e| EndpointError::NotUrl {
            url: root.clone(),
            reason: e.to_string(),
        })?;
        Ok(Endpoint {
            base,
            tenant: tenant.to_owned(),
            scim_root,
        })
    }

    /// [`BaseUrl`] parsing and [`Endpoint::new`] in one step.
    pub fn parse(base_url: &str, tenant_id: &str) -> Result<Self, EndpointError> {
        Endpoint::new(base_url.parse()?, tenant_id)
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// The tenant id requests are sent for.
    pub fn tenant_id(&self) -> &str {
        &self.tenant
    }

    /// The URL of `segments` under the SCIM root; each segment is escaped as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        let mut path = self.scim_root.path().to_owned();
        for seg in segments {
            check_segment(seg)
                .map_err(|reason| ClientError::InvalidRequest(format!("resource id {reason}")))?;
            path.push('/');
            path.push_str(&encode(seg));
        }
        let mut url = self.scim_root.clone();
        url.set_path(&path);
        Ok(url)
    }
}

fn encode(seg: &str) -> String {
    utf8_percent_encode(seg, SEGMENT).to_string()
}

fn check_segment(seg: &str) -> Result<(), String> {
    match seg {
        "" => Err("must not be empty".into()),
        "." | ".." => Err(format!("must not be {seg:?}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(base: &str) -> Endpoint {
        Endpoint::parse(base, "tenant-1").unwrap()
    }

    fn cleartext_remote_host(base: &str) -> Option<String> {
        let base: BaseUrl = base.parse().ok()?;
        base.cleartext_remote_host().map(str::to_owned)
    }

    #[test]
    fn spellings_of_one_server_share_one_base() {
        for b in [
            "https://scim.us-east-1.amazonaws.com",
            "HTTPS://Scim.US-East-1.amazonaws.com/",
            " https://scim.us-east-1.amazonaws.com/tenant-1/scim/v2/ ",
        ] {
            let e = ep(b);
            assert_eq!(
                e.base().as_str(),
                "https://scim.us-east-1.amazonaws.com",
                "{b}"
            );
            assert_eq!(e.tenant_id(), "tenant-1");
        }
        assert_eq!(
            ep("http://127.0.0.1:8080/p/").base().as_str(),
            "http://127.0.0.1:8080/p"
        );
    }

    #[test]
    fn joins_base_tenant_and_resource() {
        for base in [
            "https://scim.us-east-1.amazonaws.com",
            "https://scim.us-east-1.amazonaws.com/",
            "https://scim.us-east-1.amazonaws.com/tenant-1/scim/v2/",
            " https://scim.us-east-1.amazonaws.com/tenant-1/scim/v2 ",
        ] {
            assert_eq!(
                ep(base).url(&["Users", "abc"]).unwrap().as_str(),
                "https://scim.us-east-1.amazonaws.com/tenant-1/scim/v2/Users/abc",
                "{base}"
            );
        }
        assert_eq!(
            ep("http://127.0.0.1:8080/prefix//")
                .url(&["Groups"])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/prefix/tenant-1/scim/v2/Groups"
        );
    }

    #[test]
    fn ids_cannot_escape_their_segment() {
        let e = ep("https://h");
        let u = e.url(&["Users", "a/../b?x=1#f%2F"]).unwrap();
        assert_eq!(
            u.path(),
            "/tenant-1/scim/v2/Users/a%2F..%2Fb%3Fx%3D1%23f%252F"
        );
        assert_eq!(u.query(), None);
        assert_eq!(u.fragment(), None);
        for bad in ["", ".", ".."] {
            assert!(matches!(
                e.url(&["Users", bad]),
                Err(ClientError::InvalidRequest(_))
            ));
        }
        // A tenant never needs escaping: the tenant rule refuses what would.
        assert_eq!(
            Endpoint::parse("https://h", "t/x"),
            Err(EndpointError::Tenant(TenantError::Char('/')))
        );
    }

    #[test]
    fn host_port_and_prefix() {
        let b = |s: &str| s.parse::<BaseUrl>().unwrap();
        let aws = b("https://SCIM.us-east-1.amazonaws.com/d-123/scim/v2/");
        assert_eq!(
            (aws.host(), aws.port(), aws.prefix()),
            ("scim.us-east-1.amazonaws.com", 443, "")
        );
        let local = b("http://127.0.0.1:8080/api/v1");
        assert_eq!(
            (local.host(), local.port(), local.prefix()),
            ("127.0.0.1", 8080, "/api/v1")
        );
        assert!(local.is_loopback() && !aws.is_loopback());
        assert_eq!(b("http://[::1]/").port(), 80);
        assert_eq!(b("https://[::1]:9443").port(), 9443);
    }

    #[test]
    fn cleartext_is_http_to_a_host_other_than_this_machine() {
        for remote in [
            "http://scim.example.com",
            "http://10.0.0.5:8080/x",
            "HTTP://Scim.Example.com",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
        ] {
            assert!(cleartext_remote_host(remote).is_some(), "{remote}");
        }
        assert_eq!(
            cleartext_remote_host("http://scim.example.com:80/").as_deref(),
            Some("scim.example.com")
        );
        for local in [
            "https://scim.example.com",
            "http://127.0.0.1:8080",
            "http://127.1",
            "http://127.9.9.9",
            "http://localhost:1",
            "http://LOCALHOST./",
            "http://api.localhost",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
            "not a url",
        ] {
            assert_eq!(cleartext_remote_host(local), None, "{local}");
        }
    }

    #[test]
    fn rejects_bad_config() {
        for base in [
            "scim.amazonaws.com",
            "ftp://h",
            "https://h?x=1",
            "https://u:p@h",
            "https://h/other-tenant/scim/v2",
        ] {
            assert!(
                matches!(
                    Endpoint::parse(base, "t").map_err(ClientError::from),
                    Err(ClientError::Config(_))
                ),
                "{base}"
            );
        }
        assert!(Endpoint::parse("https://h", " / ").is_err());
        assert!(Endpoint::parse("https://h", "..").is_err());
    }

    /// Moved from the binary's settings tests when the binary's own URL check gave way to
    /// this parser: the same inputs, the same answers.
    #[test]
    fn urls_are_validated() {
        let base = |s: &str| s.parse::<BaseUrl>();
        let ok = base("https://scim.x.com/").unwrap();
        assert_eq!((ok.as_str(), ok.tenant()), ("https://scim.x.com", None));
        for bad in ["ftp://x", "scim.x.com", "https://", "https://x/?a=b"] {
            assert!(base(bad).is_err(), "{bad}");
        }
        let console = base("https://scim.us-east-1.amazonaws.com/abc-123/scim/v2/").unwrap();
        assert_eq!(
            (console.as_str(), console.tenant()),
            ("https://scim.us-east-1.amazonaws.com", Some("abc-123"))
        );
    }

    #[test]
    fn a_console_url_names_its_tenant_and_must_agree_with_the_tenant_id() {
        assert_eq!(
            "https://h/p/a%2Fb/SCIM/V2"
                .parse::<BaseUrl>()
                .unwrap()
                .tenant(),
            Some("a/b")
        );
        assert_eq!(
            Endpoint::parse("https://h/t-1/scim/v2", "t-2"),
            Err(EndpointError::TenantMismatch {
                given: "t-2".into(),
                in_url: "t-1".into()
            })
        );
        assert_eq!(
            "https://h/scim/v2".parse::<BaseUrl>(),
            Err(EndpointError::ScimWithoutTenant)
        );
    }

    /// The URL parser would drop a tab or line break and escape a space; the text is refused
    /// instead, as the binary's own check did before this parser replaced it.
    #[test]
    fn whitespace_inside_a_base_url_is_refused() {
        for bad in ["https://h/a b", "https://h/a\tb", "https://h\n/x"] {
            assert_eq!(bad.parse::<BaseUrl>(), Err(EndpointError::Extra), "{bad:?}");
        }
        assert!(" https://h/ ".parse::<BaseUrl>().is_ok());
    }

    #[test]
    fn plain_http_is_read_off_the_parsed_scheme() {
        assert!(ep("HTTP://h").base().is_plain_http());
        assert!(!ep("https://h").base().is_plain_http());
    }
}
