//! The posts part of the store: saves and status changes whose rules sit
//! in the SQL, so that racing requests cannot both win; revisions; the
//! live text; the trash. On SQLite and on PostgreSQL.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, DisplayName, Email, NewAuditEntry, NewUser, User};
use app::domain::{PostContent, PostFields};
use app::error::AppError;
use app::posts::server::{LiveText, Notify, Post, PostEdit, PostTitle, RevisionKind, SaveRequest, Slug, StatusChange};
use app::posts::workflow::PostStatus;
use app::store::Store;
use chrono::{Duration, Utc};

use super::open;
use crate::support::TestDb;

pub(crate) async fn user(store: &dyn Store, email: &str, name: &str, role: Role) -> User {
    let new_user = NewUser {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse(name).expect("name"),
        role,
        password_hash: None,
        password_link: None,
    };
    store
        .create_user(&new_user, &NewAuditEntry::new(AuditAction::UserCreated, None, None))
        .await
        .expect("user")
}

pub(crate) async fn draft(store: &dyn Store, title: &str, author: &User) -> Post {
    let title = PostTitle::parse(title).expect("title");
    store
        .create_draft(&title, &Slug::from_title(&title), author.id, Utc::now())
        .await
        .expect("draft")
}

pub(crate) fn edit(post: &Post, body: &str, authors: &[i64]) -> PostEdit {
    PostEdit::parse(&PostFields {
        content: PostContent {
            title: post.content.title.clone(),
            slug: post.content.slug.clone(),
            body: body.to_owned(),
            ..PostContent::default()
        },
        author_ids: authors.to_vec(),
        ..PostFields::default()
    })
    .expect("valid edit")
}

pub(crate) async fn save(
    store: &dyn Store,
    post: &Post,
    edit: &PostEdit,
    by: &User,
    kind: RevisionKind,
) -> Result<Post, AppError> {
    store
        .save_post(&SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &[PostStatus::Draft, PostStatus::ChangesRequested],
            edit,
            saved_by: by.id,
            kind,
            at: Utc::now(),
        })
        .await
}

pub(crate) fn change(post: &Post, to: PostStatus, by: &User, live: LiveText) -> StatusChange {
    StatusChange {
        payload: app::webhooks::server::event_payload,
        id: post.id,
        expected_version: post.version,
        from: post.status,
        to,
        actor_id: by.id,
        at: Utc::now(),
        live,
        reviewed: to == PostStatus::Approved,
        review_due_at: None,
        publish_at: None,
        comment: None,
        notify: Notify::Nobody,
        audit: NewAuditEntry::new(AuditAction::PostApproved, Some(by.id), None),
    }
}

async fn of_two_racing_saves_exactly_one_wins(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let post = draft(&*store, "Racing", &ana).await;
    let store: Arc<dyn Store> = store;
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (store, post, ana) = (store.clone(), post.clone(), ana.clone());
        tasks.push(tokio::spawn(async move {
            let text = format!("Text number {n}");
            save(&*store, &post, &edit(&post, &text, &[ana.id]), &ana, RevisionKind::Save).await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => wins += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(wins, 1, "every save named version 1; only one may win");
    let stored = store.post(post.id).await.expect("query").expect("post");
    assert_eq!(stored.version, 2);
    assert_eq!(store.revisions(post.id).await.expect("revisions").len(), 1);
    store.close().await;
}

async fn status_rules_sit_in_the_sql(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let post = draft(&*store, "Rules", &ana).await;
    let in_review = store
        .change_status(&change(&post, PostStatus::InReview, &ana, LiveText::Keep))
        .await
        .expect("submit");

    // A save that may only touch drafts does not touch a post in review,
    // even when it names the right version.
    let refused = save(
        &*store,
        &in_review,
        &edit(&in_review, "sneaky", &[ana.id]),
        &ana,
        RevisionKind::Save,
    )
    .await;
    assert!(matches!(refused, Err(AppError::Conflict { .. })), "{refused:?}");

    // Two editors deciding at once: one approves, the other's request
    // for changes finds the status moved and changes nothing.
    let approve = change(&in_review, PostStatus::Approved, &maya, LiveText::Keep);
    let send_back = change(&in_review, PostStatus::ChangesRequested, &maya, LiveText::Keep);
    let (first, second) = tokio::join!(store.change_status(&approve), store.change_status(&send_back));
    assert!(
        first.is_ok() != second.is_ok(),
        "exactly one wins: {first:?} / {second:?}"
    );
    let stored = store.post(post.id).await.expect("query").expect("post");
    assert!(matches!(
        stored.status,
        PostStatus::Approved | PostStatus::ChangesRequested
    ));

    // An unknown post is not found.
    let mut ghost = stored.clone();
    ghost.id = 999_999;
    let missing = store
        .change_status(&change(&ghost, PostStatus::Trashed, &maya, LiveText::Withdraw))
        .await;
    assert!(matches!(missing, Err(AppError::NotFound)), "{missing:?}");
    store.close().await;
}

async fn the_live_text_and_old_addresses(db: &TestDb) {
    let store = open(db).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let post = draft(&*store, "Live text", &maya).await;
    let post = save(
        &*store,
        &post,
        &edit(&post, "First text", &[maya.id]),
        &maya,
        RevisionKind::Save,
    )
    .await
    .expect("save");
    let approved = store
        .change_status(&change(&post, PostStatus::Approved, &maya, LiveText::Keep))
        .await
        .expect("approve");
    assert_eq!(approved.reviewed_by, Some(maya.id));
    let published = store
        .change_status(&change(&approved, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish");
    assert!(published.published_at.is_some() && published.live_revision_id.is_some());
    let live = live_text(store.as_ref(), "live-text").await.expect("live");
    assert_eq!(live.content.body, "First text");

    // The working copy changes; the live text does not, until published.
    let renamed = PostEdit::parse(&PostFields {
        content: PostContent {
            title: "Live text".into(),
            slug: "live-text-renamed".into(),
            body: "Second text".into(),
            ..PostContent::default()
        },
        author_ids: vec![maya.id],
        ..PostFields::default()
    })
    .expect("edit");
    let edited = store
        .save_post(&SaveRequest {
            id: published.id,
            expected_version: published.version,
            editable: &PostStatus::ALL,
            edit: &renamed,
            saved_by: maya.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await
        .expect("save live post");
    let live = live_text(store.as_ref(), "live-text").await.expect("still live");
    assert_eq!(live.content.body, "First text");
    store
        .change_status(&change(&edited, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish update");
    assert!(live_text(store.as_ref(), "live-text").await.is_none());
    assert_eq!(
        store
            .slug_redirect(app::domain::PostKind::Post, "live-text", Utc::now())
            .await
            .expect("query")
            .as_deref(),
        Some("live-text-renamed")
    );

    // Another post cannot take the old address.
    let other = draft(&*store, "Other", &maya).await;
    let taken = PostEdit::parse(&PostFields {
        content: PostContent {
            title: "Other".into(),
            slug: "live-text".into(),
            ..PostContent::default()
        },
        author_ids: vec![maya.id],
        ..PostFields::default()
    })
    .expect("edit");
    let refused = save(&*store, &other, &taken, &maya, RevisionKind::Save).await;
    assert!(!refused.expect_err("taken").field_messages("slug").is_empty());

    // The trash: only posts trashed long enough ago go when purged.
    let trashed = store
        .change_status(&change(&other, PostStatus::Trashed, &maya, LiveText::Withdraw))
        .await
        .expect("trash");
    assert!(trashed.trashed_at.is_some());
    let kept = store
        .empty_trash(Some(Utc::now() - Duration::days(30)), None)
        .await
        .expect("purge");
    assert_eq!(kept, 0, "trashed today: kept for 30 days");
    assert_eq!(store.empty_trash(None, None).await.expect("empty"), 1);
    assert!(store.post(other.id).await.expect("query").is_none());
    store.close().await;
}

crate::on_both_databases!(
    of_two_racing_saves_exactly_one_wins,
    status_rules_sit_in_the_sql,
    the_live_text_and_old_addresses
);

/// The public post at `slug` now, with the text readers see.
pub(crate) async fn live_text(store: &dyn app::store::Store, slug: &str) -> Option<app::posts::server::PublicPost> {
    let query = app::posts::server::PublicQuery {
        slug: slug.to_owned(),
        ..app::posts::server::PublicQuery::newest(Utc::now(), 1, 0)
    };
    store.public_posts(&query).await.expect("query").0.pop()
}
