//! The queries, written once for both databases: the SQL reads the
//! same on SQLite and PostgreSQL, so one generic implementation serves the
//! two stores. Each backend's `Store` impl hands it its pools (SQLite: a
//! reader pool and the single-connection writer; PostgreSQL: one pool for
//! both) and, on PostgreSQL, the table lock that serialises user creation.

use chrono::{DateTime, Utc};
use sqlx::database::Database;
use sqlx::{Pool, Transaction};

use super::sql;
use crate::audit::NewAuditEntry;
use crate::domain::Role;
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::input::people::{Email, ProfileUpdate};
use crate::input::site::SettingsUpdate;
use crate::store::model::accounts::{AuditFilter, AuditRow, NewUser, User};
use crate::store::model::accounts::{FailureCounts, FailureKey};

pub struct Queries<'a, DB: Database> {
    pub reader: &'a Pool<DB>,
    pub writer: &'a Pool<DB>,
    /// Run first in transactions that create users (PostgreSQL: a table
    /// lock; SQLite needs none, its one writer already serialises them).
    pub lock_users: Option<&'static str>,
    /// Appended to the scheduler's claim so that processes sharing one
    /// database skip rows another is claiming instead of waiting for them.
    pub skip_locked: &'static str,
    pub search: &'static super::search::SearchSql,
    /// After a text expression: compare it byte by byte, as both databases
    /// then agree (SQLite's `BINARY`; PostgreSQL's `"C"`, where the
    /// database's own locale would otherwise decide, and `lower()` folds
    /// only ASCII, as SQLite's does).
    pub bytewise: &'static str,
    /// Counts and remembers changes readers can see; the public cache
    /// reads it.
    pub changes: &'a super::changes::ChangeLog,
    /// Where deep pages of public lists start (`list_marks`).
    pub list_marks: &'a super::list_marks::ListMarks,
    /// Run in the transaction of such a change, with this instance's name,
    /// to tell the other instances (PostgreSQL: a NOTIFY, delivered at
    /// commit); SQLite has one instance.
    pub notify_public: Option<(&'static str, &'a str)>,
    /// Between the columns and `VALUES` of an insert that sets its own id
    /// (PostgreSQL's identity columns refuse one otherwise).
    pub overriding_ids: &'static str,
    /// Run per table (`{table}`) after such inserts, so that new rows get
    /// the next free id (SQLite's AUTOINCREMENT follows by itself).
    pub reset_id_sequence: Option<&'static str>,
    /// Where tower-sessions keeps the sessions.
    pub sessions_table: &'static str,
}

/// Wraps methods in `impl Queries` with the bounds that let one body of
/// SQL code run on both databases; the query files share it.
macro_rules! shared_queries {
    ($($methods:tt)*) => {
        impl<DB> $crate::store::queries::Queries<'_, DB>
        where
            DB: ::sqlx::Database,
            for<'c> &'c mut DB::Connection: ::sqlx::Executor<'c, Database = DB>,
            for<'c> &'c ::sqlx::Pool<DB>: ::sqlx::Executor<'c, Database = DB>,
            for<'q> DB::Arguments<'q>: ::sqlx::IntoArguments<'q, DB>,
            for<'q> i64: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Option<i64>: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> bool: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> &'q str: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Option<&'q str>: ::sqlx::Encode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> String: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> ::chrono::DateTime<::chrono::Utc>: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Option<::chrono::DateTime<::chrono::Utc>>: ::sqlx::Encode<'q, DB> + ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'q> Option<String>: ::sqlx::Decode<'q, DB> + ::sqlx::Type<DB>,
            for<'r> $crate::store::model::accounts::User: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::accounts::AuditRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::domain::SiteSettings: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::Post: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::Revision: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::CommentRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::NotificationRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::SummaryRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::Tag: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::TagUse: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::CalendarRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::Event: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::posts::PublicPost: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::pages::PublicPage: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::previews::PreviewLinkRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::tokens::ApiTokenRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::tokens::TokenGrant: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::passkeys::PasskeyRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::passkeys::CeremonyRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::two_factor::TotpRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::sessions::SessionRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::webhooks::WebhookRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::webhooks::DeliveryRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::webhooks::DeliveryJob: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::media::MediaRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::media::VariantRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::media::MediaUse: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::site::ClinicRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::mail::MailJob: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::mail::MailLogRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::mail::MailNotification: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> (i64, String): ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::model::site::MenuItemRow: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> $crate::store::transfer::ExportSource: ::sqlx::FromRow<'r, DB::Row>,
            for<'r> (String, String): ::sqlx::FromRow<'r, DB::Row>,
            for<'r> (String, String, Option<::chrono::DateTime<::chrono::Utc>>): ::sqlx::FromRow<'r, DB::Row>,
            usize: ::sqlx::ColumnIndex<DB::Row>, {
            $($methods)*
        }
    };
}
pub(super) use shared_queries;

shared_queries! {
    /// Commits `tx`; when it changed what readers see (`public`), tells
    /// the other instances in it and this instance's readers after it
    /// that anything may have changed.
    pub(crate) async fn commit_public(&self, tx: Transaction<'_, DB>, public: bool) -> Result<(), AppError> {
        self.commit_change(tx, public.then_some(super::changes::PublicChange::Everything)).await
    }

    /// Commits `tx`, announcing `change` as `commit_public` does: on
    /// PostgreSQL with a NOTIFY delivered at commit, here after it.
    pub(crate) async fn commit_change(
        &self,
        mut tx: Transaction<'_, DB>,
        change: Option<super::changes::PublicChange>,
    ) -> Result<(), AppError> {
        if let (Some(change), Some((notify, instance))) = (&change, self.notify_public) {
            let payload = super::changes::notification(instance, change);
            sqlx::query(notify).bind(payload).execute(&mut *tx).await?;
        }
        // Should this future be dropped while the commit is on its way
        // (the client went away), the commit may still land: the guard
        // then records that anything may have changed.
        let mut pending = super::changes::RecordOnDrop::new(self.changes, change.is_some());
        match tx.commit().await {
            Ok(()) => {
                pending.settle(change);
                Ok(())
            }
            Err(error) => {
                pending.settle(None);
                Err(error.into())
            }
        }
    }

    pub async fn site_settings(&self) -> Result<SiteSettings, AppError> {
        let sql = format!("SELECT {} FROM site_settings WHERE id = 1", sql::SETTINGS_COLUMNS);
        Ok(sqlx::query_as(&sql).fetch_one(self.reader).await?)
    }

    pub async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
        audit: Option<&NewAuditEntry>,
    ) -> Result<SiteSettings, AppError> {
        let sql = format!(
            "UPDATE site_settings SET title = $1, description = $2, site_url = $3, time_zone = $4, \
             date_format = $5, updated_at = $6, review_required = $7, logo_url = $8, accent_color = $9, \
             cta_heading = $10, cta_text = $11, cta_label = $12, cta_url = $13, \
             previous_content_key = CASE WHEN content_key <> $14 THEN content_key ELSE previous_content_key END, \
             previous_content_key_until = CASE WHEN content_key <> $14 THEN $15 ELSE previous_content_key_until END, \
             content_key = $14, reading_grade_target = $16, language = $17, review_interval_months = $18, \
             lapsed_review_display = $19 WHERE id = 1 RETURNING {}",
            sql::SETTINGS_COLUMNS
        );
        // A person's change happens at its audit entry's time.
        let now = audit.map_or_else(chrono::Utc::now, |audit| audit.at);
        let mut tx = self.writer.begin().await?;
        let updated: SiteSettings = sqlx::query_as(&sql)
            .bind(update.title.as_str())
            .bind(update.description.as_str())
            .bind(update.site_url.as_str())
            .bind(update.time_zone.as_str())
            .bind(update.date_format.as_str())
            .bind(now)
            .bind(update.review_required)
            .bind(update.logo_url.as_str())
            .bind(update.accent_color.as_str())
            .bind(update.cta.heading.as_str())
            .bind(update.cta.text.as_str())
            .bind(update.cta.label.as_str())
            .bind(update.cta.link.as_str())
            .bind(update.content_key.as_str())
            .bind(now + chrono::Duration::days(crate::domain::CONTENT_KEY_OVERLAP_DAYS))
            .bind(update.reading_grade_target)
            .bind(update.language.as_str())
            .bind(i64::from(update.review_interval.months()))
            .bind(update.lapsed_review_display.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            Self::insert_audit(&mut tx, audit).await?;
        }
        self.commit_public(tx, true).await?;
        Ok(updated)
    }

    /// The content key, and the one before it with the end of its overlap.
    pub async fn content_keys(&self) -> Result<crate::domain::ContentKeys, AppError> {
        let (current, previous, until): (String, String, Option<DateTime<Utc>>) = sqlx::query_as(
            "SELECT content_key, previous_content_key, previous_content_key_until FROM site_settings WHERE id = 1",
        )
        .fetch_one(self.reader)
        .await?;
        Ok(crate::domain::ContentKeys {
            current,
            previous: until.filter(|_| !previous.is_empty()).map(|until| (previous, until)),
        })
    }

    /// Ends every signed-in session (everyone signs in again); API tokens
    /// stay. Returns how many there were.
    ///
    /// Deleting the rows is not enough: a request in flight writes its
    /// session back when it ends. Every session epoch moves instead, so
    /// such a session is refused when next read; tokens move with their
    /// owner's epoch and keep working (a token already ended stays ended).
    pub async fn end_all_sessions(&self, audit: &NewAuditEntry) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE users SET session_epoch = session_epoch + 1")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE api_tokens SET session_epoch = session_epoch + 1")
            .execute(&mut *tx)
            .await?;
        let ended: Vec<String> = sqlx::query_scalar(&format!("DELETE FROM {} RETURNING id", self.sessions_table))
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM signed_in_sessions").execute(&mut *tx).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(u64::try_from(ended.len()).unwrap_or(u64::MAX))
    }

    pub(super) async fn lock_users(&self, tx: &mut Transaction<'_, DB>) -> Result<(), AppError> {
        if let Some(lock) = self.lock_users {
            sqlx::query(lock).execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub async fn count_users(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(self.reader)
            .await?)
    }

    pub async fn create_user(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        self.lock_users(&mut tx).await?;
        let created = Self::insert_user(&mut tx, user, audit).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn create_first_admin(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        self.lock_users(&mut tx).await?;
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(AppError::NotFound);
        }
        let created = Self::insert_user(&mut tx, user, audit).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, AppError> {
        Ok(sqlx::query_as(&sql::select_user_where("id = $1"))
            .bind(id)
            .fetch_optional(self.reader)
            .await?)
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>, AppError> {
        Ok(sqlx::query_as(&sql::select_user_where("email = $1"))
            .bind(email.as_str())
            .fetch_optional(self.reader)
            .await?)
    }

    pub async fn list_users(&self) -> Result<Vec<User>, AppError> {
        Ok(
            sqlx::query_as(&sql::select_user_where("TRUE ORDER BY active DESC, display_name, id"))
                .fetch_all(self.reader)
                .await?,
        )
    }

    pub async fn update_profile(&self, id: i64, update: &ProfileUpdate) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        let updated: Option<User> = sqlx::query_as(&sql::update_profile())
            .bind(id)
            .bind(update.display_name.as_str())
            .bind(update.bio.as_str())
            .bind(update.avatar_url.as_str())
            .bind(update.credentials.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let updated = updated.ok_or(AppError::NotFound)?;
        // Bylines and author pages show the profile.
        self.commit_public(tx, true).await?;
        Ok(updated)
    }

    pub async fn set_password(&self, id: i64, hash: &str, audit: &NewAuditEntry) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        let updated: Option<User> = sqlx::query_as(&sql::update_user_ending_sessions("password_hash = $2", "id = $1"))
            .bind(id)
            .bind(hash)
            .fetch_optional(&mut *tx)
            .await?;
        let updated = updated.ok_or(AppError::NotFound)?;
        Self::forget_password_tokens(&mut tx, id).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn set_role(&self, id: i64, role: Role, audit: &NewAuditEntry) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        self.lock_users(&mut tx).await?;
        let updated: Option<User> = sqlx::query_as(&sql::update_user_ending_sessions("role = $2", "id = $1"))
            .bind(id)
            .bind(role.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let updated = updated.ok_or(AppError::NotFound)?;
        Self::keep_an_admin(&mut tx).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn set_active(&self, id: i64, active: bool, audit: &NewAuditEntry) -> Result<User, AppError> {
        let mut tx = self.writer.begin().await?;
        self.lock_users(&mut tx).await?;
        let updated: Option<User> = sqlx::query_as(&sql::update_user_ending_sessions("active = $2", "id = $1"))
            .bind(id)
            .bind(active)
            .fetch_optional(&mut *tx)
            .await?;
        let updated = updated.ok_or(AppError::NotFound)?;
        Self::keep_an_admin(&mut tx).await?;
        if !active {
            Self::forget_password_tokens(&mut tx, id).await?;
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn create_password_token(
        &self,
        user_id: i64,
        token_digest: &str,
        expires_at: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(AppError::NotFound);
        }
        // A new link replaces the older ones.
        Self::forget_password_tokens(&mut tx, user_id).await?;
        sqlx::query(sql::INSERT_PASSWORD_TOKEN)
            .bind(token_digest)
            .bind(user_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_password_with_token(
        &self,
        token_digest: &str,
        hash: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError> {
        let mut tx = self.writer.begin().await?;
        let user_id: Option<i64> = sqlx::query_scalar(sql::TAKE_PASSWORD_TOKEN)
            .bind(token_digest)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let updated: Option<User> = sqlx::query_as(&sql::update_user_ending_sessions(
            "password_hash = $2",
            "id = $1 AND active = TRUE",
        ))
        .bind(user_id)
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(updated) = updated else {
            // The account was deactivated: the link is used up all the same.
            tx.commit().await?;
            return Ok(None);
        };
        let audit = NewAuditEntry {
            actor_id: Some(updated.id),
            target_user_id: Some(updated.id),
            ..audit.clone()
        };
        Self::insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(Some(updated))
    }

    pub async fn password_token_is_valid(&self, token_digest: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM password_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_digest)
                .bind(now)
                .fetch_optional(self.reader)
                .await?;
        Ok(found.is_some())
    }

    pub async fn record_sign_in(&self, id: i64, failures: &FailureKey<'_>, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
            .bind(audit.at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(sql::CLEAR_FAILURES)
            .bind(failures.email)
            .bind(failures.address)
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_login_attempt(&self, key: &FailureKey<'_>, at: DateTime<Utc>) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar(sql::INSERT_FAILURE)
            .bind(key.email)
            .bind(key.address)
            .bind(at)
            .fetch_one(self.writer)
            .await?)
    }

    pub async fn purge_login_failures(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        let gone: Vec<i64> = sqlx::query_scalar("DELETE FROM login_failures WHERE failed_at < $1 RETURNING id")
            .bind(before)
            .fetch_all(self.writer)
            .await?;
        Ok(u64::try_from(gone.len()).unwrap_or(u64::MAX))
    }

    pub async fn forget_login_attempt(&self, id: i64) -> Result<(), AppError> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(self.writer)
            .await?;
        Ok(())
    }

    pub async fn login_failures_since(&self, key: &FailureKey<'_>, since: DateTime<Utc>) -> Result<FailureCounts, AppError> {
        let (pair, pair_oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(sql::FAILURES_FOR_PAIR)
            .bind(key.email)
            .bind(key.address)
            .bind(since)
            .fetch_one(self.reader)
            .await?;
        let (address_count, address_oldest): (i64, Option<DateTime<Utc>>) = if key.address.is_empty() {
            (0, None)
        } else {
            sqlx::query_as(sql::FAILURES_FOR_ADDRESS)
                .bind(key.address)
                .bind(since)
                .fetch_one(self.reader)
                .await?
        };
        Ok(FailureCounts {
            pair,
            pair_oldest,
            address: address_count,
            address_oldest,
        })
    }

    pub async fn append_audit(&self, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, AppError> {
        Ok(sqlx::query_as(sql::LIST_AUDIT)
            .bind(filter.user_id)
            .bind(filter.action.map(|action| action.as_str()))
            .bind(filter.limit)
            .fetch_all(self.reader)
            .await?)
    }

    pub(super) async fn insert_audit(tx: &mut Transaction<'_, DB>, audit: &NewAuditEntry) -> Result<(), AppError> {
        sqlx::query(sql::INSERT_AUDIT)
            .bind(audit.at)
            .bind(audit.actor_id)
            .bind(audit.action.as_str())
            .bind(audit.target_user_id)
            .bind(&audit.address)
            .bind(&audit.detail)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn insert_user(
        tx: &mut Transaction<'_, DB>,
        user: &NewUser,
        audit: &NewAuditEntry,
    ) -> Result<User, AppError> {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(user.email.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict {
                message: "A user with this email address exists already.".into(),
            });
        }
        let base = user.display_name.slug_base();
        let taken_slugs: Vec<String> = sqlx::query_scalar(sql::TAKEN_SLUGS)
            .bind(&base)
            .bind(format!("{base}-%"))
            .fetch_all(&mut **tx)
            .await?;
        let created: User = sqlx::query_as(&sql::insert_user())
            .bind(user.email.as_str())
            .bind(user.display_name.as_str())
            .bind(sql::first_free_slug(&base, &taken_slugs))
            .bind(user.role.as_str())
            .bind(user.password_hash.as_deref())
            .bind(audit.at)
            .fetch_one(&mut **tx)
            .await?;
        let audit = NewAuditEntry {
            target_user_id: Some(created.id),
            ..audit.clone()
        };
        Self::insert_audit(tx, &audit).await?;
        if let Some(link) = &user.password_link {
            sqlx::query(sql::INSERT_PASSWORD_TOKEN)
                .bind(&link.token_digest)
                .bind(created.id)
                .bind(link.expires_at)
                .execute(&mut **tx)
                .await?;
        }
        Ok(created)
    }

    /// Refuses (and so rolls back) a change that would leave no active
    /// admin: nobody could manage users any more.
    async fn keep_an_admin(tx: &mut Transaction<'_, DB>) -> Result<(), AppError> {
        let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active = TRUE")
            .fetch_one(&mut **tx)
            .await?;
        if admins == 0 {
            return Err(AppError::Conflict {
                message: "Vellum needs at least one active admin; make someone else admin first.".into(),
            });
        }
        Ok(())
    }

    async fn forget_password_tokens(tx: &mut Transaction<'_, DB>, user_id: i64) -> Result<(), AppError> {
        sqlx::query("DELETE FROM password_tokens WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
