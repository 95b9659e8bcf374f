//! The identity lifecycle engine: the seed's AWS-ILM commands with their semantics made precise
//! (docs/commands.md).
//!
//! A [`Command`] (parsed from the CLI's or the batch file's arguments) is run by [`Ilm::execute`]
//! against a directory reached through [`aws_ilm_client::ScimClient`], and yields an [`Outcome`]:
//! the seed's context document and its human-readable table. The engine knows nothing about
//! HTTP; it decides what to read and write, with the fewest round trips the semantics allow
//! (a get is one request, a create of a new user two — one with `create_first` —, an update
//! two, 250 member changes three PATCHes).
//!
//! Layout: [`profile`] (the user profile), [`mapper`] (profile ⇄ SCIM user), [`command`]
//! (arguments), [`users`] and [`groups`] (one module per command), [`outcome`] (results),
//! [`table`] (their markdown tables), [`text`] (what every printed path does to server text and
//! the token), [`switch`] (the instance switches that skip a command), [`error`], [`bounded`]
//! (reading a whole file or stream with a size limit, for every crate).
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)]

pub mod bounded;
pub mod command;
pub mod error;
pub mod groups;
pub mod json;
pub mod mapper;
mod misc;
pub mod outcome;
pub mod profile;
pub mod subject;
pub mod switch;
pub mod table;
pub mod text;
pub mod users;

use aws_ilm_client::ScimClient;

pub use command::{Command, CommandName};
pub use error::{IlmError, InputError};
pub use mapper::{Direction, MapError, Mapper, Purpose};
pub use outcome::{HumanTable, Outcome, Status};
pub use profile::UserProfile;
pub use switch::Switch;

/// The seed's instance parameters that shape the lifecycle (docs/configuration.md;
/// docs/commands.md, "User commands").
#[derive(Debug, Clone, PartialEq)]
pub struct IlmSettings {
    pub allow_create: bool,
    pub allow_update: bool,
    /// Allows re-enabling existing users (update with `allow-enable`, and `iam-enable-user`).
    pub allow_enable: bool,
    /// Allows disabling, and also deleting (`iam-delete-user`: there is no separate seed
    /// parameter, and deletion is a leaver's step beyond disabling).
    pub allow_disable: bool,
    pub create_if_not_exists: bool,
    /// `iam-create-user` POSTs first and looks up only on a 409 (one request for a new user
    /// instead of two; see [`users::create`]). Off by default: the single command keeps its
    /// lookup-then-POST budget; `aws-ilm batch` turns it on for bulk loads.
    pub create_first: bool,
    /// Shown as `instanceName` in every result.
    pub instance_name: String,
    pub mapper_in: Mapper,
    pub mapper_out: Mapper,
}

impl Default for IlmSettings {
    fn default() -> Self {
        IlmSettings {
            allow_create: true,
            allow_update: true,
            allow_enable: true,
            allow_disable: true,
            create_if_not_exists: true,
            create_first: false,
            instance_name: "aws-ilm".into(),
            mapper_in: Mapper::Builtin,
            mapper_out: Mapper::Builtin,
        }
    }
}

/// The engine: a client and the instance's settings.
#[derive(Clone)]
pub struct Ilm {
    client: ScimClient,
    settings: IlmSettings,
}

impl Ilm {
    pub fn new(client: ScimClient, settings: IlmSettings) -> Ilm {
        Ilm { client, settings }
    }

    pub fn settings(&self) -> &IlmSettings {
        &self.settings
    }

    pub fn client(&self) -> &ScimClient {
        &self.client
    }

    /// Runs one command. `Err` only for bad input (exit 2) and for failing to reach or
    /// authenticate to the directory (exit 3); every other failure is an [`Outcome`] with
    /// [`Status::Failed`].
    pub async fn execute(&self, cmd: &Command) -> Result<Outcome, IlmError> {
        tracing::debug!(command = cmd.name.as_str(), "executing");
        subject::within(subject::Subject::of(cmd), self.dispatch(cmd)).await
    }

    async fn dispatch(&self, cmd: &Command) -> Result<Outcome, IlmError> {
        match cmd.name {
            CommandName::CreateUser => users::create::run(self, cmd).await,
            CommandName::UpdateUser => users::update::run(self, cmd).await,
            CommandName::GetUser => users::get::run(self, cmd).await,
            CommandName::DisableUser => users::disable::run(self, cmd).await,
            CommandName::EnableUser => users::enable::run(self, cmd).await,
            CommandName::DeleteUser => users::delete::run(self, cmd).await,
            CommandName::GetGroup => groups::get::run(self, cmd).await,
            CommandName::CreateGroup => groups::create::run(self, cmd).await,
            CommandName::UpdateGroup => groups::update::run(self, cmd).await,
            CommandName::DeleteGroup => groups::delete::run(self, cmd).await,
            CommandName::GetMappingFields => Ok(misc::mapping_fields(self)),
            CommandName::TestModule => misc::test_module(self).await,
        }
    }
}
