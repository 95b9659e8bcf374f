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
    #[error("argument '{arg}' must be 'true' or 'false', not '{got}'")]
    Boolean { arg: &'static str, got: String },
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

/// How an `errorMessage` carries AWS's request id: after the detail, so that the seed's one
/// text field still holds both (docs/commands.md, "Failures").
const REQUEST_ID: &str = " (request id ";

/// `detail (request id RID)`, the `errorMessage` of a failure AWS answered.
pub fn with_request_id(detail: &str, request_id: &str) -> String {
    format!("{detail}{REQUEST_ID}{request_id})")
}

/// The inverse of [`with_request_id`]: the message without its ` (request id …)` parts, and the
/// ids in order. A message joining several failures (a group update's) may hold more than one;
/// a message without any is returned as it is. For renderers that show the id on its own line
/// (docs/output.md, "Human output").
pub fn split_request_ids(message: &str) -> (String, Vec<&str>) {
    let mut text = String::with_capacity(message.len());
    let mut ids = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find(REQUEST_ID) {
        let after = &rest[at + REQUEST_ID.len()..];
        let Some(end) = after.find(')') else { break };
        text.push_str(&rest[..at]);
        ids.push(&after[..end]);
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    (text, ids)
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
                Some(rid) => with_request_id(&detail, &rid),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_split_off_the_message() {
        let one = with_request_id("Refused.", "r-1");
        assert_eq!(one, "Refused. (request id r-1)");
        assert_eq!(split_request_ids(&one), ("Refused.".into(), vec!["r-1"]));
        assert_eq!(
            split_request_ids("a (request id 1); b (request id 2)"),
            ("a; b".into(), vec!["1", "2"])
        );
        assert_eq!(
            split_request_ids("no id (request id unclosed"),
            ("no id (request id unclosed".into(), vec![])
        );
    }
}
