//! Flags + `AWS_ILM_*` variables + config file → one validated [`Settings`] (the "high" stage of
//! ripgrep's LowArgs → HiArgs), built once per run and handed to the core.
//!
//! Precedence (PRODUCT.md §2): flag > environment > config file (`[instances.NAME]` over the
//! file's top level) > built-in default. The token is read from `--token-file`, then
//! `AWS_ILM_TOKEN`, then `AWS_ILM_TOKEN_FILE`, then `token_file` in the file; it is never a
//! plain flag or config value. The environment is passed in as a function so tests can build
//! settings without touching the process environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_ilm_client::SecretToken;

use crate::cli::{GlobalArgs, OutputFormat, parse_bool};
use crate::config::{self, ConfigError, ConfigFile, FileValues};

/// Default per-request timeout. AWS answers in well under a second; 30 s leaves room for a slow
/// proxy without letting a script hang for minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The connection itself must be up in this time (or the request timeout, if shorter).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a lifecycle command needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http(s)://host[:port][/path]`, without a trailing `/`.
    pub base_url: String,
    pub tenant_id: String,
    pub token: SecretToken,
    pub allow_create: bool,
    pub allow_update: bool,
    pub allow_enable: bool,
    pub allow_disable: bool,
    pub create_if_not_exists: bool,
    pub mapper_in: Option<PathBuf>,
    pub mapper_out: Option<PathBuf>,
    pub insecure: bool,
    pub proxy: bool,
    pub instance_name: String,
    pub timeout: Duration,
    pub output: OutputFormat,
}

/// Why settings could not be built. Every one is a configuration failure (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    File(#[from] ConfigError),
    #[error("missing {what}: give {flag}, set {var}, or set `{key}` in the config file{file}")]
    Missing {
        what: &'static str,
        flag: &'static str,
        var: &'static str,
        key: &'static str,
        file: String,
    },
    #[error(
        "missing token: set AWS_ILM_TOKEN, give --token-file PATH, or set `token_file` in the \
         config file{file}"
    )]
    MissingToken { file: String },
    #[error("cannot read the token file {path}: {reason}")]
    TokenFile { path: PathBuf, reason: String },
    #[error("the token file {path} is empty")]
    EmptyToken { path: PathBuf },
    #[error("{source_}: {reason}")]
    Invalid { source_: String, reason: String },
}

/// The process environment, as [`Settings::build`] reads it.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// One setting's value as found, with where it came from (for error messages).
struct Found<T> {
    value: T,
    source: String,
}

impl Settings {
    /// Builds the settings from parsed flags and the environment.
    pub fn build(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        // Empty variables count as unset, as in most shells' `VAR= cmd` idiom.
        let env = |k: &str| env(k).filter(|v| !v.is_empty());

        let file = load_file(args, &env)?;
        let instance = args.instance.clone().or_else(|| env("AWS_ILM_INSTANCE"));
        let fv = match &file {
            Some(f) => f.select(instance.as_deref())?,
            None => match instance {
                Some(name) => {
                    let path = explicit_or_default_path(args, &env)
                        .unwrap_or_else(|| PathBuf::from("config.toml"));
                    return Err(ConfigError::NoFileForInstance { name, path }.into());
                }
                None => FileValues::default(),
            },
        };
        let file_hint = match &file {
            Some(f) => format!(" ({})", f.path.display()),
            None => String::new(),
        };

        let base_url = pick_string(
            &args.base_url,
            "--base-url",
            &env,
            "AWS_ILM_BASE_URL",
            &fv.base_url,
            "base_url",
        )
        .ok_or_else(|| SettingsError::Missing {
            what: "base URL",
            flag: "--base-url URL",
            var: "AWS_ILM_BASE_URL",
            key: "base_url",
            file: file_hint.clone(),
        })?;
        let (base_url, url_tenant) =
            validate_url(&base_url.value).map_err(|reason| SettingsError::Invalid {
                source_: base_url.source.clone(),
                reason,
            })?;
        let tenant = pick_string(
            &args.tenant_id,
            "--tenant-id",
            &env,
            "AWS_ILM_TENANT_ID",
            &fv.tenant_id,
            "tenant_id",
        );
        let tenant = match (tenant, url_tenant) {
            (Some(t), Some(u)) if t.value != u => {
                return Err(SettingsError::Invalid {
                    source_: t.source,
                    reason: format!(
                        "tenant id '{}' differs from the tenant '{u}' in the base URL",
                        t.value
                    ),
                });
            }
            (Some(t), _) => Some(t),
            (None, Some(u)) => Some(Found {
                value: u,
                source: "the base URL".into(),
            }),
            (None, None) => None,
        };
        let tenant = tenant.ok_or_else(|| SettingsError::Missing {
            what: "tenant id",
            flag: "--tenant-id ID",
            var: "AWS_ILM_TENANT_ID",
            key: "tenant_id",
            file: file_hint.clone(),
        })?;
        validate_tenant(&tenant.value).map_err(|reason| SettingsError::Invalid {
            source_: tenant.source,
            reason,
        })?;

        let token = load_token(args, &env, &fv, &file_hint)?;

        let flag = |v: Option<bool>, name: &str, var: &str, fv: Option<bool>, default: bool| {
            pick_bool(v, name, &env, var, fv, default)
        };
        let timeout = match args.timeout {
            Some(s) => s,
            None => match env("AWS_ILM_TIMEOUT") {
                Some(v) => {
                    crate::cli::parse_seconds(&v).map_err(|reason| SettingsError::Invalid {
                        source_: "AWS_ILM_TIMEOUT".into(),
                        reason,
                    })?
                }
                None => match fv.timeout {
                    Some(t) => crate::cli::parse_seconds(&t.to_string()).map_err(|reason| {
                        SettingsError::Invalid {
                            source_: "config key `timeout`".into(),
                            reason,
                        }
                    })?,
                    None => DEFAULT_TIMEOUT.as_secs_f64(),
                },
            },
        };
        let output = match args.output {
            Some(o) => o,
            None => match env("AWS_ILM_OUTPUT")
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                None | Some("human") => OutputFormat::Human,
                Some("json") => OutputFormat::Json,
                Some(_) => {
                    return Err(SettingsError::Invalid {
                        source_: "AWS_ILM_OUTPUT".into(),
                        reason: "expected human or json".into(),
                    });
                }
            },
        };

        Ok(Settings {
            base_url,
            tenant_id: tenant.value,
            token,
            allow_create: flag(
                args.allow_create,
                "--allow-create",
                "AWS_ILM_ALLOW_CREATE",
                fv.allow_create,
                true,
            )?,
            allow_update: flag(
                args.allow_update,
                "--allow-update",
                "AWS_ILM_ALLOW_UPDATE",
                fv.allow_update,
                true,
            )?,
            allow_enable: flag(
                args.allow_enable,
                "--allow-enable",
                "AWS_ILM_ALLOW_ENABLE",
                fv.allow_enable,
                true,
            )?,
            allow_disable: flag(
                args.allow_disable,
                "--allow-disable",
                "AWS_ILM_ALLOW_DISABLE",
                fv.allow_disable,
                true,
            )?,
            create_if_not_exists: flag(
                args.create_if_not_exists,
                "--create-if-not-exists",
                "AWS_ILM_CREATE_IF_NOT_EXISTS",
                fv.create_if_not_exists,
                true,
            )?,
            mapper_in: pick_path(&args.mapper_in, &env, "AWS_ILM_MAPPER_IN", &fv.mapper_in),
            mapper_out: pick_path(&args.mapper_out, &env, "AWS_ILM_MAPPER_OUT", &fv.mapper_out),
            insecure: flag(
                args.insecure,
                "--insecure",
                "AWS_ILM_INSECURE",
                fv.insecure,
                false,
            )?,
            proxy: flag(args.proxy, "--proxy", "AWS_ILM_PROXY", fv.proxy, false)?,
            instance_name: pick_string(
                &args.instance_name,
                "--instance-name",
                &env,
                "AWS_ILM_INSTANCE_NAME",
                &fv.instance_name,
                "instance_name",
            )
            .map(|f| f.value)
            .unwrap_or_else(|| "aws-ilm".to_string()),
            timeout: Duration::from_secs_f64(timeout),
            output,
        })
    }

    /// The connect timeout: [`CONNECT_TIMEOUT`], or the request timeout if that is shorter.
    pub fn connect_timeout(&self) -> Duration {
        CONNECT_TIMEOUT.min(self.timeout)
    }
}

fn explicit_or_default_path(
    args: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    args.config
        .clone()
        .or_else(|| env("AWS_ILM_CONFIG").map(PathBuf::from))
        .or_else(|| config::default_path(env("XDG_CONFIG_HOME").as_deref(), env("HOME").as_deref()))
}

/// `--config` or `AWS_ILM_CONFIG` must exist; the default location is optional.
fn load_file(
    args: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ConfigFile>, ConfigError> {
    let home = env("HOME").map(PathBuf::from);
    let explicit = args
        .config
        .clone()
        .or_else(|| env("AWS_ILM_CONFIG").map(PathBuf::from));
    if let Some(path) = explicit {
        return ConfigFile::load(&path, home.as_deref()).map(Some);
    }
    match config::default_path(env("XDG_CONFIG_HOME").as_deref(), env("HOME").as_deref()) {
        Some(path) if path.is_file() => ConfigFile::load(&path, home.as_deref()).map(Some),
        _ => Ok(None),
    }
}

fn pick_string(
    flag: &Option<String>,
    flag_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: &Option<String>,
    key: &str,
) -> Option<Found<String>> {
    if let Some(v) = flag {
        return Some(Found {
            value: v.trim().to_string(),
            source: flag_name.to_string(),
        });
    }
    if let Some(v) = env(var) {
        return Some(Found {
            value: v.trim().to_string(),
            source: var.to_string(),
        });
    }
    file.as_ref().map(|v| Found {
        value: v.trim().to_string(),
        source: format!("config key `{key}`"),
    })
}

fn pick_bool(
    flag: Option<bool>,
    _flag_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: Option<bool>,
    default: bool,
) -> Result<bool, SettingsError> {
    if let Some(v) = flag {
        return Ok(v);
    }
    if let Some(v) = env(var) {
        return parse_bool(&v).map_err(|reason| SettingsError::Invalid {
            source_: var.to_string(),
            reason: format!("{reason}, got '{v}'"),
        });
    }
    Ok(file.unwrap_or(default))
}

fn pick_path(
    flag: &Option<PathBuf>,
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: &Option<PathBuf>,
) -> Option<PathBuf> {
    flag.clone()
        .or_else(|| env(var).map(PathBuf::from))
        .or_else(|| file.clone())
}

fn load_token(
    args: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
    fv: &FileValues,
    file_hint: &str,
) -> Result<SecretToken, SettingsError> {
    if let Some(path) = &args.token_file {
        return read_token_file(path);
    }
    if let Some(token) = env("AWS_ILM_TOKEN") {
        let token = token.trim().to_string();
        if !token.is_empty() {
            return Ok(SecretToken::new(token));
        }
    }
    if let Some(path) = env("AWS_ILM_TOKEN_FILE") {
        return read_token_file(Path::new(&path));
    }
    if let Some(path) = &fv.token_file {
        return read_token_file(path);
    }
    Err(SettingsError::MissingToken {
        file: file_hint.to_string(),
    })
}

/// The token file holds the token alone; surrounding whitespace (a trailing newline from `echo`)
/// is not part of it.
fn read_token_file(path: &Path) -> Result<SecretToken, SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|e| SettingsError::TokenFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(SettingsError::EmptyToken {
            path: path.to_path_buf(),
        });
    }
    Ok(SecretToken::new(token.to_string()))
}

/// `http(s)://host[:port][/path]` with a host and nothing after the path, without a trailing
/// `/`. The AWS console shows the full "SCIM endpoint" (`https://host/<tenant>/scim/v2`): that
/// form is accepted too, and its tenant is returned so the caller can use it when no tenant id
/// was given (or check that it agrees with the one that was).
pub fn validate_url(url: &str) -> Result<(String, Option<String>), String> {
    let url = url.trim().trim_end_matches('/');
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        r
    } else {
        return Err(format!("'{url}' is not an http:// or https:// URL"));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("'{url}' has no host"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c == '?' || c == '#')
    {
        return Err(format!(
            "'{url}' must not contain spaces, a query or a fragment"
        ));
    }
    if let Some(prefix) = url.strip_suffix("/scim/v2")
        && let Some((root, tenant)) = prefix.rsplit_once('/')
        && root.len() > "https://".len()
        && !tenant.is_empty()
    {
        return Ok((root.to_string(), Some(tenant.to_string())));
    }
    Ok((url.to_string(), None))
}

fn validate_tenant(tenant: &str) -> Result<(), String> {
    if tenant.is_empty() {
        return Err("the tenant id is empty".into());
    }
    if tenant
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
    {
        return Err(format!(
            "'{tenant}' is not a tenant id (letters, digits, '-', '_', '.')"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
}
