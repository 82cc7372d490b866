//! Passkeys' queries, shared by both databases: each person's passkeys and
//! user handle, and the ceremonies between a challenge and its answer. A
//! ceremony is taken by one `DELETE … RETURNING`, so two answers racing
//! cannot both use it; whose passkey is removed is decided in the `WHERE`.

use chrono::{DateTime, Utc};

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::passkeys::{CeremonyPurpose, CeremonyRow, NewCeremony, NewPasskey, PasskeyRow, PasskeyUse};

const PASSKEY_COLUMNS: &str = "p.id, p.user_id, p.name, p.credential_id, p.credential, p.created_at, p.last_used_at";

shared_queries! {
    /// Starts a ceremony unless its address has `live_limit` under way
    /// already (false then, and nothing is stored). Ceremonies past their
    /// end are swept out first, so the table holds only live ones.
    pub async fn start_passkey_ceremony(&self, ceremony: &NewCeremony<'_>, live_limit: i64) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
            .bind(ceremony.now)
            .execute(&mut *tx)
            .await?;
        let live: i64 = sqlx::query_scalar("SELECT count(*) FROM passkey_ceremonies WHERE address = $1")
            .bind(ceremony.address)
            .fetch_one(&mut *tx)
            .await?;
        if live >= live_limit {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO passkey_ceremonies (token_hash, purpose, user_id, address, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ceremony.token_hash)
        .bind(ceremony.purpose.as_str())
        .bind(ceremony.user_id)
        .bind(ceremony.address)
        .bind(ceremony.state)
        .bind(ceremony.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends the ceremony with this token digest and purpose and hands back
    /// what it kept, if it was still there and has not expired. Whatever
    /// the answer turns out to be, the ceremony is used up.
    pub async fn take_passkey_ceremony(
        &self,
        token_hash: &str,
        purpose: CeremonyPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<CeremonyRow>, AppError> {
        let taken: Option<CeremonyRow> = sqlx::query_as(
            "DELETE FROM passkey_ceremonies WHERE token_hash = $1 AND purpose = $2 \
             RETURNING user_id, state, expires_at",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(self.writer)
        .await?;
        Ok(taken.filter(|ceremony| ceremony.expires_at > now))
    }

    /// The person's user handle: the one they have, or `candidate`, kept
    /// as theirs from now on.
    pub async fn passkey_handle(&self, user_id: i64, candidate: &str) -> Result<String, AppError> {
        sqlx::query("INSERT INTO passkey_handles (user_id, handle) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
            .bind(user_id)
            .bind(candidate)
            .execute(self.writer)
            .await?;
        Ok(sqlx::query_scalar("SELECT handle FROM passkey_handles WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.writer)
            .await?)
    }

    /// Keeps a verified passkey, with its audit entry. A passkey already
    /// kept (by anyone) is refused with 409.
    pub async fn add_passkey(&self, passkey: &NewPasskey, audit: &NewAuditEntry) -> Result<PasskeyRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO passkeys (user_id, name, credential_id, credential, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (credential_id) DO NOTHING RETURNING id",
        )
        .bind(passkey.user_id)
        .bind(passkey.name.as_str())
        .bind(passkey.credential_id.as_str())
        .bind(passkey.credential.as_str())
        .bind(passkey.created_at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Err(AppError::Conflict {
                message: "This passkey was added already.".into(),
            });
        };
        let row = sqlx::query_as(&format!("SELECT {PASSKEY_COLUMNS} FROM passkeys p WHERE p.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// One person's passkeys, oldest first.
    pub async fn passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRow>, AppError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys p WHERE p.user_id = $1 ORDER BY p.id"
        ))
        .bind(user_id)
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn count_passkeys(&self, user_id: i64) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM passkeys WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.reader)
            .await?)
    }

    /// The passkey a sign-in presents: its credential id and the user
    /// handle the authenticator handed back must both match.
    pub async fn passkey_for_sign_in(&self, credential_id: &str, handle: &str) -> Result<Option<PasskeyRow>, AppError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys p JOIN passkey_handles h ON h.user_id = p.user_id \
             WHERE p.credential_id = $1 AND h.handle = $2"
        ))
        .bind(credential_id)
        .bind(handle)
        .fetch_optional(self.reader)
        .await?)
    }

    /// Notes a passkey's use, and its new counter when it changed.
    pub async fn record_passkey_use(&self, used: &PasskeyUse<'_>) -> Result<(), AppError> {
        sqlx::query("UPDATE passkeys SET last_used_at = $2, credential = COALESCE($3, credential) WHERE id = $1")
            .bind(used.id)
            .bind(used.at)
            .bind(used.credential)
            .execute(self.writer)
            .await?;
        Ok(())
    }

    /// The people who have a passkey, by id.
    pub async fn users_with_passkeys(&self) -> Result<Vec<i64>, AppError> {
        Ok(sqlx::query_scalar("SELECT DISTINCT user_id FROM passkeys ORDER BY user_id")
            .fetch_all(self.reader)
            .await?)
    }

    /// Removes every second factor of a person, their authenticator app
    /// (with its recovery codes) and their passkeys, with its audit entry,
    /// in one transaction; false (nothing written) when they had none.
    pub async fn remove_second_factors(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let apps: Vec<Option<DateTime<Utc>>> =
            sqlx::query_scalar("DELETE FROM totp_secrets WHERE user_id = $1 RETURNING confirmed_at")
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let passkeys: Vec<i64> = sqlx::query_scalar("DELETE FROM passkeys WHERE user_id = $1 RETURNING id")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        if passkeys.is_empty() && !apps.iter().any(Option::is_some) {
            return Ok(false);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes one of the person's own passkeys, with its audit entry; 404
    /// for anyone else's or one that is gone.
    pub async fn remove_passkey(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        let removed: Option<i64> = sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING id")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if removed.is_none() {
            return Err(AppError::NotFound);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
