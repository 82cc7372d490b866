//! Webhooks' queries, shared by both databases: registrations, the
//! delivery queue (filled in the transaction of the change it reports) and
//! its log.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::posts::Post;
use crate::store::model::webhooks::{
    DeliveryJob, DeliveryOutcome, DeliveryRow, EventPayload, NewWebhook, PostEvent, WebhookRow,
};

const WEBHOOK_COLUMNS: &str = "id, url, events, secret, previous_secret, previous_secret_until, created_at";

const DELIVERY_COLUMNS: &str = "id, event, state, attempts, created_at, next_attempt_at, last_status, \
     last_response_ms, last_error, finished_at";

shared_queries! {
    /// Writes `kind` to the outbox and queues one delivery per webhook that
    /// asked for it; part of the transaction that made the change, so an
    /// event is queued exactly when its change commits.
    pub(super) async fn record_event(
        tx: &mut Transaction<'_, DB>,
        kind: &str,
        post: &Post,
        at: DateTime<Utc>,
        payload: EventPayload,
    ) -> Result<(), AppError> {
        let event_id: i64 =
            sqlx::query_scalar("INSERT INTO events (kind, post_id, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(kind)
                .bind(post.id)
                .bind(at)
                .fetch_one(&mut **tx)
                .await?;
        let subscribers: Vec<i64> = sqlx::query_scalar("SELECT id FROM webhooks WHERE events LIKE $1 ORDER BY id")
            .bind(format!("%,{kind},%"))
            .fetch_all(&mut **tx)
            .await?;
        if subscribers.is_empty() {
            return Ok(());
        }
        let site_url: String = sqlx::query_scalar("SELECT site_url FROM site_settings WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
        let payload = payload(&PostEvent {
            id: event_id,
            kind,
            post,
            site_url: &site_url,
            at,
        });
        for webhook_id in subscribers {
            sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(webhook_id)
            .bind(kind)
            .bind(payload.as_str())
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub async fn create_webhook(&self, hook: &NewWebhook, audit: &NewAuditEntry) -> Result<WebhookRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query_as(&format!(
            "INSERT INTO webhooks (url, events, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {WEBHOOK_COLUMNS}"
        ))
        .bind(hook.url.as_str())
        .bind(hook.events_column())
        .bind(hook.secret.as_str())
        .bind(hook.created_by)
        .bind(hook.created_at)
        .fetch_one(&mut *tx)
        .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Gives a webhook a new secret; the old one keeps signing too until
    /// `overlap_until`. 404 when there is no such webhook.
    pub async fn rotate_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        overlap_until: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<WebhookRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let row: Option<WebhookRow> = sqlx::query_as(&format!(
            "UPDATE webhooks SET previous_secret = secret, previous_secret_until = $3, secret = $2 \
             WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}"
        ))
        .bind(id)
        .bind(secret)
        .bind(overlap_until)
        .fetch_optional(&mut *tx)
        .await?;
        let row = row.ok_or(AppError::NotFound)?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>, AppError> {
        Ok(sqlx::query_as(&format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"))
            .fetch_all(self.reader)
            .await?)
    }

    /// Deletes a webhook and its queue and log; 404 when there is none.
    pub async fn delete_webhook(&self, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted: Option<i64> = sqlx::query_scalar("DELETE FROM webhooks WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if deleted.is_none() {
            return Err(AppError::NotFound);
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest deliveries to one webhook, newest first.
    pub async fn webhook_deliveries(&self, webhook_id: i64, limit: i64) -> Result<Vec<DeliveryRow>, AppError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(webhook_id)
        .bind(limit)
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn pending_deliveries(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
            .fetch_one(self.reader)
            .await?)
    }

    /// Queues a `ping` to one webhook; 404 when there is none.
    pub async fn queue_test_delivery(&self, webhook_id: i64, payload: &str, at: DateTime<Utc>) -> Result<(), AppError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at) \
             SELECT id, 'ping', $2, $3, $3 FROM webhooks WHERE id = $1 RETURNING id",
        )
        .bind(webhook_id)
        .bind(payload)
        .bind(at)
        .fetch_optional(self.writer)
        .await?;
        id.map(drop).ok_or(AppError::NotFound)
    }

    /// Claims up to `limit` due deliveries until `lease_until`, counting
    /// the attempt. On PostgreSQL the rows are picked `FOR UPDATE SKIP
    /// LOCKED`, so instances sharing the database never claim one row at
    /// once; on SQLite the single writer serialises the claims. A claim
    /// whose worker died comes back when its lease ends.
    pub async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DeliveryJob>, AppError> {
        let due = "state = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)";
        // Every instance asks every second: a read answers "nothing due"
        // without taking SQLite's write lock.
        let any_due: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM webhook_deliveries WHERE {due} LIMIT 1"))
            .bind(now)
            .fetch_optional(self.reader)
            .await?;
        if any_due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.writer.begin().await?;
        // The pick runs once (MATERIALIZED): as a subquery of the UPDATE,
        // PostgreSQL may run it again for each row, each time skipping
        // the rows this statement has just claimed, and so claim far more
        // than `limit`.
        let sql = format!(
            "WITH picked AS MATERIALIZED (SELECT id FROM webhook_deliveries WHERE {due} ORDER BY id LIMIT $3 {}) \
             UPDATE webhook_deliveries SET locked_until = $2, attempts = attempts + 1 WHERE {due} AND id IN \
             (SELECT id FROM picked) RETURNING id",
            self.skip_locked
        );
        let mut ids: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        ids.sort_unstable();
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            jobs.push(
                sqlx::query_as(
                    "SELECT d.id, w.url, w.secret, \
                     CASE WHEN w.previous_secret_until > $2 THEN w.previous_secret ELSE '' END AS previous_secret, \
                     d.event, d.payload, d.attempts, d.created_at \
                     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1",
                )
                .bind(id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?,
            );
        }
        tx.commit().await?;
        Ok(jobs)
    }

    /// Records the outcome of attempt `attempt` and releases the claim;
    /// ignored when the delivery was claimed again since (this worker's
    /// lease ran out), so a late worker never overwrites a newer attempt.
    pub async fn finish_delivery(&self, id: i64, attempt: i64, outcome: &DeliveryOutcome) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $2, last_status = $3, last_response_ms = $4, last_error = $5, \
             next_attempt_at = COALESCE($6, next_attempt_at), finished_at = $7, locked_until = NULL \
             WHERE id = $1 AND attempts = $8 AND state = 'pending'",
        )
        .bind(id)
        .bind(outcome.state.as_str())
        .bind(outcome.status)
        .bind(outcome.response_ms)
        .bind(outcome.error.as_deref())
        .bind(outcome.next_attempt_at)
        .bind(outcome.finished_at)
        .bind(attempt)
        .execute(self.writer)
        .await?;
        Ok(())
    }
}
