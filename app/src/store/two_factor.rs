//! Two-factor sign-in's queries, shared by both databases: the site's
//! policy, TOTP secrets and recovery codes. What may change is decided in
//! each statement's `WHERE` (a confirmed secret is not replaced, a time
//! step or a recovery code is taken once), so two requests racing cannot
//! both pass.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::domain::TwoFactorPolicy;
use crate::error::AppError;
use crate::store::model::two_factor::{TotpConfirmation, TotpRow};

shared_queries! {
    pub async fn two_factor_policy(&self) -> Result<TwoFactorPolicy, AppError> {
        let stored: String = sqlx::query_scalar("SELECT two_factor_policy FROM site_settings WHERE id = 1")
            .fetch_one(self.reader)
            .await?;
        TwoFactorPolicy::parse(&stored).map_err(|_| AppError::internal(format_args!("unknown two-factor policy {stored:?}")))
    }

    pub async fn set_two_factor_policy(&self, policy: TwoFactorPolicy, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE site_settings SET two_factor_policy = $1, updated_at = $2 WHERE id = 1")
            .bind(policy.as_str())
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn totp_secret(&self, user_id: i64) -> Result<Option<TotpRow>, AppError> {
        Ok(sqlx::query_as(
            "SELECT user_id, secret, created_at, confirmed_at, last_step FROM totp_secrets WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.reader)
        .await?)
    }

    pub async fn has_confirmed_totp(&self, user_id: i64) -> Result<bool, AppError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL")
                .bind(user_id)
                .fetch_one(self.reader)
                .await?;
        Ok(count > 0)
    }

    /// The people whose TOTP counts, by id.
    pub async fn users_with_totp(&self) -> Result<Vec<i64>, AppError> {
        Ok(
            sqlx::query_scalar("SELECT user_id FROM totp_secrets WHERE confirmed_at IS NOT NULL ORDER BY user_id")
                .fetch_all(self.reader)
                .await?,
        )
    }

    /// Keeps `secret` as the set-up in progress, replacing an earlier
    /// unconfirmed one; false (and nothing changes) when the person's TOTP
    /// is confirmed already.
    pub async fn begin_totp_setup(&self, user_id: i64, secret: &str, at: DateTime<Utc>) -> Result<bool, AppError> {
        let kept: Option<i64> = sqlx::query_scalar(
            "INSERT INTO totp_secrets (user_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, \
             last_step = NULL WHERE totp_secrets.confirmed_at IS NULL RETURNING user_id",
        )
        .bind(user_id)
        .bind(secret)
        .bind(at)
        .fetch_optional(self.writer)
        .await?;
        Ok(kept.is_some())
    }

    /// Confirms the set-up checked against `confirmation.secret` and
    /// replaces the person's recovery codes, with its audit entry; false
    /// when that set-up is no longer the one in progress.
    pub async fn confirm_totp(&self, confirmation: &TotpConfirmation<'_>, audit: &NewAuditEntry) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let confirmed: Option<i64> = sqlx::query_scalar(
            "UPDATE totp_secrets SET confirmed_at = $3, last_step = $4 \
             WHERE user_id = $1 AND secret = $2 AND confirmed_at IS NULL RETURNING user_id",
        )
        .bind(confirmation.user_id)
        .bind(confirmation.secret)
        .bind(confirmation.at)
        .bind(confirmation.step)
        .fetch_optional(&mut *tx)
        .await?;
        if confirmed.is_none() {
            return Ok(false);
        }
        Self::insert_recovery_codes(&mut tx, confirmation.user_id, confirmation.recovery_digests).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Takes time step `step` for the person's confirmed TOTP: false when
    /// that step or a later one was taken already (a code used twice).
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool, AppError> {
        let taken: Option<i64> = sqlx::query_scalar(
            "UPDATE totp_secrets SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL \
             AND (last_step IS NULL OR last_step < $2) RETURNING user_id",
        )
        .bind(user_id)
        .bind(step)
        .fetch_optional(self.writer)
        .await?;
        Ok(taken.is_some())
    }

    /// New recovery codes in place of all the old ones, used or not;
    /// false (nothing changes) when the person has no confirmed TOTP.
    pub async fn replace_recovery_codes(&self, user_id: i64, digests: &[String], audit: &NewAuditEntry) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let enabled: i64 =
            sqlx::query_scalar("SELECT count(*) FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        if enabled == 0 {
            return Ok(false);
        }
        Self::insert_recovery_codes(&mut tx, user_id, digests).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Uses up the recovery code with this digest, with its audit entry
    /// (at the entry's time); false when the person has no such unused code.
    pub async fn use_recovery_code(&self, user_id: i64, digest: &str, audit: &NewAuditEntry) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let used: Option<i64> = sqlx::query_scalar(
            "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL \
             RETURNING id",
        )
        .bind(user_id)
        .bind(digest)
        .bind(audit.at)
        .fetch_optional(&mut *tx)
        .await?;
        if used.is_none() {
            return Ok(false);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64, AppError> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .fetch_one(self.reader)
                .await?,
        )
    }

    /// Removes the person's TOTP (confirmed or in set-up) and recovery
    /// codes, with its audit entry; false (nothing written) when they had
    /// no confirmed TOTP.
    pub async fn remove_totp(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let removed: Vec<Option<DateTime<Utc>>> =
            sqlx::query_scalar("DELETE FROM totp_secrets WHERE user_id = $1 RETURNING confirmed_at")
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
        if !removed.iter().any(Option::is_some) {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn insert_recovery_codes(tx: &mut Transaction<'_, DB>, user_id: i64, digests: &[String]) -> Result<(), AppError> {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        for digest in digests {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(digest)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}
