//! The checks that need no network: every effective setting and where it came from (the token
//! by its source only), the warnings a run would print, the token's expiry, and the shape of
//! the base URL (docs/doctor.md).

use time::Date;

use super::{Check, Mark};
use crate::expiry::{self, Expiry, ROTATE};
use crate::settings::Settings;
use crate::settings::layer::Source;

/// The checks of `settings` on `today`.
pub fn checks(settings: &Settings, today: Date) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(match &settings.config_file {
        Some(path) => Check::pass("config file", path.display().to_string()),
        None => Check::pass("config file", "none (flags and variables only)"),
    });
    for (key, source) in &settings.origins {
        out.push(Check::pass(
            format!("setting {key}"),
            format!("{} (from {source})", value(settings, key)),
        ));
    }
    for w in crate::warnings::for_settings(settings) {
        out.push(Check::warn("warning", w));
    }
    out.push(token_expiry(settings.token_issued, today));
    out.push(base_url(settings));
    out
}

/// A setting's value as shown; the token never.
fn value(s: &Settings, key: &str) -> String {
    let path = |p: &Option<std::path::PathBuf>| match p {
        Some(p) => p.display().to_string(),
        None => "built-in".to_owned(),
    };
    match key {
        "base_url" => s.endpoint.base().to_string(),
        "tenant_id" => s.endpoint.tenant_id().to_owned(),
        "token" => match &s.token_file {
            Some(p) => format!("read from {} (value not shown)", p.display()),
            None => "set (value not shown)".to_owned(),
        },
        "allow_create" => s.allow_create.to_string(),
        "allow_update" => s.allow_update.to_string(),
        "allow_enable" => s.allow_enable.to_string(),
        "allow_disable" => s.allow_disable.to_string(),
        "create_if_not_exists" => s.create_if_not_exists.to_string(),
        "mapper_in" => path(&s.mapper_in),
        "mapper_out" => path(&s.mapper_out),
        "insecure" => s.insecure.to_string(),
        "proxy" => s.proxy.to_string(),
        "instance_name" => s.instance_name.clone(),
        "timeout" => format!("{} s", s.timeout.as_secs_f64()),
        "output" => format!("{:?}", s.output).to_lowercase(),
        "max_response_bytes" => s.max_response_bytes.to_string(),
        "max_pages" => s.max_pages.to_string(),
        "token_issued" => s
            .token_issued
            .map_or_else(|| "not set".to_owned(), |d| d.to_string()),
        "audit_log" => match &s.audit_log {
            Ok(Some(p)) => p.display().to_string(),
            Ok(None) => "off".to_owned(),
            Err(why) => why.clone(),
        },
        _ => "?".to_owned(),
    }
}

/// `token_issued`: unset is worth a warning (nothing can warn before the token expires), the
/// last 30 days a warning, after the expiry day a failure.
pub fn token_expiry(issued: Option<expiry::Day>, today: Date) -> Check {
    const NAME: &str = "token expiry";
    let Some(issued) = issued else {
        return Check::warn(
            NAME,
            "token_issued is not set, so aws-ilm cannot warn before the token expires",
        )
        .hint(
            "set token_issued = YYYY-MM-DD (the day the token was generated) in the config \
             file, or AWS_ILM_TOKEN_ISSUED",
        );
    };
    let state = expiry::expiry(issued, today);
    let mark = match state {
        Expiry::Valid { .. } => return Check::pass(NAME, state.describe()),
        Expiry::Soon { .. } => Mark::Warn,
        Expiry::Expired { .. } => Mark::Fail,
    };
    Check::new(NAME, mark, state.describe()).hint(ROTATE)
}

/// AWS's SCIM hosts: `scim.<region>.amazonaws.com` (and `.amazonaws.com.cn` in China); the
/// region, when `host` is one.
fn aws_region(host: &str) -> Option<&str> {
    let rest = host.strip_prefix("scim.")?;
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    let ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then_some(region)
}

/// The base URL's shape: AWS's `https://scim.<region>.amazonaws.com` (the console's full
/// `…/<tenant>/scim/v2` form too) or a server on this machine pass; another host works but is
/// worth a look; plain http or a path to AWS cannot work.
pub fn base_url(settings: &Settings) -> Check {
    const NAME: &str = "base_url";
    let base = settings.endpoint.base();
    let host = base.host();
    let console = settings
        .origins
        .iter()
        .any(|(k, s)| *k == "tenant_id" && *s == Source::BaseUrl);
    let from_console = if console {
        ", tenant taken from the console's SCIM endpoint URL"
    } else {
        ""
    };
    if base.is_loopback() {
        return Check::pass(
            NAME,
            format!("{base} is a server on this machine (e.g. the emulator)"),
        );
    }
    let aws_root = "give base_url as https://scim.<region>.amazonaws.com and the tenant id \
                    apart, or paste the console's SCIM endpoint whole";
    if let Some(region) = aws_region(host) {
        if base.is_plain_http() {
            return Check::fail(NAME, format!("{base}: AWS answers SCIM over https:// only"))
                .hint(aws_root);
        }
        if !base.prefix().is_empty() {
            return Check::fail(
                NAME,
                format!(
                    "{base}: AWS serves SCIM at the host's root, requests to the path {} \
                     would not be found",
                    base.prefix()
                ),
            )
            .hint(aws_root);
        }
        return Check::pass(
            NAME,
            format!("AWS IAM Identity Center in {region}{from_console}"),
        );
    }
    if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
        return Check::warn(
            NAME,
            format!("{host} is an AWS host but not the SCIM endpoint scim.<region>.amazonaws.com"),
        )
        .hint("copy the SCIM endpoint from the IAM Identity Center console (Settings, Automatic provisioning)");
    }
    Check::warn(
        NAME,
        format!(
            "{host} is not an AWS SCIM host (fine for a test server or a gateway in front of AWS)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::GlobalArgs;
    use crate::expiry::Day;
    use crate::settings::layer::Setting;
    use time::macros::date;

    fn settings(base_url: &str, tenant: Option<&str>) -> Settings {
        let base_url = base_url.to_owned();
        let tenant = tenant.map(str::to_owned);
        let env = move |k: &str| match k {
            "AWS_ILM_BASE_URL" => Some(base_url.clone()),
            "AWS_ILM_TENANT_ID" => tenant.clone(),
            "AWS_ILM_TOKEN" => Some("tok-secret-1".to_owned()),
            _ => None,
        };
        Settings::build(&GlobalArgs::default(), &env).unwrap()
    }

    fn shape(url: &str, tenant: Option<&str>) -> (Mark, String) {
        let c = base_url(&settings(url, tenant));
        (c.status, c.message)
    }

    #[test]
    fn base_url_shapes() {
        let aws = shape("https://scim.eu-west-1.amazonaws.com", Some("d-1"));
        assert_eq!(aws.0, Mark::Pass);
        assert!(aws.1.contains("eu-west-1"), "{}", aws.1);
        let console = shape(
            "https://scim.us-east-1.amazonaws.com/abc-123/scim/v2/",
            None,
        );
        assert_eq!(console.0, Mark::Pass);
        assert!(console.1.contains("console"), "{}", console.1);
        assert_eq!(shape("http://127.0.0.1:9000", Some("t")).0, Mark::Pass);
        assert_eq!(shape("http://localhost", Some("t")).0, Mark::Pass);
        assert_eq!(
            shape("https://scim.us-east-1.amazonaws.com/prefix", Some("t")).0,
            Mark::Fail
        );
        assert_eq!(
            shape("http://scim.us-east-1.amazonaws.com", Some("t")).0,
            Mark::Fail
        );
        assert_eq!(shape("https://scim.example.com", Some("t")).0, Mark::Warn);
        assert_eq!(
            shape("https://portal.sso.us-east-1.amazonaws.com", Some("t")).0,
            Mark::Warn
        );
        assert_eq!(
            aws_region("scim.cn-north-1.amazonaws.com.cn"),
            Some("cn-north-1")
        );
        assert_eq!(aws_region("scim..amazonaws.com"), None);
    }

    #[test]
    fn every_setting_with_its_source_and_never_the_token() {
        let s = settings("http://127.0.0.1:1", Some("t1"));
        let checks = checks(&s, date!(2026 - 01 - 01));
        let text = format!("{checks:?}");
        assert!(!text.contains("tok-secret-1"), "{text}");
        for (key, _) in &s.origins {
            let c = checks
                .iter()
                .find(|c| c.check == format!("setting {key}"))
                .unwrap_or_else(|| panic!("{key} missing"));
            assert!(c.message.contains("(from "), "{c:?}");
            assert!(!c.message.starts_with('?'), "{c:?}");
        }
        let token = checks.iter().find(|c| c.check == "setting token").unwrap();
        assert_eq!(token.message, "set (value not shown) (from AWS_ILM_TOKEN)");
    }

    #[test]
    fn token_expiry_marks() {
        let today = date!(2026 - 06 - 01);
        let at = |s: &str| token_expiry(Some(Day::parse(s).unwrap()), today).status;
        assert_eq!(token_expiry(None, today).status, Mark::Warn);
        assert_eq!(at("2026-01-01"), Mark::Pass);
        assert_eq!(at("2025-06-20"), Mark::Warn);
        assert_eq!(at("2025-05-01"), Mark::Fail);
        let c = token_expiry(Some(Day::parse("2025-05-01").unwrap()), today);
        assert!(c.hint.unwrap().contains("Generate token"));
    }
}
