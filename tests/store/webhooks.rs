//! Webhooks in the store: registrations, deliveries queued by the status
//! changes themselves, claims that lease a delivery to one worker at a
//! time, and outcomes recorded once per attempt. On SQLite and on
//! PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry, User};
use app::error::AppError;
use app::posts::server::{LiveText, Post, StatusChange};
use app::posts::workflow::PostStatus;
use app::store::Store;
use app::webhooks::server::{DeliveryJob, DeliveryOutcome, DeliveryRow, NewWebhook, WebhookRow, WebhookUrl};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::open;
use super::posts::{change, draft, user};
use crate::support::TestDb;

/// Whole seconds, which both databases keep exactly.
fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

async fn register(store: &dyn Store, admin: &User, url: &str, events: &[&'static str]) -> WebhookRow {
    let hook = NewWebhook {
        url: WebhookUrl::resolve(url, true).await.expect("address"),
        events: events.to_vec(),
        secret: "whsec_test".to_owned(),
        created_by: admin.id,
        created_at: noon(),
    };
    let audit = NewAuditEntry::new(AuditAction::WebhookAdded, Some(admin.id), None);
    store.create_webhook(&hook, &audit).await.expect("webhook")
}

/// A status change at `at`.
fn move_to(post: &Post, to: PostStatus, by: &User, live: LiveText, at: DateTime<Utc>) -> StatusChange {
    StatusChange {
        at,
        ..change(post, to, by, live)
    }
}

/// The events queued for a webhook, oldest first.
async fn queued(store: &dyn Store, hook: &WebhookRow) -> Vec<String> {
    let mut rows = store.webhook_deliveries(hook.id, 100).await.expect("deliveries");
    rows.reverse();
    rows.into_iter().map(|row| row.event).collect()
}

async fn claim(store: &dyn Store, now: DateTime<Utc>, limit: i64) -> Vec<DeliveryJob> {
    store
        .claim_deliveries(now, now + Duration::minutes(2), limit)
        .await
        .expect("claim")
}

fn ids(jobs: &[DeliveryJob]) -> Vec<i64> {
    jobs.iter().map(|job| job.id).collect()
}

async fn webhooks_are_stored_and_status_changes_queue_their_events(db: &TestDb) {
    let store = open(db).await;
    let admin = user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let site = register(
        &*store,
        &admin,
        "https://site.example.org/hook",
        &["post.published", "post.trashed"],
    )
    .await;
    let search = register(&*store, &admin, "https://search.example.org/hook", &["post.updated"]).await;
    assert_eq!(site.url, "https://site.example.org/hook");
    assert_eq!(site.event_list(), ["post.published", "post.trashed"]);
    assert_eq!(site.secret, "whsec_test");
    assert_eq!(site.created_at, noon());
    let stored: Vec<(i64, Vec<String>)> = store
        .webhooks()
        .await
        .expect("webhooks")
        .iter()
        .map(|hook| (hook.id, hook.event_list()))
        .collect();
    assert_eq!(
        stored,
        [
            (site.id, vec!["post.published".to_owned(), "post.trashed".to_owned()]),
            (search.id, vec!["post.updated".to_owned()])
        ]
    );

    // Drafts and reviews are nobody's business.
    let post = draft(&*store, "Sleep and screens", &ana).await;
    let submitted = store
        .change_status(&move_to(&post, PostStatus::InReview, &ana, LiveText::Keep, noon()))
        .await
        .expect("submit");
    let approved = store
        .change_status(&move_to(
            &submitted,
            PostStatus::Approved,
            &maya,
            LiveText::Keep,
            noon(),
        ))
        .await
        .expect("approve");
    assert!(queued(&*store, &site).await.is_empty());
    assert!(queued(&*store, &search).await.is_empty());

    // Publishing, an update, and the trash: each webhook hears what it
    // asked for, due at the moment of the change.
    let published_at = noon() + Duration::minutes(1);
    let published = store
        .change_status(&move_to(
            &approved,
            PostStatus::Published,
            &maya,
            LiveText::FromCurrent,
            published_at,
        ))
        .await
        .expect("publish");
    let log = store.webhook_deliveries(site.id, 10).await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].event, "post.published");
    assert_eq!(log[0].state, "pending");
    assert_eq!(log[0].attempts, 0);
    assert_eq!(log[0].created_at, published_at);
    assert_eq!(log[0].next_attempt_at, published_at);
    assert_eq!((log[0].last_status, log[0].finished_at), (None, None));
    let updated = store
        .change_status(&move_to(
            &published,
            PostStatus::Published,
            &maya,
            LiveText::FromCurrent,
            published_at,
        ))
        .await
        .expect("publish an update");
    store
        .change_status(&move_to(
            &updated,
            PostStatus::Trashed,
            &maya,
            LiveText::Withdraw,
            published_at,
        ))
        .await
        .expect("trash");
    assert_eq!(queued(&*store, &site).await, ["post.published", "post.trashed"]);
    assert_eq!(queued(&*store, &search).await, ["post.updated"]);

    // What is sent: the event and enough of the post to find it.
    let jobs = claim(&*store, published_at, 10).await;
    assert_eq!(jobs.len(), 3);
    let first = jobs
        .iter()
        .find(|job| job.event == "post.published")
        .expect("published");
    assert_eq!(first.url, "https://site.example.org/hook");
    assert_eq!(first.secret, site.secret);
    let payload: Value = serde_json::from_str(&first.payload).expect("JSON");
    assert_eq!(payload["event"], "post.published");
    assert_eq!(payload["post"]["id"], post.id);
    assert_eq!(payload["post"]["slug"], "sleep-and-screens");
    assert_eq!(payload["post"]["status"], "published");
    assert!(
        payload["post"]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/posts/sleep-and-screens")),
        "{payload}"
    );

    // The test button queues a ping, for a webhook that exists.
    let missing = store.queue_test_delivery(search.id + 100, "{}", published_at).await;
    assert!(matches!(missing, Err(AppError::NotFound)), "{missing:?}");
    store
        .queue_test_delivery(search.id, r#"{"event":"ping"}"#, published_at)
        .await
        .expect("ping");
    assert_eq!(queued(&*store, &search).await, ["post.updated", "ping"]);

    // Deleting a webhook takes its queue and log with it.
    let audit = NewAuditEntry::new(AuditAction::WebhookDeleted, Some(admin.id), None);
    store.delete_webhook(site.id, &audit).await.expect("delete");
    assert!(store.webhook_deliveries(site.id, 10).await.expect("log").is_empty());
    assert_eq!(ids_of(&store.webhooks().await.expect("webhooks")), [search.id]);
    let again = store.delete_webhook(site.id, &audit).await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
    assert_eq!(
        queued(&*store, &search).await,
        ["post.updated", "ping"],
        "the other's stay"
    );
    store.close().await;
}

/// The webhook's newest delivery as the log shows it.
async fn newest(store: &dyn Store, hook: &WebhookRow) -> DeliveryRow {
    store
        .webhook_deliveries(hook.id, 1)
        .await
        .expect("log")
        .pop()
        .expect("a delivery")
}

fn ids_of(hooks: &[WebhookRow]) -> Vec<i64> {
    hooks.iter().map(|hook| hook.id).collect()
}

async fn claims_lease_each_delivery_to_one_caller_until_the_lease_ends(db: &TestDb) {
    let store = open(db).await;
    let admin = user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let hook = register(&*store, &admin, "https://site.example.org/hook", &["post.published"]).await;
    for n in 0..10 {
        store
            .queue_test_delivery(hook.id, &format!(r#"{{"n":{n}}}"#), noon())
            .await
            .expect("queue");
    }
    // One due a minute later, while the others' leases still hold.
    let later = noon() + Duration::minutes(1);
    store
        .queue_test_delivery(hook.id, r#"{"n":"later"}"#, later)
        .await
        .expect("queue");

    // Two claims one after the other split the due rows, oldest first.
    let first = claim(&*store, noon(), 4).await;
    assert_eq!(first.len(), 4);
    assert!(first.iter().all(|job| job.attempts == 1 && job.event == "ping"));
    assert!(first.windows(2).all(|pair| pair[0].id < pair[1].id), "oldest first");
    assert_eq!(first[0].payload, r#"{"n":0}"#);
    let second = claim(&*store, noon(), 100).await;
    assert_eq!(second.len(), 6, "the rest of what is due, not the later one");
    let taken: BTreeSet<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert_eq!(taken.len(), 10, "no row claimed twice");
    assert!(claim(&*store, noon(), 100).await.is_empty(), "everything due is leased");

    // The later delivery is claimed once it is due.
    let due_later = claim(&*store, later, 100).await;
    assert_eq!(due_later.len(), 1);
    assert_eq!(due_later[0].payload, r#"{"n":"later"}"#);

    // A lease that runs out (its worker died) gives the rows back, with
    // the attempt counted again.
    let before_expiry = claim(&*store, noon() + Duration::minutes(2) - Duration::seconds(1), 100).await;
    assert!(before_expiry.is_empty(), "leases hold for two minutes");
    let expired = claim(&*store, noon() + Duration::minutes(2), 100).await;
    assert_eq!(ids(&expired), taken.iter().copied().collect::<Vec<_>>());
    assert!(expired.iter().all(|job| job.attempts == 2));
    store.close().await;
}

async fn claims_at_the_same_moment_never_take_the_same_row(db: &TestDb) {
    let store = open(db).await;
    let admin = user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let hook = register(&*store, &admin, "https://site.example.org/hook", &["post.published"]).await;
    for n in 0..40 {
        store
            .queue_test_delivery(hook.id, &format!(r#"{{"n":{n}}}"#), noon())
            .await
            .expect("queue");
    }
    let store: Arc<dyn Store> = store;
    let claims: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { claim(&*store, noon(), 7).await })
        })
        .collect();
    let mut claimed = Vec::new();
    for task in claims {
        claimed.extend(ids(&task.await.expect("claim task")));
    }
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "a row in two claims: {claimed:?}");
    // A claim may pass over rows another is taking at that instant; a
    // later one finds them. None is lost, none is taken twice.
    let rest = ids(&claim(&*store, noon(), 100).await);
    assert!(rest.iter().all(|id| !distinct.contains(id)), "{rest:?} claimed again");
    assert_eq!(distinct.len() + rest.len(), 40);
    assert!(claim(&*store, noon(), 100).await.is_empty());
    store.close().await;
}

async fn an_outcome_is_recorded_once_for_the_attempt_that_made_it(db: &TestDb) {
    let store = open(db).await;
    let admin = user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let hook = register(&*store, &admin, "https://site.example.org/hook", &["post.published"]).await;
    store.queue_test_delivery(hook.id, "{}", noon()).await.expect("queue");

    // The receiver answers 500: retried 30 seconds later, not before.
    let job = claim(&*store, noon(), 10).await.remove(0);
    let sent_at = noon() + Duration::seconds(1);
    let failed = DeliveryOutcome::of(&job, sent_at, Some(500), 120, None);
    store
        .finish_delivery(job.id, job.attempts, &failed)
        .await
        .expect("finish");
    let row = newest(&*store, &hook).await;
    assert_eq!(row.state, "pending");
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_status, Some(500));
    assert_eq!(row.last_response_ms, Some(120));
    assert_eq!(row.last_error.as_deref(), Some("The receiver answered 500."));
    assert_eq!(row.next_attempt_at, sent_at + Duration::seconds(30));
    assert_eq!(row.finished_at, None);
    assert!(
        claim(&*store, sent_at + Duration::seconds(29), 10).await.is_empty(),
        "not before its time (the claim was released, the wait holds)"
    );
    let retry = claim(&*store, sent_at + Duration::seconds(30), 10).await.remove(0);
    assert_eq!((retry.id, retry.attempts), (job.id, 2));

    // A worker whose lease ran out reports attempt 1 late: ignored, it
    // must not overwrite the newer attempt.
    let late = DeliveryOutcome::of(&job, sent_at + Duration::seconds(40), Some(204), 5, None);
    store
        .finish_delivery(job.id, job.attempts, &late)
        .await
        .expect("finish");
    let row = newest(&*store, &hook).await;
    assert_eq!(
        (row.state.as_str(), row.attempts, row.last_status),
        ("pending", 2, Some(500))
    );

    // Attempt 2 gets through: delivered, and never sent again.
    let delivered_at = sent_at + Duration::seconds(31);
    let delivered = DeliveryOutcome::of(&retry, delivered_at, Some(204), 8, None);
    store
        .finish_delivery(retry.id, retry.attempts, &delivered)
        .await
        .expect("finish");
    let row = newest(&*store, &hook).await;
    assert_eq!(row.state, "delivered");
    assert_eq!(
        (row.attempts, row.last_status, row.last_response_ms),
        (2, Some(204), Some(8))
    );
    assert_eq!(row.last_error, None);
    assert_eq!(row.finished_at, Some(delivered_at));
    assert!(claim(&*store, delivered_at + Duration::days(2), 10).await.is_empty());
    let failed_late = DeliveryOutcome::of(&retry, delivered_at, Some(500), 8, None);
    store
        .finish_delivery(retry.id, retry.attempts, &failed_late)
        .await
        .expect("finish");
    assert_eq!(
        newest(&*store, &hook).await.state,
        "delivered",
        "a finished delivery stays so"
    );

    // A delivery still failing after a day is given up.
    store.queue_test_delivery(hook.id, "{}", noon()).await.expect("queue");
    let next_day = noon() + Duration::hours(24);
    let last = claim(&*store, next_day, 10).await.remove(0);
    let given_up = DeliveryOutcome::of(
        &last,
        next_day,
        None,
        10_000,
        Some("No answer within 10 seconds.".into()),
    );
    store
        .finish_delivery(last.id, last.attempts, &given_up)
        .await
        .expect("finish");
    let row = newest(&*store, &hook).await;
    assert_eq!((row.id, row.state.as_str()), (last.id, "failed"));
    assert_eq!(row.last_error.as_deref(), Some("No answer within 10 seconds."));
    assert_eq!(row.last_status, None);
    assert_eq!(row.finished_at, Some(next_day));
    assert!(claim(&*store, next_day + Duration::days(1), 10).await.is_empty());
    store.close().await;
}

crate::on_both_databases!(
    webhooks_are_stored_and_status_changes_queue_their_events,
    claims_lease_each_delivery_to_one_caller_until_the_lease_ends,
    claims_at_the_same_moment_never_take_the_same_row,
    an_outcome_is_recorded_once_for_the_attempt_that_made_it,
);
