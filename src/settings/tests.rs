//! Unit tests of [`super::Settings::build`]: precedence, validation and error messages, with the
//! environment passed in as a map.

use std::collections::HashMap;

use super::*;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn base_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ILM_BASE_URL", "http://127.0.0.1:1"),
        ("AWS_ILM_TENANT_ID", "t1"),
        ("AWS_ILM_TOKEN", "tok-env"),
    ]
}

#[test]
fn defaults_from_the_product_spec() {
    let s = Settings::build(&GlobalArgs::default(), &env_of(&base_env())).unwrap();
    assert!(s.allow_create && s.allow_update && s.allow_enable && s.allow_disable);
    assert!(s.create_if_not_exists && !s.insecure && !s.proxy);
    assert_eq!(s.instance_name, "aws-ilm");
    assert_eq!(s.timeout, DEFAULT_TIMEOUT);
    assert_eq!(s.token.expose(), "tok-env");
}

#[test]
fn flag_beats_env_beats_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "allow_disable = false\nallow_update = false\ninstance_name = \"f\"\n",
    )
    .unwrap();
    let mut env = base_env();
    env.push(("AWS_ILM_ALLOW_DISABLE", "true"));
    env.push(("AWS_ILM_INSTANCE_NAME", "e"));
    let args = GlobalArgs {
        config: Some(cfg),
        instance_name: Some("flag".into()),
        ..Default::default()
    };
    let s = Settings::build(&args, &env_of(&env)).unwrap();
    assert!(s.allow_disable, "env beats file");
    assert!(!s.allow_update, "file beats default");
    assert_eq!(s.instance_name, "flag", "flag beats env");
}

#[test]
fn missing_values_name_flag_variable_and_key() {
    let e = Settings::build(&GlobalArgs::default(), &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--base-url") && e.contains("AWS_ILM_BASE_URL") && e.contains("`base_url`"),
        "{e}"
    );
    let e = Settings::build(&GlobalArgs::default(), &env_of(&base_env()[..2]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("AWS_ILM_TOKEN") && e.contains("--token-file"),
        "{e}"
    );
}

#[test]
fn token_file_flag_beats_env_and_is_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tok");
    std::fs::write(&p, "tok-file\n").unwrap();
    let args = GlobalArgs {
        token_file: Some(p),
        ..Default::default()
    };
    let s = Settings::build(&args, &env_of(&base_env())).unwrap();
    assert_eq!(s.token.expose(), "tok-file");
    assert!(!format!("{s:?}").contains("tok-file"));
}

#[test]
fn empty_token_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tok");
    std::fs::write(&p, "\n").unwrap();
    let args = GlobalArgs {
        token_file: Some(p),
        ..Default::default()
    };
    let e = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is empty"), "{e}");
}

#[test]
fn urls_are_validated() {
    assert_eq!(
        validate_url("https://scim.x.com/").unwrap(),
        ("https://scim.x.com".into(), None)
    );
    assert!(validate_url("ftp://x").is_err());
    assert!(validate_url("scim.x.com").is_err());
    assert!(validate_url("https://").is_err());
    assert!(validate_url("https://x/?a=b").is_err());
    assert_eq!(
        validate_url("https://scim.us-east-1.amazonaws.com/abc-123/scim/v2/").unwrap(),
        (
            "https://scim.us-east-1.amazonaws.com".into(),
            Some("abc-123".into())
        )
    );
}

#[test]
fn the_console_endpoint_supplies_or_checks_the_tenant() {
    let env = env_of(&[
        ("AWS_ILM_BASE_URL", "https://scim.x.com/abc/scim/v2"),
        ("AWS_ILM_TOKEN", "t"),
    ]);
    let s = Settings::build(&GlobalArgs::default(), &env).unwrap();
    assert_eq!(
        (s.base_url.as_str(), s.tenant_id.as_str()),
        ("https://scim.x.com", "abc")
    );
    let args = GlobalArgs {
        tenant_id: Some("other".into()),
        ..Default::default()
    };
    let e = Settings::build(&args, &env).unwrap_err().to_string();
    assert!(e.contains("differs"), "{e}");
}

#[test]
fn bad_boolean_variable_names_the_variable() {
    let mut env = base_env();
    env.push(("AWS_ILM_ALLOW_DISABLE", "nope"));
    let e = Settings::build(&GlobalArgs::default(), &env_of(&env))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("AWS_ILM_ALLOW_DISABLE") && e.contains("true or false"),
        "{e}"
    );
}

#[test]
fn named_instance_without_file_is_an_error() {
    let args = GlobalArgs {
        instance: Some("prod".into()),
        ..Default::default()
    };
    let e = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("prod"), "{e}");
}

#[test]
fn response_and_page_limits_layer_and_refuse_zero() {
    let s = Settings::build(&GlobalArgs::default(), &env_of(&base_env())).unwrap();
    assert_eq!(
        (s.max_response_bytes, s.max_pages),
        (DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_PAGES as u64)
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "max_response_bytes = 1000\nmax_pages = 7\n").unwrap();
    let mut env = base_env();
    env.push(("AWS_ILM_MAX_PAGES", "9"));
    let args = GlobalArgs {
        config: Some(cfg.clone()),
        ..Default::default()
    };
    let s = Settings::build(&args, &env_of(&env)).unwrap();
    assert_eq!(
        (s.max_response_bytes, s.max_pages),
        (1000, 9),
        "env beats file"
    );
    let args = GlobalArgs {
        config: Some(cfg.clone()),
        max_response_bytes: Some(5),
        max_pages: Some(3),
        ..Default::default()
    };
    let s = Settings::build(&args, &env_of(&env)).unwrap();
    assert_eq!(
        (s.max_response_bytes, s.max_pages),
        (5, 3),
        "flag beats env"
    );

    for (var, value, says) in [
        ("AWS_ILM_MAX_PAGES", "0", "at least 1"),
        ("AWS_ILM_MAX_RESPONSE_BYTES", "8MiB", "whole number"),
    ] {
        let mut env = base_env();
        env.push((var, value));
        let e = Settings::build(&GlobalArgs::default(), &env_of(&env))
            .unwrap_err()
            .to_string();
        assert!(e.contains(var) && e.contains(says), "{e}");
    }
    std::fs::write(&cfg, "max_pages = 0\n").unwrap();
    let args = GlobalArgs {
        config: Some(cfg),
        ..Default::default()
    };
    let e = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`max_pages`") && e.contains("at least 1"), "{e}");
}

#[test]
fn the_token_file_used_is_remembered_and_an_env_token_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tok");
    std::fs::write(&p, "tok-file\n").unwrap();
    let mut env = base_env();
    env.retain(|(k, _)| *k != "AWS_ILM_TOKEN");
    env.push(("AWS_ILM_TOKEN_FILE", p.to_str().unwrap()));
    let s = Settings::build(&GlobalArgs::default(), &env_of(&env)).unwrap();
    assert_eq!(s.token_file.as_deref(), Some(p.as_path()));
    let s = Settings::build(&GlobalArgs::default(), &env_of(&base_env())).unwrap();
    assert_eq!(s.token_file, None);
}
