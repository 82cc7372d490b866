//! Two-factor sign-in's part of the store, on SQLite and on PostgreSQL:
//! the site's policy, TOTP set-up and its confirmation, time steps taken
//! once, recovery codes used once, and removal.

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, DisplayName, Email, NewAuditEntry, NewUser, User};
use app::domain::TwoFactorPolicy;
use app::store::Store;
use app::store::model::two_factor::TotpConfirmation;
use sqlx::types::chrono::Utc;

use super::open;
use crate::support::TestDb;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OTHER_SECRET: &str = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";

async fn person(store: &dyn Store, email: &str) -> User {
    let user = NewUser {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse("Dr. Ana Ruiz").expect("name"),
        role: Role::Editor,
        password_hash: None,
        password_link: None,
    };
    store
        .create_user(&user, &NewAuditEntry::new(AuditAction::UserCreated, None, None))
        .await
        .expect("create user")
}

fn digests(prefix: &str) -> Vec<String> {
    (0..10).map(|n| format!("{prefix}-{n}")).collect()
}

fn entry(action: AuditAction, user: &User) -> NewAuditEntry {
    NewAuditEntry::new(action, Some(user.id), Some(user.id))
}

async fn audited(store: &dyn Store, action: AuditAction) -> usize {
    store
        .list_audit(&AuditFilter {
            user_id: None,
            action: Some(action),
            limit: 100,
        })
        .await
        .expect("audit")
        .len()
}

/// Sets up and confirms `SECRET` for `user` at step 100, with `digests("code")`.
async fn enable(store: &dyn Store, user: &User) {
    assert!(
        store
            .begin_totp_setup(user.id, SECRET, Utc::now())
            .await
            .expect("begin")
    );
    let codes = digests("code");
    let confirmation = TotpConfirmation {
        user_id: user.id,
        secret: SECRET,
        step: 100,
        recovery_digests: &codes,
        at: Utc::now(),
    };
    assert!(
        store
            .confirm_totp(&confirmation, &entry(AuditAction::TwoFactorEnabled, user))
            .await
            .expect("confirm")
    );
}

async fn the_policy_is_nobody_until_an_admin_changes_it(db: &TestDb) {
    let store = open(db).await;
    assert_eq!(
        store.two_factor_policy().await.expect("policy"),
        TwoFactorPolicy::Nobody
    );
    let change = NewAuditEntry::new(AuditAction::SettingsChanged, None, None).detail("two-factor");
    store
        .set_two_factor_policy(TwoFactorPolicy::EditorsAndAdmins, &change)
        .await
        .expect("save");
    assert_eq!(
        store.two_factor_policy().await.expect("policy"),
        TwoFactorPolicy::EditorsAndAdmins
    );
    assert_eq!(audited(&*store, AuditAction::SettingsChanged).await, 1);
    // The rest of the settings are as they were.
    assert_eq!(store.site_settings().await.expect("settings").title, "Vellum");
    store.close().await;
}

async fn a_set_up_counts_once_its_own_secret_is_confirmed(db: &TestDb) {
    let store = open(db).await;
    let ana = person(&*store, "ana@clinic.org").await;
    assert!(
        store
            .begin_totp_setup(ana.id, OTHER_SECRET, Utc::now())
            .await
            .expect("begin")
    );
    let pending = store.totp_secret(ana.id).await.expect("read").expect("a set-up");
    assert_eq!(pending.secret, OTHER_SECRET);
    assert_eq!(pending.confirmed_at, None);
    assert!(!store.has_confirmed_totp(ana.id).await.expect("read"));
    assert!(
        !format!("{pending:?}").contains(OTHER_SECRET),
        "the secret stays out of Debug"
    );

    // Starting again replaces the secret; a code checked against the old
    // one confirms nothing.
    assert!(store.begin_totp_setup(ana.id, SECRET, Utc::now()).await.expect("again"));
    let codes = digests("code");
    let stale = TotpConfirmation {
        user_id: ana.id,
        secret: OTHER_SECRET,
        step: 100,
        recovery_digests: &codes,
        at: Utc::now(),
    };
    assert!(
        !store
            .confirm_totp(&stale, &entry(AuditAction::TwoFactorEnabled, &ana))
            .await
            .expect("confirm")
    );
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 0);
    assert_eq!(audited(&*store, AuditAction::TwoFactorEnabled).await, 0);

    let current = TotpConfirmation {
        secret: SECRET,
        ..stale
    };
    assert!(
        store
            .confirm_totp(&current, &entry(AuditAction::TwoFactorEnabled, &ana))
            .await
            .expect("confirm")
    );
    assert!(store.has_confirmed_totp(ana.id).await.expect("read"));
    assert_eq!(store.users_with_totp().await.expect("list"), vec![ana.id]);
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 10);
    assert_eq!(audited(&*store, AuditAction::TwoFactorEnabled).await, 1);
    // Confirming twice does nothing; a confirmed secret is not replaced.
    assert!(
        !store
            .confirm_totp(&current, &entry(AuditAction::TwoFactorEnabled, &ana))
            .await
            .expect("confirm")
    );
    assert!(
        !store
            .begin_totp_setup(ana.id, OTHER_SECRET, Utc::now())
            .await
            .expect("begin")
    );
    assert_eq!(
        store.totp_secret(ana.id).await.expect("read").expect("row").secret,
        SECRET
    );
    store.close().await;
}

async fn each_time_step_is_taken_once(db: &TestDb) {
    let store = open(db).await;
    let ana = person(&*store, "ana@clinic.org").await;
    assert!(store.begin_totp_setup(ana.id, SECRET, Utc::now()).await.expect("begin"));
    assert!(
        !store.accept_totp_step(ana.id, 200).await.expect("take"),
        "not before it is confirmed"
    );
    enable(&*store, &ana).await;
    // The confirming code's step (100) is used up already.
    assert!(!store.accept_totp_step(ana.id, 100).await.expect("take"));
    assert!(store.accept_totp_step(ana.id, 101).await.expect("take"));
    assert!(
        !store.accept_totp_step(ana.id, 101).await.expect("take"),
        "the same code again"
    );
    assert!(
        !store.accept_totp_step(ana.id, 100).await.expect("take"),
        "an older code"
    );
    assert!(store.accept_totp_step(ana.id, 103).await.expect("take"));
    assert_eq!(
        store.totp_secret(ana.id).await.expect("read").expect("row").last_step,
        Some(103)
    );
    store.close().await;
}

async fn each_recovery_code_works_once_for_its_owner(db: &TestDb) {
    let store = open(db).await;
    let ana = person(&*store, "ana@clinic.org").await;
    let ben = person(&*store, "ben@clinic.org").await;
    enable(&*store, &ana).await;
    let used = entry(AuditAction::RecoveryCodeUsed, &ana);
    assert!(
        !store.use_recovery_code(ben.id, "code-3", &used).await.expect("use"),
        "not Ben's"
    );
    assert!(store.use_recovery_code(ana.id, "code-3", &used).await.expect("use"));
    assert!(
        !store.use_recovery_code(ana.id, "code-3", &used).await.expect("use"),
        "used already"
    );
    assert!(!store.use_recovery_code(ana.id, "invented", &used).await.expect("use"));
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 9);
    assert_eq!(audited(&*store, AuditAction::RecoveryCodeUsed).await, 1, "audited once");

    // New codes replace all the old ones.
    let renewed = entry(AuditAction::RecoveryCodesRenewed, &ana);
    assert!(
        store
            .replace_recovery_codes(ana.id, &digests("new"), &renewed)
            .await
            .expect("renew")
    );
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 10);
    assert!(!store.use_recovery_code(ana.id, "code-4", &used).await.expect("use"));
    assert!(store.use_recovery_code(ana.id, "new-4", &used).await.expect("use"));
    assert!(
        !store
            .replace_recovery_codes(ben.id, &digests("ben"), &renewed)
            .await
            .expect("renew"),
        "no codes without an app"
    );
    assert_eq!(store.recovery_codes_left(ben.id).await.expect("count"), 0);
    store.close().await;
}

async fn removing_takes_the_app_and_the_codes(db: &TestDb) {
    let store = open(db).await;
    let ana = person(&*store, "ana@clinic.org").await;
    let ben = person(&*store, "ben@clinic.org").await;
    enable(&*store, &ana).await;
    let reset = entry(AuditAction::TwoFactorReset, &ana);
    assert!(store.remove_totp(ana.id, &reset).await.expect("remove"));
    assert!(!store.has_confirmed_totp(ana.id).await.expect("read"));
    assert!(store.totp_secret(ana.id).await.expect("read").is_none());
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 0);
    assert!(
        !store.remove_totp(ana.id, &reset).await.expect("remove"),
        "nothing left"
    );
    // A set-up never confirmed is no second factor to remove.
    assert!(store.begin_totp_setup(ben.id, SECRET, Utc::now()).await.expect("begin"));
    assert!(!store.remove_totp(ben.id, &reset).await.expect("remove"));
    assert_eq!(audited(&*store, AuditAction::TwoFactorReset).await, 1);
    // Ana may set up a new app.
    enable(&*store, &ana).await;
    store.close().await;
}

crate::on_both_databases!(
    the_policy_is_nobody_until_an_admin_changes_it,
    a_set_up_counts_once_its_own_secret_is_confirmed,
    each_time_step_is_taken_once,
    each_recovery_code_works_once_for_its_owner,
    removing_takes_the_app_and_the_codes,
);
