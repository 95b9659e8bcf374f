//! Cursor paging against the emulator: more users than one page holds.

use std::collections::HashSet;

use futures::StreamExt;

use crate::common::{client_for, emulator, id_of, op_count, user};

#[tokio::test]
async fn lists_every_user_across_cursor_pages() {
    let run = emulator().await;
    let c = client_for(&run);
    let n = 234;
    let created: Vec<String> = futures::stream::iter(0..n)
        .map(|i| {
            let c = c.clone();
            async move { id_of(&c.create_user(&user(&format!("user{i:03}"))).await.unwrap()) }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let listed = c.list_users(None).await.unwrap();
    let ids: HashSet<String> = listed.iter().map(id_of).collect();
    assert_eq!(listed.len(), n, "no user listed twice");
    assert_eq!(ids, created.into_iter().collect::<HashSet<_>>());
    assert_eq!(op_count(&run, "ListUsers").await, 3, "100 + 100 + 34");
    assert!(c.list_groups(None).await.unwrap().is_empty());
    run.stop().await;
}
