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
use std::sync::Arc;

use reqwest::{Method, Url};
use serde_json::Value;

use aws_ilm_scim::ListResponse;

use crate::error::ClientError;
use crate::transport::{Call, Inner};

/// AWS: `count` is 1..=100.
pub const PAGE_SIZE: usize = 100;

/// Where a walk stands.
#[derive(Debug)]
enum Walk {
    /// The next request sends this cursor (empty for the first page).
    Cursor(String),
    /// A server without cursors: the next request asks from this 1-based `startIndex`, up to
    /// the `totalResults` its first page claimed.
    Index {
        next: usize,
        total: usize,
    },
    Done,
}

/// The pages of one listing, one request per [`Pages::next`], each handed over as it arrives
/// so a caller can convert and drop it (reconcile keeps a few attributes of 100,000 users, not
/// their whole JSON) and pace each request (docs/client.md, "Lists").
///
/// The walk keeps the same guards as [`crate::ScimClient::list_users`], which is built on it:
/// at most `max_pages` pages, and a cursor handed back twice ends it with
/// [`ClientError::Protocol`].
pub struct Pages {
    inner: Arc<Inner>,
    resource: &'static str,
    url: Url,
    filter: Option<String>,
    walk: Walk,
    /// Every cursor this walk was given; the first request's empty one ends the walk anyway.
    seen: HashSet<String>,
    fetched: usize,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("resource", &self.resource)
            .field("fetched", &self.fetched)
            .finish_non_exhaustive()
    }
}

impl Pages {
    pub(crate) fn new(
        inner: Arc<Inner>,
        resource: &'static str,
        filter: Option<String>,
    ) -> Result<Pages, ClientError> {
        let url = inner.endpoint.url(&[resource])?;
        Ok(Pages {
            inner,
            resource,
            url,
            filter,
            walk: Walk::Cursor(String::new()),
            seen: HashSet::new(),
            fetched: 0,
        })
    }

    /// Requests sent so far (one per page; retries of one page are the client's own).
    pub fn fetched(&self) -> usize {
        self.fetched
    }

    /// Whether the listing is complete: [`Pages::next`] would answer `None` without a request.
    /// A caller that pays a rate limiter per request checks this first.
    pub fn is_done(&self) -> bool {
        match self.walk {
            Walk::Done => true,
            Walk::Index { next, total } => next > total,
            Walk::Cursor(_) => false,
        }
    }

    fn base(&self) -> Call {
        let mut call = Call::new(Method::GET, self.url.clone());
        if let Some(f) = &self.filter {
            call = call.query("filter", f.clone());
        }
        call.query("count", PAGE_SIZE.to_string())
    }

    /// The next page (one request), or `None` once the listing is complete (no request).
    pub async fn next(&mut self) -> Result<Option<Vec<Value>>, ClientError> {
        match std::mem::replace(&mut self.walk, Walk::Done) {
            Walk::Done => Ok(None),
            Walk::Cursor(cursor) => {
                if self.fetched >= self.inner.max_pages {
                    return Err(self.too_many_pages());
                }
                let call = self.base().query("cursor", cursor);
                let list = self.inner.fetch_page(&call).await?;
                self.fetched += 1;
                let returned = list.resources.len();
                match list.next_cursor.filter(|c| !c.is_empty()) {
                    Some(next) if self.seen.contains(&next) => {
                        return Err(ClientError::Protocol(format!(
                            "{}: page {} handed back a cursor the server had already given \
                             in this listing; paging would never end",
                            self.resource, self.fetched
                        )));
                    }
                    Some(next) => {
                        self.seen.insert(next.clone());
                        self.walk = Walk::Cursor(next);
                    }
                    None => {
                        let total = list.total_results.unwrap_or(0);
                        let total = usize::try_from(total).unwrap_or(usize::MAX);
                        if self.fetched == 1 && returned > 0 && total > returned {
                            self.walk = Walk::Index {
                                next: returned + 1,
                                total,
                            };
                        }
                    }
                }
                Ok(Some(list.resources))
            }
            Walk::Index { next, total } => {
                if next > total {
                    return Ok(None);
                }
                if self.fetched >= self.inner.max_pages {
                    return Err(self.too_many_pages());
                }
                let call = self.base().query("startIndex", next.to_string());
                let list = self.inner.fetch_page(&call).await?;
                self.fetched += 1;
                if list.resources.is_empty() {
                    // totalResults overstated (resources deleted meanwhile): what we have is all.
                    return Ok(None);
                }
                self.walk = Walk::Index {
                    next: next.saturating_add(list.resources.len()),
                    total,
                };
                Ok(Some(list.resources))
            }
        }
    }

    fn too_many_pages(&self) -> ClientError {
        ClientError::Protocol(format!(
            "{}: still more pages after {} (max_pages); giving up (server paging looks broken)",
            self.resource, self.inner.max_pages
        ))
    }
}

/// Every resource of a walk, gathered.
pub(crate) async fn collect(mut pages: Pages) -> Result<Vec<Value>, ClientError> {
    let mut out = Vec::new();
    while let Some(page) = pages.next().await? {
        out.extend(page);
    }
    Ok(out)
}

impl Inner {
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
}
