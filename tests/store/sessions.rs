//! The session list in the store: one row per sign-in, found by its key;
//! listed per person (current epoch, not expired), most recently used
//! first; ended only as their owner's, with the audit entry in the same
//! transaction; purged once expired or ended by an epoch change. On SQLite
//! and on PostgreSQL.

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, NewAuditEntry, User};
use app::error::AppError;
use app::store::Store;
use app::store::model::sessions::NewSession;
use chrono::{DateTime, Duration, Utc};

use super::open;
use super::posts::user;
use crate::support::TestDb;

/// Whole seconds, which both databases keep exactly.
fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

async fn sign_in(store: &dyn Store, who: &User, key: &str, browser: &str, at: DateTime<Utc>) {
    let session = NewSession {
        key: key.to_owned(),
        user_id: who.id,
        epoch: who.session_epoch,
        browser: browser.to_owned(),
        address: "198.51.100.7".to_owned(),
        at,
    };
    store.start_session(&session, None).await.expect("sign-in stored");
}

async fn browsers(store: &dyn Store, who: &User, since: DateTime<Utc>) -> Vec<String> {
    store
        .sessions_of(who.id, since)
        .await
        .expect("sessions")
        .into_iter()
        .map(|row| row.browser)
        .collect()
}

fn ending(action: AuditAction, by: &User, owner: &User) -> NewAuditEntry {
    NewAuditEntry {
        at: noon(),
        ..NewAuditEntry::new(action, Some(by.id), Some(owner.id))
    }
}

async fn audit_count(store: &dyn Store, action: AuditAction) -> usize {
    store
        .list_audit(&AuditFilter {
            action: Some(action),
            limit: 50,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
        .len()
}

async fn sessions_are_listed_per_person_and_note_their_use(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    sign_in(&*store, &ana, "ana-laptop", "Chrome on Linux", noon()).await;
    sign_in(
        &*store,
        &ana,
        "ana-phone",
        "Safari on iPhone",
        noon() + Duration::minutes(5),
    )
    .await;
    sign_in(&*store, &omar, "omar-desk", "Firefox on Windows 10", noon()).await;
    let since = noon() - Duration::days(14);

    assert_eq!(
        browsers(&*store, &ana, since).await,
        ["Safari on iPhone", "Chrome on Linux"],
        "hers only, the most recently used first"
    );
    let rows = store.sessions_of(ana.id, since).await.expect("sessions");
    assert_eq!(rows[1].session_key, "ana-laptop");
    assert_eq!(rows[1].address, "198.51.100.7");
    assert_eq!((rows[1].started_at, rows[1].last_used_at), (noon(), noon()));

    assert!(
        store
            .use_session("ana-laptop", ana.id, noon() + Duration::seconds(59))
            .await
            .expect("use")
    );
    assert_eq!(
        store.sessions_of(ana.id, since).await.expect("sessions")[1].last_used_at,
        noon(),
        "not written again within a minute"
    );
    let later = noon() + Duration::minutes(10);
    assert!(store.use_session("ana-laptop", ana.id, later).await.expect("use"));
    let rows = store.sessions_of(ana.id, since).await.expect("sessions");
    assert_eq!(rows[0].browser, "Chrome on Linux", "now the most recently used");
    assert_eq!((rows[0].started_at, rows[0].last_used_at), (noon(), later));

    assert!(
        !store.use_session("ana-laptop", omar.id, later).await.expect("use"),
        "a key counts only for its own person"
    );
    assert!(!store.use_session("invented", ana.id, later).await.expect("use"));
    assert!(!store.use_session("", ana.id, later).await.expect("use"));
    assert!(
        browsers(&*store, &ana, later + Duration::minutes(1)).await.is_empty(),
        "sessions unused since are not listed"
    );
    store.close().await;
}

async fn only_the_owner_ends_a_session_and_it_is_audited(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    sign_in(&*store, &ana, "ana-laptop", "Chrome on Linux", noon()).await;
    sign_in(&*store, &ana, "ana-phone", "Safari on iPhone", noon()).await;
    let since = noon() - Duration::days(1);
    let rows = store.sessions_of(ana.id, since).await.expect("sessions");
    let phone = rows
        .iter()
        .find(|row| row.session_key == "ana-phone")
        .expect("phone")
        .id;

    let refused = store
        .end_session(omar.id, phone, &ending(AuditAction::SessionEnded, &omar, &omar))
        .await;
    assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
    assert!(store.use_session("ana-phone", ana.id, noon()).await.expect("use"));
    assert_eq!(
        audit_count(&*store, AuditAction::SessionEnded).await,
        0,
        "nothing ended, nothing audited"
    );

    store
        .end_session(ana.id, phone, &ending(AuditAction::SessionEnded, &ana, &ana))
        .await
        .expect("ended");
    assert!(
        !store.use_session("ana-phone", ana.id, noon()).await.expect("use"),
        "an ended session is refused"
    );
    assert!(store.use_session("ana-laptop", ana.id, noon()).await.expect("use"));
    assert_eq!(audit_count(&*store, AuditAction::SessionEnded).await, 1);
    let again = store
        .end_session(ana.id, phone, &ending(AuditAction::SessionEnded, &ana, &ana))
        .await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
    store.close().await;
}

async fn ending_all_but_one_keeps_it_and_others_people(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    for key in ["ana-laptop", "ana-phone", "ana-desk"] {
        sign_in(&*store, &ana, key, key, noon()).await;
    }
    sign_in(&*store, &omar, "omar-desk", "omar-desk", noon()).await;

    let ended = store
        .end_sessions_of(
            ana.id,
            Some("ana-desk"),
            &ending(AuditAction::SessionsEnded, &ana, &ana),
        )
        .await
        .expect("ended");
    assert_eq!(ended, 2);
    assert_eq!(browsers(&*store, &ana, noon()).await, ["ana-desk"]);
    assert_eq!(browsers(&*store, &omar, noon()).await, ["omar-desk"]);

    let ended = store
        .end_sessions_of(ana.id, None, &ending(AuditAction::SessionsEnded, &omar, &ana))
        .await
        .expect("ended");
    assert_eq!(ended, 1);
    assert!(browsers(&*store, &ana, noon()).await.is_empty());
    assert_eq!(audit_count(&*store, AuditAction::SessionsEnded).await, 2);

    sign_in(&*store, &ana, "ana-again", "again", noon()).await;
    store.forget_session("ana-again").await.expect("forgotten");
    assert!(
        browsers(&*store, &ana, noon()).await.is_empty(),
        "a sign-out forgets the sign-in"
    );
    store.close().await;
}

async fn a_new_sign_in_of_the_same_session_replaces_the_old(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    sign_in(&*store, &ana, "before", "Chrome on Linux", noon()).await;
    let again = NewSession {
        key: "after".to_owned(),
        user_id: ana.id,
        epoch: ana.session_epoch,
        browser: "Chrome on Linux".to_owned(),
        address: "198.51.100.7".to_owned(),
        at: noon(),
    };
    store.start_session(&again, Some("before")).await.expect("stored");
    let rows = store.sessions_of(ana.id, noon()).await.expect("sessions");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].session_key, "after");
    store.close().await;
}

async fn epoch_changes_and_idleness_end_rows(db: &TestDb) {
    let store = open(db).await;
    // Someone stays admin when Ana is deactivated.
    user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    sign_in(&*store, &ana, "ana-laptop", "Chrome on Linux", noon()).await;
    sign_in(&*store, &omar, "omar-old", "old", noon() - Duration::days(20)).await;
    sign_in(&*store, &omar, "omar-new", "new", noon()).await;

    // A deactivation moves Ana's epoch: her older sign-ins no longer count.
    let ana = store
        .set_active(ana.id, false, &NewAuditEntry::new(AuditAction::Deactivated, None, None))
        .await
        .expect("deactivated");
    assert!(browsers(&*store, &ana, noon() - Duration::days(30)).await.is_empty());

    let purged = store
        .purge_ended_sessions(noon() - Duration::days(14))
        .await
        .expect("purge");
    assert_eq!(purged, 2, "Ana's ended row and Omar's expired one");
    assert_eq!(db.count("SELECT count(*) FROM signed_in_sessions").await, 1);
    assert_eq!(browsers(&*store, &omar, noon() - Duration::days(30)).await, ["new"]);
    store.close().await;
}

crate::on_both_databases!(
    sessions_are_listed_per_person_and_note_their_use,
    only_the_owner_ends_a_session_and_it_is_audited,
    ending_all_but_one_keeps_it_and_others_people,
    a_new_sign_in_of_the_same_session_replaces_the_old,
    epoch_changes_and_idleness_end_rows,
);
