//! Scheduled posts with a clock the tests move: public exactly at their
//! time, published with their side effects once, across restarts and
//! across processes sharing one PostgreSQL database.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter};
use app::clock::ManualClock;
use app::posts::server::{LiveText, Notify, PostTitle, Slug, StatusChange};
use app::posts::workflow::PostStatus;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::posts::{create, json, load, saved, step};
use crate::support::TestDb;
use crate::{create_user, signed_in, start_at, status_of};

/// 12:00 UTC on a winter day (the site's zone is UTC unless set).
fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-15T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

/// `post.published` events of one post.
async fn published_events(server: &RunningServer, post_id: i64) -> usize {
    let events = server.state.store.events(0, 10_000).await.expect("events");
    events
        .iter()
        .filter(|event| event.kind == "post.published" && event.post_id == post_id)
        .count()
}

/// An approved post scheduled by an editor for 12:10.
async fn schedule_one(server: &RunningServer, editor: &reqwest::Client) -> Value {
    let post = create(editor, server, "Flu shots are here").await;
    let post = saved(editor, server, &post, &[("body", "Book your flu shot this week.")]).await;
    let post = json(step(editor, server, &post, "submit", &[]).await).await["post"].clone();
    let post = json(step(editor, server, &post, "approve", &[]).await).await["post"].clone();
    let scheduled = step(editor, server, &post, "schedule", &[("publish_at", "2030-01-15T12:10")]).await;
    assert_eq!(scheduled.status(), StatusCode::OK);
    let post = json(scheduled).await["post"].clone();
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["publish_at"], "Jan 15, 2030, 12:10 UTC");
    assert_eq!(post["publish_in"], "in 10 minutes");
    post
}

async fn a_scheduled_post_is_public_exactly_at_its_time(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let post = schedule_one(&server, &maya).await;
    let due = noon() + Duration::minutes(10);

    clock.set(due - Duration::seconds(1));
    assert_eq!(
        status_of(&server, "/posts/flu-shots-are-here").await,
        StatusCode::NOT_FOUND
    );
    clock.set(due);
    assert_eq!(
        status_of(&server, "/posts/flu-shots-are-here").await,
        StatusCode::OK,
        "public at its time, whether or not the scheduler has run"
    );

    server::publish_due(&server.state).await.expect("scheduler");
    server::publish_due(&server.state).await.expect("scheduler again");
    let current = json(load(&maya, &server, &post).await).await;
    assert_eq!(current["post"]["status"], "published");
    assert_eq!(
        current["post"]["published_at"], "Jan 15, 2030, 12:10 UTC",
        "its scheduled time"
    );
    let id = post["id"].as_i64().expect("id");
    assert_eq!(published_events(&server, id).await, 1, "one post.published event");
    let audit = server
        .state
        .store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::PostPublished),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1, "one audit entry: {audit:?}");
    assert!(audit[0].detail.contains("at its scheduled time"));
    server.stop().await.expect("stop");
}

async fn a_server_down_across_the_time_publishes_once_when_it_starts(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let first = start_at(db, &clock).await;
    create_user(&first, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let maya = signed_in(&first, "maya@clinic.org").await;
    let post = schedule_one(&first, &maya).await;
    let id = post["id"].as_i64().expect("id");
    first.stop().await.expect("stop");

    // Nobody is running at 12:10. At 12:30 the server starts again.
    clock.set(noon() + Duration::minutes(30));
    let second = start_at(db, &clock).await;
    assert_eq!(published_events(&second, id).await, 1, "published during start-up");
    assert_eq!(status_of(&second, "/posts/flu-shots-are-here").await, StatusCode::OK);
    second.stop().await.expect("stop");

    clock.set(noon() + Duration::minutes(40));
    let third = start_at(db, &clock).await;
    assert_eq!(published_events(&third, id).await, 1, "not again");
    third.stop().await.expect("stop");
}

async fn plans_change_reschedule_unschedule_publish_now(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let post = schedule_one(&server, &maya).await;

    // Moved to 13:00: not public at 12:30.
    let later = step(&maya, &server, &post, "schedule", &[("publish_at", "2030-01-15T13:00")]).await;
    let later = json(later).await["post"].clone();
    assert_eq!(later["publish_in"], "in 1 hour");
    clock.set(noon() + Duration::minutes(30));
    server::publish_due(&server.state).await.expect("scheduler");
    assert_eq!(
        status_of(&server, "/posts/flu-shots-are-here").await,
        StatusCode::NOT_FOUND
    );

    // Unscheduled: back to approved, never public.
    let approved = json(step(&maya, &server, &later, "unschedule", &[]).await).await["post"].clone();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["publish_at"], Value::Null);
    clock.set(noon() + Duration::hours(2));
    server::publish_due(&server.state).await.expect("scheduler");
    assert_eq!(
        status_of(&server, "/posts/flu-shots-are-here").await,
        StatusCode::NOT_FOUND
    );

    // Scheduled again, then published at once instead.
    let again = step(
        &maya,
        &server,
        &approved,
        "schedule",
        &[("publish_at", "2030-01-15T18:00")],
    )
    .await;
    let again = json(again).await["post"].clone();
    let now = json(step(&maya, &server, &again, "publish_now", &[]).await).await["post"].clone();
    assert_eq!(now["status"], "published");
    assert_eq!(status_of(&server, "/posts/flu-shots-are-here").await, StatusCode::OK);
    let id = post["id"].as_i64().expect("id");
    clock.set(noon() + Duration::hours(7));
    server::publish_due(&server.state).await.expect("scheduler");
    assert_eq!(
        published_events(&server, id).await,
        1,
        "published once, by hand; the scheduler had nothing left to do"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_scheduled_post_is_public_exactly_at_its_time,
    a_server_down_across_the_time_publishes_once_when_it_starts,
    plans_change_reschedule_unschedule_publish_now
);

/// Two Vellum servers, each with its own connection pool and scheduler, on
/// one PostgreSQL database: 20 posts due at the same instant are each
/// published once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_publish_each_due_post_once() {
    let Some(db) = TestDb::postgres().await else { return };
    let clock = Arc::new(ManualClock::new(noon()));
    let one = start_at(&db, &clock).await;
    let two = start_at(&db, &clock).await;
    let editor = create_user(&one, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let due = noon() + Duration::minutes(5);
    let mut ids = Vec::new();
    for n in 0..20 {
        let title = PostTitle::parse(&format!("Due post {n}")).expect("title");
        let post = one
            .state
            .store
            .create_draft(&title, &Slug::from_title(&title), editor.id, noon())
            .await
            .expect("draft");
        let change = StatusChange {
            payload: app::webhooks::server::event_payload,
            id: post.id,
            expected_version: post.version,
            from: PostStatus::Draft,
            to: PostStatus::Scheduled,
            actor_id: editor.id,
            at: noon(),
            live: LiveText::FromCurrent,
            reviewed: false,
            review_due_at: None,
            publish_at: Some(due),
            comment: None,
            notify: Notify::Nobody,
            audit: app::accounts::server::NewAuditEntry::new(AuditAction::PostScheduled, Some(editor.id), None),
        };
        one.state.store.change_status(&change).await.expect("schedule");
        ids.push(post.id);
    }

    clock.set(due);
    let (a, b) = tokio::join!(server::publish_due(&one.state), server::publish_due(&two.state));
    let claimed = a.expect("first server") + b.expect("second server");
    assert!(claimed <= 20, "claimed {claimed}");
    // The background schedulers may have claimed some first; together,
    // every post was published exactly once.
    server::publish_due(&one.state).await.expect("again");
    for id in &ids {
        assert_eq!(published_events(&one, *id).await, 1, "post {id}");
        let post = one.state.store.post(*id).await.expect("query").expect("post");
        assert_eq!(post.status, PostStatus::Published);
    }
    let events = one.state.store.events(0, 10_000).await.expect("events");
    let kinds = |kind: &str| events.iter().filter(|event| event.kind == kind).count();
    assert_eq!(kinds("post.scheduled"), 20);
    assert_eq!(kinds("post.published"), 20);
    assert_eq!(events.len(), 40, "nothing else");
    two.stop().await.expect("stop");
    one.stop().await.expect("stop");
    db.cleanup().await;
}
