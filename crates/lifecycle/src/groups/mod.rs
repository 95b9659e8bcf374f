//! Group commands, one module per command, and what they share: finding the group the `scim`
//! argument names — by `id` (no request needed where the next call takes the id anyway), or by
//! `displayName` through a ListGroups filter (docs/commands.md, "Group commands": a name
//! anywhere an id is accepted).

pub mod create;
pub mod delete;
pub mod get;
pub mod update;

use aws_ilm_client::GroupQuery;
use serde_json::{Map, Value};

use crate::Ilm;
use crate::error::{Failure, IlmError, classify};
use crate::json::text_of;
use crate::outcome::{GroupResult, Outcome, Status};

/// The seed's message for a group that is not there.
pub(crate) const NOT_FOUND: &str = "Group Not Found";

pub(crate) fn scim_text(scim: &Map<String, Value>, key: &str) -> Option<String> {
    scim.get(key).and_then(text_of)
}

/// The group's id: given, or resolved from `displayName` (one request). `Ok(Err(_))` is the
/// failed result to report (not found, or an error answer).
pub(crate) async fn resolve_id(
    ilm: &Ilm,
    scim: &Map<String, Value>,
) -> Result<Result<String, GroupResult>, IlmError> {
    if let Some(id) = scim_text(scim, "id") {
        return Ok(Ok(id));
    }
    Ok(match find_by_name(ilm, scim).await? {
        Ok(g) => match g.get("id").and_then(Value::as_str) {
            Some(id) => Ok(id.to_owned()),
            None => Err(failed(
                scim,
                Failure {
                    code: None,
                    message: "the directory returned a group without an id".into(),
                },
            )),
        },
        Err(r) => Err(r),
    })
}

/// The first group named as `scim`'s `displayName` says (one list request). Nothing found is
/// the failed result "Group Not Found" whose `details` is the directory's list response, as
/// the seed shows it; an error answer is a failed result with the error text.
pub(crate) async fn find_by_name(
    ilm: &Ilm,
    scim: &Map<String, Value>,
) -> Result<Result<Value, GroupResult>, IlmError> {
    let name = scim_text(scim, "displayName").unwrap_or_default();
    match ilm
        .client()
        .find_group_page(&GroupQuery::DisplayName(name))
        .await
    {
        Ok(page) => {
            let first = page
                .get("Resources")
                .and_then(Value::as_array)
                .and_then(|r| r.first())
                .cloned();
            Ok(match first {
                Some(g) => Ok(g),
                None => Err(failed(scim, not_found()).with_details(page)),
            })
        }
        Err(e) => Ok(Err(from_error(scim, e)?)),
    }
}

/// The failed result for an error answer: "Group Not Found" for a 404, the server's detail
/// otherwise, and the error's text as `details` (the seed shows the exception's text there).
pub(crate) fn from_error(
    scim: &Map<String, Value>,
    e: aws_ilm_client::ClientError,
) -> Result<GroupResult, IlmError> {
    let text = e.to_string();
    let f = classify(e)?;
    Ok(failed(scim, group_failure(f)).with_details(Value::String(text)))
}

pub(crate) fn not_found() -> Failure {
    Failure {
        code: Some(404),
        message: NOT_FOUND.into(),
    }
}

/// A 404 from the directory is reported with the seed's "Group Not Found".
pub(crate) fn group_failure(f: Failure) -> Failure {
    if f.code == Some(404) {
        not_found_with(&f)
    } else {
        f
    }
}

fn not_found_with(f: &Failure) -> Failure {
    Failure {
        code: Some(404),
        message: match crate::error::split_request_ids(&f.message).1.first() {
            Some(rid) => crate::error::with_request_id(NOT_FOUND, rid),
            None => NOT_FOUND.into(),
        },
    }
}

/// The seed's document names and table titles, by command.
pub(crate) struct Doc {
    pub key: &'static str,
    pub title: &'static str,
}

pub(crate) const GET: Doc = Doc {
    key: "GetGroup",
    title: "AWS Get Group:",
};
pub(crate) const CREATE: Doc = Doc {
    key: "CreateGroup",
    title: "AWS Create Group:",
};
pub(crate) const UPDATE: Doc = Doc {
    key: "UpdateGroup",
    title: "AWS Update Group:",
};
pub(crate) const DELETE: Doc = Doc {
    key: "DeleteGroup",
    title: "AWS Delete Group:",
};

pub(crate) fn finish(ilm: &Ilm, doc: &Doc, r: GroupResult) -> Outcome {
    r.into_outcome(doc.key, doc.title, &ilm.settings().instance_name)
}

/// A failed group result naming what the caller gave.
pub(crate) fn failed(scim: &Map<String, Value>, f: Failure) -> GroupResult {
    GroupResult {
        status: Some(Status::Failed),
        id: scim_text(scim, "id"),
        display_name: scim_text(scim, "displayName"),
        error_code: f.code,
        error_message: Some(f.message),
        ..Default::default()
    }
}

/// The seed's `details` for a write that answers without a body: the response's headers.
pub(crate) fn response_details(info: &aws_ilm_client::ResponseInfo) -> Value {
    serde_json::json!({
        "status": info.status,
        "Date": info.date,
        "x-amzn-RequestId": info.request_id,
    })
}
