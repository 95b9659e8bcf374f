//! The TOML config file: where it is, what it may hold, and which table applies.
//!
//! Layout (documented in `docs/configuration.md`): top-level keys are the defaults of every
//! instance; `[instances.NAME]` tables override them for `--instance NAME`; an optional
//! `default_instance = "NAME"` picks one when no instance is named. Every key has the name of
//! its flag with `_` for `-`. A `token` key is refused: the token lives in a file of its own
//! (`token_file`) or in `AWS_ILM_TOKEN`, so that a config file can be shared or committed.
//! Unknown keys are errors — a typo such as `allow_disabel = false` must not silently leave a
//! production switch on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use aws_ilm_lifecycle::bounded::{self, Limit};
use aws_ilm_reconcile::{Absent, AbsentGroups};

use crate::expiry::Day;
use crate::settings::layer::{Count, Globs, Seconds};

/// The largest config file read (1 MiB): one with a hundred instances is tens of KB, and
/// `--config /dev/zero` must stop at once rather than fill memory.
pub const CONFIG_FILE_LIMIT: Limit = Limit {
    bytes: 1 << 20,
    what: "a config file",
};

/// The values one table of the file may set (the top level, or `[instances.NAME]`).
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileValues {
    pub base_url: Option<String>,
    pub tenant_id: Option<String>,
    pub token_file: Option<PathBuf>,
    pub allow_create: Option<bool>,
    pub allow_update: Option<bool>,
    pub allow_enable: Option<bool>,
    pub allow_disable: Option<bool>,
    pub create_if_not_exists: Option<bool>,
    pub mapper_in: Option<PathBuf>,
    pub mapper_out: Option<PathBuf>,
    pub insecure: Option<bool>,
    pub proxy: Option<bool>,
    pub instance_name: Option<String>,
    pub timeout: Option<Seconds>,
    pub max_response_bytes: Option<Count>,
    pub max_pages: Option<Count>,
    pub token_issued: Option<Day>,
    pub audit_log: Option<PathBuf>,
    /// The `[reconcile]` table: `plan` and `apply`'s scope, protection and limits
    /// (docs/reconcile.md); per instance as `[instances.NAME.reconcile]`.
    pub reconcile: Option<ReconcileValues>,
}

/// The keys of a `[reconcile]` table, each named as its flag (docs/configuration.md).
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReconcileValues {
    pub scope_users: Option<Globs>,
    pub scope_groups: Option<Globs>,
    pub protect: Option<Globs>,
    pub absent: Option<Absent>,
    pub absent_groups: Option<AbsentGroups>,
    pub max_disable: Option<usize>,
    pub max_delete: Option<usize>,
    pub max_member_removals: Option<usize>,
}

impl FileValues {
    /// Paths in a config file are relative to the file's folder (so a config and its token file
    /// can move together); `~/` means the home folder.
    fn resolve_paths(mut self, base: &Path, home: Option<&Path>) -> FileValues {
        let fix = |p: PathBuf| -> PathBuf {
            if let (Ok(rest), Some(home)) = (p.strip_prefix("~"), home) {
                home.join(rest)
            } else if p.is_relative() {
                base.join(p)
            } else {
                p
            }
        };
        self.token_file = self.token_file.map(fix);
        self.mapper_in = self.mapper_in.map(fix);
        self.mapper_out = self.mapper_out.map(fix);
        // An empty value turns the audit log off; it is not a path to resolve.
        self.audit_log = self
            .audit_log
            .map(|p| if p.as_os_str().is_empty() { p } else { fix(p) });
        self
    }
}

/// A parsed config file: the defaults table and the named instances.
#[derive(Debug, Default, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub defaults: FileValues,
    pub default_instance: Option<String>,
    pub instances: BTreeMap<String, FileValues>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("config file {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(
        "config file {path}: `token` is not accepted in {table}; put the token in a file of its \
         own (readable only by you) and set `token_file = \"/path/to/token\"`, or set AWS_ILM_TOKEN"
    )]
    TokenInFile { path: PathBuf, table: String },
    #[error("instance `{name}` is not in config file {path} (known: {known})")]
    UnknownInstance {
        name: String,
        path: PathBuf,
        known: String,
    },
    #[error("--instance {name} was given but there is no config file ({path} does not exist)")]
    NoFileForInstance { name: String, path: PathBuf },
}

/// Where the config file is looked for when neither `--config` nor `AWS_ILM_CONFIG` names one:
/// `$XDG_CONFIG_HOME/aws-ilm/config.toml`, else `$HOME/.config/aws-ilm/config.toml`.
pub fn default_path(xdg_config_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    match (xdg_config_home, home) {
        (Some(x), _) if !x.is_empty() => Some(Path::new(x).join("aws-ilm").join("config.toml")),
        (_, Some(h)) if !h.is_empty() => Some(
            Path::new(h)
                .join(".config")
                .join("aws-ilm")
                .join("config.toml"),
        ),
        _ => None,
    }
}

/// Where the audit log goes when no setting names it (docs/audit.md):
/// `$XDG_STATE_HOME/aws-ilm/audit.jsonl`, else `$HOME/.local/state/aws-ilm/audit.jsonl`.
pub fn default_audit_path(xdg_state_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    match (xdg_state_home, home) {
        (Some(x), _) if !x.is_empty() => Some(Path::new(x).join("aws-ilm").join("audit.jsonl")),
        (_, Some(h)) if !h.is_empty() => Some(
            Path::new(h)
                .join(".local")
                .join("state")
                .join("aws-ilm")
                .join("audit.jsonl"),
        ),
        _ => None,
    }
}

impl ConfigFile {
    /// Reads (at most [`CONFIG_FILE_LIMIT`]) and parses the file at `path`.
    pub fn load(path: &Path, home: Option<&Path>) -> Result<ConfigFile, ConfigError> {
        let text = bounded::read_file(path, CONFIG_FILE_LIMIT).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path, home)
    }

    /// Parses `text` as the content of the file at `path`.
    pub fn parse(text: &str, path: &Path, home: Option<&Path>) -> Result<ConfigFile, ConfigError> {
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| invalid(one_line(&e)))?;
        let base = path.parent().unwrap_or(Path::new("."));

        let default_instance = match table.remove("default_instance") {
            None => None,
            Some(toml::Value::String(s)) => Some(s),
            Some(_) => return Err(invalid("`default_instance` must be a string".into())),
        };
        let instances_value = table.remove("instances");
        let defaults = values_of(table, "the top level", path)?.resolve_paths(base, home);

        let mut instances = BTreeMap::new();
        match instances_value {
            None => {}
            Some(toml::Value::Table(named)) => {
                for (name, value) in named {
                    let toml::Value::Table(t) = value else {
                        return Err(invalid(format!("`instances.{name}` must be a table")));
                    };
                    let where_ = format!("[instances.{name}]");
                    let v = values_of(t, &where_, path)?.resolve_paths(base, home);
                    instances.insert(name, v);
                }
            }
            Some(_) => return Err(invalid("`instances` must be a table of tables".into())),
        }
        if let Some(name) = &default_instance
            && !instances.contains_key(name)
        {
            return Err(ConfigError::UnknownInstance {
                name: name.clone(),
                path: path.to_path_buf(),
                known: known(&instances),
            });
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            defaults,
            default_instance,
            instances,
        })
    }

    /// The tables for `instance` (or the file's `default_instance`, or the top level alone).
    pub fn select(&self, instance: Option<&str>) -> Result<Selected<'_>, ConfigError> {
        let Some(name) = instance.or(self.default_instance.as_deref()) else {
            return Ok(Selected {
                top: &self.defaults,
                instance: None,
            });
        };
        match self.instances.get_key_value(name) {
            Some((name, values)) => Ok(Selected {
                top: &self.defaults,
                instance: Some((name, values)),
            }),
            None => Err(ConfigError::UnknownInstance {
                name: name.to_string(),
                path: self.path.clone(),
                known: known(&self.instances),
            }),
        }
    }
}

/// The tables of the file that apply to a run: a named instance's over the top level.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    top: &'a FileValues,
    instance: Option<(&'a str, &'a FileValues)>,
}

impl<'a> Selected<'a> {
    /// The name of the selected `[instances.NAME]`, if one is.
    pub fn instance_name(&self) -> Option<&'a str> {
        self.instance.map(|(name, _)| name)
    }

    /// The value `get` reads from the instance's table, else from the top level, with the name
    /// of the instance when it came from there.
    pub fn get<T>(&self, get: impl Fn(&FileValues) -> Option<T>) -> Option<(T, Option<&'a str>)> {
        if let Some((name, values)) = self.instance
            && let Some(v) = get(values)
        {
            return Some((v, Some(name)));
        }
        get(self.top).map(|v| (v, None))
    }
}

fn known(instances: &BTreeMap<String, FileValues>) -> String {
    if instances.is_empty() {
        "none".to_string()
    } else {
        instances.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

fn values_of(table: toml::Table, where_: &str, path: &Path) -> Result<FileValues, ConfigError> {
    if table.contains_key("token") {
        return Err(ConfigError::TokenInFile {
            path: path.to_path_buf(),
            table: where_.into(),
        });
    }
    FileValues::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        reason: format!("in {where_}: {}", one_line(&e)),
    })
}

/// toml's messages span several lines with a source excerpt; errors here are one line.
fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse(
            text,
            Path::new("/etc/aws-ilm/config.toml"),
            Some(Path::new("/home/u")),
        )
    }

    #[test]
    fn instance_overrides_the_top_level() {
        let f = parse(
            r#"
            base_url = "https://scim.us-east-1.amazonaws.com"
            allow_disable = false
            token_file = "token"
            [instances.prod]
            tenant_id = "t-prod"
            token_file = "~/prod.token"
            [instances.lab]
            tenant_id = "t-lab"
            allow_disable = true
            "#,
        )
        .unwrap();
        // Each value comes with the instance whose table set it (`None`: the top level).
        let prod = f.select(Some("prod")).unwrap();
        assert_eq!(
            prod.get(|v| v.base_url.clone()),
            Some(("https://scim.us-east-1.amazonaws.com".to_string(), None))
        );
        assert_eq!(
            prod.get(|v| v.tenant_id.clone()),
            Some(("t-prod".to_string(), Some("prod")))
        );
        assert_eq!(prod.get(|v| v.allow_disable), Some((false, None)));
        assert_eq!(
            prod.get(|v| v.token_file.clone()),
            Some((PathBuf::from("/home/u/prod.token"), Some("prod")))
        );
        let lab = f.select(Some("lab")).unwrap();
        assert_eq!(lab.get(|v| v.allow_disable), Some((true, Some("lab"))));
        assert_eq!(
            lab.get(|v| v.token_file.clone()),
            Some((PathBuf::from("/etc/aws-ilm/token"), None))
        );
        let top = f.select(None).unwrap();
        assert_eq!(top.get(|v| v.tenant_id.clone()), None);
    }

    #[test]
    fn default_instance_is_used_when_none_is_named() {
        let f = parse("default_instance = \"a\"\n[instances.a]\ntenant_id = \"ta\"\n").unwrap();
        assert_eq!(
            f.select(None).unwrap().get(|v| v.tenant_id.clone()),
            Some(("ta".to_string(), Some("a")))
        );
    }

    #[test]
    fn unknown_instance_lists_the_known_ones() {
        let f = parse("[instances.a]\n[instances.b]\n").unwrap();
        let e = f.select(Some("c")).unwrap_err().to_string();
        assert!(e.contains("instance `c`") && e.contains("a, b"), "{e}");
    }

    #[test]
    fn a_token_key_is_refused_anywhere() {
        let e = parse("token = \"s3cr3t\"\n").unwrap_err().to_string();
        assert!(
            e.contains("`token` is not accepted") && e.contains("token_file"),
            "{e}"
        );
        assert!(!e.contains("s3cr3t"));
        let e = parse("[instances.x]\ntoken = \"s3cr3t\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[instances.x]") && !e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_errors_on_one_line() {
        let e = parse("allow_disabel = false\n").unwrap_err().to_string();
        assert!(e.contains("allow_disabel"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = parse("allow_disable = \"no\"\n").unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
        let e = parse("base_url = \n").unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn default_path_prefers_xdg() {
        assert_eq!(
            default_path(Some("/x"), Some("/h")),
            Some(PathBuf::from("/x/aws-ilm/config.toml"))
        );
        assert_eq!(
            default_path(None, Some("/h")),
            Some(PathBuf::from("/h/.config/aws-ilm/config.toml"))
        );
        assert_eq!(default_path(Some(""), None), None);
    }
}
