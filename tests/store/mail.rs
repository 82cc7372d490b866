//! Email in the store: the outbox's claims (one worker per message, a
//! lease that returns a dead worker's messages), outcomes recorded once per
//! attempt, notifications routed once and digests all or nothing,
//! unsubscribe links, and changes of address. On SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry};
use app::store::model::mail::{EmailChangeRequest, MailOutcome, NewMail, NotificationRoute, UnsubscribeLink};
use chrono::{DateTime, Duration, Utc};

use super::open;
use super::posts::{draft, user};
use crate::support::TestDb;

fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn mail(to: &str, at: DateTime<Utc>) -> NewMail {
    NewMail {
        to: to.to_owned(),
        subject: "Hello".into(),
        text_body: "text".into(),
        html_body: "<p>html</p>".into(),
        kind: "account_notice".into(),
        message_id: format!("<{to}@clinic.example>"),
        unsubscribe: None,
        at,
    }
}

fn sent(at: DateTime<Utc>) -> MailOutcome {
    MailOutcome {
        state: "sent",
        error: None,
        next_attempt_at: None,
        finished_at: Some(at),
    }
}

async fn each_message_is_claimed_by_one_worker_and_a_lease_returns_it(db: &TestDb) {
    let store = open(db).await;
    for n in 0..30 {
        store
            .queue_mail(&mail(&format!("p{n}@clinic.example"), noon()))
            .await
            .expect("queue");
    }
    let lease = noon() + Duration::minutes(2);
    let (a, b) = tokio::join!(store.claim_mail(noon(), lease, 20), store.claim_mail(noon(), lease, 20));
    let (a, b) = (a.expect("claim"), b.expect("claim"));
    let ids: BTreeSet<i64> = a.iter().chain(&b).map(|job| job.id).collect();
    assert_eq!(ids.len(), a.len() + b.len(), "no message claimed twice");
    assert_eq!(ids.len(), 30);
    assert!(
        store.claim_mail(noon(), lease, 50).await.expect("claim").is_empty(),
        "all leased"
    );
    assert_eq!(store.pending_mail().await.expect("count"), 30);

    // A worker that died: its messages come back when the lease ends, and
    // its late outcome no longer counts.
    let first = &a[0];
    let again = store
        .claim_mail(lease, lease + Duration::minutes(2), 50)
        .await
        .expect("claim");
    assert_eq!(again.len(), 30);
    let retried = again.iter().find(|job| job.id == first.id).expect("back");
    assert_eq!(retried.attempts, 2);
    store
        .finish_mail(first.id, first.attempts, &sent(lease))
        .await
        .expect("late");
    assert_eq!(
        store.pending_mail().await.expect("count"),
        30,
        "the late outcome is ignored"
    );
    store
        .finish_mail(retried.id, retried.attempts, &sent(lease))
        .await
        .expect("finish");
    assert_eq!(store.pending_mail().await.expect("count"), 29);
    let log = store.mail_log(100).await.expect("log");
    let row = log.iter().find(|row| row.id == first.id).expect("row");
    assert_eq!((row.state.as_str(), row.attempts), ("sent", 2));
    store.close().await;
}

async fn notifications_are_routed_once_and_digests_go_whole(db: &TestDb) {
    let store = open(db).await;
    let ana = user(store.as_ref(), "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(store.as_ref(), "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let post = draft(store.as_ref(), "Sleep and mood", &ana).await;
    store
        .set_mail_preferences(ana.id, &[("comment", "digest")])
        .await
        .expect("choose");
    store
        .add_comment(post.id, ana.id, "her own", noon())
        .await
        .expect("comment");
    assert!(
        store.new_mail_notifications(10).await.expect("new").is_empty(),
        "no news of one's own comment"
    );
    for body in ["one", "two"] {
        store
            .add_comment(post.id, maya.id, body, noon())
            .await
            .expect("comment");
    }
    let waiting = store.new_mail_notifications(10).await.expect("new");
    assert_eq!(waiting.len(), 2, "the author hears of each comment");
    assert!(
        waiting
            .iter()
            .all(|n| n.user_id == ana.id && n.mode.as_deref() == Some("digest"))
    );
    assert!(
        waiting
            .iter()
            .all(|n| n.kind == "comment" && n.post_title == "Sleep and mood")
    );

    assert!(
        store
            .route_notification(waiting[0].id, &NotificationRoute::Digest)
            .await
            .expect("route")
    );
    assert!(
        !store
            .route_notification(
                waiting[0].id,
                &NotificationRoute::Instant(Box::new(mail("ana@clinic.org", noon())))
            )
            .await
            .expect("route"),
        "routed once: another instance's second try does nothing"
    );
    assert_eq!(store.pending_mail().await.expect("count"), 0, "and queues nothing");
    assert!(
        store
            .route_notification(waiting[1].id, &NotificationRoute::Digest)
            .await
            .expect("route")
    );

    let due = store
        .digest_notifications(noon() + Duration::hours(1))
        .await
        .expect("due");
    let ids: Vec<i64> = due.iter().map(|n| n.id).collect();
    assert_eq!(ids.len(), 2);
    let digest = mail("ana@clinic.org", noon());
    assert!(
        !store
            .send_digest(&[ids[0], ids[1], 999_999], &digest)
            .await
            .expect("digest"),
        "all or nothing"
    );
    assert_eq!(store.pending_mail().await.expect("count"), 0);
    assert!(store.send_digest(&ids, &digest).await.expect("digest"));
    assert!(!store.send_digest(&ids, &digest).await.expect("digest"), "sent once");
    assert_eq!(store.pending_mail().await.expect("count"), 1);

    // Turning the kind off drops what of it waits for the next digest.
    store
        .add_comment(post.id, maya.id, "three", noon())
        .await
        .expect("comment");
    let third = store.new_mail_notifications(10).await.expect("new");
    assert!(
        store
            .route_notification(third[0].id, &NotificationRoute::Digest)
            .await
            .expect("route")
    );
    store
        .set_mail_preferences(ana.id, &[("comment", "off")])
        .await
        .expect("choose");
    let due = store
        .digest_notifications(noon() + Duration::hours(1))
        .await
        .expect("due");
    assert!(due.is_empty(), "nothing waits any more: {due:?}");
    store.close().await;
}

async fn an_unsubscribe_link_turns_its_kind_off(db: &TestDb) {
    let store = open(db).await;
    let maya = user(store.as_ref(), "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    store
        .set_mail_preferences(
            maya.id,
            &[("comment", "digest"), ("approved", "digest"), ("published", "instant")],
        )
        .await
        .expect("choose");
    let link = |token: &str, kind: &str| UnsubscribeLink {
        url: format!("https://clinic.example/mail/unsubscribe/{token}"),
        token_digest: format!("digest-{token}"),
        user_id: maya.id,
        kind: kind.to_owned(),
    };
    for (token, kind) in [("a", "submitted"), ("b", "digest")] {
        let message = NewMail {
            unsubscribe: Some(link(token, kind)),
            ..mail("maya@clinic.org", noon())
        };
        store.queue_mail(&message).await.expect("queue");
    }
    assert_eq!(
        store.unsubscribe("digest-a").await.expect("unsubscribe").as_deref(),
        Some("submitted")
    );
    assert_eq!(store.unsubscribe("digest-nothing").await.expect("unsubscribe"), None);
    assert_eq!(
        store.unsubscribe("digest-b").await.expect("unsubscribe").as_deref(),
        Some("digest")
    );
    let mut choices = store.mail_preferences(maya.id).await.expect("choices");
    choices.sort();
    let expected: Vec<(String, String)> = [
        ("approved", "off"),
        ("comment", "off"),
        ("published", "instant"),
        ("submitted", "off"),
    ]
    .iter()
    .map(|(k, m)| ((*k).to_owned(), (*m).to_owned()))
    .collect();
    assert_eq!(choices, expected, "a digest's link turns off what went to the digest");
    store.close().await;
}

async fn a_change_of_address_is_used_once_before_it_expires(db: &TestDb) {
    let store = open(db).await;
    let ana = user(store.as_ref(), "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    user(store.as_ref(), "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let audit = NewAuditEntry::new(AuditAction::EmailChanged, None, None);
    let request = |token: &str, email: &str| EmailChangeRequest {
        user_id: ana.id,
        new_email: email.to_owned(),
        token_digest: token.to_owned(),
        expires_at: noon() + Duration::hours(24),
    };
    store
        .begin_email_change(&request("t1", "ana@home.example"), &[])
        .await
        .expect("begin");
    store
        .begin_email_change(&request("t2", "ana@other.example"), &[mail("ana@clinic.org", noon())])
        .await
        .expect("begin again");
    assert_eq!(
        store.pending_mail().await.expect("count"),
        1,
        "its messages are queued with it"
    );
    assert!(
        store
            .confirm_email_change("t1", noon(), &audit)
            .await
            .expect("confirm")
            .is_none(),
        "replaced"
    );
    assert!(
        store
            .confirm_email_change("t2", noon() + Duration::hours(25), &audit)
            .await
            .expect("confirm")
            .is_none(),
        "expired"
    );
    store
        .begin_email_change(&request("t3", "maya@clinic.org"), &[])
        .await
        .expect("begin");
    assert!(
        store.confirm_email_change("t3", noon(), &audit).await.is_err(),
        "the address was taken"
    );
    store
        .begin_email_change(&request("t4", "ana@home.example"), &[])
        .await
        .expect("begin");
    let changed = store
        .confirm_email_change("t4", noon(), &audit)
        .await
        .expect("confirm")
        .expect("user");
    assert_eq!(changed.email, "ana@home.example");
    assert!(
        store
            .confirm_email_change("t4", noon(), &audit)
            .await
            .expect("confirm")
            .is_none(),
        "used once"
    );
    store.close().await;
}

crate::on_both_databases!(
    each_message_is_claimed_by_one_worker_and_a_lease_returns_it,
    notifications_are_routed_once_and_digests_go_whole,
    an_unsubscribe_link_turns_its_kind_off,
    a_change_of_address_is_used_once_before_it_expires,
);
