//! Passkeys in the store: listed per owner, found at sign-in only with the
//! owner's user handle, removed only by their owner; ceremonies that work
//! once, expire, and are limited per address. On SQLite and PostgreSQL.

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, NewAuditEntry, User};
use app::error::AppError;
use app::passkeys::server::{CeremonyPurpose, NewCeremony, NewPasskey, PasskeyName, PasskeyRow, PasskeyUse};
use app::store::Store;
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

async fn add(store: &dyn Store, owner: &User, name: &str, credential_id: &str) -> Result<PasskeyRow, AppError> {
    let passkey = NewPasskey {
        user_id: owner.id,
        name: PasskeyName::parse(name).expect("name"),
        credential_id: credential_id.to_owned(),
        credential: format!("{{\"id\":\"{credential_id}\"}}"),
        created_at: noon(),
    };
    let audit = NewAuditEntry::new(AuditAction::PasskeyAdded, Some(owner.id), Some(owner.id));
    store.add_passkey(&passkey, &audit).await
}

fn names(rows: &[PasskeyRow]) -> Vec<&str> {
    rows.iter().map(|row| row.name.as_str()).collect()
}

async fn passkeys_are_listed_per_owner_and_found_with_their_handle(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    let handle = store.passkey_handle(ana.id, "handle-ana").await.expect("handle");
    assert_eq!(handle, "handle-ana");
    assert_eq!(
        store.passkey_handle(ana.id, "another").await.expect("handle"),
        "handle-ana",
        "a person keeps their handle"
    );
    store.passkey_handle(omar.id, "handle-omar").await.expect("handle");

    let laptop = add(&*store, &ana, "Work laptop", "c1").await.expect("added");
    add(&*store, &ana, "Phone", "c2").await.expect("added");
    add(&*store, &omar, "Key", "c3").await.expect("added");
    assert_eq!(laptop.created_at, noon());
    assert_eq!(laptop.last_used_at, None);
    assert_eq!(
        names(&store.passkeys(ana.id).await.expect("list")),
        ["Work laptop", "Phone"]
    );
    assert_eq!(names(&store.passkeys(omar.id).await.expect("list")), ["Key"]);
    assert_eq!(store.count_passkeys(ana.id).await.expect("count"), 2);

    let again = add(&*store, &omar, "Same key", "c1").await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "{again:?}");

    let found = store.passkey_for_sign_in("c1", "handle-ana").await.expect("query");
    assert_eq!(found.map(|row| (row.id, row.user_id)), Some((laptop.id, ana.id)));
    assert!(
        store
            .passkey_for_sign_in("c1", "handle-omar")
            .await
            .expect("query")
            .is_none(),
        "another person's handle does not open Ana's passkey"
    );
    assert!(
        store
            .passkey_for_sign_in("c9", "handle-ana")
            .await
            .expect("query")
            .is_none()
    );

    let later = noon() + Duration::hours(2);
    let used = PasskeyUse {
        id: laptop.id,
        credential: Some("{\"counter\":2}"),
        at: later,
    };
    store.record_passkey_use(&used).await.expect("use");
    let unchanged = PasskeyUse {
        id: laptop.id,
        credential: None,
        at: later + Duration::hours(1),
    };
    store.record_passkey_use(&unchanged).await.expect("use");
    let row = store.passkeys(ana.id).await.expect("list").remove(0);
    assert_eq!(row.last_used_at, Some(later + Duration::hours(1)));
    assert_eq!(row.credential, "{\"counter\":2}", "the counter is kept when unchanged");
    store.close().await;
}

async fn a_passkey_is_removed_only_by_its_owner(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Admin).await;
    let laptop = add(&*store, &ana, "Work laptop", "c1").await.expect("added");
    let audit = |by: &User| NewAuditEntry::new(AuditAction::PasskeyRemoved, Some(by.id), Some(by.id));

    let foreign = store.remove_passkey(omar.id, laptop.id, &audit(&omar)).await;
    assert!(matches!(foreign, Err(AppError::NotFound)), "{foreign:?}");
    assert_eq!(store.count_passkeys(ana.id).await.expect("count"), 1);

    store
        .remove_passkey(ana.id, laptop.id, &audit(&ana))
        .await
        .expect("removed");
    assert_eq!(store.count_passkeys(ana.id).await.expect("count"), 0);
    let again = store.remove_passkey(ana.id, laptop.id, &audit(&ana)).await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");

    let entries = store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::PasskeyRemoved),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1, "only the removal that happened");
    assert_eq!(entries[0].actor.as_deref(), Some("Ana Ruiz"));
    store.close().await;
}

async fn a_second_factor_reset_removes_the_passkeys(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Admin).await;
    add(&*store, &ana, "Work laptop", "c1").await.expect("added");
    add(&*store, &ana, "Phone", "c2").await.expect("added");
    assert_eq!(store.users_with_passkeys().await.expect("users"), [ana.id]);
    let audit = |whom: &User| NewAuditEntry::new(AuditAction::TwoFactorReset, Some(omar.id), Some(whom.id));

    assert!(store.remove_second_factors(ana.id, &audit(&ana)).await.expect("reset"));
    assert_eq!(store.count_passkeys(ana.id).await.expect("count"), 0);
    assert!(store.users_with_passkeys().await.expect("users").is_empty());
    assert!(
        !store
            .remove_second_factors(omar.id, &audit(&omar))
            .await
            .expect("reset"),
        "nothing to reset"
    );
    let entries = store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::TwoFactorReset),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1, "only the reset that removed something");
    store.close().await;
}

fn ceremony<'a>(token_hash: &'a str, address: &'a str, now: DateTime<Utc>) -> NewCeremony<'a> {
    NewCeremony {
        token_hash,
        purpose: CeremonyPurpose::SignIn,
        user_id: None,
        address,
        state: "{\"challenge\":1}",
        now,
        expires_at: now + Duration::minutes(5),
    }
}

async fn a_ceremony_works_once_and_expires(db: &TestDb) {
    let store = open(db).await;
    let t = noon();
    assert!(
        store
            .start_passkey_ceremony(&ceremony("a", "192.0.2.1", t), 10)
            .await
            .expect("start")
    );
    assert!(
        store
            .take_passkey_ceremony("a", CeremonyPurpose::Register, t)
            .await
            .expect("take")
            .is_none(),
        "a sign-in's ceremony does not add a passkey"
    );
    let taken = store
        .take_passkey_ceremony("a", CeremonyPurpose::SignIn, t + Duration::minutes(1))
        .await
        .expect("take")
        .expect("the ceremony");
    assert_eq!((taken.user_id, taken.state.as_str()), (None, "{\"challenge\":1}"));
    assert!(
        store
            .take_passkey_ceremony("a", CeremonyPurpose::SignIn, t + Duration::minutes(1))
            .await
            .expect("take")
            .is_none(),
        "it works once"
    );

    assert!(
        store
            .start_passkey_ceremony(&ceremony("b", "192.0.2.1", t), 10)
            .await
            .expect("start")
    );
    assert!(
        store
            .take_passkey_ceremony("b", CeremonyPurpose::SignIn, t + Duration::minutes(5))
            .await
            .expect("take")
            .is_none(),
        "it expires after five minutes"
    );
    store.close().await;
}

async fn ceremonies_under_way_are_limited_per_address(db: &TestDb) {
    let store = open(db).await;
    let t = noon();
    for token in ["a", "b"] {
        assert!(
            store
                .start_passkey_ceremony(&ceremony(token, "192.0.2.1", t), 2)
                .await
                .expect("start")
        );
    }
    assert!(
        !store
            .start_passkey_ceremony(&ceremony("c", "192.0.2.1", t), 2)
            .await
            .expect("start"),
        "a third at once is refused"
    );
    assert!(
        store
            .start_passkey_ceremony(&ceremony("d", "198.51.100.7", t), 2)
            .await
            .expect("start"),
        "another address is not held up"
    );
    let later = t + Duration::minutes(6);
    assert!(
        store
            .start_passkey_ceremony(&ceremony("e", "192.0.2.1", later), 2)
            .await
            .expect("start"),
        "expired ceremonies no longer count"
    );
    store.close().await;
}

crate::on_both_databases!(
    passkeys_are_listed_per_owner_and_found_with_their_handle,
    a_passkey_is_removed_only_by_its_owner,
    a_second_factor_reset_removes_the_passkeys,
    a_ceremony_works_once_and_expires,
    ceremonies_under_way_are_limited_per_address,
);
