//! Where requests go: `{base_url}/{tenant_id}/scim/v2/{resource}/{id}` (PRODUCT.md §2).
//!
//! Every caller-supplied piece (tenant, resource id) becomes exactly one path segment: it is
//! percent-encoded with everything but RFC 3986 unreserved characters escaped, so an id holding
//! `/`, `?`, `#` or `%` can never reach another resource or add a query. `.` and `..` are refused
//! outright: the URL standard resolves them (even as `%2E%2E`), which would turn
//! `GET /Users/..` into a different request.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;

use crate::error::ClientError;

/// RFC 3986 §2.3 unreserved characters stay; everything else is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The tenant's SCIM root, ready to have resource segments appended.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// `scheme://host[:port][/prefix]/{tenant}/scim/v2`, no trailing slash.
    scim_root: String,
    /// `scheme://host[:port][/prefix]`: the base URL as normalised (console-style suffix cut).
    pub(crate) base: String,
    /// The tenant id as sent (trimmed, not encoded).
    pub(crate) tenant: String,
}

impl Endpoint {
    pub(crate) fn new(base_url: &str, tenant_id: &str) -> Result<Self, ClientError> {
        let base = base_url.trim();
        let url = Url::parse(base)
            .map_err(|e| ClientError::Config(format!("base_url {base:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ClientError::Config(format!(
                "base_url must be http:// or https://, not {}://",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ClientError::Config("base_url has no host".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ClientError::Config(
                "base_url must not carry a query or fragment".into(),
            ));
        }
        // Credentials in the URL would be sent as Basic auth next to our bearer token and end up
        // in logs; AWS only knows bearer tokens.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ClientError::Config(
                "base_url must not contain a user name or password".into(),
            ));
        }
        let tenant = tenant_id.trim().trim_matches('/');
        check_segment("tenant_id", tenant).map_err(ClientError::Config)?;

        let mut path: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
        // Accept the endpoint exactly as the AWS console shows it
        // ("https://scim.us-east-1.amazonaws.com/<tenant>/scim/v2/").
        let n = path.len();
        if n >= 2
            && path[n - 2].eq_ignore_ascii_case("scim")
            && path[n - 1].eq_ignore_ascii_case("v2")
        {
            let enc_tenant = encode(tenant);
            if n >= 3 && (path[n - 3] == tenant || path[n - 3] == enc_tenant) {
                path.truncate(n - 3);
            } else {
                return Err(ClientError::Config(format!(
                    "base_url ends in /scim/v2 but not in /{tenant}/scim/v2: give the server root \
                     (e.g. https://scim.us-east-1.amazonaws.com) and the tenant id separately"
                )));
            }
        }
        let mut root = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
        if let Some(port) = url.port() {
            root.push_str(&format!(":{port}"));
        }
        for seg in path {
            root.push('/');
            root.push_str(seg);
        }
        let base = root.clone();
        root.push('/');
        root.push_str(&encode(tenant));
        root.push_str("/scim/v2");
        Ok(Endpoint {
            scim_root: root,
            base,
            tenant: tenant.to_owned(),
        })
    }

    /// The URL of `segments` under the SCIM root; each segment is escaped as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        let mut s = self.scim_root.clone();
        for seg in segments {
            check_segment("resource id", seg).map_err(ClientError::InvalidRequest)?;
            s.push('/');
            s.push_str(&encode(seg));
        }
        Url::parse(&s).map_err(|e| ClientError::InvalidRequest(format!("cannot build URL: {e}")))
    }
}

/// The host of `base_url` when requests would cross the network in clear text: an `http://`
/// URL whose host is not loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`, and IPv4
/// written in any form the URL standard accepts, such as `127.1`). The token would travel
/// readable by anyone on the path, so the binary warns (docs/client.md). `None` for `https://`,
/// for loopback, and for a URL that does not parse ([`crate::ScimClient::new`] reports that).
pub fn cleartext_remote_host(base_url: &str) -> Option<String> {
    use std::net::IpAddr;

    let url = Url::parse(base_url.trim()).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    // The parser has normalised the host: IPv4 in dotted decimal, IPv6 in brackets, names in
    // lower case.
    let host = url.host_str()?;
    let loopback = match host.trim_start_matches('[').trim_end_matches(']').parse() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => ip
            .to_ipv4_mapped()
            .map_or(ip.is_loopback(), |v4| v4.is_loopback()),
        Err(_) => {
            let name = host.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    (!loopback).then(|| host.to_owned())
}

fn encode(seg: &str) -> String {
    utf8_percent_encode(seg, SEGMENT).to_string()
}

fn check_segment(what: &str, seg: &str) -> Result<(), String> {
    match seg {
        "" => Err(format!("{what} must not be empty")),
        "." | ".." => Err(format!("{what} must not be {seg:?}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(base: &str) -> Endpoint {
        Endpoint::new(base, "tenant-1").unwrap()
    }

    #[test]
    fn spellings_of_one_server_share_one_base() {
        for b in [
            "https://scim.us-east-1.amazonaws.com",
            "HTTPS://Scim.US-East-1.amazonaws.com/",
            " https://scim.us-east-1.amazonaws.com/tenant-1/scim/v2/ ",
        ] {
            let e = ep(b);
            assert_eq!(e.base, "https://scim.us-east-1.amazonaws.com", "{b}");
            assert_eq!(e.tenant, "tenant-1");
        }
        assert_eq!(
            ep("http://127.0.0.1:8080/p/").base,
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
        let tenant = Endpoint::new("https://h", "t/x").unwrap();
        assert_eq!(
            tenant.url(&["Users"]).unwrap().path(),
            "/t%2Fx/scim/v2/Users"
        );
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
                matches!(Endpoint::new(base, "t"), Err(ClientError::Config(_))),
                "{base}"
            );
        }
        assert!(Endpoint::new("https://h", " / ").is_err());
        assert!(Endpoint::new("https://h", "..").is_err());
    }
}
