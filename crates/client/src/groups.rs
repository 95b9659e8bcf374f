//! `/Groups` operations (docs/emulator.md, "The API it answers").
//!
//! AWS answers PatchGroup and DeleteGroup with 204 and no body, so those return only
//! [`ResponseInfo`]. Group reads never carry members on AWS; listing members is a
//! `list_users(Some(&UserQuery::GroupsValue(id)))`, which the lifecycle engine does.

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use aws_ilm_scim::{GroupQuery, PatchOp};

use crate::create::Kind;
use crate::error::ClientError;
use crate::paging::Pages;
use crate::transport::Call;
use crate::{ResponseInfo, ScimClient};

impl ScimClient {
    /// `GET /Groups/{id}`; 404 → `None`.
    pub async fn get_group(&self, id: &str) -> Result<Option<Value>, ClientError> {
        self.inner.get_resource("Groups", id).await
    }

    /// The first group matching `q`: one list call, no paging.
    pub async fn find_group(&self, q: &GroupQuery) -> Result<Option<Value>, ClientError> {
        self.inner
            .list_first("Groups", q.to_filter().to_string())
            .await
    }

    /// `GET /Groups/{id}` with a 404 kept as the error it is, for a caller that reports the
    /// server's text for a missing group (`iam-get-group`, as the seed does).
    pub async fn read_group(&self, id: &str) -> Result<Value, ClientError> {
        let group = self.inner.get_json(&["Groups", id]).await?;
        crate::resource::checked_as(group, "Groups", id)
    }

    /// The first page of groups matching `q`, as the server sent it (a SCIM ListResponse, its
    /// keys in the server's order): `iam-get-group` by name shows it when nothing matched, as
    /// the seed does. One list call; an answer that is not a ListResponse is a decode error.
    pub async fn find_group_page(&self, q: &GroupQuery) -> Result<Value, ClientError> {
        let url = self.inner.endpoint.url(&["Groups"])?;
        let call = Call::new(Method::GET, url).query("filter", q.to_filter().to_string());
        let done = self.inner.send_retrying(&call).await?;
        if !done.reply.is_success() {
            return Err(done.reply.into_error());
        }
        let page = done.reply.json()?;
        aws_ilm_scim::ListResponse::<Value>::deserialize(&page)
            .map_err(|e| ClientError::Decode(format!("not a SCIM ListResponse: {e}")))?;
        Ok(page)
    }

    /// All groups (matching `q`), across every cursor page.
    pub async fn list_groups(&self, q: Option<&GroupQuery>) -> Result<Vec<Value>, ClientError> {
        crate::paging::collect(self.group_pages(q)?).await
    }

    /// The groups (matching `q`) page by page, one request per [`Pages::next`].
    pub fn group_pages(&self, q: Option<&GroupQuery>) -> Result<Pages, ClientError> {
        Pages::new(
            Arc::clone(&self.inner),
            "Groups",
            q.map(|q| q.to_filter().to_string()),
        )
    }

    /// `POST /Groups`. An unknown outcome is resolved by a lookup on `displayName`, never by a
    /// blind second POST (see [`crate::create`]).
    pub async fn create_group(&self, group: &Value) -> Result<Value, ClientError> {
        self.inner.create(Kind::Group, group).await
    }

    /// `PATCH /Groups/{id}` (AWS: 204; at most `aws_ilm_scim::patch::MAX_MEMBER_CHANGES` member
    /// changes per request, which the caller batches).
    pub async fn patch_group(
        &self,
        id: &str,
        patch: &PatchOp,
    ) -> Result<ResponseInfo, ClientError> {
        self.inner
            .write(Method::PATCH, "Groups", id, patch)
            .await
            .map(|r| r.info())
    }

    /// `DELETE /Groups/{id}`. A 404 on the first try is an error; a 404 after an earlier attempt
    /// with an unknown outcome is `Ok` with `status: 404` (the group is gone, as asked).
    pub async fn delete_group(&self, id: &str) -> Result<ResponseInfo, ClientError> {
        self.inner.delete("Groups", id).await
    }
}
