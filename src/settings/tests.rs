//! Unit tests of [`super::Settings::build`]: precedence, validation and error messages, with the
//! environment passed in as a map.

use std::collections::HashMap;

use super::*;
use crate::cli::ReconcileArgs;

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
fn the_console_endpoint_supplies_or_checks_the_tenant() {
    let env = env_of(&[
        ("AWS_ILM_BASE_URL", "https://scim.x.com/abc/scim/v2"),
        ("AWS_ILM_TOKEN", "t"),
    ]);
    let s = Settings::build(&GlobalArgs::default(), &env).unwrap();
    assert_eq!(
        (s.endpoint.base().as_str(), s.endpoint.tenant_id()),
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
        max_response_bytes: Some(Count(5)),
        max_pages: Some(Count(3)),
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

fn source_of<'a>(s: &'a Settings, setting: &str) -> &'a Source {
    s.origins
        .iter()
        .find_map(|(name, source)| (*name == setting).then_some(source))
        .unwrap_or_else(|| panic!("no origin for {setting}"))
}

/// Every setting records the layer it came from: flag, variable, the instance's table or the
/// file's top level, the console URL (tenant), or the default.
#[test]
fn every_setting_records_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "allow_update = false\ntimeout = 5\n[instances.prod]\nallow_disable = false\n",
    )
    .unwrap();
    let env = env_of(&[
        ("AWS_ILM_BASE_URL", "https://scim.x.com/abc/scim/v2"),
        ("AWS_ILM_TOKEN", "t"),
        ("AWS_ILM_MAX_PAGES", "9"),
    ]);
    let args = GlobalArgs {
        config: Some(cfg),
        instance: Some("prod".into()),
        allow_create: Some(false),
        ..Default::default()
    };
    let s = Settings::build(&args, &env).unwrap();
    let file = |key, instance: Option<&str>| Source::File {
        key: Key(key),
        instance: instance.map(str::to_owned),
    };
    assert_eq!(
        source_of(&s, "base_url"),
        &Source::Variable(Key("base_url"))
    );
    assert_eq!(source_of(&s, "tenant_id"), &Source::BaseUrl);
    assert_eq!(source_of(&s, "token"), &Source::Variable(Key("token")));
    assert_eq!(
        source_of(&s, "allow_create"),
        &Source::Flag(Key("allow_create"))
    );
    assert_eq!(source_of(&s, "allow_update"), &file("allow_update", None));
    assert_eq!(
        source_of(&s, "allow_disable"),
        &file("allow_disable", Some("prod"))
    );
    assert_eq!(source_of(&s, "timeout"), &file("timeout", None));
    assert_eq!(
        source_of(&s, "max_pages"),
        &Source::Variable(Key("max_pages"))
    );
    assert_eq!(source_of(&s, "allow_enable"), &Source::Default);
    assert_eq!(source_of(&s, "mapper_in"), &Source::Default);
    assert_eq!(
        (s.allow_update, s.allow_disable, s.timeout),
        (false, false, Duration::from_secs(5))
    );
}

/// A value from an instance's table that is not allowed names the table it is in.
#[test]
fn a_bad_instance_value_names_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[instances.lab]\ntimeout = 0\n").unwrap();
    let args = GlobalArgs {
        config: Some(cfg),
        instance: Some("lab".into()),
        ..Default::default()
    };
    let e = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("config key `timeout` of [instances.lab]") && e.contains("between 0 and 3600"),
        "{e}"
    );
}

/// The base URL is parsed by the client's `BaseUrl`, and a bad one names where it came from.
#[test]
fn a_bad_base_url_names_its_source() {
    for url in [
        "ftp://x",
        "scim.x.com",
        "https://",
        "https://x/?a=b",
        "https://x/a b",
    ] {
        let mut env = base_env();
        env.retain(|(k, _)| *k != "AWS_ILM_BASE_URL");
        env.push(("AWS_ILM_BASE_URL", url));
        let e = Settings::build(&GlobalArgs::default(), &env_of(&env))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("AWS_ILM_BASE_URL: base_url"), "{url}: {e}");
    }
}

/// A setting's flag and variable are derived from its key: each derived flag must be one the
/// command line really has, and each variable the one docs/configuration.md lists.
#[test]
fn derived_flag_and_variable_names_are_the_real_ones() {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let longs: Vec<String> = cli
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let docs = include_str!("../../docs/configuration.md");
    let s = Settings::build(&GlobalArgs::default(), &env_of(&base_env())).unwrap();
    assert!(s.origins.len() >= 17, "{:?}", s.origins);
    for (name, _) in &s.origins {
        let key = Key(name);
        // The token and the day it was issued have no flag (docs/configuration.md).
        if !matches!(*name, "token" | "token_issued") {
            assert!(
                longs.contains(&key.flag()),
                "{name}: no flag {}",
                key.flag()
            );
        }
        assert!(
            docs.contains(&key.var()),
            "{name}: {} not documented",
            key.var()
        );
    }
}

/// Was: the settings found the console's tenant only in a lower-case `/scim/v2` suffix while the
/// client accepted any case, so `…/abc/SCIM/V2` without a tenant id was "missing tenant id".
/// Both now read the one parsed `BaseUrl`.
#[test]
fn a_console_url_in_any_case_supplies_the_tenant() {
    let env = env_of(&[
        ("AWS_ILM_BASE_URL", "HTTPS://Scim.X.com/abc/SCIM/V2/"),
        ("AWS_ILM_TOKEN", "t"),
    ]);
    let s = Settings::build(&GlobalArgs::default(), &env).unwrap();
    assert_eq!(
        (s.endpoint.base().as_str(), s.endpoint.tenant_id()),
        ("https://scim.x.com", "abc")
    );
}

/// The `[reconcile]` settings layer as every setting does: flag > variable > the instance's
/// `[instances.NAME.reconcile]` > the top-level `[reconcile]` > default; lists are arrays in the
/// file and comma-separated in variables; a given `protect` list replaces the default one.
#[test]
fn reconcile_settings_layer_like_every_setting() {
    use aws_ilm_reconcile::options::{DEFAULT_MAX_MEMBER_REMOVALS, DEFAULT_PROTECT};
    use aws_ilm_reconcile::{Absent, AbsentGroups};

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[reconcile]\nscope_users = [\"*@top.test\"]\nabsent = \"delete\"\nmax_disable = 7\n\
         max_delete = 1\n\
         [instances.prod.reconcile]\nscope_groups = [\"eng-*\"]\nmax_delete = 0\n",
    )
    .unwrap();
    let mut env = base_env();
    env.push(("AWS_ILM_PROTECT", "root@*, AWSControlTower*,"));
    env.push(("AWS_ILM_ABSENT", "disable"));
    let args = GlobalArgs {
        config: Some(cfg.clone()),
        instance: Some("prod".into()),
        ..Default::default()
    };
    let flags = ReconcileArgs {
        max_disable: Some(3),
        ..Default::default()
    };
    let s = Settings::build_with(&args, Some(&flags), &env_of(&env)).unwrap();
    let r = s.reconcile.clone().unwrap();
    assert_eq!(r.scope_users, ["*@top.test"], "top-level table");
    assert_eq!(r.scope_groups, ["eng-*"], "instance table");
    assert_eq!(r.protect, ["root@*", "AWSControlTower*"], "variable list");
    assert_eq!(r.absent, Absent::Disable, "variable beats file");
    assert_eq!(r.absent_groups, AbsentGroups::Ignore, "default");
    assert_eq!(r.max_disable, 3, "flag beats file");
    assert_eq!(r.max_delete, 0, "instance beats top level; 0 allowed");
    assert_eq!(r.max_member_removals, DEFAULT_MAX_MEMBER_REMOVALS);
    assert_eq!(
        source_of(&s, "scope_groups").to_string(),
        "config key `reconcile.scope_groups` of [instances.prod]"
    );
    let o = r.options(true, s.allow_enable);
    assert!(o.allow_mass_change && o.allow_enable);

    // Not asked for: not built, so their variables cannot break other commands.
    let plain = Settings::build(&args, &env_of(&env)).unwrap();
    assert!(plain.reconcile.is_none());
    // Nothing given: the default protect list.
    let d = Settings::build_with(
        &GlobalArgs::default(),
        Some(&ReconcileArgs::default()),
        &env_of(&base_env()),
    )
    .unwrap()
    .reconcile
    .unwrap();
    assert_eq!(d.protect, DEFAULT_PROTECT);
    assert!(d.scope_users.is_empty() && d.scope_groups.is_empty());
}

/// A bad reconcile value names its source and the values allowed; an unknown key of the
/// `[reconcile]` table is an error like any unknown key.
#[test]
fn bad_reconcile_values_name_their_source() {
    let mut env = base_env();
    env.push(("AWS_ILM_ABSENT", "purge"));
    let e = Settings::build_with(
        &GlobalArgs::default(),
        Some(&ReconcileArgs::default()),
        &env_of(&env),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("AWS_ILM_ABSENT") && e.contains("ignore, disable, delete"),
        "{e}"
    );
    let mut env = base_env();
    env.push(("AWS_ILM_MAX_DELETE", "-1"));
    let e = Settings::build_with(
        &GlobalArgs::default(),
        Some(&ReconcileArgs::default()),
        &env_of(&env),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("AWS_ILM_MAX_DELETE") && e.contains("whole number"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[reconcile]\nmax_deletes = 3\n").unwrap();
    let args = GlobalArgs {
        config: Some(cfg),
        ..Default::default()
    };
    let e = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("max_deletes"), "{e}");
}

/// The same for the `[reconcile]` keys: each derived flag is one `plan` has, each variable is
/// documented.
#[test]
fn reconcile_flag_and_variable_names_are_the_real_ones() {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let plan = cli
        .get_subcommands()
        .find(|c| c.get_name() == "plan")
        .unwrap();
    let longs: Vec<String> = plan
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let docs = include_str!("../../docs/configuration.md");
    for name in reconcile::KEYS {
        let key = Key(name);
        assert!(
            longs.contains(&key.flag()),
            "{name}: no flag {}",
            key.flag()
        );
        assert!(
            docs.contains(&key.var()),
            "{name}: {} not documented",
            key.var()
        );
    }
}

#[test]
fn token_issued_from_variable_or_file_per_instance() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "token_issued = 2025-01-02\n[instances.prod]\ntoken_issued = \"2025-06-30\"\n",
    )
    .unwrap();
    let issued = |args: &GlobalArgs, env: &[(&str, &str)]| {
        let s = Settings::build(args, &env_of(env)).unwrap();
        let origin = s
            .origins
            .iter()
            .find(|(k, _)| *k == "token_issued")
            .cloned();
        (s.token_issued.map(|d| d.to_string()), origin.map(|o| o.1))
    };
    assert_eq!(
        issued(&GlobalArgs::default(), &base_env()),
        (None, Some(Source::Default))
    );
    let file = GlobalArgs {
        config: Some(cfg.clone()),
        ..Default::default()
    };
    assert_eq!(issued(&file, &base_env()).0.as_deref(), Some("2025-01-02"));
    let prod = GlobalArgs {
        instance: Some("prod".into()),
        ..file.clone()
    };
    assert_eq!(issued(&prod, &base_env()).0.as_deref(), Some("2025-06-30"));
    let mut env = base_env();
    env.push(("AWS_ILM_TOKEN_ISSUED", "2025-12-24"));
    let (day, source) = issued(&prod, &env);
    assert_eq!(day.as_deref(), Some("2025-12-24"));
    assert_eq!(source.unwrap().to_string(), "AWS_ILM_TOKEN_ISSUED");
}

#[test]
fn a_bad_token_issued_is_a_config_error_naming_its_source() {
    let mut env = base_env();
    env.push(("AWS_ILM_TOKEN_ISSUED", "31/12/2025"));
    let e = Settings::build(&GlobalArgs::default(), &env_of(&env)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("AWS_ILM_TOKEN_ISSUED") && msg.contains("YYYY-MM-DD"),
        "{msg}"
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "token_issued = \"next week\"\n").unwrap();
    let args = GlobalArgs {
        config: Some(cfg),
        ..Default::default()
    };
    let msg = Settings::build(&args, &env_of(&base_env()))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("token_issued") && msg.contains("YYYY-MM-DD"),
        "{msg}"
    );
}

#[test]
fn the_instance_name_defaults_to_the_selected_instance() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "default_instance = \"lab\"\n[instances.lab]\n[instances.prod]\n\
         [instances.named]\ninstance_name = \"explicit\"\n",
    )
    .unwrap();
    let name = |instance: Option<&str>, env: &[(&str, &str)]| {
        let args = GlobalArgs {
            config: Some(cfg.clone()),
            instance: instance.map(str::to_owned),
            ..Default::default()
        };
        let s = Settings::build(&args, &env_of(env)).unwrap();
        let origin = s
            .origins
            .iter()
            .find(|(k, _)| *k == "instance_name")
            .cloned();
        (
            s.instance_name,
            origin.map(|o| o.1.to_string()).unwrap_or_default(),
        )
    };
    assert_eq!(
        name(Some("prod"), &base_env()),
        ("prod".into(), "--instance".into())
    );
    assert_eq!(
        name(None, &base_env()),
        ("lab".into(), "config key `default_instance`".into())
    );
    let mut env = base_env();
    env.push(("AWS_ILM_INSTANCE", "prod"));
    assert_eq!(name(None, &env).0, "prod");
    assert_eq!(
        name(Some("named"), &base_env()).0,
        "explicit",
        "the setting wins"
    );
    env.push(("AWS_ILM_INSTANCE_NAME", "var"));
    assert_eq!(name(Some("prod"), &env).0, "var");
    let s = Settings::build(&GlobalArgs::default(), &env_of(&base_env())).unwrap();
    assert_eq!(s.instance_name, "aws-ilm");
}

/// docs/audit.md, "Where it is": the XDG state folder, else the home's; an empty value (of the
/// variable too, unlike other settings) turns it off; no home at all is an error kept for the
/// commands that would write.
#[test]
fn the_audit_log_defaults_to_the_state_folder_and_empty_turns_it_off() {
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut env = base_env();
        env.extend_from_slice(extra);
        Settings::build(&GlobalArgs::default(), &env_of(&env))
            .unwrap()
            .audit_log
    };
    assert_eq!(
        with(&[("HOME", "/h")]).unwrap(),
        Some(PathBuf::from("/h/.local/state/aws-ilm/audit.jsonl"))
    );
    assert_eq!(
        with(&[("HOME", "/h"), ("XDG_STATE_HOME", "/s")]).unwrap(),
        Some(PathBuf::from("/s/aws-ilm/audit.jsonl"))
    );
    assert_eq!(
        with(&[("HOME", "/h"), ("AWS_ILM_AUDIT_LOG", "/a.jsonl")]).unwrap(),
        Some(PathBuf::from("/a.jsonl"))
    );
    assert_eq!(
        with(&[("HOME", "/h"), ("AWS_ILM_AUDIT_LOG", "")]).unwrap(),
        None
    );
    assert!(
        with(&[])
            .unwrap_err()
            .contains("no place for the audit log")
    );
}
