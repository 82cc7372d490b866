//! The accounts part of the store: users, roles, set-password links, sign-in
//! throttling and the audit log, on SQLite and on PostgreSQL.

use app::accounts::Role;
use app::accounts::server::throttle::{FailureCounts, FailureKey};
use app::accounts::server::{
    AuditAction, AuditFilter, AuditRow, DisplayName, Email, NewAuditEntry, NewUser, ProfileUpdate, User,
};
use app::error::AppError;
use app::store::Store;
use std::time::Duration;

use sqlx::types::chrono::{DateTime, Utc};

use super::open;
use crate::support::TestDb;

/// An id no user has.
const UNKNOWN_ID: i64 = 999_999;

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn new_user(email_address: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        email: email(email_address),
        display_name: DisplayName::parse(name).expect("valid name"),
        role,
        password_hash: None,
        password_link: None,
    }
}

/// Creates a user the way an admin does; the audit detail is "created <name>".
async fn create(store: &dyn Store, email_address: &str, name: &str, role: Role, actor: Option<i64>) -> User {
    let entry = NewAuditEntry::new(AuditAction::UserCreated, actor, None).detail(format!("created {name}"));
    store
        .create_user(&new_user(email_address, name, role), &entry)
        .await
        .expect("create user")
}

async fn create_first_admin(store: &dyn Store) -> User {
    let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("first admin");
    store
        .create_first_admin(&new_user("ada@clinic.org", "Ada Admin", Role::Admin), &entry)
        .await
        .expect("first admin")
}

async fn reload(store: &dyn Store, id: i64) -> User {
    store.user_by_id(id).await.expect("lookup").expect("user exists")
}

async fn audit(store: &dyn Store, user_id: Option<i64>, action: Option<AuditAction>) -> Vec<AuditRow> {
    store
        .list_audit(&AuditFilter {
            user_id,
            action,
            limit: 100,
        })
        .await
        .expect("audit log")
}

fn details(rows: &[AuditRow]) -> Vec<&str> {
    rows.iter().map(|row| row.detail.as_str()).collect()
}

/// Now, in whole seconds, which both databases store exactly.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("a valid time")
}

fn seconds(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn minutes(n: u64) -> Duration {
    seconds(60 * n)
}

fn hours(n: u64) -> Duration {
    minutes(60 * n)
}

// ---------------------------------------------------------------------------
// Creating users

async fn emails_are_unique_whatever_their_case(db: &TestDb) {
    let store = open(db).await;
    let ana = create(&*store, "  Ana.Ruiz@Clinic.ORG ", "Ana Ruiz", Role::Author, None).await;
    assert_eq!(ana.email, "ana.ruiz@clinic.org");
    let found = store
        .user_by_email(&email("ANA.RUIZ@clinic.org"))
        .await
        .expect("lookup")
        .expect("found whatever the case of the address");
    assert_eq!(found.id, ana.id);

    let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("duplicate");
    let error = store
        .create_user(&new_user("ana.ruiz@CLINIC.org", "Ana R.", Role::Editor), &entry)
        .await
        .expect_err("the address is taken");
    assert!(matches!(error, AppError::Conflict { .. }), "{error:?}");
    assert_eq!(store.count_users().await.expect("count"), 1);
    assert_eq!(
        details(&audit(&*store, None, None).await),
        ["created Ana Ruiz"],
        "the refused creation left no audit entry"
    );
    store.close().await;
}

async fn users_with_the_same_name_get_distinct_slugs(db: &TestDb) {
    let store = open(db).await;
    let bell = create(&*store, "bell@clinic.org", "Ana Ruiz Bell", Role::Author, None).await;
    let first = create(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author, None).await;
    let second = create(&*store, "ana.ruiz@hospital.org", "Ana Ruiz", Role::Editor, None).await;
    let third = create(&*store, "a.ruiz@clinic.org", "  ana   RUIZ ", Role::Author, None).await;
    let accented = create(&*store, "maria@clinic.org", "Dr. Ana María Ruiz", Role::Author, None).await;
    let users = [&bell, &first, &second, &third, &accented];
    assert_eq!(
        users.map(|user| user.slug.as_str()),
        [
            "ana-ruiz-bell",
            "ana-ruiz",
            "ana-ruiz-2",
            "ana-ruiz-3",
            "dr-ana-maria-ruiz"
        ]
    );
    for user in users {
        assert_eq!(reload(&*store, user.id).await.slug, user.slug, "the slug is stored");
    }
    store.close().await;
}

/// Two admins adding two different people with the same name at the same
/// moment: both get an account, each with their own slug.
async fn users_with_the_same_name_created_at_once_get_distinct_slugs(db: &TestDb) {
    let store = open(db).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None);
            store
                .create_user(
                    &new_user(&format!("ana{i}@clinic.org"), "Ana Ruiz", Role::Author),
                    &entry,
                )
                .await
        }));
    }
    let mut failed = Vec::new();
    for task in tasks {
        if let Err(error) = task.await.expect("task finished") {
            failed.push(error);
        }
    }
    assert!(failed.is_empty(), "every creation succeeds, but got {failed:?}");
    let mut slugs: Vec<String> = store
        .list_users()
        .await
        .expect("users")
        .into_iter()
        .map(|user| user.slug)
        .collect();
    slugs.sort();
    let mut expected: Vec<String> = (2..=8).map(|n| format!("ana-ruiz-{n}")).collect();
    expected.push("ana-ruiz".into());
    expected.sort();
    assert_eq!(slugs, expected);
    store.close().await;
}

/// The same address submitted twice at once (a double click, two admins):
/// one account, and the other request hears that the address is taken.
async fn the_same_email_created_twice_at_once_is_one_user_and_conflicts(db: &TestDb) {
    let store = open(db).await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None);
            let user = new_user("ana@clinic.org", &format!("Ana Ruiz {i}"), Role::Author);
            store.create_user(&user, &entry).await
        }));
    }
    let mut created = 0;
    let mut other_errors = Vec::new();
    for task in tasks {
        match task.await.expect("task finished") {
            Ok(_) => created += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(other) => other_errors.push(other),
        }
    }
    assert!(other_errors.is_empty(), "the losers get Conflict, not {other_errors:?}");
    assert_eq!(created, 1);
    assert_eq!(store.count_users().await.expect("count"), 1);
    assert_eq!(audit(&*store, None, Some(AuditAction::UserCreated)).await.len(), 1);
    store.close().await;
}

async fn creating_a_user_is_audited_with_the_new_user_as_target(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let entry = NewAuditEntry::new(AuditAction::UserCreated, Some(admin.id), None)
        .address("203.0.113.9")
        .detail("role editor");
    let bo = store
        .create_user(&new_user("bo@clinic.org", "Bo Chen", Role::Editor), &entry)
        .await
        .expect("create user");
    assert_eq!(bo.role, Role::Editor);
    assert!(bo.active, "new accounts are active");
    assert!(bo.password_hash.is_none(), "the password is set through a link");
    assert!(bo.last_sign_in_at.is_none());

    let rows = audit(&*store, Some(bo.id), None).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, "user_created");
    assert_eq!(rows[0].actor.as_deref(), Some("Ada Admin"));
    assert_eq!(rows[0].target.as_deref(), Some("Bo Chen"));
    assert_eq!(rows[0].address, "203.0.113.9");
    assert_eq!(rows[0].detail, "role editor");

    // The first admin's own entry names them as its target, with no actor.
    let rows = audit(&*store, Some(admin.id), None).await;
    assert_eq!(details(&rows), ["role editor", "first admin"]);
    assert_eq!(rows[1].actor, None);
    assert_eq!(rows[1].target.as_deref(), Some("Ada Admin"));
    store.close().await;
}

async fn the_first_admin_can_be_created_only_once(db: &TestDb) {
    let store = open(db).await;
    assert_eq!(store.count_users().await.expect("count"), 0);
    let admin = create_first_admin(&*store).await;
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.password_hash.is_none());
    assert_eq!(reload(&*store, admin.id).await.email, "ada@clinic.org");

    let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("second set-up");
    let error = store
        .create_first_admin(&new_user("eve@example.org", "Eve", Role::Admin), &entry)
        .await
        .expect_err("a second set-up is refused");
    assert_eq!(error, AppError::NotFound);
    assert!(
        store
            .user_by_email(&email("eve@example.org"))
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(store.count_users().await.expect("count"), 1);
    assert_eq!(details(&audit(&*store, None, None).await), ["first admin"]);
    store.close().await;
}

async fn the_first_admin_set_up_is_refused_once_any_user_exists(db: &TestDb) {
    let store = open(db).await;
    create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, None).await;
    let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None);
    let error = store
        .create_first_admin(&new_user("eve@example.org", "Eve", Role::Admin), &entry)
        .await
        .expect_err("not an empty database");
    assert_eq!(error, AppError::NotFound);
    assert_eq!(store.count_users().await.expect("count"), 1);
    store.close().await;
}

/// Several set-up forms submitted at once (or two instances starting at
/// once): exactly one admin comes out of it.
async fn racing_first_admin_set_ups_create_one_admin(db: &TestDb) {
    let store = open(db).await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None);
            let user = new_user(&format!("admin{i}@clinic.org"), &format!("Admin {i}"), Role::Admin);
            store.create_first_admin(&user, &entry).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task finished") {
            Ok(_) => created += 1,
            Err(AppError::NotFound) => {}
            Err(other) => panic!("a losing set-up is NotFound, not {other:?}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(store.count_users().await.expect("count"), 1);
    store.close().await;
}

async fn users_are_listed_active_first_then_by_name(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let zoe = create(&*store, "zoe@clinic.org", "Zoe Park", Role::Author, Some(admin.id)).await;
    let abe = create(&*store, "abe@clinic.org", "Abe Lind", Role::Author, Some(admin.id)).await;
    let entry = NewAuditEntry::new(AuditAction::Deactivated, Some(admin.id), Some(abe.id));
    store.set_active(abe.id, false, &entry).await.expect("deactivate");
    let listed: Vec<i64> = store
        .list_users()
        .await
        .expect("users")
        .iter()
        .map(|user| user.id)
        .collect();
    assert_eq!(listed, [admin.id, zoe.id, abe.id]);
    store.close().await;
}

// ---------------------------------------------------------------------------
// Changes that end every session of the user

async fn changing_a_role_ends_the_users_sessions_and_is_audited(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, Some(admin.id)).await;

    let entry = NewAuditEntry::new(AuditAction::RoleChanged, Some(admin.id), Some(bo.id)).detail("to editor");
    let changed = store.set_role(bo.id, Role::Editor, &entry).await.expect("set role");
    assert_eq!(changed.role, Role::Editor);
    assert_eq!(changed.session_epoch, bo.session_epoch + 1);
    let stored = reload(&*store, bo.id).await;
    assert_eq!(
        (stored.role, stored.session_epoch),
        (Role::Editor, bo.session_epoch + 1)
    );

    let entry = NewAuditEntry::new(AuditAction::RoleChanged, Some(admin.id), Some(bo.id)).detail("to admin");
    let changed = store.set_role(bo.id, Role::Admin, &entry).await.expect("set role");
    assert_eq!(changed.role, Role::Admin);
    assert_eq!(changed.session_epoch, bo.session_epoch + 2);

    let rows = audit(&*store, Some(bo.id), Some(AuditAction::RoleChanged)).await;
    assert_eq!(details(&rows), ["to admin", "to editor"]);
    assert_eq!(rows[1].actor.as_deref(), Some("Ada Admin"));
    assert_eq!(rows[1].target.as_deref(), Some("Bo Chen"));
    assert_eq!(
        reload(&*store, admin.id).await.session_epoch,
        admin.session_epoch,
        "the admin's own sessions go on"
    );
    store.close().await;
}

async fn deactivating_ends_the_users_sessions_and_is_audited(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, Some(admin.id)).await;

    let entry = NewAuditEntry::new(AuditAction::Deactivated, Some(admin.id), Some(bo.id));
    let changed = store.set_active(bo.id, false, &entry).await.expect("deactivate");
    assert!(!changed.active);
    assert_eq!(changed.session_epoch, bo.session_epoch + 1);
    let stored = reload(&*store, bo.id).await;
    assert_eq!((stored.active, stored.session_epoch), (false, bo.session_epoch + 1));

    let entry = NewAuditEntry::new(AuditAction::Reactivated, Some(admin.id), Some(bo.id));
    let changed = store.set_active(bo.id, true, &entry).await.expect("reactivate");
    assert!(changed.active);
    assert_eq!(changed.session_epoch, bo.session_epoch + 2);

    let rows = audit(&*store, Some(bo.id), None).await;
    let actions: Vec<&str> = rows.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, ["reactivated", "deactivated", "user_created"]);
    assert_eq!(rows[1].actor.as_deref(), Some("Ada Admin"));
    assert_eq!(rows[1].target.as_deref(), Some("Bo Chen"));
    store.close().await;
}

async fn changing_a_password_ends_the_users_sessions_and_is_audited(db: &TestDb) {
    let store = open(db).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, None).await;

    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, Some(bo.id), Some(bo.id)).detail("first");
    let changed = store.set_password(bo.id, "hash-1", &entry).await.expect("set password");
    assert_eq!(changed.password_hash.as_deref(), Some("hash-1"));
    assert_eq!(changed.session_epoch, bo.session_epoch + 1);

    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, Some(bo.id), Some(bo.id)).detail("second");
    store.set_password(bo.id, "hash-2", &entry).await.expect("set password");
    let stored = reload(&*store, bo.id).await;
    assert_eq!(stored.password_hash.as_deref(), Some("hash-2"));
    assert_eq!(stored.session_epoch, bo.session_epoch + 2);

    let rows = audit(&*store, Some(bo.id), Some(AuditAction::PasswordChanged)).await;
    assert_eq!(details(&rows), ["second", "first"]);
    assert_eq!(rows[0].actor.as_deref(), Some("Bo Chen"));
    assert_eq!(rows[0].target.as_deref(), Some("Bo Chen"));
    store.close().await;
}

async fn changes_to_an_unknown_user_are_not_found_and_leave_no_trace(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let entry = |action| NewAuditEntry::new(action, Some(admin.id), Some(UNKNOWN_ID));

    let role = store
        .set_role(UNKNOWN_ID, Role::Editor, &entry(AuditAction::RoleChanged))
        .await;
    assert_eq!(role.expect_err("no such user"), AppError::NotFound);
    let active = store
        .set_active(UNKNOWN_ID, false, &entry(AuditAction::Deactivated))
        .await;
    assert_eq!(active.expect_err("no such user"), AppError::NotFound);
    let password = store
        .set_password(UNKNOWN_ID, "hash", &entry(AuditAction::PasswordChanged))
        .await;
    assert_eq!(password.expect_err("no such user"), AppError::NotFound);

    assert_eq!(
        details(&audit(&*store, None, None).await),
        ["first admin"],
        "no audit entry for changes that did not happen"
    );
    let stored = reload(&*store, admin.id).await;
    assert_eq!(stored.session_epoch, admin.session_epoch);
    assert_eq!(store.count_users().await.expect("count"), 1);
    store.close().await;
}

// ---------------------------------------------------------------------------
// Set-password links

async fn issue_link(store: &dyn Store, admin: &User, user: &User, digest: &str, expires_at: DateTime<Utc>) {
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, Some(admin.id), Some(user.id)).detail(digest);
    store
        .create_password_token(user.id, digest, expires_at, &entry)
        .await
        .expect("create password token");
}

fn link_used() -> NewAuditEntry {
    NewAuditEntry::new(AuditAction::PasswordChanged, None, None).detail("through a set-password link")
}

async fn a_password_link_works_exactly_once(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, Some(admin.id)).await;
    issue_link(&*store, &admin, &bo, "digest-1", Utc::now() + hours(72)).await;
    let issued = audit(&*store, Some(bo.id), Some(AuditAction::PasswordLinkIssued)).await;
    assert_eq!(details(&issued), ["digest-1"]);
    assert_eq!(issued[0].actor.as_deref(), Some("Ada Admin"));
    assert_eq!(issued[0].target.as_deref(), Some("Bo Chen"));

    let user = store
        .set_password_with_token("digest-1", "hash-1", Utc::now(), &link_used())
        .await
        .expect("use the link")
        .expect("the link works");
    assert_eq!(user.id, bo.id);
    assert_eq!(user.password_hash.as_deref(), Some("hash-1"));
    assert_eq!(user.session_epoch, bo.session_epoch + 1);
    let changed = audit(&*store, Some(bo.id), Some(AuditAction::PasswordChanged)).await;
    assert_eq!(details(&changed), ["through a set-password link"]);
    assert_eq!(changed[0].actor.as_deref(), Some("Bo Chen"), "the user acted");
    assert_eq!(changed[0].target.as_deref(), Some("Bo Chen"));

    let again = store
        .set_password_with_token("digest-1", "hash-2", Utc::now(), &link_used())
        .await
        .expect("use the link again");
    assert!(again.is_none(), "a used link does nothing");
    let stored = reload(&*store, bo.id).await;
    assert_eq!(stored.password_hash.as_deref(), Some("hash-1"));
    assert_eq!(stored.session_epoch, bo.session_epoch + 1);
    assert_eq!(
        audit(&*store, Some(bo.id), Some(AuditAction::PasswordChanged))
            .await
            .len(),
        1
    );

    let unknown = store
        .set_password_with_token("no-such-digest", "hash-3", Utc::now(), &link_used())
        .await
        .expect("use an unknown link");
    assert!(unknown.is_none());
    store.close().await;
}

async fn an_expired_password_link_does_nothing(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, Some(admin.id)).await;
    let t = now();
    issue_link(&*store, &admin, &bo, "expired", t - minutes(1)).await;
    issue_link(&*store, &admin, &bo, "expires-soon", t + minutes(60)).await;

    let expired = store
        .set_password_with_token("expired", "hash-1", t, &link_used())
        .await
        .expect("use the expired link");
    assert!(expired.is_none(), "an expired link does nothing");
    let late = store
        .set_password_with_token("expires-soon", "hash-2", t + minutes(61), &link_used())
        .await
        .expect("use the link after it expired");
    assert!(late.is_none(), "a link used after its expiry does nothing");

    let stored = reload(&*store, bo.id).await;
    assert!(stored.password_hash.is_none());
    assert_eq!(stored.session_epoch, bo.session_epoch);
    assert!(
        audit(&*store, Some(bo.id), Some(AuditAction::PasswordChanged))
            .await
            .is_empty()
    );

    // The same kind of link, still valid, works: the refusals were about time.
    issue_link(&*store, &admin, &bo, "fresh", t + minutes(60)).await;
    let fresh = store
        .set_password_with_token("fresh", "hash-3", t, &link_used())
        .await
        .expect("use the fresh link");
    assert_eq!(fresh.and_then(|user| user.password_hash).as_deref(), Some("hash-3"));
    store.close().await;
}

async fn a_password_link_of_a_deactivated_user_does_nothing(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, Some(admin.id)).await;
    issue_link(&*store, &admin, &bo, "digest-1", Utc::now() + hours(72)).await;
    let entry = NewAuditEntry::new(AuditAction::Deactivated, Some(admin.id), Some(bo.id));
    let deactivated = store.set_active(bo.id, false, &entry).await.expect("deactivate");

    let used = store
        .set_password_with_token("digest-1", "hash-1", Utc::now(), &link_used())
        .await
        .expect("use the link");
    assert!(used.is_none(), "a deactivated user cannot set a password");
    let stored = reload(&*store, bo.id).await;
    assert!(stored.password_hash.is_none());
    assert!(!stored.active);
    assert_eq!(stored.session_epoch, deactivated.session_epoch);
    assert!(
        audit(&*store, Some(bo.id), Some(AuditAction::PasswordChanged))
            .await
            .is_empty()
    );
    store.close().await;
}

async fn password_links_for_unknown_users_are_not_found(db: &TestDb) {
    let store = open(db).await;
    let admin = create_first_admin(&*store).await;
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, Some(admin.id), Some(UNKNOWN_ID));
    let error = store
        .create_password_token(UNKNOWN_ID, "digest-1", Utc::now() + hours(72), &entry)
        .await
        .expect_err("no such user");
    assert_eq!(error, AppError::NotFound);
    assert!(
        audit(&*store, None, Some(AuditAction::PasswordLinkIssued))
            .await
            .is_empty()
    );
    let used = store
        .set_password_with_token("digest-1", "hash-1", Utc::now(), &link_used())
        .await
        .expect("use the link");
    assert!(used.is_none(), "no link was stored");
    store.close().await;
}

// ---------------------------------------------------------------------------
// Sign-in failures

fn key<'a>(email: &'a str, address: &'a str) -> FailureKey<'a> {
    FailureKey { email, address }
}

async fn fail(store: &dyn Store, email_key: &str, address: &str, at: DateTime<Utc>) {
    store
        .record_login_attempt(&key(email_key, address), at)
        .await
        .expect("record failure");
}

async fn failures(store: &dyn Store, email_key: &str, address: &str, since: DateTime<Utc>) -> FailureCounts {
    store
        .login_failures_since(&key(email_key, address), since)
        .await
        .expect("count failures")
}

fn counts(pair: i64, pair_oldest: DateTime<Utc>, address: i64, address_oldest: DateTime<Utc>) -> FailureCounts {
    FailureCounts {
        pair,
        pair_oldest: Some(pair_oldest),
        address,
        address_oldest: Some(address_oldest),
    }
}

const ADDRESS_A: &str = "198.51.100.1";
const ADDRESS_B: &str = "198.51.100.2";

async fn login_failures_are_counted_per_account_and_address_and_per_address(db: &TestDb) {
    let store = open(db).await;
    let t = now();
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(3)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(2)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_B, t - minutes(1)).await;
    fail(&*store, "bo@clinic.org", ADDRESS_A, t - minutes(1)).await;
    let since = t - minutes(15);

    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_A, since).await,
        counts(2, t - minutes(3), 3, t - minutes(3))
    );
    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_B, since).await,
        counts(1, t - minutes(1), 1, t - minutes(1))
    );
    let bo_elsewhere = failures(&*store, "bo@clinic.org", ADDRESS_B, since).await;
    assert_eq!((bo_elsewhere.pair, bo_elsewhere.address), (0, 1));
    assert_eq!(
        failures(&*store, "cy@clinic.org", "203.0.113.50", since).await,
        FailureCounts::default()
    );
    let unknown_address = failures(&*store, "ana@clinic.org", "", since).await;
    assert_eq!((unknown_address.pair, unknown_address.address), (0, 0));
    store.close().await;
}

async fn login_failures_before_the_cut_off_do_not_count(db: &TestDb) {
    let store = open(db).await;
    let t = now();
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(20)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(5)).await;

    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(15)).await,
        counts(1, t - minutes(5), 1, t - minutes(5))
    );
    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(30)).await,
        counts(2, t - minutes(20), 2, t - minutes(20))
    );
    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_A, t + minutes(1)).await,
        FailureCounts::default()
    );
    store.close().await;
}

async fn old_login_failures_are_purged(db: &TestDb) {
    let store = open(db).await;
    let t = now();
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(40)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(16)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(5)).await;
    let purged = store.purge_login_failures(t - minutes(15)).await.expect("purge");
    assert_eq!(purged, 2);
    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(60)).await,
        counts(1, t - minutes(5), 1, t - minutes(5)),
        "the recent failure stays"
    );
    store.close().await;
}

async fn signing_in_clears_the_failures_of_its_account_and_address_only(db: &TestDb) {
    let store = open(db).await;
    let ana = create(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author, None).await;
    let t = now();
    fail(&*store, "ana@clinic.org", ADDRESS_A, t - minutes(2)).await;
    fail(&*store, "ana@clinic.org", ADDRESS_B, t - minutes(2)).await;
    fail(&*store, "bo@clinic.org", ADDRESS_A, t - minutes(1)).await;

    let mut entry = NewAuditEntry::new(AuditAction::SignIn, Some(ana.id), Some(ana.id)).address(ADDRESS_A);
    entry.at = t;
    store
        .record_sign_in(ana.id, &key("ana@clinic.org", ADDRESS_A), &entry)
        .await
        .expect("record sign-in");

    let since = t - minutes(15);
    assert_eq!(failures(&*store, "ana@clinic.org", ADDRESS_A, since).await.pair, 0);
    assert_eq!(
        failures(&*store, "ana@clinic.org", ADDRESS_B, since).await.pair,
        1,
        "failures from elsewhere may be a stranger's: they stay"
    );
    let bo = failures(&*store, "bo@clinic.org", ADDRESS_A, since).await;
    assert_eq!(
        (bo.pair, bo.pair_oldest),
        (1, Some(t - minutes(1))),
        "another account's failures stay"
    );

    let stored = reload(&*store, ana.id).await;
    assert_eq!(stored.last_sign_in_at, Some(t));
    assert_eq!(
        stored.session_epoch, ana.session_epoch,
        "signing in does not end other sessions"
    );
    let rows = audit(&*store, Some(ana.id), Some(AuditAction::SignIn)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor.as_deref(), Some("Ana Ruiz"));
    assert_eq!(rows[0].address, ADDRESS_A);
    store.close().await;
}

// ---------------------------------------------------------------------------
// The audit log

async fn the_audit_log_filters_by_user_and_action_newest_first(db: &TestDb) {
    let store = open(db).await;
    let t = now();
    let at = |seconds_ago: u64, entry: NewAuditEntry| NewAuditEntry {
        at: t - seconds(seconds_ago),
        ..entry
    };
    let created = |name: &str, actor| NewAuditEntry::new(AuditAction::UserCreated, actor, None).detail(name);
    let ada = store
        .create_first_admin(
            &new_user("ada@clinic.org", "Ada Admin", Role::Admin),
            &at(100, created("created Ada", None)),
        )
        .await
        .expect("first admin");
    let bo = store
        .create_user(
            &new_user("bo@clinic.org", "Bo Chen", Role::Admin),
            &at(99, created("created Bo", Some(ada.id))),
        )
        .await
        .expect("create Bo");
    let cy = store
        .create_user(
            &new_user("cy@clinic.org", "Cy Dane", Role::Author),
            &at(98, created("created Cy", Some(ada.id))),
        )
        .await
        .expect("create Cy");

    // Appended out of order: the log sorts by time, not by insertion.
    let entries = [
        (20, AuditAction::SignOut, ada.id, ada.id, "Ada signs out"),
        (50, AuditAction::RoleChanged, ada.id, cy.id, "Ada changes Cy's role"),
        (10, AuditAction::RoleChanged, ada.id, bo.id, "Ada changes Bo's role"),
        (40, AuditAction::SignIn, bo.id, bo.id, "Bo signs in"),
        (30, AuditAction::Deactivated, bo.id, cy.id, "Bo deactivates Cy"),
    ];
    for (seconds_ago, action, actor, target, detail) in entries {
        let entry = NewAuditEntry::new(action, Some(actor), Some(target)).detail(detail);
        store.append_audit(&at(seconds_ago, entry)).await.expect("append audit");
    }

    assert_eq!(
        details(&audit(&*store, Some(bo.id), None).await),
        [
            "Ada changes Bo's role",
            "Bo deactivates Cy",
            "Bo signs in",
            "created Bo"
        ],
        "Bo as actor or as target"
    );
    assert_eq!(
        details(&audit(&*store, Some(cy.id), None).await),
        ["Bo deactivates Cy", "Ada changes Cy's role", "created Cy"]
    );
    assert_eq!(
        details(&audit(&*store, None, Some(AuditAction::RoleChanged)).await),
        ["Ada changes Bo's role", "Ada changes Cy's role"]
    );
    assert_eq!(
        details(&audit(&*store, Some(cy.id), Some(AuditAction::RoleChanged)).await),
        ["Ada changes Cy's role"]
    );
    assert!(audit(&*store, Some(cy.id), Some(AuditAction::SignIn)).await.is_empty());

    let rows = audit(&*store, None, None).await;
    assert_eq!(rows.len(), 8);
    let deactivation = rows
        .iter()
        .find(|row| row.detail == "Bo deactivates Cy")
        .expect("entry");
    assert_eq!(deactivation.action, "deactivated");
    assert_eq!(deactivation.actor.as_deref(), Some("Bo Chen"));
    assert_eq!(deactivation.target.as_deref(), Some("Cy Dane"));
    assert_eq!(deactivation.at, t - seconds(30));

    let limited = |user_id, limit| {
        let store = store.clone();
        async move {
            store
                .list_audit(&AuditFilter {
                    user_id,
                    action: None,
                    limit,
                })
                .await
                .expect("audit log")
        }
    };
    assert_eq!(
        details(&limited(None, 2).await),
        ["Ada changes Bo's role", "Ada signs out"]
    );
    assert_eq!(
        details(&limited(Some(bo.id), 3).await),
        ["Ada changes Bo's role", "Bo deactivates Cy", "Bo signs in"]
    );
    store.close().await;
}

// ---------------------------------------------------------------------------
// Profiles

async fn profile_edits_are_stored(db: &TestDb) {
    let store = open(db).await;
    let ana = create(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author, None).await;
    let bo = create(&*store, "bo@clinic.org", "Bo Chen", Role::Author, None).await;
    let update = ProfileUpdate::parse(
        " Dr. Ana Ruiz ",
        "Psychiatrist in Lyon, writes about sleep.",
        "https://img.example.org/ana.png",
        "MD, psychiatrist",
    )
    .expect("valid profile");

    let returned = store.update_profile(ana.id, &update).await.expect("update profile");
    let stored = reload(&*store, ana.id).await;
    for user in [&returned, &stored] {
        assert_eq!(user.display_name, "Dr. Ana Ruiz");
        assert_eq!(user.bio, "Psychiatrist in Lyon, writes about sleep.");
        assert_eq!(user.avatar_url, "https://img.example.org/ana.png");
        assert_eq!(user.credentials, "MD, psychiatrist");
        assert_eq!(user.email, "ana@clinic.org");
        assert_eq!(
            user.session_epoch, ana.session_epoch,
            "editing a profile signs nobody out"
        );
    }
    let other = reload(&*store, bo.id).await;
    assert_eq!((other.display_name.as_str(), other.bio.as_str()), ("Bo Chen", ""));

    let error = store
        .update_profile(UNKNOWN_ID, &update)
        .await
        .expect_err("no such user");
    assert_eq!(error, AppError::NotFound);
    store.close().await;
}

crate::on_both_databases!(
    emails_are_unique_whatever_their_case,
    users_with_the_same_name_get_distinct_slugs,
    users_with_the_same_name_created_at_once_get_distinct_slugs,
    the_same_email_created_twice_at_once_is_one_user_and_conflicts,
    creating_a_user_is_audited_with_the_new_user_as_target,
    the_first_admin_can_be_created_only_once,
    the_first_admin_set_up_is_refused_once_any_user_exists,
    racing_first_admin_set_ups_create_one_admin,
    users_are_listed_active_first_then_by_name,
    changing_a_role_ends_the_users_sessions_and_is_audited,
    deactivating_ends_the_users_sessions_and_is_audited,
    changing_a_password_ends_the_users_sessions_and_is_audited,
    changes_to_an_unknown_user_are_not_found_and_leave_no_trace,
    a_password_link_works_exactly_once,
    an_expired_password_link_does_nothing,
    a_password_link_of_a_deactivated_user_does_nothing,
    password_links_for_unknown_users_are_not_found,
    login_failures_are_counted_per_account_and_address_and_per_address,
    login_failures_before_the_cut_off_do_not_count,
    signing_in_clears_the_failures_of_its_account_and_address_only,
    old_login_failures_are_purged,
    the_audit_log_filters_by_user_and_action_newest_first,
    profile_edits_are_stored,
);

mod throttling {
    use super::*;

    /// Many sign-in attempts for one account at the same moment: recording
    /// before counting lets each see the others, so no more than the limit
    /// get through.
    async fn parallel_attempts_cannot_pass_the_limit(db: &TestDb) {
        let store = open(db).await;
        let at = now();
        let mut tasks = Vec::new();
        for _ in 0..30 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let id = store
                    .record_login_attempt(&key("ana@clinic.org", ADDRESS_A), at)
                    .await
                    .expect("record");
                let counts = store
                    .login_failures_since(&key("ana@clinic.org", ADDRESS_A), at - minutes(15))
                    .await
                    .expect("count");
                if counts.pair > 5 {
                    store.forget_login_attempt(id).await.expect("forget");
                    false
                } else {
                    true
                }
            }));
        }
        let mut passed = 0;
        for task in tasks {
            if task.await.expect("task") {
                passed += 1;
            }
        }
        assert!(passed <= 5, "{passed} attempts passed a limit of 5");
        let left = store
            .login_failures_since(&key("ana@clinic.org", ADDRESS_A), at - minutes(15))
            .await
            .expect("count");
        assert_eq!(left.pair, passed, "refused attempts are taken back");
        store.close().await;
    }

    crate::on_both_databases!(parallel_attempts_cannot_pass_the_limit);
}

mod last_admin {
    use super::*;

    async fn the_last_active_admin_cannot_be_demoted_or_deactivated(db: &TestDb) {
        let store = open(db).await;
        let admin = create_first_admin(&*store).await;
        let entry = NewAuditEntry::new(AuditAction::RoleChanged, None, Some(admin.id));
        let demoted = store.set_role(admin.id, Role::Editor, &entry).await;
        assert!(matches!(demoted, Err(AppError::Conflict { .. })), "{demoted:?}");
        let deactivated = store.set_active(admin.id, false, &entry).await;
        assert!(matches!(deactivated, Err(AppError::Conflict { .. })), "{deactivated:?}");
        let stored = reload(&*store, admin.id).await;
        assert_eq!((stored.role, stored.active), (Role::Admin, true), "nothing changed");
        assert_eq!(stored.session_epoch, admin.session_epoch);

        let second = create(
            &*store,
            "second@clinic.org",
            "Second Admin",
            Role::Admin,
            Some(admin.id),
        )
        .await;
        store
            .set_active(admin.id, false, &entry)
            .await
            .expect("another admin remains");
        let refused = store.set_role(second.id, Role::Author, &entry).await;
        assert!(matches!(refused, Err(AppError::Conflict { .. })), "{refused:?}");
        store.close().await;
    }

    crate::on_both_databases!(the_last_active_admin_cannot_be_demoted_or_deactivated);
}
