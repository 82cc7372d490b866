//! Personal API tokens' queries, shared by both databases. Tokens are
//! stored as their digests; every rule about whose token it is sits in the
//! SQL.

use chrono::{DateTime, Duration, Utc};

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::tokens::{ApiTokenRow, NewApiToken, TokenGrant};

const TOKEN_COLUMNS: &str = "t.id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at, \
     CAST(CASE WHEN t.session_epoch = u.session_epoch THEN 0 ELSE 1 END AS BIGINT) AS ended";
const FROM_TOKENS: &str = "FROM api_tokens t JOIN users u ON u.id = t.user_id";

/// `last_used_at` is written at most this often per token, so that a busy
/// script does not turn every read into a write.
const LAST_USED_PRECISION: Duration = Duration::minutes(1);

shared_queries! {
    pub async fn create_api_token(&self, token: &NewApiToken, audit: &NewAuditEntry) -> Result<ApiTokenRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, scope, token_hash, created_at, session_epoch) \
             SELECT id, $2, $3, $4, $5, session_epoch FROM users WHERE id = $1 RETURNING id",
        )
        .bind(token.user_id)
        .bind(token.name.as_str())
        .bind(token.scope.as_str())
        .bind(token.token_hash.as_str())
        .bind(token.created_at)
        .fetch_one(&mut *tx)
        .await?;
        let row = sqlx::query_as(&format!("SELECT {TOKEN_COLUMNS} {FROM_TOKENS} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// One user's tokens, newest first.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRow>, AppError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} {FROM_TOKENS} WHERE t.user_id = $1 ORDER BY t.id DESC"
        ))
        .bind(user_id)
        .fetch_all(self.reader)
        .await?)
    }

    /// Revokes one of the user's own active tokens; 404 for anyone else's.
    pub async fn revoke_api_token(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        let revoked: Option<i64> = sqlx::query_scalar(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL \
             RETURNING id",
        )
        .bind(id)
        .bind(user_id)
        .bind(audit.at)
        .fetch_optional(&mut *tx)
        .await?;
        if revoked.is_none() {
            return Err(AppError::NotFound);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What an unrevoked token of an active user allows, noting its use; a
    /// token made before its owner's last password, role or activation
    /// change allows nothing.
    pub async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<TokenGrant>, AppError> {
        let grant: Option<TokenGrant> = sqlx::query_as(
            "SELECT t.id AS token_id, t.user_id, t.scope, t.last_used_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE \
             AND u.session_epoch = t.session_epoch",
        )
        .bind(token_hash)
        .fetch_optional(self.reader)
        .await?;
        if let Some(grant) = &grant
            && grant.last_used_at.is_none_or(|last| now - last >= LAST_USED_PRECISION)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(grant.token_id)
                .bind(now)
                .execute(self.writer)
                .await?;
        }
        Ok(grant)
    }
}
