use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use chrono::{DateTime, Utc};

use super::queries::Queries;
use super::{Backend, Migrated, SessionBackend, Store};
use crate::accounts::Role;
use crate::accounts::server::throttle::FailureCounts;
use crate::accounts::server::{AuditFilter, AuditRow, Email, NewAuditEntry, NewUser, ProfileUpdate, User};
use crate::error::AppError;
use crate::posts::server::{Post, PostEdit, PostTitle, Slug};
use crate::settings::SiteSettings;
use crate::settings::server::SettingsUpdate;

const LOCK_USERS: &str = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// PostgreSQL through a connection pool; several Vellum instances may share
/// one database.
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }
}

impl PostgresStore {
    fn queries(&self) -> Queries<'_, sqlx::Postgres> {
        Queries {
            reader: &self.pool,
            writer: &self.pool,
            lock_users: Some(LOCK_USERS),
        }
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        let existing: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
            .fetch_one(&self.pool)
            .await?;
        MIGRATOR.run(&self.pool).await?;
        self.session_backend().migrate().await?;
        Ok(Migrated {
            fresh: existing.is_none(),
        })
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1 FROM site_settings").fetch_one(&self.pool).await?;
        Ok(())
    }

    async fn site_settings(&self) -> Result<SiteSettings, AppError> {
        self.queries().site_settings().await
    }

    async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
        audit: Option<&NewAuditEntry>,
    ) -> Result<SiteSettings, AppError> {
        self.queries().update_site_settings(update, audit).await
    }

    fn session_backend(&self) -> SessionBackend {
        SessionBackend::Postgres(tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone()))
    }

    async fn count_users(&self) -> Result<i64, AppError> {
        self.queries().count_users().await
    }

    async fn create_user(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().create_user(user, audit).await
    }

    async fn create_first_admin(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().create_first_admin(user, audit).await
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<User>, AppError> {
        self.queries().user_by_id(id).await
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, AppError> {
        self.queries().user_by_email(email).await
    }

    async fn list_users(&self) -> Result<Vec<User>, AppError> {
        self.queries().list_users().await
    }

    async fn update_profile(&self, id: i64, update: &ProfileUpdate) -> Result<User, AppError> {
        self.queries().update_profile(id, update).await
    }

    async fn set_password(&self, id: i64, hash: &str, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_password(id, hash, audit).await
    }

    async fn set_role(&self, id: i64, role: Role, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_role(id, role, audit).await
    }

    async fn set_active(&self, id: i64, active: bool, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_active(id, active, audit).await
    }

    async fn create_password_token(
        &self,
        user_id: i64,
        token_digest: &str,
        expires_at: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError> {
        self.queries()
            .create_password_token(user_id, token_digest, expires_at, audit)
            .await
    }

    async fn set_password_with_token(
        &self,
        token_digest: &str,
        hash: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError> {
        self.queries()
            .set_password_with_token(token_digest, hash, now, audit)
            .await
    }

    async fn record_sign_in(&self, id: i64, email_key: &str, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().record_sign_in(id, email_key, audit).await
    }

    async fn record_login_attempt(&self, email_key: &str, address: &str, at: DateTime<Utc>) -> Result<i64, AppError> {
        self.queries().record_login_attempt(email_key, address, at).await
    }

    async fn forget_login_attempt(&self, id: i64) -> Result<(), AppError> {
        self.queries().forget_login_attempt(id).await
    }

    async fn login_failures_since(
        &self,
        email_key: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<FailureCounts, AppError> {
        self.queries().login_failures_since(email_key, address, since).await
    }

    async fn append_audit(&self, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().append_audit(audit).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, AppError> {
        self.queries().list_audit(filter).await
    }

    async fn create_draft(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.queries().create_draft(title, slug, author_id, at).await
    }

    async fn post(&self, id: i64) -> Result<Option<Post>, AppError> {
        self.queries().post(id).await
    }

    async fn post_author_ids(&self, id: i64) -> Result<Vec<i64>, AppError> {
        self.queries().post_author_ids(id).await
    }

    async fn save_post(
        &self,
        id: i64,
        expected_version: i64,
        edit: &PostEdit,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.queries().save_post(id, expected_version, edit, at).await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
