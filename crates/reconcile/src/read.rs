//! Reading what AWS has with the fewest requests its listing API allows (docs/reconcile.md,
//! "Reading AWS: minimal reads"): every user and every group in pages of 100, then the members
//! of each managed group that exists through `/Users?filter=groups.value eq "<id>"`. Never a
//! per-user or per-(group, user) lookup: those are what makes other sync tools time out.
//!
//! Memory follows what is compared, not what AWS stores: each page of users is cut down to
//! [`ActualUser`] (identity, `active`, and only the paths some source user provides) as it
//! arrives, so 100,000 users never sit in memory as whole JSON documents.

use std::collections::HashMap;
use std::sync::Arc;

use aws_ilm_batch::{Cost, RateLimiter};
use aws_ilm_client::{ClientError, Pages, ScimClient, UserQuery};
use aws_ilm_lifecycle::users::{is_active, patch::value_at};
use aws_ilm_scim::key;
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use crate::diff::{compared_paths, managed_groups};
use crate::model::{Actual, ActualGroup, ActualUser, AttrPath, Desired};
use crate::options::Options;

/// What one page costs the rate limiter: one read (the batch engine charges its events the
/// same way, reads against AWS's read quota).
const PAGE: Cost = Cost {
    reads: 1.0,
    writes: 0.0,
};

/// The number of requests [`read_actual`] sends for `users` users, `groups` groups and managed
/// groups with these member counts: one page per 100 of each listing (at least one, since an
/// empty listing still takes its one request), and at least one member page per managed group.
pub fn read_cost(users: usize, groups: usize, members: impl IntoIterator<Item = usize>) -> usize {
    let pages = |n: usize| n.div_ceil(aws_ilm_client::paging::PAGE_SIZE).max(1);
    pages(users) + pages(groups) + members.into_iter().map(pages).sum::<usize>()
}

/// Reads the actual state a plan needs: users and groups listed side by side, then the members
/// of the managed groups that exist ([`managed_groups`]), at most `concurrency` groups at a
/// time. Every request first takes its turn at `limiter`; the client that `limiter` paces
/// should report its 429s to it (`on_throttle`), as the batch engine's does.
pub async fn read_actual(
    client: &ScimClient,
    desired: &Desired,
    options: &Options,
    limiter: &Arc<RateLimiter>,
    concurrency: usize,
) -> Result<Actual, ClientError> {
    let paths: Vec<AttrPath> = compared_paths(desired).into_iter().collect();
    let (users, mut groups) = tokio::try_join!(
        read_users(client, &paths, limiter),
        read_groups(client, limiter)
    )?;
    let managed = managed_groups(desired, &groups, options);
    let mut members: HashMap<String, Vec<String>> = stream::iter(managed)
        .map(|id| async move {
            let ids = read_members(client, &id, limiter).await?;
            Ok::<_, ClientError>((id, ids))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    for g in &mut groups {
        if let Some(m) = members.remove(&g.id) {
            g.members = Some(m);
        }
    }
    Ok(Actual { users, groups })
}

/// The next page, after waiting for the limiter; `None` (and no charge) once the walk is done.
async fn paced(
    pages: &mut Pages,
    limiter: &RateLimiter,
) -> Result<Option<Vec<Value>>, ClientError> {
    if pages.is_done() {
        return Ok(None);
    }
    limiter.acquire(PAGE).await;
    pages.next().await
}

async fn read_users(
    client: &ScimClient,
    paths: &[AttrPath],
    limiter: &RateLimiter,
) -> Result<Vec<ActualUser>, ClientError> {
    let mut pages = client.user_pages(None)?;
    let mut out = Vec::new();
    while let Some(page) = paced(&mut pages, limiter).await? {
        for user in page {
            out.push(actual_user(&user, paths)?);
        }
    }
    Ok(out)
}

async fn read_groups(
    client: &ScimClient,
    limiter: &RateLimiter,
) -> Result<Vec<ActualGroup>, ClientError> {
    let mut pages = client.group_pages(None)?;
    let mut out = Vec::new();
    while let Some(page) = paced(&mut pages, limiter).await? {
        for group in page {
            out.push(actual_group(&group)?);
        }
    }
    Ok(out)
}

/// The member ids of one group, sorted, without repeats: only ids are kept of each page.
async fn read_members(
    client: &ScimClient,
    group_id: &str,
    limiter: &RateLimiter,
) -> Result<Vec<String>, ClientError> {
    let mut pages = client.user_pages(Some(&UserQuery::GroupsValue(group_id.to_owned())))?;
    let mut out = Vec::new();
    while let Some(page) = paced(&mut pages, limiter).await? {
        for user in page {
            out.push(string(&user, "id").unwrap_or_default());
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn string(v: &Value, name: &str) -> Option<String> {
    key::get_in(v, name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A listed resource without a name it must have (AWS always sends them): the answer is not
/// what AWS sends, so the read stops rather than plan against it. The id is the server's text:
/// cut short and neutralised before it can reach a terminal.
fn missing(what: &str, id: &str, attribute: &str) -> ClientError {
    let id: String = id.chars().take(64).collect();
    ClientError::Decode(format!(
        "{what} {} has no {attribute}",
        aws_ilm_lifecycle::text::neutralise(&id, false)
    ))
}

/// A listed user cut down to what the diff compares.
pub fn actual_user(user: &Value, paths: &[AttrPath]) -> Result<ActualUser, ClientError> {
    let id = string(user, "id").unwrap_or_default();
    let Some(user_name) = string(user, "userName") else {
        return Err(missing("user", &id, "userName"));
    };
    let attributes = paths
        .iter()
        .filter_map(|p| {
            let v = value_at(user, p).filter(|v| !v.is_null())?;
            Some((p, v.clone()))
        })
        .collect();
    Ok(ActualUser {
        id,
        user_name,
        external_id: string(user, "externalId"),
        active: is_active(user),
        attributes,
    })
}

/// A listed group; its members are read apart, for managed groups only.
pub fn actual_group(group: &Value) -> Result<ActualGroup, ClientError> {
    let id = string(group, "id").unwrap_or_default();
    let Some(display_name) = string(group, "displayName") else {
        return Err(missing("group", &id, "displayName"));
    };
    Ok(ActualGroup {
        id,
        display_name,
        external_id: string(group, "externalId"),
        members: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_cost_is_a_page_per_hundred_and_at_least_one() {
        assert_eq!(read_cost(0, 0, []), 2);
        assert_eq!(read_cost(100, 1, [0]), 3);
        assert_eq!(read_cost(101, 3, [0, 150, 20]), 2 + 1 + 4);
        assert_eq!(read_cost(10_000, 500, vec![100; 500]), 100 + 5 + 500);
    }

    #[test]
    fn a_user_keeps_only_the_compared_paths() {
        let user = json!({
            "id": "u-1", "userName": "ada", "externalId": "e-1", "active": false,
            "displayName": "Ada", "title": "Eng", "phoneNumbers": [{"value": "1"}],
            "name": {"givenName": "Ada", "familyName": "L"},
        });
        let paths = vec![
            "name.givenName".to_owned(),
            "title".to_owned(),
            "nickName".to_owned(),
        ];
        let a = actual_user(&user, &paths).unwrap();
        assert_eq!((a.id.as_str(), a.user_name.as_str()), ("u-1", "ada"));
        assert_eq!(a.external_id.as_deref(), Some("e-1"));
        assert!(!a.active);
        assert_eq!(
            a.attributes.into_iter().collect::<Vec<_>>(),
            vec![
                ("name.givenName".to_owned(), json!("Ada")),
                ("title".to_owned(), json!("Eng")),
            ]
        );
    }

    #[test]
    fn a_nameless_resource_is_a_decode_error_not_a_panic() {
        let err = actual_user(&json!({"id": "u\u{1b}[2J"}), &[]).unwrap_err();
        assert!(
            matches!(&err, ClientError::Decode(m) if !m.contains('\u{1b}')),
            "{err:?}"
        );
        assert!(actual_group(&json!({"id": "g"})).is_err());
        assert!(
            actual_user(&json!({"id": "u", "userName": "x"}), &[])
                .unwrap()
                .active
        );
    }
}
