//! Reading whole lists: AWS cursor paging, with a fallback for servers that page by `startIndex`.
//!
//! AWS (docs/emulator.md, "Lists and paging"): the first request sends an empty `cursor` and
//! `count=100`; each answer carries `nextCursor` while more pages remain, to be passed back
//! unchanged with the same filter (a changed filter is a 400). A page may be short while a cursor
//! is still given, so only the cursor's absence ends the walk.
//!
//! Servers without cursor support ignore the parameter and answer the RFC 7644 §3.4.2.4 shape.
//! When such an answer says `totalResults` is larger than what it returned, we continue with
//! `startIndex` paging; AWS itself never gets there, because without a cursor its `totalResults`
//! counts the page.
//!
//! A broken or hostile server cannot keep us looping (docs/client.md). Either walk stops with
//! [`ClientError::Protocol`] after `max_pages` pages (default
//! [`crate::config::DEFAULT_MAX_PAGES`]: a million resources, five times AWS's largest tenant),
//! and a cursor walk stops as soon as the server hands back any cursor it already gave in this
//! walk: an A→B→A cycle is as endless as A→A, it only costs more requests to see.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::Value;

use aws_ilm_scim::ListResponse;

use crate::error::ClientError;
use crate::transport::{Call, Inner};

/// AWS: `count` is 1..=100.
pub const PAGE_SIZE: usize = 100;

impl Inner {
    /// Every resource under `resource` ("Users", "Groups") matching `filter`.
    pub(crate) async fn list_all(
        &self,
        resource: &str,
        filter: Option<String>,
    ) -> Result<Vec<Value>, ClientError> {
        let url = self.endpoint.url(&[resource])?;
        let base = |filter: &Option<String>| {
            let mut call = Call::new(Method::GET, url.clone());
            if let Some(f) = filter {
                call = call.query("filter", f.clone());
            }
            call.query("count", PAGE_SIZE.to_string())
        };
        let mut out: Vec<Value> = Vec::new();
        let mut cursor = String::new();
        // Every cursor this walk was given; the first request's empty one ends the walk anyway.
        let mut seen: HashSet<String> = HashSet::new();
        for page in 0..self.max_pages {
            let call = base(&filter).query("cursor", cursor.clone());
            let list = self.fetch_page(&call).await?;
            let returned = list.resources.len();
            out.extend(list.resources);
            match list.next_cursor.filter(|c| !c.is_empty()) {
                Some(next) if seen.contains(&next) => {
                    return Err(ClientError::Protocol(format!(
                        "{resource}: page {} handed back a cursor the server had already given \
                         in this listing; paging would never end",
                        page + 1
                    )));
                }
                Some(next) => {
                    seen.insert(next.clone());
                    cursor = next;
                }
                None => {
                    let total = list.total_results.unwrap_or(0);
                    let total = usize::try_from(total).unwrap_or(usize::MAX);
                    if page == 0 && returned > 0 && total > returned {
                        return self.list_by_index(&base(&filter), out, total).await;
                    }
                    return Ok(out);
                }
            }
        }
        Err(self.too_many_pages(resource))
    }

    /// RFC 7644 `startIndex` paging, continuing after the first page already in `out`.
    async fn list_by_index(
        &self,
        base: &Call,
        mut out: Vec<Value>,
        total: usize,
    ) -> Result<Vec<Value>, ClientError> {
        for _ in 1..self.max_pages {
            if out.len() >= total {
                return Ok(out);
            }
            let call = Call {
                method: base.method.clone(),
                url: base.url.clone(),
                query: base.query.clone(),
                body: None,
            }
            .query("startIndex", (out.len() + 1).to_string());
            let list = self.fetch_page(&call).await?;
            if list.resources.is_empty() {
                // totalResults overstated (resources deleted meanwhile): what we have is all.
                return Ok(out);
            }
            out.extend(list.resources);
        }
        Err(self.too_many_pages(base.url.path()))
    }

    /// The first resource matching `filter`: one list call, no paging.
    pub(crate) async fn list_first(
        &self,
        resource: &str,
        filter: String,
    ) -> Result<Option<Value>, ClientError> {
        let url = self.endpoint.url(&[resource])?;
        let call = Call::new(Method::GET, url).query("filter", filter);
        let list = self.fetch_page(&call).await?;
        Ok(list.resources.into_iter().next())
    }

    /// One page, every resource on it checked like any other answer's.
    async fn fetch_page(&self, call: &Call) -> Result<ListResponse<Value>, ClientError> {
        let done = self.send_retrying(call).await?;
        if !done.reply.is_success() {
            return Err(done.reply.into_error());
        }
        let value = done.reply.json()?;
        let mut list: ListResponse<Value> = serde_json::from_value(value)
            .map_err(|e| ClientError::Decode(format!("not a SCIM ListResponse: {e}")))?;
        list.resources = std::mem::take(&mut list.resources)
            .into_iter()
            .map(crate::resource::checked)
            .collect::<Result<_, _>>()?;
        Ok(list)
    }

    fn too_many_pages(&self, what: &str) -> ClientError {
        ClientError::Protocol(format!(
            "{what}: still more pages after {} (max_pages); giving up (server paging looks broken)",
            self.max_pages
        ))
    }
}
