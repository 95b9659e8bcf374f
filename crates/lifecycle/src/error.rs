//! The engine's errors, typed per boundary (ARCHITECTURE practice 4).
//!
//! [`InputError`] is what the caller got wrong (the CLI maps it to exit 2) and always names the
//! argument at fault; [`IlmError::Connection`] is a failure to talk to the directory at all
//! (transport, TLS, 401, 403 — exit 3). Every other server answer becomes an
//! [`crate::Outcome`] with `success: false`, because the command did run. No message here ever
//! carries the bearer token: the client never puts it in its errors and we never format requests.

use crate::mapper::MapError;

/// Bad input: malformed or missing arguments, a profile the mapper cannot identify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// `expected` lists the command names (filled in by the parser, which knows them: this
    /// module stays below the command vocabulary).
    #[error("unknown command '{name}': expected one of {expected}")]
    UnknownCommand { name: String, expected: String },
    #[error("unknown argument '{arg}' for {command}: it accepts {accepted}")]
    UnknownArgument {
        command: &'static str,
        arg: String,
        accepted: String,
    },
    #[error("argument '{0}' is required")]
    Missing(&'static str),
    #[error("argument '{arg}' is not valid JSON ({reason}); pass a JSON object, @file.json or -")]
    InvalidJson { arg: &'static str, reason: String },
    #[error("argument '{arg}' must be {expected}, not {got}")]
    WrongType {
        arg: String,
        expected: &'static str,
        got: &'static str,
    },
    #[error("argument 'allow-enable' must be 'true' or 'false', not '{0}'")]
    AllowEnable(String),
    #[error(
        "the user profile has no identifier: give 'id', or a field the outgoing mapper turns into \
         userName or externalId (with the built-in mapper: 'username' or 'employeeid')"
    )]
    NoIdentifier,
    #[error("You must supply either 'id' or 'displayName' in the scim data")]
    NoGroupIdentifier,
    #[error("the scim data must hold a non-empty 'displayName' to create a group")]
    NoGroupName,
    #[error(
        "iam-update-group needs at least one member id in 'memberIdsToAdd' or 'memberIdsToDelete'"
    )]
    NoMemberChanges,
    #[error("member '{0}' is in both 'memberIdsToAdd' and 'memberIdsToDelete'; say which you mean")]
    MemberInBothLists(String),
    #[error("the user profile cannot be mapped: {0}")]
    Mapping(#[from] MapError),
}

/// Why a command could not run to an [`crate::Outcome`].
#[derive(Debug, thiserror::Error)]
pub enum IlmError {
    /// Exit 2: the caller must fix the input.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Exit 3: the directory could not be reached, or refused our credentials (401/403).
    #[error("{0}")]
    Connection(aws_ilm_client::ClientError),
}

/// A server answer the command reports as `success: false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: Option<u16>,
    pub message: String,
}

/// Sorts a client error: unreachable, TLS, misconfigured or refused credentials (401/403) stop the
/// command (`Err`, exit 3); any other answer is a [`Failure`] the outcome reports with the HTTP
/// status and the SCIM `detail` plus AWS's request id (docs/commands.md, "Failures"). An answer
/// that cannot be trusted (malformed, too large, a redirect, a broken paging) is such an answer:
/// the command ran and did not succeed.
pub(crate) fn classify(e: aws_ilm_client::ClientError) -> Result<Failure, IlmError> {
    use aws_ilm_client::ClientError as E;
    match e {
        E::Http {
            status,
            detail,
            request_id,
            ..
        } if !matches!(status, 401 | 403) => Ok(Failure {
            code: Some(status),
            message: match request_id {
                Some(rid) => format!("{detail} (request id {rid})"),
                None => detail,
            },
        }),
        E::Decode(_) | E::Protocol(_) | E::InvalidRequest(_) | E::ResponseTooLarge { .. } => {
            Ok(Failure {
                code: None,
                message: e.to_string(),
            })
        }
        other => Err(IlmError::Connection(other)),
    }
}
