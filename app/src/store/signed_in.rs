//! Signed-in sessions' queries, shared by both databases: one row per
//! sign-in, which the session finds by its random key. Ending a session
//! deletes its row; who may end which row is in the `WHERE`.

use chrono::{DateTime, Duration, Utc};

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::sessions::{NewSession, SessionRow};

/// `last_used_at` is written at most this often per session, so that a
/// busy admin does not turn every request into a write.
const LAST_USED_PRECISION: Duration = Duration::minutes(1);

const SESSION_COLUMNS: &str = "s.id, s.session_key, s.user_id, s.browser, s.address, s.started_at, s.last_used_at";

shared_queries! {
    /// Stores a new sign-in; `replacing` is the key of the session's
    /// previous sign-in (a password change signs in again), whose row goes.
    pub async fn start_session(&self, session: &NewSession, replacing: Option<&str>) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        if let Some(previous) = replacing {
            sqlx::query("DELETE FROM signed_in_sessions WHERE session_key = $1")
                .bind(previous)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO signed_in_sessions \
             (session_key, user_id, session_epoch, browser, address, started_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(session.key.as_str())
        .bind(session.user_id)
        .bind(session.epoch)
        .bind(session.browser.as_str())
        .bind(session.address.as_str())
        .bind(session.at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the sign-in `key` of `user_id` still stands, noting its use
    /// (at most once a minute).
    pub async fn use_session(&self, key: &str, user_id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
        let found: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM signed_in_sessions s WHERE s.session_key = $1 AND s.user_id = $2"
        ))
        .bind(key)
        .bind(user_id)
        .fetch_optional(self.reader)
        .await?;
        let Some(row) = found else {
            return Ok(false);
        };
        if now - row.last_used_at >= LAST_USED_PRECISION {
            sqlx::query("UPDATE signed_in_sessions SET last_used_at = $2 WHERE id = $1")
                .bind(row.id)
                .bind(now)
                .execute(self.writer)
                .await?;
        }
        Ok(true)
    }

    /// One person's sessions that still let them in: used since
    /// `active_since` and of their current session epoch; the most
    /// recently used first.
    pub async fn sessions_of(&self, user_id: i64, active_since: DateTime<Utc>) -> Result<Vec<SessionRow>, AppError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM signed_in_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.user_id = $1 AND s.last_used_at >= $2 AND s.session_epoch = u.session_epoch \
             ORDER BY s.last_used_at DESC, s.id DESC"
        ))
        .bind(user_id)
        .bind(active_since)
        .fetch_all(self.reader)
        .await?)
    }

    /// Ends one session of `user_id`; `NotFound` when it is not theirs or
    /// already ended.
    pub async fn end_session(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        let ended: Option<i64> =
            sqlx::query_scalar("DELETE FROM signed_in_sessions WHERE id = $1 AND user_id = $2 RETURNING id")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if ended.is_none() {
            return Err(AppError::NotFound);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of `user_id` but the one with key `keep` (all of
    /// them without one). Returns how many ended.
    pub async fn end_sessions_of(&self, user_id: i64, keep: Option<&str>, audit: &NewAuditEntry) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let ended: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM signed_in_sessions WHERE user_id = $1 AND session_key <> $2 RETURNING id",
        )
        .bind(user_id)
        .bind(keep.unwrap_or_default())
        .fetch_all(&mut *tx)
        .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(u64::try_from(ended.len()).unwrap_or(u64::MAX))
    }

    /// Forgets a sign-in whose session signed out.
    pub async fn forget_session(&self, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM signed_in_sessions WHERE session_key = $1")
            .bind(key)
            .execute(self.writer)
            .await?;
        Ok(())
    }

    /// Deletes the rows of sessions that can no longer be used: unused
    /// since `idle_since` (their session has expired), or of an older
    /// session epoch than their user's. Returns how many went.
    pub async fn purge_ended_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64, AppError> {
        let purged: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM signed_in_sessions WHERE last_used_at < $1 OR session_epoch <> \
             (SELECT u.session_epoch FROM users u WHERE u.id = signed_in_sessions.user_id) RETURNING id",
        )
        .bind(idle_since)
        .fetch_all(self.writer)
        .await?;
        Ok(u64::try_from(purged.len()).unwrap_or(u64::MAX))
    }
}
