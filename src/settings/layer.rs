//! The one way a setting gets its value: flag > `AWS_ILM_*` variable > config file (the named
//! instance's table over the top level) > built-in default, for a setting of any type, with the
//! place the value came from recorded ([`Source`]) so that error messages, and any command that
//! explains the configuration, can name it (docs/configuration.md).
//!
//! A setting is described by its [`Key`] (its three names) and its type's [`Setting`] impl (how a
//! variable's text becomes a value, and which values are allowed). Flags arrive typed from clap
//! and file values typed from the TOML file; only variables are text.

use std::fmt;
use std::path::PathBuf;

use crate::cli::{OutputFormat, parse_bool};
use crate::config::{FileValues, Selected};

use super::SettingsError;

/// A setting, by its config-file key. Its flag and its variable are named after the key
/// (docs/configuration.md), so the three names are one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub &'static str);

impl Key {
    /// `--base-url` for `base_url`.
    pub fn flag(self) -> String {
        format!("--{}", self.0.replace('_', "-"))
    }

    /// `AWS_ILM_BASE_URL` for `base_url`.
    pub fn var(self) -> String {
        format!("AWS_ILM_{}", self.0.to_ascii_uppercase())
    }

    /// Where the key sits in the config file: `reconcile.protect` for a key of the
    /// `[reconcile]` table, else the key itself.
    pub fn file_key(self) -> String {
        if super::reconcile::KEYS.contains(&self.0) {
            format!("reconcile.{}", self.0)
        } else {
            self.0.to_owned()
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(Key),
    Variable(Key),
    /// A key of the config file: of `[instances.NAME]` when `instance` is set, else of the
    /// top level.
    File {
        key: Key,
        instance: Option<String>,
    },
    /// The tenant of a console-style base URL (`…/<tenant>/scim/v2`).
    BaseUrl,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(key) => f.write_str(&key.flag()),
            Source::Variable(key) => f.write_str(&key.var()),
            Source::File {
                key,
                instance: None,
            } => write!(f, "config key `{}`", key.file_key()),
            Source::File {
                key,
                instance: Some(name),
            } => write!(f, "config key `{}` of [instances.{name}]", key.file_key()),
            Source::BaseUrl => f.write_str("the base URL"),
            Source::Default => f.write_str("the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// How a setting's type is read from a variable's text and which of its values are allowed.
pub trait Setting: Sized {
    /// The value a variable's text stands for.
    fn parse(text: &str) -> Result<Self, String>;

    /// The value as used, or why it is not allowed; applied to the value of every source.
    fn checked(self) -> Result<Self, String> {
        Ok(self)
    }
}

impl Setting for bool {
    fn parse(text: &str) -> Result<Self, String> {
        parse_bool(text).map_err(|reason| format!("{reason}, got '{text}'"))
    }
}

/// Text settings (URL, tenant, instance name) ignore surrounding whitespace, wherever they
/// come from.
impl Setting for String {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }

    fn checked(self) -> Result<Self, String> {
        Ok(self.trim().to_owned())
    }
}

impl Setting for PathBuf {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(PathBuf::from(text))
    }
}

/// The flag's own values, so the two cannot disagree.
impl Setting for OutputFormat {
    fn parse(text: &str) -> Result<Self, String> {
        <OutputFormat as clap::ValueEnum>::from_str(text, true)
            .map_err(|_| format!("expected one of {}", OutputFormat::names().join(", ")))
    }
}

/// A cap of the safety rails: any whole number, 0 included (`max_delete = 0`: never delete).
impl Setting for usize {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected a whole number, got '{text}'"))
    }
}

/// A list of name patterns (`*`, `?`): an array in the config file, comma-separated in a
/// variable or a flag (a flag may also be repeated). Empty parts are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Globs(pub Vec<String>);

impl Setting for Globs {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(Globs(
            text.split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
        ))
    }

    fn checked(self) -> Result<Self, String> {
        let globs: Vec<String> = self.0.iter().map(|g| g.trim().to_owned()).collect();
        if globs.iter().any(String::is_empty) {
            return Err("a pattern is empty".into());
        }
        Ok(Globs(globs))
    }
}

/// The modes' names are their serde names (`ignore`, `disable`, `delete`), the plan file's.
fn mode<T: serde::de::DeserializeOwned>(text: &str, names: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_ascii_lowercase()))
        .map_err(|_| format!("expected one of {names}, got '{text}'"))
}

impl Setting for aws_ilm_reconcile::Absent {
    fn parse(text: &str) -> Result<Self, String> {
        mode(text, "ignore, disable, delete")
    }
}

impl Setting for aws_ilm_reconcile::AbsentGroups {
    fn parse(text: &str) -> Result<Self, String> {
        mode(text, "ignore, delete")
    }
}

/// A limit: a whole number of at least 1 (docs/configuration.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Count(pub u64);

impl Setting for Count {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map(Count)
            .map_err(|_| format!("expected a whole number, got '{text}'"))
    }

    fn checked(self) -> Result<Self, String> {
        match self.0 {
            0 => Err("must be at least 1".into()),
            _ => Ok(self),
        }
    }
}

/// A timeout: a finite number of seconds above 0 and at most an hour, fractions allowed, an
/// `s` suffix tolerated.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(transparent)]
pub struct Seconds(pub f64);

impl Setting for Seconds {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .trim_end_matches('s')
            .parse()
            .map_err(|_| Seconds::RANGE.to_owned())
            .and_then(|v| Seconds(v).checked())
    }

    fn checked(self) -> Result<Self, String> {
        match self.0 {
            v if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(self),
            _ => Err(Seconds::RANGE.to_owned()),
        }
    }
}

impl Seconds {
    const RANGE: &str = "expected a number of seconds between 0 and 3600";
}

/// The sources of one run: the environment and the selected tables of the config file. It
/// records where every setting it was asked for came from.
pub struct Layers<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    file: Option<Selected<'a>>,
    origins: Vec<(&'static str, Source)>,
}

impl<'a> Layers<'a> {
    pub fn new(env: &'a dyn Fn(&str) -> Option<String>, file: Option<Selected<'a>>) -> Self {
        Layers {
            env,
            file,
            origins: Vec::new(),
        }
    }

    /// The value of `key` from the first source that sets it, checked; `None` when none does.
    pub fn find<T: Setting>(
        &self,
        key: Key,
        flag: Option<T>,
        file: impl Fn(&FileValues) -> Option<T>,
    ) -> Result<Option<Sourced<T>>, SettingsError> {
        let found = if let Some(value) = flag {
            Some((value, Source::Flag(key)))
        } else if let Some(text) = (self.env)(&key.var()) {
            let value = T::parse(&text).map_err(|reason| SettingsError::Invalid {
                source_: Source::Variable(key),
                reason,
            })?;
            Some((value, Source::Variable(key)))
        } else {
            self.file
                .as_ref()
                .and_then(|f| f.get(file))
                .map(|(value, instance)| {
                    let instance = instance.map(str::to_owned);
                    (value, Source::File { key, instance })
                })
        };
        let Some((value, source)) = found else {
            return Ok(None);
        };
        match value.checked() {
            Ok(value) => Ok(Some(Sourced { value, source })),
            Err(reason) => Err(SettingsError::Invalid {
                source_: source,
                reason,
            }),
        }
    }

    /// The value of `key` ([`Layers::find`]), else `default`; where it came from is recorded.
    pub fn get<T: Setting>(
        &mut self,
        key: Key,
        flag: Option<T>,
        file: impl Fn(&FileValues) -> Option<T>,
        default: T,
    ) -> Result<T, SettingsError> {
        Ok(self.optional(key, flag, file)?.unwrap_or(default))
    }

    /// The value of `key` ([`Layers::find`]), or `None` (the default); where it came from is
    /// recorded.
    pub fn optional<T: Setting>(
        &mut self,
        key: Key,
        flag: Option<T>,
        file: impl Fn(&FileValues) -> Option<T>,
    ) -> Result<Option<T>, SettingsError> {
        Ok(match self.find(key, flag, file)? {
            Some(found) => {
                self.record(key.0, found.source);
                Some(found.value)
            }
            None => {
                self.record(key.0, Source::Default);
                None
            }
        })
    }

    /// `value` as the default of `setting`, whose source was recorded as the default by
    /// [`Layers::optional`]: a default derived from another setting names that one instead.
    pub fn replace_default<T>(&mut self, setting: &'static str, value: Sourced<T>) -> T {
        if let Some(entry) = self.origins.iter_mut().rev().find(|(s, _)| *s == setting) {
            entry.1 = value.source;
        }
        value.value
    }

    /// Notes where `setting` came from.
    pub fn record(&mut self, setting: &'static str, source: Source) {
        self.origins.push((setting, source));
    }

    /// Setting name (its config key) and source, in the order the settings were asked for.
    pub fn into_origins(self) -> Vec<(&'static str, Source)> {
        self.origins
    }

    /// The config file, if one applies (for error messages).
    pub fn file(&self) -> Option<&Selected<'a>> {
        self.file.as_ref()
    }

    /// A variable, empty ones counting as unset.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }
}
