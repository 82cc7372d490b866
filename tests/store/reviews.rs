//! Reviews that stay current, in the store: a re-review records a new
//! review of the live text without a revision, only while the post is
//! published; reminders go out once per due date; the due list and the
//! public cache's horizon see due dates. On SQLite and on PostgreSQL.

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry, User};
use app::domain::{PostContent, PostFields, PostKind};
use app::error::AppError;
use app::posts::server::{
    ListOrder, LiveText, Post, PostEdit, PostFilter, PostTitle, ReReviewChange, ReviewDueChange, ReviewVerdict,
    RevisionKind, Slug,
};
use app::posts::workflow::PostStatus;
use app::store::Store;
use chrono::{DateTime, Utc};

use super::open;
use super::posts::{change, draft, edit, save, user};
use crate::support::TestDb;

fn at(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).expect("time").with_timezone(&Utc)
}

/// A post by `author`, approved by `reviewer` on Jan 31, 2030 (due a year
/// later) and published, showing readers its review.
async fn published(store: &dyn Store, title: &str, author: &User, reviewer: &User) -> Post {
    let post = draft(store, title, author).await;
    reviewed_and_published(store, post, (author, reviewer), true).await
}

/// `post` (an article or a page) written by the first of `people`,
/// approved by the second on Jan 31, 2030 (due a year later) and
/// published; `show_review` says whether readers are told of the review.
async fn reviewed_and_published(store: &dyn Store, post: Post, people: (&User, &User), show_review: bool) -> Post {
    let (author, reviewer) = people;
    let written = written(&post, "Drink water.", author, show_review);
    let post = save(store, &post, &written, author, RevisionKind::Save)
        .await
        .expect("save");
    let post = store
        .change_status(&change(&post, PostStatus::InReview, author, LiveText::Keep))
        .await
        .expect("submit");
    let approve = change(&post, PostStatus::Approved, reviewer, LiveText::Keep);
    let post = store
        .change_status(&app::posts::server::StatusChange {
            at: at("2030-01-31T10:00:00Z"),
            review_due_at: Some(at("2031-01-31T10:00:00Z")),
            ..approve
        })
        .await
        .expect("approve");
    store
        .change_status(&change(&post, PostStatus::Published, reviewer, LiveText::FromCurrent))
        .await
        .expect("publish")
}

/// `post`'s text as `body`, by `author` alone.
fn written(post: &Post, body: &str, author: &User, show_review: bool) -> PostEdit {
    PostEdit::parse(&PostFields {
        content: PostContent {
            title: post.content.title.clone(),
            slug: post.content.slug.clone(),
            body: body.to_owned(),
            ..PostContent::default()
        },
        show_review,
        author_ids: vec![author.id],
        ..PostFields::default()
    })
    .expect("valid edit")
}

fn audit(action: AuditAction, by: &User) -> NewAuditEntry {
    NewAuditEntry::new(action, Some(by.id), None)
}

fn confirmed(post: &Post, by: &User, when: &str, due: &str) -> ReReviewChange {
    ReReviewChange {
        id: post.id,
        reviewer_id: by.id,
        at: at(when),
        outcome: ReviewVerdict::Confirmed {
            due_at: at(due),
            comment: Some("Still matches the guidance.".into()),
        },
        audit: audit(AuditAction::PostReReviewed, by),
    }
}

async fn a_re_review_records_a_review_of_the_live_text_only(db: &TestDb) {
    let store = open(db).await;
    let author = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    let post = published(&*store, "Water and heat", &author, &maya).await;
    assert_eq!(post.review_due_at, Some(at("2031-01-31T10:00:00Z")));
    let revisions = store.revisions(post.id).await.expect("revisions").len();

    // An edit waits as a pending update; the re-review is of the live text.
    let edited = store
        .save_post(&app::posts::server::SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &[PostStatus::Published],
            edit: &edit(&post, "Drink water, and more in the heat.", &[author.id]),
            saved_by: maya.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await
        .expect("pending update");
    let live_version = post.version;
    let reviewed = store
        .re_review(&confirmed(
            &edited,
            &omar,
            "2031-01-20T09:00:00Z",
            "2032-01-20T09:00:00Z",
        ))
        .await
        .expect("re-review");
    assert_eq!(reviewed.status, PostStatus::Published);
    assert_eq!(reviewed.reviewed_by, Some(omar.id));
    assert_eq!(reviewed.reviewed_at, Some(at("2031-01-20T09:00:00Z")));
    assert_eq!(reviewed.review_due_at, Some(at("2032-01-20T09:00:00Z")));
    assert_eq!(reviewed.reviewed_version, Some(live_version), "the live text's version");
    assert_eq!(reviewed.version, edited.version, "the working copy is untouched");
    assert_eq!(
        store.revisions(post.id).await.expect("revisions").len(),
        revisions + 1,
        "only the pending update's save added a revision"
    );
    let comments = store.comments(post.id).await.expect("comments");
    let last = comments.last().expect("a comment");
    assert_eq!(
        (last.kind.as_str(), last.body.as_str()),
        ("review_confirmed", "Still matches the guidance.")
    );

    // Sent back: the authors hear of it; the post stays published.
    let sent_back = store
        .re_review(&ReReviewChange {
            outcome: ReviewVerdict::SentBack {
                comment: "The fluid advice changed in 2031.".into(),
            },
            audit: audit(AuditAction::ChangesRequested, &omar),
            ..confirmed(&edited, &omar, "2031-01-21T09:00:00Z", "2032-01-20T09:00:00Z")
        })
        .await
        .expect("send back");
    assert_eq!(sent_back.status, PostStatus::Published);
    assert_eq!(
        sent_back.reviewed_at,
        Some(at("2031-01-20T09:00:00Z")),
        "the review stands"
    );
    let notes = store.notifications(author.id, 10).await.expect("notifications");
    assert_eq!(notes.first().map(|n| n.kind.as_str()), Some("changes_requested"));

    // No live text, no re-review, and the comment is not written either.
    let other = draft(&*store, "Not yet out", &author).await;
    for verdict in [
        confirmed(&other, &omar, "2031-01-20T09:00:00Z", "2032-01-20T09:00:00Z"),
        ReReviewChange {
            outcome: ReviewVerdict::SentBack { comment: "No.".into() },
            ..confirmed(&other, &omar, "2031-01-20T09:00:00Z", "2032-01-20T09:00:00Z")
        },
    ] {
        match store.re_review(&verdict).await {
            Err(AppError::Conflict { message }) => assert!(message.contains("Only a published article"), "{message}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert!(store.comments(other.id).await.expect("comments").is_empty());
    assert!(matches!(
        store
            .re_review(&ReReviewChange {
                id: 999_999,
                ..confirmed(&other, &omar, "2031-01-20T09:00:00Z", "2032-01-20T09:00:00Z")
            })
            .await,
        Err(AppError::NotFound)
    ));
    store.close().await;
}

async fn reminders_go_out_once_per_due_date(db: &TestDb) {
    let store = open(db).await;
    let admin = user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let author = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    let post = published(&*store, "Water and heat", &author, &maya).await;
    let reminders = |user: i64| {
        let store = store.clone();
        async move {
            store
                .notifications(user, 100)
                .await
                .expect("notifications")
                .into_iter()
                .filter(|n| n.kind == "review_due")
                .count()
        }
    };
    let remind = |by: &str| store.remind_due_reviews(at(by), at(by));

    assert_eq!(
        remind("2031-01-01T00:00:00Z").await.expect("remind"),
        0,
        "not due by then"
    );
    assert_eq!(remind("2031-01-31T10:00:00Z").await.expect("remind"), 1);
    assert_eq!(
        remind("2031-02-15T00:00:00Z").await.expect("remind"),
        0,
        "once per due date"
    );
    assert_eq!(reminders(maya.id).await, 1);
    assert_eq!(reminders(omar.id).await, 0, "only the reviewer");
    assert_eq!(reminders(author.id).await, 0);

    // A new due date is a new reminder, when it comes.
    store
        .set_review_due(&ReviewDueChange {
            id: post.id,
            due_at: at("2031-06-01T05:00:00Z"),
            audit: audit(AuditAction::ReviewDueChanged, &maya),
        })
        .await
        .expect("new date");
    assert_eq!(remind("2031-05-01T00:00:00Z").await.expect("remind"), 0);
    // The reviewer has left: every active editor and admin hears of it.
    store
        .set_active(maya.id, false, &audit(AuditAction::Deactivated, &omar))
        .await
        .expect("deactivate");
    assert_eq!(remind("2031-06-01T05:00:00Z").await.expect("remind"), 1);
    assert_eq!(reminders(maya.id).await, 1, "not to the reviewer who left");
    assert_eq!(reminders(omar.id).await, 1);
    assert_eq!(reminders(admin.id).await, 1);
    assert_eq!(reminders(author.id).await, 0);

    // Only reviewed posts in a reviewed status take a date.
    let other = draft(&*store, "Not yet reviewed", &author).await;
    let refused = store
        .set_review_due(&ReviewDueChange {
            id: other.id,
            due_at: at("2031-06-01T05:00:00Z"),
            audit: audit(AuditAction::ReviewDueChanged, &omar),
        })
        .await;
    assert!(matches!(refused, Err(AppError::Conflict { .. })), "{refused:?}");
    store.close().await;
}

async fn due_posts_are_listed_due_first_and_bound_the_public_cache(db: &TestDb) {
    let store = open(db).await;
    let author = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let later = published(&*store, "Later", &author, &maya).await;
    let sooner = published(&*store, "Sooner", &author, &maya).await;
    store
        .set_review_due(&ReviewDueChange {
            id: sooner.id,
            due_at: at("2030-12-01T00:00:00Z"),
            audit: audit(AuditAction::ReviewDueChanged, &maya),
        })
        .await
        .expect("date");
    draft(&*store, "Never reviewed", &author).await;
    let due_by = |by: &str| PostFilter {
        review_due_by: Some(at(by)),
        order: ListOrder::ReviewDue,
        limit: 50,
        ..PostFilter::default()
    };
    let titles = |rows: Vec<app::posts::server::SummaryRow>| rows.into_iter().map(|r| r.title).collect::<Vec<_>>();
    assert!(
        store
            .list_posts(&due_by("2030-11-30T00:00:00Z"))
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        titles(store.list_posts(&due_by("2031-03-01T00:00:00Z")).await.expect("list")),
        ["Sooner", "Later"]
    );
    let rows = store.list_posts(&due_by("2031-01-01T00:00:00Z")).await.expect("list");
    assert_eq!(titles(rows.clone()), ["Sooner"]);
    assert_eq!(rows[0].review_due_at, Some(at("2030-12-01T00:00:00Z")));
    assert_eq!(later.review_due_at, Some(at("2031-01-31T10:00:00Z")));

    // A lapsing review changes the public page without a write.
    assert_eq!(
        store
            .next_public_change_after(at("2030-06-01T00:00:00Z"))
            .await
            .expect("next"),
        Some(at("2030-12-01T00:00:00Z"))
    );
    assert_eq!(
        store
            .next_public_change_after(at("2030-12-01T00:00:00Z"))
            .await
            .expect("next"),
        Some(at("2031-01-31T10:00:00Z"))
    );
    assert_eq!(
        store
            .next_public_change_after(at("2032-01-01T00:00:00Z"))
            .await
            .expect("next"),
        None
    );
    store.close().await;
}

/// Of a reviewed article, a page reviewed the same way, and an article
/// whose update went out without a new approval, only the first has a
/// review readers are told of: only it is listed as due, reminded of, and
/// bounds the public cache. A review the article does not show readers
/// is still due, but its lapse changes no public page.
async fn only_a_review_readers_see_falls_due(db: &TestDb) {
    let store = open(db).await;
    let author = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let standing = published(&*store, "Standing", &author, &maya).await;
    let quiet = draft(&*store, "Quiet", &author).await;
    let quiet = reviewed_and_published(&*store, quiet, (&author, &maya), false).await;
    store
        .set_review_due(&ReviewDueChange {
            id: quiet.id,
            due_at: at("2030-12-01T00:00:00Z"),
            audit: audit(AuditAction::ReviewDueChanged, &maya),
        })
        .await
        .expect("an earlier date");
    let title = PostTitle::parse("About us").expect("title");
    let page = store
        .create_page(&title, &Slug::from_title(&title), author.id, Utc::now())
        .await
        .expect("page");
    let page = reviewed_and_published(&*store, page, (&author, &maya), true).await;
    assert_eq!(page.kind, PostKind::Page);
    let updated = published(&*store, "Updated", &author, &maya).await;
    let edited = store
        .save_post(&app::posts::server::SaveRequest {
            id: updated.id,
            expected_version: updated.version,
            editable: &[PostStatus::Published],
            edit: &written(&updated, "Drink water, and more in the heat.", &author, true),
            saved_by: author.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await
        .expect("pending update");
    let updated = store
        .change_status(&change(&edited, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish the update unreviewed");
    assert_ne!(
        updated.reviewed_version,
        Some(updated.version),
        "the live text is not the reviewed one"
    );
    assert_eq!(updated.review_due_at, standing.review_due_at, "the old due date stays");

    let due = store
        .list_posts(&PostFilter {
            review_due_by: Some(at("2032-01-01T00:00:00Z")),
            order: ListOrder::ReviewDue,
            limit: 50,
            ..PostFilter::default()
        })
        .await
        .expect("list");
    let titles: Vec<String> = due.into_iter().map(|row| row.title).collect();
    assert_eq!(titles, ["Quiet", "Standing"]);
    assert_eq!(
        store
            .next_public_change_after(at("2030-06-01T00:00:00Z"))
            .await
            .expect("next"),
        standing.review_due_at,
        "the quiet review's earlier date changes nothing readers see"
    );
    assert_eq!(
        store
            .remind_due_reviews(at("2032-01-01T00:00:00Z"), at("2032-01-01T00:00:00Z"))
            .await
            .expect("remind"),
        2,
        "the standing and the quiet review, not the page's or the superseded one"
    );
    store.close().await;
}

crate::on_both_databases!(
    a_re_review_records_a_review_of_the_live_text_only,
    reminders_go_out_once_per_due_date,
    due_posts_are_listed_due_first_and_bound_the_public_cache,
    only_a_review_readers_see_falls_due,
);
