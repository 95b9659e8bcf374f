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
use aws_ilm_client::config::{DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES};

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
    /// The file the token was read from, if it came from one (for the permissions warning).
    pub token_file: Option<PathBuf>,
    /// Response bodies longer than this are not read (docs/client.md).
    pub max_response_bytes: u64,
    /// List calls stop with an error after this many pages (docs/client.md).
    pub max_pages: u64,
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

        let (token, token_file) = load_token(args, &env, &fv, &file_hint)?;
        let max_response_bytes = pick_count(
            args.max_response_bytes,
            &env,
            "AWS_ILM_MAX_RESPONSE_BYTES",
            fv.max_response_bytes,
            "max_response_bytes",
            DEFAULT_MAX_RESPONSE_BYTES,
        )?;
        let max_pages = pick_count(
            args.max_pages,
            &env,
            "AWS_ILM_MAX_PAGES",
            fv.max_pages,
            "max_pages",
            DEFAULT_MAX_PAGES as u64,
        )?;

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
            None => match env("AWS_ILM_OUTPUT") {
                None => OutputFormat::default(),
                // The flag's own values, so the two cannot disagree.
                Some(v) => <OutputFormat as clap::ValueEnum>::from_str(&v, true).map_err(|_| {
                    SettingsError::Invalid {
                        source_: "AWS_ILM_OUTPUT".into(),
                        reason: format!("expected one of {}", OutputFormat::names().join(", ")),
                    }
                })?,
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
            token_file,
            max_response_bytes,
            max_pages,
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

/// A count of at least 1: flag (clap has checked it), variable, file, default.
fn pick_count(
    flag: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    file: Option<u64>,
    key: &str,
    default: u64,
) -> Result<u64, SettingsError> {
    if let Some(v) = flag {
        return Ok(v);
    }
    let (value, source) = match env(var) {
        Some(v) => (
            v.trim()
                .parse::<u64>()
                .map_err(|_| SettingsError::Invalid {
                    source_: var.to_string(),
                    reason: format!("expected a whole number, got '{v}'"),
                })?,
            var.to_string(),
        ),
        None => match file {
            Some(v) => (v, format!("config key `{key}`")),
            None => return Ok(default),
        },
    };
    if value == 0 {
        return Err(SettingsError::Invalid {
            source_: source,
            reason: "must be at least 1".into(),
        });
    }
    Ok(value)
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

/// The token, and the file it was read from (none for `AWS_ILM_TOKEN`).
fn load_token(
    args: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
    fv: &FileValues,
    file_hint: &str,
) -> Result<(SecretToken, Option<PathBuf>), SettingsError> {
    let from_file = |path: &Path| Ok((read_token_file(path)?, Some(path.to_path_buf())));
    if let Some(path) = &args.token_file {
        return from_file(path);
    }
    if let Some(token) = env("AWS_ILM_TOKEN") {
        let token = token.trim().to_string();
        if !token.is_empty() {
            return Ok((SecretToken::new(token), None));
        }
    }
    if let Some(path) = env("AWS_ILM_TOKEN_FILE") {
        return from_file(Path::new(&path));
    }
    if let Some(path) = &fv.token_file {
        return from_file(path);
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
mod tests;
