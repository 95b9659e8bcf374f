//! Creating users and groups without ever creating one twice (docs/client.md, "Creates whose
//! outcome is unknown").
//!
//! A POST is not idempotent: re-sending one whose first copy landed makes a duplicate, or on AWS a
//! 409 that hides our own success. So the create loop treats failures by what they tell us:
//!
//! - **Certainly not executed** (the connection could not be opened, or 429: AWS throttles before
//!   acting): back off and POST again.
//! - **Outcome unknown** (500/502/503/504, a timeout or a connection lost after sending): back off,
//!   then look the resource up by its unique name (`userName eq` / `displayName eq`, value
//!   escaped). Found: it was created, return it. Not found: POST again. If the lookup itself
//!   fails, stop and return the POST's error rather than guess.
//! - **409 after an unknown outcome**: our earlier POST landed (or someone created the same name
//!   meanwhile; either way the name now exists): look it up and return it. A 409 on a first,
//!   clean attempt is a real conflict and is returned as such.
//! - A body without the name attribute cannot be checked, so after an unknown outcome it is never
//!   re-sent; the error is returned.
//! - What a lookup finds is ours only if it carries what was sent: the name (compared
//!   case-insensitively, as AWS keeps it unique) and, when the body had one, the `externalId`
//!   (exactly). Anything else is a server answering a filter with the wrong resource: the create
//!   fails with [`ClientError::Protocol`] rather than report someone else's user as created
//!   (docs/client.md).
//!
//! The POSTs share one retry budget (attempts and elapsed time); each lookup is a read with its
//! own budget, so a create can take up to about twice `max_elapsed` against a failing server.

use reqwest::Method;
use serde_json::Value;

use aws_ilm_scim::{CiStr, Filter, key};

use crate::error::{ClientError, is_retryable_status};
use crate::transport::{Call, Inner};

/// What is being created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

impl Kind {
    fn resource(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    /// The attribute AWS keeps unique and that identifies our create.
    fn key_attr(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }
}

impl Inner {
    pub(crate) async fn create(&self, kind: Kind, body: &Value) -> Result<Value, ClientError> {
        if !body.is_object() {
            return Err(ClientError::InvalidRequest(format!(
                "a {} to create must be a JSON object",
                kind.resource()
            )));
        }
        let call = Call::new(Method::POST, self.endpoint.url(&[kind.resource()])?).json(body)?;
        // The last POST's answer: what the write hook reports (a create resolved by a lookup
        // reports the POST answer that left its outcome unknown).
        let mut last = None;
        let result = self.create_with(kind, body, &call, &mut last).await;
        let operation = crate::users::operation(&Method::POST, kind.resource());
        match (&result, &last) {
            (Ok(v), _) => {
                let info = last.unwrap_or(crate::ResponseInfo {
                    status: 201,
                    request_id: None,
                    date: None,
                });
                let id = v.get("id").and_then(Value::as_str);
                self.report_write(operation, id, &call, Ok(&info));
            }
            // `InvalidRequest` before anything was sent is not a write.
            (Err(ClientError::InvalidRequest(_)), None) => {}
            (Err(e), _) => self.report_write(operation, None, &call, Err(e)),
        }
        result
    }

    /// The create loop proper; `last` ends holding the last POST answer's status line.
    async fn create_with(
        &self,
        kind: Kind,
        body: &Value,
        call: &Call,
        last: &mut Option<crate::ResponseInfo>,
    ) -> Result<Value, ClientError> {
        let key = key_value(body, kind.key_attr());
        let mut budget = self.budget();
        let mut unknown = false;
        loop {
            let attempt = budget.start_attempt();
            if attempt > 1 {
                self.count_retry();
            }
            let sent = self.send_once(call, attempt).await;
            if let Ok(r) = &sent {
                *last = Some(r.info());
            }
            let (err, retry_after) = match sent {
                Ok(r) if r.is_success() => return r.resource(),
                Ok(r) if r.status == 409 && unknown => {
                    let err = r.into_error();
                    return match self.lookup(kind, key.as_deref()).await {
                        Ok(Some(found)) => ours(kind, body, found),
                        _ => Err(err),
                    };
                }
                Ok(r) if r.status == 429 => {
                    let ra = r.retry_after;
                    let err = r.into_error();
                    if !budget.pause_before_retry(ra).await {
                        return Err(err);
                    }
                    continue;
                }
                Ok(r) if is_retryable_status(r.status) => {
                    let ra = r.retry_after;
                    (r.into_error(), ra)
                }
                Ok(r) => return Err(r.into_error()),
                Err(t) if !t.error.is_retryable() => return Err(t.error),
                Err(t) if !t.maybe_sent => {
                    if !budget.pause_before_retry(None).await {
                        return Err(t.error);
                    }
                    continue;
                }
                Err(t) => (t.error, None),
            };
            // The outcome of this POST is unknown.
            unknown = true;
            let Some(key) = key.as_deref() else {
                return Err(err);
            };
            let may_retry = budget.pause_before_retry(retry_after).await;
            match self.lookup(kind, Some(key)).await {
                Ok(Some(found)) => {
                    tracing::debug!(
                        resource = kind.resource(),
                        attempt,
                        "create outcome was unknown; the resource exists, so it was created"
                    );
                    return ours(kind, body, found);
                }
                Ok(None) if may_retry => {}
                Ok(None) => return Err(err),
                Err(lookup_err) => {
                    tracing::warn!(
                        resource = kind.resource(),
                        error = %lookup_err,
                        "create outcome unknown and the lookup failed; not re-sending the POST"
                    );
                    return Err(err);
                }
            }
        }
    }

    async fn lookup(&self, kind: Kind, key: Option<&str>) -> Result<Option<Value>, ClientError> {
        let Some(key) = key else {
            return Ok(None);
        };
        let filter = Filter::eq(kind.key_attr(), key).to_string();
        self.list_first(kind.resource(), filter).await
    }
}

/// `found` (a lookup's answer after a POST with an unknown outcome) if it is the resource `sent`
/// describes: the same name, case-insensitively, and the same `externalId` when one was sent.
fn ours(kind: Kind, sent: &Value, found: Value) -> Result<Value, ClientError> {
    let attr = kind.key_attr();
    let same_name = match (key_value(sent, attr), key_value(&found, attr)) {
        (Some(a), Some(b)) => CiStr(&a) == CiStr(&b),
        _ => false,
    };
    let external = key_value(sent, "externalId");
    let same_external = external.is_none() || external == key_value(&found, "externalId");
    if same_name && same_external {
        return Ok(found);
    }
    let what = if same_name {
        "externalId".to_owned()
    } else {
        attr.to_owned()
    };
    Err(ClientError::Protocol(format!(
        "the outcome of POST /{res} was unknown and the lookup by {attr} found a resource whose \
         {what} is not the one sent; not reporting it as created",
        res = kind.resource()
    )))
}

/// The string value of `attr`, matched case-insensitively (SCIM attribute names are, RFC 7643
/// §2.1).
fn key_value(body: &Value, attr: &str) -> Option<String> {
    key::get_in(body, attr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_is_found_case_insensitively() {
        assert_eq!(
            key_value(&json!({"USERNAME": "ada"}), "userName").as_deref(),
            Some("ada")
        );
        assert_eq!(key_value(&json!({"userName": ""}), "userName"), None);
        assert_eq!(key_value(&json!({"userName": 3}), "userName"), None);
        assert_eq!(key_value(&json!([1]), "userName"), None);
    }

    #[test]
    fn a_found_resource_is_ours_only_with_the_name_and_external_id_sent() {
        let sent = json!({"userName": "Ada", "externalId": "E-1"});
        let found = |v: Value| ours(Kind::User, &sent, v);
        assert!(found(json!({"id": "1", "USERNAME": "ada", "externalId": "E-1"})).is_ok());
        for other in [
            json!({"id": "1", "userName": "bob", "externalId": "E-1"}),
            json!({"id": "1", "externalId": "E-1"}),
            json!({"id": "1", "userName": "ada", "externalId": "e-1"}),
            json!({"id": "1", "userName": "ada"}),
        ] {
            let e = found(other.clone()).unwrap_err();
            assert!(
                matches!(&e, ClientError::Protocol(m) if m.contains("not reporting it as created")),
                "{other}: {e:?}"
            );
        }
        // No externalId sent: the name alone decides.
        let group = json!({"displayName": "Staff"});
        assert!(
            ours(
                Kind::Group,
                &group,
                json!({"id": "g", "displayName": "STAFF"})
            )
            .is_ok()
        );
        assert!(
            ours(
                Kind::Group,
                &group,
                json!({"id": "g", "displayName": "Stuff"})
            )
            .is_err()
        );
    }
}
