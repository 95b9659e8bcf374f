//! clap definitions: parsing and validation only (the "low" stage of ripgrep's LowArgs →
//! HiArgs). Nothing here reads files, the environment or the network; `settings.rs` turns these
//! values into a validated `Settings` in one place.
//!
//! Instance parameters (docs/configuration.md) are global flags, so they may stand before or after the
//! subcommand — with one exception: `--allow-enable` names both the instance parameter and the
//! seed's per-command argument of `iam-create-user`/`iam-update-user`. The instance parameter is
//! therefore accepted only *before* the subcommand (`aws-ilm --allow-enable false iam-update-user
//! ...`); after the subcommand `--allow-enable` is the command argument.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::cmd;
use crate::settings::layer::{Count, Seconds, Setting};

#[derive(Debug, Parser)]
#[command(
    name = "aws-ilm",
    version,
    about = "Employee lifecycle (joiner, mover, leaver) for AWS IAM Identity Center over SCIM 2.0",
    after_help = "Configuration: flags > AWS_ILM_* variables > config file \
                  (see docs/configuration.md). The token is read from AWS_ILM_TOKEN, \
                  --token-file or `token_file` in the config file, never from a flag."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of a lifecycle command (docs/output.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// For a person at a terminal: titled fields or tables, fitted to its width, in colour
    #[default]
    Human,
    /// The seed's "Human Readable Output": a titled markdown table
    Markdown,
    /// The seed's "Context Output" document, pretty-printed JSON
    Json,
}

impl OutputFormat {
    /// The values `--output` and `AWS_ILM_OUTPUT` accept.
    pub fn names() -> Vec<String> {
        OutputFormat::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect()
    }
}

/// The instance parameters and process-wide switches.
#[derive(Debug, Default, Clone, clap::Args)]
#[command(next_help_heading = "Settings (flag > AWS_ILM_* variable > config file)")]
pub struct GlobalArgs {
    /// TOML config file [default: $XDG_CONFIG_HOME/aws-ilm/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Named instance `[instances.NAME]` of the config file
    #[arg(long, global = true, value_name = "NAME")]
    pub instance: Option<String>,
    /// SCIM base URL, e.g. https://scim.us-east-1.amazonaws.com
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Identity Center tenant id; requests go to {base_url}/{tenant_id}/scim/v2
    #[arg(long, global = true, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// File holding the bearer token (the token itself is never a flag: it would show in `ps`)
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Allow creating users
    #[arg(long, global = true, value_name = "BOOL", value_parser = parse_bool)]
    pub allow_create: Option<bool>,
    /// Allow updating users
    #[arg(long, global = true, value_name = "BOOL", value_parser = parse_bool)]
    pub allow_update: Option<bool>,
    /// Allow enabling users (instance parameter: give it before the subcommand)
    #[arg(id = "instance_allow_enable", long = "allow-enable", value_name = "BOOL",
          value_parser = parse_bool)]
    pub allow_enable: Option<bool>,
    /// Allow disabling users
    #[arg(long, global = true, value_name = "BOOL", value_parser = parse_bool)]
    pub allow_disable: Option<bool>,
    /// Create the user in iam-update-user when it does not exist
    #[arg(long, global = true, value_name = "BOOL", value_parser = parse_bool)]
    pub create_if_not_exists: Option<bool>,
    /// Incoming mapper file (SCIM user → profile) [default: built-in AWS-ILM mapper]
    #[arg(long, global = true, value_name = "PATH")]
    pub mapper_in: Option<PathBuf>,
    /// Outgoing mapper file (profile → SCIM user) [default: built-in AWS-ILM mapper]
    #[arg(long, global = true, value_name = "PATH")]
    pub mapper_out: Option<PathBuf>,
    /// Trust any certificate (not secure; testing only). `--insecure=false` overrides a config
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = parse_bool)]
    pub insecure: Option<bool>,
    /// Honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY (ignored unless on)
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = parse_bool)]
    pub proxy: Option<bool>,
    /// Instance name shown in outputs [default: aws-ilm]
    #[arg(long, global = true, value_name = "NAME")]
    pub instance_name: Option<String>,
    /// Per-request timeout in seconds [default: 30]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = <Seconds as Setting>::parse)]
    pub timeout: Option<Seconds>,
    /// Largest response body read, in bytes; a larger answer fails [default: 8388608 (8 MiB)]
    #[arg(long, global = true, value_name = "BYTES",
          value_parser = clap::value_parser!(u64).range(1..).map(Count))]
    pub max_response_bytes: Option<Count>,
    /// Most pages one listing reads before it fails as endless [default: 10000]
    #[arg(long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..).map(Count))]
    pub max_pages: Option<Count>,
    /// Audit log of every write sent; "" turns it off
    /// [default: $XDG_STATE_HOME/aws-ilm/audit.jsonl]
    #[arg(long, global = true, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Output format [default: human]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
    /// More logging on stderr: -v info, -vv debug, -vvv trace (RUST_LOG overrides)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a user (or update it when it already exists)
    #[command(name = "iam-create-user")]
    CreateUser(UserWriteArgs),
    /// Update a user (or create it when missing and create_if_not_exists is on)
    #[command(name = "iam-update-user")]
    UpdateUser(UserWriteArgs),
    /// Read a user (and, with --with-groups, the groups it belongs to)
    #[command(name = "iam-get-user")]
    GetUser(GetUserArgs),
    /// Disable an active user
    #[command(name = "iam-disable-user")]
    DisableUser(UserArgs),
    /// Enable an inactive user
    #[command(name = "iam-enable-user")]
    EnableUser(UserArgs),
    /// Permanently delete a user
    #[command(name = "iam-delete-user")]
    DeleteUser(UserArgs),
    /// Read a group and its members
    #[command(name = "iam-get-group")]
    GetGroup(GroupArgs),
    /// Create an empty group
    #[command(name = "iam-create-group")]
    CreateGroup(GroupArgs),
    /// Add members to and remove members from a group
    #[command(name = "iam-update-group")]
    UpdateGroup(UpdateGroupArgs),
    /// Permanently delete a group
    #[command(name = "iam-delete-group")]
    DeleteGroup(GroupArgs),
    /// List the AWS user schema fields a mapper can target
    #[command(name = "get-mapping-fields")]
    GetMappingFields,
    /// Check the URL, tenant and token against the server
    #[command(name = "test-module")]
    TestModule,
    /// Run the whole lifecycle against an in-process emulator and show every command
    Demo,
    /// Run a local SCIM server that answers like AWS IAM Identity Center, on SQLite
    Serve(cmd::serve::Args),
    /// Run many lifecycle events from a JSON-lines or CSV file
    Batch(cmd::batch::Args),
    /// Show what would make IAM Identity Center equal to a source of truth (docs/reconcile.md)
    Plan(cmd::plan::Args),
    /// Carry out a saved plan, or plan and apply a source in one go (docs/reconcile.md)
    Apply(cmd::apply::Args),
    /// Check, show or print the head of the audit log (docs/audit.md)
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// Print a shell completion script, generated from these very definitions
    /// (e.g. `aws-ilm completions bash > /etc/bash_completion.d/aws-ilm`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, generated from these very definitions
    /// (e.g. `aws-ilm man > /usr/local/share/man/man1/aws-ilm.1`)
    Man,
    /// Check the configuration, the network path and the token; say what to fix
    Doctor,
}

/// What a plan may touch and how far it may go (docs/reconcile.md): flags of `plan` and
/// `apply --from`, layered over `AWS_ILM_*` variables and the config file's `[reconcile]` table
/// (docs/configuration.md).
#[derive(Debug, Default, Clone, clap::Args)]
#[command(
    next_help_heading = "Reconcile settings (flag > AWS_ILM_* variable > [reconcile] in the config file)"
)]
pub struct ReconcileArgs {
    /// Only users whose userName matches are managed (`*`, `?`, case-insensitive; repeatable
    /// or comma-separated) [default: every user]
    #[arg(long, value_name = "GLOB", value_delimiter = ',', action = ArgAction::Append)]
    pub scope_users: Vec<String>,
    /// Only groups whose displayName matches are managed [default: every group]
    #[arg(long, value_name = "GLOB", value_delimiter = ',', action = ArgAction::Append)]
    pub scope_groups: Vec<String>,
    /// Users and groups never touched, whatever the source says; replaces the default list
    /// [default: the groups AWS Control Tower manages]
    #[arg(long, value_name = "GLOB", value_delimiter = ',', action = ArgAction::Append)]
    pub protect: Vec<String>,
    /// What happens to users in scope the source does not list: ignore, disable, delete
    /// [default: ignore]
    #[arg(long, value_name = "MODE", value_parser = <aws_ilm_reconcile::Absent as Setting>::parse)]
    pub absent: Option<aws_ilm_reconcile::Absent>,
    /// What happens to groups in scope the source does not name: ignore, delete
    /// [default: ignore]
    #[arg(long, value_name = "MODE",
          value_parser = <aws_ilm_reconcile::AbsentGroups as Setting>::parse)]
    pub absent_groups: Option<aws_ilm_reconcile::AbsentGroups>,
    /// Refuse a plan that disables more users than this [default: 50]
    #[arg(long, value_name = "N")]
    pub max_disable: Option<usize>,
    /// Refuse a plan that deletes more users than this [default: 25]
    #[arg(long, value_name = "N")]
    pub max_delete: Option<usize>,
    /// Refuse a plan that removes more group memberships than this [default: 500]
    #[arg(long, value_name = "N")]
    pub max_member_removals: Option<usize>,
    /// Allow an empty source, or disabling or deleting more than 20% of the managed users
    /// (this run only: never a setting)
    #[arg(long)]
    pub allow_mass_change: bool,
}

impl ReconcileArgs {
    /// Whether any of these flags was given (`apply PLAN` takes none: the plan embeds them).
    pub fn any(&self) -> bool {
        !(self.scope_users.is_empty()
            && self.scope_groups.is_empty()
            && self.protect.is_empty()
            && self.absent.is_none()
            && self.absent_groups.is_none()
            && self.max_disable.is_none()
            && self.max_delete.is_none()
            && self.max_member_removals.is_none()
            && !self.allow_mass_change)
    }
}

/// `--user-profile` only.
#[derive(Debug, Clone, clap::Args)]
pub struct UserArgs {
    /// User profile as JSON, `@file.json`, or `-` for stdin
    #[arg(long = "user-profile", value_name = "JSON", allow_hyphen_values = true)]
    pub user_profile: String,
}

/// `--user-profile` and `--with-groups`.
#[derive(Debug, Clone, clap::Args)]
pub struct GetUserArgs {
    /// User profile as JSON, `@file.json`, or `-` for stdin
    #[arg(long = "user-profile", value_name = "JSON", allow_hyphen_values = true)]
    pub user_profile: String,
    /// Also list the user's groups (one more, paged, request)
    #[arg(long)]
    pub with_groups: bool,
}

/// `--user-profile` and the seed's `--allow-enable`.
#[derive(Debug, Clone, clap::Args)]
pub struct UserWriteArgs {
    /// User profile as JSON, `@file.json`, or `-` for stdin
    #[arg(long = "user-profile", value_name = "JSON", allow_hyphen_values = true)]
    pub user_profile: String,
    /// Leave the user active after the command (true|false)
    #[arg(long = "allow-enable", value_name = "BOOL", value_parser = parse_bool,
          action = ArgAction::Set, default_value = "true")]
    pub allow_enable: bool,
}

/// `--scim` only.
#[derive(Debug, Clone, clap::Args)]
pub struct GroupArgs {
    /// Group SCIM data as JSON (`id` or `displayName`), `@file.json`, or `-` for stdin
    #[arg(long, value_name = "JSON", allow_hyphen_values = true)]
    pub scim: String,
}

/// `--scim` and the member lists.
#[derive(Debug, Clone, clap::Args)]
pub struct UpdateGroupArgs {
    /// Group SCIM data as JSON (`id` or `displayName`), `@file.json`, or `-` for stdin
    #[arg(long, value_name = "JSON", allow_hyphen_values = true)]
    pub scim: String,
    /// User ids to add: a JSON array or comma-separated values (`@file` and `-` work too)
    #[arg(
        long = "memberIdsToAdd",
        alias = "member-ids-to-add",
        value_name = "IDS"
    )]
    pub member_ids_to_add: Option<String>,
    /// User ids to remove: a JSON array or comma-separated values (`@file` and `-` work too)
    #[arg(
        long = "memberIdsToDelete",
        alias = "member-ids-to-delete",
        value_name = "IDS"
    )]
    pub member_ids_to_delete: Option<String>,
}

/// The seed's boolean arguments take `true` or `false` (case-insensitive); anything else is a
/// usage error rather than a silent default.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("expected true or false".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn instance_allow_enable_before_and_command_allow_enable_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "aws-ilm",
            "--allow-enable",
            "false",
            "iam-update-user",
            "--user-profile",
            "{}",
            "--allow-enable",
            "true",
        ])
        .unwrap();
        assert_eq!(cli.global.allow_enable, Some(false));
        match cli.command {
            Command::UpdateUser(a) => assert!(a.allow_enable),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn global_flags_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "aws-ilm",
            "iam-get-user",
            "--user-profile",
            "-",
            "--base-url",
            "http://x",
            "--insecure",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.base_url.as_deref(), Some("http://x"));
        assert_eq!(cli.global.insecure, Some(true));
        assert_eq!(cli.global.verbose, 2);
    }

    #[test]
    fn bad_allow_enable_is_a_usage_error() {
        let err = Cli::try_parse_from([
            "aws-ilm",
            "iam-create-user",
            "--user-profile",
            "{}",
            "--allow-enable",
            "maybe",
        ])
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("expected true or false"));
    }

    #[test]
    fn there_is_no_token_flag() {
        let err = Cli::try_parse_from(["aws-ilm", "--token", "x", "test-module"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn member_lists_take_seed_names() {
        let cli = Cli::try_parse_from([
            "aws-ilm",
            "iam-update-group",
            "--scim",
            r#"{"id":"g"}"#,
            "--memberIdsToAdd",
            "a,b",
            "--memberIdsToDelete",
            r#"["c"]"#,
        ])
        .unwrap();
        match cli.command {
            Command::UpdateGroup(a) => {
                assert_eq!(a.member_ids_to_add.as_deref(), Some("a,b"));
                assert_eq!(a.member_ids_to_delete.as_deref(), Some(r#"["c"]"#));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
