//! Flags + `AWS_ILM_*` variables + config file → one validated [`Settings`] (the "high" stage of
//! ripgrep's LowArgs → HiArgs), built once per run and handed to the core.
//!
//! Precedence (docs/configuration.md): flag > environment > config file (`[instances.NAME]`
//! over the file's top level) > built-in default, for every setting the same way ([`layer`]),
//! each setting's source recorded. The base URL becomes the client's [`Endpoint`] here, once.
//! The token is read from `--token-file`, then `AWS_ILM_TOKEN`, then `AWS_ILM_TOKEN_FILE`, then
//! `token_file` in the file; it is never a plain flag or config value. The environment is
//! passed in as a function so tests can build settings without touching the process
//! environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_ilm_client::config::{DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES};
use aws_ilm_client::{BaseUrl, Endpoint, EndpointError, SecretToken};
use aws_ilm_lifecycle::bounded::{self, Limit};

use crate::cli::{GlobalArgs, OutputFormat, ReconcileArgs};
use crate::config::{self, ConfigError, ConfigFile};
use crate::expiry::Day;

pub mod layer;
pub mod reconcile;

use layer::{Count, Key, Layers, Seconds, Setting, Source, Sourced};

/// Default per-request timeout. AWS answers in well under a second; 30 s leaves room for a slow
/// proxy without letting a script hang for minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The connection itself must be up in this time (or the request timeout, if shorter).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a lifecycle command needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL and tenant, parsed once; the client uses it as is.
    pub endpoint: Endpoint,
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
    /// `plan` and `apply`'s settings; built only for them ([`Settings::build_with`]).
    pub reconcile: Option<reconcile::Reconcile>,
    /// The day the token was generated, when known (docs/configuration.md, "Token expiry").
    pub token_issued: Option<Day>,
    /// The config file read, if any (`doctor` names it).
    pub config_file: Option<PathBuf>,
    /// The audit log; `None` when turned off (an empty value); `Err` when no setting names it
    /// and there is no home to put it in: a command stops on it when it opens the log, so a
    /// run that cannot be audited sends nothing.
    pub audit_log: Result<Option<PathBuf>, String>,
    /// Where each setting came from, by config key (`token` for the token), in the order of
    /// the fields above.
    pub origins: Vec<(&'static str, Source)>,
}

/// Why settings could not be built. Every one is a configuration failure (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    File(#[from] ConfigError),
    #[error(
        "missing {what}: give {} {metavar}, set {}, or set `{}` in the config file{file}",
        key.flag(), key.var(), key.0
    )]
    Missing {
        what: &'static str,
        key: Key,
        metavar: &'static str,
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
    Invalid { source_: Source, reason: String },
}

/// The process environment, as [`Settings::build`] reads it.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

impl Settings {
    /// Builds the settings from parsed flags and the environment: every setting through
    /// [`Layers`], the endpoint and the token by their own rules (below).
    pub fn build(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        Settings::build_with(args, None, env)
    }

    /// [`Settings::build`], and with `reconcile` flags (`plan`, `apply`) the reconcile settings
    /// too, through the same layers.
    pub fn build_with(
        args: &GlobalArgs,
        reconcile: Option<&ReconcileArgs>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        let raw_env = env;
        // Empty variables count as unset, as in most shells' `VAR= cmd` idiom.
        let env = |k: &str| env(k).filter(|v| !v.is_empty());

        let file = load_file(args, &env)?;
        let instance = args.instance.clone().or_else(|| env("AWS_ILM_INSTANCE"));
        let selected = match (&file, instance) {
            (Some(f), instance) => Some(f.select(instance.as_deref())?),
            (None, Some(name)) => {
                let path = explicit_or_default_path(args, &env)
                    .unwrap_or_else(|| PathBuf::from("config.toml"));
                return Err(ConfigError::NoFileForInstance { name, path }.into());
            }
            (None, None) => None,
        };
        let file_hint = match &file {
            Some(f) => format!(" ({})", f.path.display()),
            None => String::new(),
        };
        let instance_name = instance_name_default(&args.instance, &env, selected.as_ref());
        let config_file = file.as_ref().map(|f| f.path.clone());
        let mut l = Layers::new(&env, selected);
        let endpoint = endpoint(&mut l, args, &file_hint)?;
        let (token, token_file) = token(&mut l, args, &file_hint)?;
        // The setting `$name`: flag field, config key and variable all of that name; without
        // a default, `None` when no source sets it.
        macro_rules! layered {
            ($name:ident) => {
                l.optional(Key(stringify!($name)), args.$name.clone(), |f| {
                    f.$name.clone()
                })
            };
            ($name:ident, $default:expr) => {
                l.get(
                    Key(stringify!($name)),
                    args.$name.clone(),
                    |f| f.$name.clone(),
                    $default,
                )
            };
        }
        Ok(Settings {
            endpoint,
            token,
            allow_create: layered!(allow_create, true)?,
            allow_update: layered!(allow_update, true)?,
            allow_enable: layered!(allow_enable, true)?,
            allow_disable: layered!(allow_disable, true)?,
            create_if_not_exists: layered!(create_if_not_exists, true)?,
            mapper_in: layered!(mapper_in)?,
            mapper_out: layered!(mapper_out)?,
            insecure: layered!(insecure, false)?,
            proxy: layered!(proxy, false)?,
            instance_name: match layered!(instance_name)? {
                Some(name) => name,
                None => l.replace_default("instance_name", instance_name),
            },
            timeout: Duration::from_secs_f64(
                layered!(timeout, Seconds(DEFAULT_TIMEOUT.as_secs_f64()))?.0,
            ),
            // Not a config key: the output format is the caller's choice, not the instance's.
            output: l.get(
                Key("output"),
                args.output,
                |_| None,
                OutputFormat::default(),
            )?,
            token_file,
            max_response_bytes: layered!(max_response_bytes, Count(DEFAULT_MAX_RESPONSE_BYTES))?.0,
            max_pages: layered!(max_pages, Count(DEFAULT_MAX_PAGES as u64))?.0,
            reconcile: match reconcile {
                Some(args) => Some(reconcile::build(&mut l, args)?),
                None => None,
            },
            // No flag: the day belongs to the token, which is never a flag either.
            token_issued: l.optional(Key("token_issued"), None, |f| f.token_issued)?,
            config_file,
            audit_log: audit_log(&mut l, args, raw_env)?.ok_or_else(|| NO_AUDIT_HOME.to_owned()),
            origins: l.into_origins(),
        })
    }

    /// The connect timeout: [`CONNECT_TIMEOUT`], or the request timeout if that is shorter.
    pub fn connect_timeout(&self) -> Duration {
        CONNECT_TIMEOUT.min(self.timeout)
    }
}

/// Only the audit log's location, for `aws-ilm audit`, which needs no directory settings.
pub fn audit_log_only(
    args: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<PathBuf>, SettingsError> {
    let raw_env = env;
    let env = |k: &str| env(k).filter(|v| !v.is_empty());
    let file = load_file(args, &env)?;
    let instance = args.instance.clone().or_else(|| env("AWS_ILM_INSTANCE"));
    let selected = match &file {
        Some(f) => Some(f.select(instance.as_deref())?),
        None => None,
    };
    let mut l = Layers::new(&env, selected);
    audit_log(&mut l, args, raw_env)?.ok_or_else(|| SettingsError::Invalid {
        source_: Source::Default,
        reason: NO_AUDIT_HOME.into(),
    })
}

/// Only the output format, for commands that run without (or despite) the other settings
/// (`aws-ilm audit`, `aws-ilm doctor` when they cannot be read): the flag, else a valid
/// `AWS_ILM_OUTPUT`, else the default.
pub fn output_only(args: &GlobalArgs, env: &dyn Fn(&str) -> Option<String>) -> OutputFormat {
    args.output.unwrap_or_else(|| {
        env(&Key("output").var())
            .and_then(|v| OutputFormat::parse(&v).ok())
            .unwrap_or_default()
    })
}

const NO_AUDIT_HOME: &str = "no place for the audit log: neither XDG_STATE_HOME nor HOME is \
                             set; set audit_log (an empty value turns it off)";

/// The audit log (docs/audit.md): `--audit-log`, `AWS_ILM_AUDIT_LOG`, `audit_log`, else the
/// XDG state folder. Unlike other settings an empty value means something here, "off", so the
/// variable is read unfiltered. `Ok(None)`: no default place (no home).
fn audit_log(
    l: &mut Layers,
    args: &GlobalArgs,
    raw_env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Option<PathBuf>>, SettingsError> {
    let key = Key("audit_log");
    let path = if args.audit_log.is_none() && raw_env(&key.var()).is_some_and(|v| v.is_empty()) {
        l.record(key.0, Source::Variable(key));
        PathBuf::new()
    } else if let Some(found) = l.find(key, args.audit_log.clone(), |f| f.audit_log.clone())? {
        l.record(key.0, found.source);
        found.value
    } else {
        let default = config::default_audit_path(
            l.var("XDG_STATE_HOME").as_deref(),
            l.var("HOME").as_deref(),
        );
        l.record(key.0, Source::Default);
        let Some(p) = default else {
            return Ok(None);
        };
        p
    };
    Ok(Some(Some(path).filter(|p| !p.as_os_str().is_empty())))
}

/// The base URL, and the tenant from its own setting or else from a console-style base URL
/// (`https://host/<tenant>/scim/v2`, as the AWS console shows it); when both name one, they
/// must agree. Each error names the source of the value at fault.
fn endpoint(l: &mut Layers, args: &GlobalArgs, file: &str) -> Result<Endpoint, SettingsError> {
    let missing = |what, key, metavar| SettingsError::Missing {
        what,
        key,
        metavar,
        file: file.to_owned(),
    };
    let invalid = |source: &Source, e: &dyn std::fmt::Display| SettingsError::Invalid {
        source_: source.clone(),
        reason: e.to_string(),
    };
    let base = l
        .find(Key("base_url"), args.base_url.clone(), |f| {
            f.base_url.clone()
        })?
        .ok_or_else(|| missing("base URL", Key("base_url"), "URL"))?;
    let url: BaseUrl = base.value.parse().map_err(|e| invalid(&base.source, &e))?;
    let tenant = match l.find(Key("tenant_id"), args.tenant_id.clone(), |f| {
        f.tenant_id.clone()
    })? {
        Some(t) => t,
        None => Sourced {
            value: url
                .tenant()
                .ok_or_else(|| missing("tenant id", Key("tenant_id"), "ID"))?
                .to_owned(),
            source: Source::BaseUrl,
        },
    };
    let endpoint = Endpoint::new(url, &tenant.value).map_err(|e| match e {
        EndpointError::Tenant(_) | EndpointError::TenantMismatch { .. } => {
            invalid(&tenant.source, &e)
        }
        _ => invalid(&base.source, &e),
    })?;
    l.record("base_url", base.source);
    l.record("tenant_id", tenant.source);
    Ok(endpoint)
}

/// The instance name shown in outputs when no source sets `instance_name`: the selected
/// instance's name (`--instance`, `AWS_ILM_INSTANCE` or the file's `default_instance`), which
/// tells a reader of many instances' results which one spoke; else `aws-ilm`.
fn instance_name_default(
    flag: &Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    selected: Option<&config::Selected<'_>>,
) -> Sourced<String> {
    let trimmed = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(name) = flag.as_deref().and_then(trimmed) {
        return Sourced {
            value: name,
            source: Source::Flag(Key("instance")),
        };
    }
    if let Some(name) = env("AWS_ILM_INSTANCE").as_deref().and_then(trimmed) {
        return Sourced {
            value: name,
            source: Source::Variable(Key("instance")),
        };
    }
    match selected.and_then(|s| s.instance_name()) {
        Some(name) => Sourced {
            value: name.to_owned(),
            source: Source::File {
                key: Key("default_instance"),
                instance: None,
            },
        },
        None => Sourced {
            value: "aws-ilm".to_owned(),
            source: Source::Default,
        },
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

/// The token, and the file it was read from (none for `AWS_ILM_TOKEN`). Its sources are not
/// one setting's three names, so it has its own order: `--token-file`, `AWS_ILM_TOKEN`,
/// `AWS_ILM_TOKEN_FILE`, `token_file` in the config file (docs/configuration.md, "The token").
fn token(
    l: &mut Layers,
    args: &GlobalArgs,
    file_hint: &str,
) -> Result<(SecretToken, Option<PathBuf>), SettingsError> {
    let inline = l
        .var("AWS_ILM_TOKEN")
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let (path, source) = if let Some(path) = &args.token_file {
        (path.clone(), Source::Flag(Key("token_file")))
    } else if let Some(token) = inline {
        l.record("token", Source::Variable(Key("token")));
        return Ok((SecretToken::new(token), None));
    } else if let Some(path) = l.var("AWS_ILM_TOKEN_FILE") {
        (PathBuf::from(path), Source::Variable(Key("token_file")))
    } else if let Some((path, instance)) = l.file().and_then(|f| f.get(|v| v.token_file.clone())) {
        let instance = instance.map(str::to_owned);
        let key = Key("token_file");
        (path, Source::File { key, instance })
    } else {
        return Err(SettingsError::MissingToken {
            file: file_hint.to_owned(),
        });
    };
    let token = read_token_file(&path)?;
    l.record("token", source);
    Ok((token, Some(path)))
}

/// The largest token file read (64 KiB): AWS SCIM tokens are about 1 KB, and a token file
/// pointing at a huge file (or `/dev/zero`) must stop at once rather than fill memory.
pub const TOKEN_FILE_LIMIT: Limit = Limit {
    bytes: 64 << 10,
    what: "a token file",
};

/// The token file holds the token alone; surrounding whitespace (a trailing newline from `echo`)
/// is not part of it. The errors never hold any of its content.
fn read_token_file(path: &Path) -> Result<SecretToken, SettingsError> {
    let text =
        bounded::read_file(path, TOKEN_FILE_LIMIT).map_err(|e| SettingsError::TokenFile {
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

#[cfg(test)]
mod tests;
