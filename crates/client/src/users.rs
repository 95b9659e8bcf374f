//! `/Users` operations (docs/emulator.md, "The API it answers"), plus the helpers `/Groups` shares.
//!
//! Reads, PUT, PATCH and DELETE are repeatable, so they go through the retrying loop as is. Two
//! non-AWS shapes are absorbed here: a PATCH or PUT answered 204 or with an empty body (RFC 7644
//! §3.5.2 allows it) is followed by a GET so callers always get the resource; and a DELETE that is
//! answered 404 after an earlier attempt of ours had an unknown outcome counts as done, because
//! the resource is gone, which is what was asked (most likely our first attempt deleted it).

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use aws_ilm_scim::{PatchOp, UserQuery};

use crate::create::Kind;
use crate::error::ClientError;
use crate::paging::Pages;
use crate::transport::{Call, Inner};
use crate::{ResponseInfo, ScimClient};

impl ScimClient {
    /// `GET /Users/{id}`; 404 → `None`.
    pub async fn get_user(&self, id: &str) -> Result<Option<Value>, ClientError> {
        self.inner.get_resource("Users", id).await
    }

    /// The first user matching `q`: one list call, no paging.
    pub async fn find_user(&self, q: &UserQuery) -> Result<Option<Value>, ClientError> {
        self.inner
            .list_first("Users", q.to_filter().to_string())
            .await
    }

    /// All users (matching `q`), across every cursor page.
    pub async fn list_users(&self, q: Option<&UserQuery>) -> Result<Vec<Value>, ClientError> {
        crate::paging::collect(self.user_pages(q)?).await
    }

    /// The users (matching `q`) page by page, one request per [`Pages::next`]: for a caller
    /// that paces each request or keeps only part of each user.
    pub fn user_pages(&self, q: Option<&UserQuery>) -> Result<Pages, ClientError> {
        Pages::new(
            Arc::clone(&self.inner),
            "Users",
            q.map(|q| q.to_filter().to_string()),
        )
    }

    /// `POST /Users`. An unknown outcome is resolved by a lookup on `userName`, never by a blind
    /// second POST (see [`crate::create`]).
    pub async fn create_user(&self, user: &Value) -> Result<Value, ClientError> {
        self.inner.create(Kind::User, user).await
    }

    /// `PATCH /Users/{id}`; returns the updated user (fetched back if the server sent none).
    pub async fn patch_user(&self, id: &str, patch: &PatchOp) -> Result<Value, ClientError> {
        self.inner
            .write_then_read(Method::PATCH, "Users", id, patch)
            .await
    }

    /// `PUT /Users/{id}` (full replace); returns the stored user.
    pub async fn put_user(&self, id: &str, user: &Value) -> Result<Value, ClientError> {
        self.inner
            .write_then_read(Method::PUT, "Users", id, user)
            .await
    }

    /// `DELETE /Users/{id}`. A 404 on the first try is an error (`status() == Some(404)`).
    pub async fn delete_user(&self, id: &str) -> Result<(), ClientError> {
        self.inner.delete("Users", id).await.map(|_| ())
    }
}

impl Inner {
    pub(crate) async fn get_resource(
        &self,
        resource: &str,
        id: &str,
    ) -> Result<Option<Value>, ClientError> {
        let url = self.endpoint.url(&[resource, id])?;
        let done = self.send_retrying(&Call::new(Method::GET, url)).await?;
        match done.reply.status {
            404 => Ok(None),
            _ if done.reply.is_success() => done.reply.resource_as(resource, id).map(Some),
            _ => Err(done.reply.into_error()),
        }
    }

    /// `GET` of the path under the endpoint: the JSON body of a success, any other answer as
    /// its error (a 404 included).
    pub(crate) async fn get_json(&self, segments: &[&str]) -> Result<Value, ClientError> {
        let url = self.endpoint.url(segments)?;
        let done = self.send_retrying(&Call::new(Method::GET, url)).await?;
        if done.reply.is_success() {
            done.reply.json()
        } else {
            Err(done.reply.into_error())
        }
    }

    /// PATCH or PUT, then the resource: from the answer when it has one (AWS: 200 with the
    /// user), else by a GET; either way it must be the resource written.
    pub(crate) async fn write_then_read(
        &self,
        method: Method,
        resource: &str,
        id: &str,
        body: &impl serde::Serialize,
    ) -> Result<Value, ClientError> {
        let reply = self.write(method, resource, id, body).await?;
        if reply.has_body() {
            return reply.resource_as(resource, id);
        }
        match self.get_resource(resource, id).await? {
            Some(v) => Ok(v),
            None => Err(ClientError::Http {
                status: 404,
                detail: format!("{resource}/{id} was updated but no longer exists"),
                request_id: reply.request_id,
                retry_after: None,
            }),
        }
    }

    /// A repeatable write; `Err` for any non-2xx final answer.
    pub(crate) async fn write(
        &self,
        method: Method,
        resource: &str,
        id: &str,
        body: &impl serde::Serialize,
    ) -> Result<crate::reply::Reply, ClientError> {
        let operation = operation(&method, resource);
        let call = Call::new(method, self.endpoint.url(&[resource, id])?).json(body)?;
        let done = match self.send_retrying(&call).await {
            Ok(done) => done,
            Err(e) => {
                self.report_write(operation, Some(id), &call, Err(&e));
                return Err(e);
            }
        };
        if done.reply.is_success() {
            self.report_write(operation, Some(id), &call, Ok(&done.reply.info()));
            Ok(done.reply)
        } else {
            let e = done.reply.into_error();
            self.report_write(operation, Some(id), &call, Err(&e));
            Err(e)
        }
    }

    pub(crate) async fn delete(
        &self,
        resource: &str,
        id: &str,
    ) -> Result<ResponseInfo, ClientError> {
        let operation = operation(&Method::DELETE, resource);
        let call = Call::new(Method::DELETE, self.endpoint.url(&[resource, id])?);
        let done = match self.send_retrying(&call).await {
            Ok(done) => done,
            Err(e) => {
                self.report_write(operation, Some(id), &call, Err(&e));
                return Err(e);
            }
        };
        let reply = done.reply;
        if reply.is_success() || (reply.status == 404 && done.after_unknown_outcome) {
            let info = reply.info();
            self.report_write(operation, Some(id), &call, Ok(&info));
            Ok(info)
        } else {
            let e = reply.into_error();
            self.report_write(operation, Some(id), &call, Err(&e));
            Err(e)
        }
    }
}

/// The AWS operation name of a write to `resource` (`Users`, `Groups`) with `method`.
pub(crate) fn operation(method: &Method, resource: &str) -> &'static str {
    let user = resource == "Users";
    match *method {
        Method::POST if user => "CreateUser",
        Method::POST => "CreateGroup",
        Method::PUT if user => "PutUser",
        Method::PUT => "PutGroup",
        Method::DELETE if user => "DeleteUser",
        Method::DELETE => "DeleteGroup",
        _ if user => "PatchUser",
        _ => "PatchGroup",
    }
}
