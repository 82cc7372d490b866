//! What readers' lists read: a page of posts counts them only when asked,
//! and related articles rank the public posts sharing the most tags. On
//! SQLite and on PostgreSQL.

use app::accounts::Role;
use app::accounts::server::User;
use app::domain::{PostContent, PostFields};
use app::posts::server::{LiveText, Post, PostEdit, PublicQuery, RevisionKind};
use app::posts::workflow::PostStatus;
use app::store::Store;
use chrono::Utc;

use super::open;
use super::posts::{change, draft, save, user};
use crate::support::TestDb;

/// A post with `tags`, saved, and published when `publish` says.
async fn tagged(store: &dyn Store, maya: &User, title: &str, tags: &str, publish: bool) -> Post {
    let post = draft(store, title, maya).await;
    let edit = PostEdit::parse(&PostFields {
        content: PostContent {
            title: post.content.title.clone(),
            slug: post.content.slug.clone(),
            body: format!("About {title}."),
            ..PostContent::default()
        },
        tags: tags.to_owned(),
        author_ids: vec![maya.id],
        ..PostFields::default()
    })
    .expect("edit");
    let post = save(store, &post, &edit, maya, RevisionKind::Save).await.expect("save");
    if !publish {
        return post;
    }
    let approved = store
        .change_status(&change(&post, PostStatus::Approved, maya, LiveText::Keep))
        .await
        .expect("approve");
    store
        .change_status(&change(&approved, PostStatus::Published, maya, LiveText::FromCurrent))
        .await
        .expect("publish")
}

async fn related_articles_share_the_most_tags_and_are_public(db: &TestDb) {
    let store = open(db).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let post = tagged(&*store, &maya, "Sleep and the heart", "Sleep, Heart", true).await;
    tagged(&*store, &maya, "One tag", "Sleep", true).await;
    tagged(&*store, &maya, "Two tags", "Heart, Sleep", true).await;
    tagged(&*store, &maya, "A draft with both", "Sleep, Heart", false).await;
    let feet = tagged(&*store, &maya, "Feet", "Feet", true).await;
    let titles = |related: Vec<(String, String)>| related.into_iter().map(|(title, _)| title).collect::<Vec<_>>();
    let related = store.related_posts(post.id, Utc::now(), 3).await.expect("related");
    assert_eq!(
        titles(related),
        ["Two tags", "One tag"],
        "two shared tags first; no draft, no stranger"
    );
    let one = store.related_posts(post.id, Utc::now(), 1).await.expect("related");
    assert_eq!(titles(one), ["Two tags"]);
    assert!(
        store
            .related_posts(feet.id, Utc::now(), 3)
            .await
            .expect("related")
            .is_empty()
    );
    store.close().await;
}

async fn a_list_counts_its_posts_only_when_asked(db: &TestDb) {
    let store = open(db).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    for title in ["First", "Second", "Third"] {
        tagged(&*store, &maya, title, "Sleep", true).await;
    }
    tagged(&*store, &maya, "Unpublished", "Sleep", false).await;
    let page = PublicQuery::newest(Utc::now(), 2, 0);
    let (posts, total) = store.public_posts(&page).await.expect("page");
    assert_eq!((posts.len(), total), (2, None), "no count unless asked");
    let counted = PublicQuery {
        count_all: true,
        tag_slug: "sleep".to_owned(),
        ..page
    };
    let (posts, total) = store.public_posts(&counted).await.expect("page");
    assert_eq!((posts.len(), total), (2, Some(3)), "the public posts of the tag");
    store.close().await;
}

/// `count` published articles written straight into the tables, "Post
/// 1" the oldest, a minute apart from 2020 on, and one scheduled for
/// `scheduled_at`.
async fn many_posts(db: &TestDb, author: i64, count: usize, scheduled_at: &str) {
    let at = |n: usize| format!("2020-01-01T{:02}:{:02}:00+00:00", n / 60, n % 60);
    let mut rows: Vec<String> = (1..=count)
        .map(|n| {
            format!(
                "('Post {n}', 'post-{n}', 'Text {n}.', 'published', '{0}', '{0}', '{0}', NULL)",
                at(n)
            )
        })
        .collect();
    rows.push(format!(
        "('Scheduled', 'scheduled', 'Soon.', 'scheduled', '{0}', '{0}', NULL, '{scheduled_at}')",
        at(0)
    ));
    db.raw_sql(&format!(
        "INSERT INTO posts (title, slug, body, status, created_at, updated_at, published_at, publish_at) VALUES {}; \
         INSERT INTO post_revisions (post_id, version, saved_by, kind, status, title, slug, body, excerpt, cover_url, \
         cover_alt, seo_title, seo_description, canonical_url, created_at, updated_at) SELECT id, 1, {author}, \
         'publish', status, title, slug, body, '', '', '', '', '', '', created_at, created_at FROM posts; \
         UPDATE posts SET live_revision_id = (SELECT r.id FROM post_revisions r WHERE r.post_id = posts.id)",
        rows.join(", ")
    ))
    .await;
}

/// The titles of the page of `limit` at `offset`, at `now`.
async fn page_at(store: &dyn Store, now: chrono::DateTime<Utc>, offset: i64, limit: i64) -> Vec<String> {
    let (posts, _) = store
        .public_posts(&PublicQuery::newest(now, limit, offset))
        .await
        .expect("page");
    posts.into_iter().map(|post| post.content.title).collect()
}

fn titles(numbers: std::ops::RangeInclusive<usize>) -> Vec<String> {
    numbers.rev().map(|n| format!("Post {n}")).collect()
}

/// How many public posts there are at `now`, as the API counts them.
async fn total_at(store: &dyn Store, now: chrono::DateTime<Utc>) -> Option<i64> {
    let counted = PublicQuery {
        count_all: true,
        ..PublicQuery::newest(now, 1, 0)
    };
    store.public_posts(&counted).await.expect("page").1
}

/// Deep pages start from remembered marks, and a list's count is
/// remembered too; whatever changes the list (a post published, a
/// scheduled one's time) moves them as it moves the list.
async fn deep_pages_follow_the_list_as_it_changes(db: &TestDb) {
    let store = open(db).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let due = Utc::now() + chrono::Duration::hours(1);
    many_posts(db, maya.id, 350, &due.to_rfc3339()).await;
    let now = Utc::now();
    assert_eq!(page_at(&*store, now, 0, 3).await, titles(348..=350));
    assert_eq!(page_at(&*store, now, 230, 5).await, titles(116..=120), "a deep page");
    assert_eq!(
        page_at(&*store, now, 230, 5).await,
        titles(116..=120),
        "again, from its mark"
    );
    assert_eq!(
        page_at(&*store, now, 120, 3).await,
        titles(228..=230),
        "a mark before it"
    );
    assert_eq!(page_at(&*store, now, 345, 10).await, titles(1..=5), "the last page");
    assert!(page_at(&*store, now, 350, 10).await.is_empty(), "past the end");
    assert!(page_at(&*store, now, 900, 10).await.is_empty(), "far past it");
    assert_eq!(total_at(&*store, now).await, Some(350));
    assert_eq!(total_at(&*store, now).await, Some(350), "again, remembered");

    // The scheduled post goes out at its time, before any write: it tops
    // the list and every deep page moves down by one.
    let later = due + chrono::Duration::seconds(1);
    assert_eq!(page_at(&*store, later, 0, 1).await, ["Scheduled"]);
    assert_eq!(page_at(&*store, later, 231, 5).await, titles(116..=120));
    assert_eq!(total_at(&*store, later).await, Some(351));

    // A post published now tops it too.
    tagged(&*store, &maya, "News", "Sleep", true).await;
    assert_eq!(page_at(&*store, now, 0, 1).await, ["News"]);
    assert_eq!(page_at(&*store, now, 231, 5).await, titles(116..=120));
    assert_eq!(page_at(&*store, now, 230, 2).await, titles(120..=121));
    assert_eq!(total_at(&*store, now).await, Some(351), "350 and the news");
    store.close().await;
}

crate::on_both_databases!(
    related_articles_share_the_most_tags_and_are_public,
    a_list_counts_its_posts_only_when_asked,
    deep_pages_follow_the_list_as_it_changes
);
