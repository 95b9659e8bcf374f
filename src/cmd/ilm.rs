//! The lifecycle commands (`iam-*`, `get-mapping-fields`, `test-module`): one code path from
//! parsed arguments to printed outcome and exit status, shared by the real commands and by
//! `aws-ilm demo`.
//!
//! Order of checks: the arguments are read and parsed first (bad input is exit 2 and needs no
//! server), then the settings are built (exit 3), then the command runs; its outcome decides
//! between exit 0 (success or skipped) and 1 (`success: false`).

use std::io::Write;

use aws_ilm_client::{ClientConfig, ScimClient};
use aws_ilm_lifecycle::mapper::{Direction, Mapper};
use aws_ilm_lifecycle::{Command, CommandName, Ilm, IlmSettings, Outcome, Status};
use serde_json::{Map, Value};

use aws_ilm_audit::Durability;

use crate::audit::{Recorder, Source as AuditSource};
use crate::cli;
use crate::error::{CliError, Exit};
use crate::input::ArgReader;
use crate::output;
use crate::settings::Settings;

/// A lifecycle command's name and its arguments.
type LifecycleArgs = (CommandName, Map<String, Value>);

/// The lifecycle command and its arguments in the vocabulary `Command::parse` shares with batch
/// files, or `None` for the subcommands that are not lifecycle commands.
fn lifecycle_args(
    command: &cli::Command,
    reader: &mut ArgReader,
) -> Result<Option<LifecycleArgs>, CliError> {
    let mut args = Map::new();
    let mut put = |key: &str, value: String| {
        args.insert(key.to_string(), Value::String(value));
    };
    let name = match command {
        cli::Command::CreateUser(a) | cli::Command::UpdateUser(a) => {
            put(
                "user-profile",
                reader.read("--user-profile", &a.user_profile)?,
            );
            args.insert("allow-enable".into(), Value::Bool(a.allow_enable));
            if matches!(command, cli::Command::CreateUser(_)) {
                CommandName::CreateUser
            } else {
                CommandName::UpdateUser
            }
        }
        cli::Command::GetUser(a) => {
            put(
                "user-profile",
                reader.read("--user-profile", &a.user_profile)?,
            );
            // Only when asked: the argument list stays the seed's otherwise.
            if a.with_groups {
                args.insert("with-groups".into(), Value::Bool(true));
            }
            CommandName::GetUser
        }
        cli::Command::DisableUser(a)
        | cli::Command::EnableUser(a)
        | cli::Command::DeleteUser(a) => {
            put(
                "user-profile",
                reader.read("--user-profile", &a.user_profile)?,
            );
            match command {
                cli::Command::DisableUser(_) => CommandName::DisableUser,
                cli::Command::EnableUser(_) => CommandName::EnableUser,
                _ => CommandName::DeleteUser,
            }
        }
        cli::Command::GetGroup(a) | cli::Command::CreateGroup(a) | cli::Command::DeleteGroup(a) => {
            put("scim", reader.read("--scim", &a.scim)?);
            match command {
                cli::Command::GetGroup(_) => CommandName::GetGroup,
                cli::Command::CreateGroup(_) => CommandName::CreateGroup,
                _ => CommandName::DeleteGroup,
            }
        }
        cli::Command::UpdateGroup(a) => {
            put("scim", reader.read("--scim", &a.scim)?);
            if let Some(ids) = &a.member_ids_to_add {
                put("memberIdsToAdd", reader.read("--memberIdsToAdd", ids)?);
            }
            if let Some(ids) = &a.member_ids_to_delete {
                put(
                    "memberIdsToDelete",
                    reader.read("--memberIdsToDelete", ids)?,
                );
            }
            CommandName::UpdateGroup
        }
        cli::Command::GetMappingFields => CommandName::GetMappingFields,
        cli::Command::TestModule => CommandName::TestModule,
        cli::Command::Demo
        | cli::Command::Serve(_)
        | cli::Command::Batch(_)
        | cli::Command::Plan(_)
        | cli::Command::Apply(_)
        | cli::Command::Completions { .. }
        | cli::Command::Man
        | cli::Command::Doctor
        | cli::Command::Audit(_) => return Ok(None),
    };
    Ok(Some((name, args)))
}

/// The lifecycle [`Command`] a subcommand stands for, its arguments read and parsed; bad input
/// is exit 2.
pub fn parse(command: &cli::Command) -> Result<Command, CliError> {
    let mut reader = ArgReader::default();
    let Some((name, args)) = lifecycle_args(command, &mut reader)? else {
        return Err(CliError::usage("not a lifecycle command"));
    };
    Command::parse(name.as_str(), &args).map_err(|e| CliError::usage(e.to_string()))
}

/// `aws-ilm <lifecycle command>`: execute, print the outcome, end as it says.
/// Each write is in the audit log, synced, before its result is printed (docs/audit.md).
pub async fn run(cmd: &Command, settings: &Settings) -> Result<Exit, CliError> {
    let recorder = Recorder::open(settings, Durability::EachLine, AuditSource::Command)?;
    let mut config = client_config(settings);
    if let Some(r) = &recorder {
        r.hook(&mut config);
    }
    let outcome = execute_with(settings, config, cmd).await?;
    let text = output::render(settings.output, &outcome, settings.token.expose());
    print(&text)?;
    if let Some(failure) = recorder.as_ref().and_then(|r| r.failure()) {
        return Err(CliError::config(failure)
            .with_hint("fix audit_log's file or folder; the write above was done"));
    }
    Ok(exit(&outcome))
}

/// Writes `text` to stdout. A closed pipe (`aws-ilm ... | head`) is not an error worth a
/// message, but it cannot be success either: the output was lost.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| CliError::config(format!("cannot write the output: {e}")))
}

/// How a run with this outcome ends: success or skipped, or failed.
pub fn exit(outcome: &Outcome) -> Exit {
    match outcome.status {
        Status::Success | Status::Skipped => Exit::Success,
        Status::Failed => Exit::Failed,
    }
}

/// Runs one parsed command with the given settings.
pub async fn execute(settings: &Settings, cmd: &Command) -> Result<Outcome, CliError> {
    execute_with(settings, client_config(settings), cmd).await
}

/// [`execute`] with the client configuration given.
async fn execute_with(
    settings: &Settings,
    config: ClientConfig,
    cmd: &Command,
) -> Result<Outcome, CliError> {
    let client = ScimClient::new(config).map_err(|e| CliError::from_client(&e, settings))?;
    let ilm = Ilm::new(client, ilm_settings(settings)?);
    ilm.execute(cmd)
        .await
        .map_err(|e| CliError::from_ilm(e, settings))
}

/// The client side of the settings (also what `batch` starts from).
pub fn client_config(settings: &Settings) -> ClientConfig {
    let mut c = ClientConfig::new(settings.endpoint.clone(), settings.token.clone());
    c.insecure = settings.insecure;
    c.proxy = settings.proxy;
    c.connect_timeout = settings.connect_timeout();
    c.request_timeout = settings.timeout;
    c.max_response_bytes = settings.max_response_bytes;
    c.max_pages = usize::try_from(settings.max_pages).unwrap_or(usize::MAX);
    c
}

/// The lifecycle side of the settings: switches, instance name and mappers (files are read
/// here; a bad mapper file is a configuration error, exit 3).
pub fn ilm_settings(settings: &Settings) -> Result<IlmSettings, CliError> {
    let load = |path: &Option<std::path::PathBuf>, direction: Direction| match path {
        None => Ok(Mapper::Builtin),
        Some(p) => Mapper::from_file(p, direction).map_err(|e| {
            CliError::config(e.to_string())
                .with_hint("fix the mapping file, or leave the setting out for the built-in mapper")
        }),
    };
    Ok(IlmSettings {
        allow_create: settings.allow_create,
        allow_update: settings.allow_update,
        allow_enable: settings.allow_enable,
        allow_disable: settings.allow_disable,
        create_if_not_exists: settings.create_if_not_exists,
        // Batch-only strategy; `cmd::batch` turns it on (one request per new user).
        create_first: false,
        instance_name: settings.instance_name.clone(),
        mapper_in: load(&settings.mapper_in, Direction::Incoming)?,
        mapper_out: load(&settings.mapper_out, Direction::Outgoing)?,
    })
}
