//! Personal API tokens in the store: kept as digests, listed per owner,
//! honoured only while the token is unrevoked and its owner active and
//! unchanged since, and revoked only by their owner. On SQLite and on
//! PostgreSQL.

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, NewAuditEntry, User, token_digest};
use app::api_tokens::server::{ApiTokenRow, NewApiToken, Scope, TokenName};
use app::error::AppError;
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

/// Stores a token of `owner` made at `at`; the secret itself is `secret`.
async fn create(
    store: &dyn Store,
    owner: &User,
    name: &str,
    scope: Scope,
    secret: &str,
    at: DateTime<Utc>,
) -> ApiTokenRow {
    let token = NewApiToken {
        user_id: owner.id,
        name: TokenName::parse(name).expect("name"),
        scope,
        token_hash: token_digest(secret),
        created_at: at,
    };
    let audit = NewAuditEntry::new(AuditAction::ApiTokenCreated, Some(owner.id), Some(owner.id));
    store.create_api_token(&token, &audit).await.expect("token")
}

async fn revoke(store: &dyn Store, by: &User, id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
    let audit = NewAuditEntry {
        at,
        ..NewAuditEntry::new(AuditAction::ApiTokenRevoked, Some(by.id), Some(by.id))
    };
    store.revoke_api_token(by.id, id, &audit).await
}

/// Who a presented secret lets in, and with what scope.
async fn grant(store: &dyn Store, secret: &str, at: DateTime<Utc>) -> Option<(i64, String)> {
    store
        .use_api_token(&token_digest(secret), at)
        .await
        .expect("query")
        .map(|grant| (grant.user_id, grant.scope))
}

fn names(rows: &[ApiTokenRow]) -> Vec<&str> {
    rows.iter().map(|row| row.name.as_str()).collect()
}

async fn tokens_are_listed_per_owner_and_grant_their_scope(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    let site = create(&*store, &ana, "Clinic website", Scope::Read, "vellum_site", noon()).await;
    create(&*store, &ana, "Importer", Scope::Write, "vellum_importer", noon()).await;
    create(&*store, &omar, "Omar's script", Scope::Read, "vellum_omar", noon()).await;

    assert_eq!(site.name, "Clinic website");
    assert_eq!(site.scope, "read");
    assert_eq!(site.created_at, noon());
    assert_eq!((site.last_used_at, site.revoked_at, site.ended), (None, None, 0));
    let anas = store.api_tokens(ana.id).await.expect("tokens");
    assert_eq!(names(&anas), ["Importer", "Clinic website"], "hers only, newest first");
    assert_eq!(
        names(&store.api_tokens(omar.id).await.expect("tokens")),
        ["Omar's script"]
    );

    // The same secret cannot be stored twice.
    let token = NewApiToken {
        user_id: omar.id,
        name: TokenName::parse("Copy").expect("name"),
        scope: Scope::Write,
        token_hash: token_digest("vellum_site"),
        created_at: noon(),
    };
    let audit = NewAuditEntry::new(AuditAction::ApiTokenCreated, Some(omar.id), Some(omar.id));
    let duplicate = store.create_api_token(&token, &audit).await;
    assert!(matches!(duplicate, Err(AppError::Conflict { .. })), "{duplicate:?}");
    assert_eq!(store.api_tokens(omar.id).await.expect("tokens").len(), 1);

    // Each secret lets in its owner with its scope; others nobody.
    assert_eq!(
        grant(&*store, "vellum_site", noon()).await,
        Some((ana.id, "read".to_owned()))
    );
    assert_eq!(
        grant(&*store, "vellum_importer", noon()).await,
        Some((ana.id, "write".to_owned()))
    );
    assert_eq!(
        grant(&*store, "vellum_omar", noon()).await,
        Some((omar.id, "read".to_owned()))
    );
    assert_eq!(grant(&*store, "vellum_guess", noon()).await, None);

    // Its use is noted, at most once a minute.
    let used = |rows: Vec<ApiTokenRow>| {
        rows.into_iter()
            .find(|row| row.id == site.id)
            .expect("token")
            .last_used_at
    };
    assert_eq!(used(store.api_tokens(ana.id).await.expect("tokens")), Some(noon()));
    grant(&*store, "vellum_site", noon() + Duration::seconds(59)).await;
    assert_eq!(used(store.api_tokens(ana.id).await.expect("tokens")), Some(noon()));
    grant(&*store, "vellum_site", noon() + Duration::minutes(1)).await;
    assert_eq!(
        used(store.api_tokens(ana.id).await.expect("tokens")),
        Some(noon() + Duration::minutes(1))
    );
    store.close().await;
}

async fn a_token_works_only_while_its_owner_is_active_and_unchanged(db: &TestDb) {
    let store = open(db).await;
    user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    create(&*store, &ana, "Clinic website", Scope::Read, "vellum_ana", noon()).await;
    create(&*store, &omar, "Script", Scope::Write, "vellum_omar", noon()).await;
    assert!(grant(&*store, "vellum_ana", noon()).await.is_some());

    // Deactivated: her token lets nobody in; his still works.
    let audit = NewAuditEntry::new(AuditAction::Deactivated, None, Some(ana.id));
    store.set_active(ana.id, false, &audit).await.expect("deactivate");
    assert_eq!(grant(&*store, "vellum_ana", noon()).await, None);
    assert_eq!(
        grant(&*store, "vellum_omar", noon()).await,
        Some((omar.id, "write".to_owned()))
    );

    // Reactivated: the old token stays ended (she may not even know it
    // leaked); a new one works.
    let audit = NewAuditEntry::new(AuditAction::Reactivated, None, Some(ana.id));
    store.set_active(ana.id, true, &audit).await.expect("reactivate");
    assert_eq!(grant(&*store, "vellum_ana", noon()).await, None);
    let listed = store.api_tokens(ana.id).await.expect("tokens");
    assert_eq!(listed[0].ended, 1, "shown as ended");
    create(
        &*store,
        &ana,
        "Clinic website again",
        Scope::Read,
        "vellum_ana_2",
        noon(),
    )
    .await;
    assert_eq!(
        grant(&*store, "vellum_ana_2", noon()).await,
        Some((ana.id, "read".to_owned()))
    );

    // A password change ends his.
    let audit = NewAuditEntry::new(AuditAction::PasswordChanged, Some(omar.id), Some(omar.id));
    store.set_password(omar.id, "new hash", &audit).await.expect("password");
    assert_eq!(grant(&*store, "vellum_omar", noon()).await, None);
    store.close().await;
}

async fn a_token_is_revoked_only_by_its_owner_and_only_once(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Admin).await;
    let token = create(&*store, &ana, "Clinic website", Scope::Read, "vellum_ana", noon()).await;

    // Not even an admin revokes someone else's token.
    let not_his = revoke(&*store, &omar, token.id, noon()).await;
    assert!(matches!(not_his, Err(AppError::NotFound)), "{not_his:?}");
    assert!(grant(&*store, "vellum_ana", noon()).await.is_some(), "still works");
    let unknown = revoke(&*store, &ana, token.id + 100, noon()).await;
    assert!(matches!(unknown, Err(AppError::NotFound)), "{unknown:?}");

    let revoked_at = noon() + Duration::hours(1);
    revoke(&*store, &ana, token.id, revoked_at).await.expect("revoke");
    assert_eq!(grant(&*store, "vellum_ana", revoked_at).await, None);
    let listed = store.api_tokens(ana.id).await.expect("tokens");
    assert_eq!(listed[0].revoked_at, Some(revoked_at), "listed, as revoked");
    let again = revoke(&*store, &ana, token.id, revoked_at).await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");

    // Only the revocation that happened is in the audit log.
    let entries = store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::ApiTokenRevoked),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].at, revoked_at);
    assert_eq!(entries[0].actor.as_deref(), Some("Ana Ruiz"));
    store.close().await;
}

crate::on_both_databases!(
    tokens_are_listed_per_owner_and_grant_their_scope,
    a_token_works_only_while_its_owner_is_active_and_unchanged,
    a_token_is_revoked_only_by_its_owner_and_only_once,
);
