//! Outgoing email's queries, shared by both databases: the outbox (queued,
//! claimed, finished, logged), notification choices and one-click
//! unsubscribes, notifications on their way to an inbox, and changes of
//! address waiting for confirmation.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use super::sql;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::accounts::User;
use crate::store::model::mail::{
    DIGEST_KIND, EmailChangeRequest, MailJob, MailLogRow, MailNotification, MailOutcome, NewMail, NotificationRoute,
};

const LOG_COLUMNS: &str =
    "id, to_address, subject, kind, state, attempts, created_at, next_attempt_at, last_error, finished_at";

/// Notifications with their recipient, title, actor and the recipient's
/// choice for the kind.
const MAIL_NOTIFICATIONS: &str = "SELECT n.id, n.user_id, u.email, u.display_name, n.kind, n.post_id, \
     p.title AS post_title, a.display_name AS actor, n.created_at, mp.mode \
     FROM notifications n JOIN users u ON u.id = n.user_id JOIN posts p ON p.id = n.post_id \
     JOIN users a ON a.id = n.actor_id \
     LEFT JOIN mail_preferences mp ON mp.user_id = n.user_id AND mp.kind = n.kind \
     WHERE u.active = TRUE";

shared_queries! {
    async fn insert_mail(tx: &mut Transaction<'_, DB>, mail: &NewMail) -> Result<(), AppError> {
        let unsubscribe_url = mail.unsubscribe.as_ref().map(|link| link.url.as_str()).unwrap_or_default();
        sqlx::query(
            "INSERT INTO mail_outbox (to_address, subject, text_body, html_body, kind, message_id, \
             unsubscribe_url, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(mail.to.as_str())
        .bind(mail.subject.as_str())
        .bind(mail.text_body.as_str())
        .bind(mail.html_body.as_str())
        .bind(mail.kind.as_str())
        .bind(mail.message_id.as_str())
        .bind(unsubscribe_url)
        .bind(mail.at)
        .execute(&mut **tx)
        .await?;
        if let Some(link) = &mail.unsubscribe {
            sqlx::query(
                "INSERT INTO mail_unsubscribe_links (token_hash, user_id, kind, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(link.token_digest.as_str())
            .bind(link.user_id)
            .bind(link.kind.as_str())
            .bind(mail.at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub async fn queue_mail(&self, mail: &NewMail) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        Self::insert_mail(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Messages of `kind` queued for `to` since `since`, whatever became
    /// of them (for throttling what strangers can make Vellum send).
    pub async fn mail_sent_count(&self, to: &str, kind: &str, since: DateTime<Utc>) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM mail_outbox WHERE to_address = $1 AND kind = $2 AND created_at >= $3",
        )
        .bind(to)
        .bind(kind)
        .bind(since)
        .fetch_one(self.reader)
        .await?)
    }

    /// Claims up to `limit` due messages until `lease_until`, counting the
    /// attempt; like webhook deliveries, `FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL keeps two instances from claiming one message.
    pub async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<MailJob>, AppError> {
        let due = "state = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)";
        let any_due: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM mail_outbox WHERE {due} LIMIT 1"))
            .bind(now)
            .fetch_optional(self.reader)
            .await?;
        if any_due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.writer.begin().await?;
        // MATERIALIZED: the pick runs once (see `claim_deliveries`).
        let sql = format!(
            "WITH picked AS MATERIALIZED (SELECT id FROM mail_outbox WHERE {due} ORDER BY id LIMIT $3 {}) \
             UPDATE mail_outbox SET locked_until = $2, attempts = attempts + 1 WHERE {due} AND id IN \
             (SELECT id FROM picked) RETURNING id, to_address, subject, text_body, html_body, kind, message_id, \
             unsubscribe_url, attempts, created_at",
            self.skip_locked
        );
        let mut jobs: Vec<MailJob> = sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        jobs.sort_unstable_by_key(|job| job.id);
        Ok(jobs)
    }

    /// Records attempt `attempt`'s outcome and releases the claim; ignored
    /// when the message was claimed again since. A message that is sent
    /// or given up keeps no body.
    pub async fn finish_mail(&self, id: i64, attempt: i64, outcome: &MailOutcome) -> Result<(), AppError> {
        let bodies = if outcome.state == "pending" { "" } else { ", text_body = '', html_body = ''" };
        sqlx::query(&format!(
            "UPDATE mail_outbox SET state = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             finished_at = $5, locked_until = NULL{bodies} WHERE id = $1 AND attempts = $6 AND state = 'pending'"
        ))
        .bind(id)
        .bind(outcome.state)
        .bind(outcome.error.as_deref())
        .bind(outcome.next_attempt_at)
        .bind(outcome.finished_at)
        .bind(attempt)
        .execute(self.writer)
        .await?;
        Ok(())
    }

    /// The newest messages, newest first.
    pub async fn mail_log(&self, limit: i64) -> Result<Vec<MailLogRow>, AppError> {
        Ok(sqlx::query_as(&format!("SELECT {LOG_COLUMNS} FROM mail_outbox ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(self.reader)
            .await?)
    }

    /// Messages waiting to be sent (the queue's depth).
    pub async fn pending_mail(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE state = 'pending'")
            .fetch_one(self.reader)
            .await?)
    }

    /// A person's choices: (kind, mode) pairs; kinds without a row are
    /// sent at once.
    pub async fn mail_preferences(&self, user_id: i64) -> Result<Vec<(String, String)>, AppError> {
        Ok(sqlx::query_as("SELECT kind, mode FROM mail_preferences WHERE user_id = $1 ORDER BY kind")
            .bind(user_id)
            .fetch_all(self.reader)
            .await?)
    }

    pub async fn set_mail_preferences(&self, user_id: i64, choices: &[(&str, &str)]) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        for (kind, mode) in choices {
            Self::upsert_preference(&mut tx, user_id, kind, mode).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a choice; turning a kind off also drops what of it waits
    /// for the next digest.
    async fn upsert_preference(tx: &mut Transaction<'_, DB>, user_id: i64, kind: &str, mode: &str) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO mail_preferences (user_id, kind, mode) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, kind) DO UPDATE SET mode = excluded.mode",
        )
        .bind(user_id)
        .bind(kind)
        .bind(mode)
        .execute(&mut **tx)
        .await?;
        if mode == "off" {
            sqlx::query(
                "UPDATE notifications SET mail_state = 'done' \
                 WHERE user_id = $1 AND kind = $2 AND mail_state = 'digest'",
            )
            .bind(user_id)
            .bind(kind)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Forgets messages sent or given up before `before` and changes of
    /// address that expired; returns how many messages went.
    pub async fn purge_mail(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let gone: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM mail_outbox WHERE state IN ('sent', 'failed') AND finished_at < $1 RETURNING id",
        )
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM email_changes WHERE expires_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(gone.len() as u64)
    }

    /// Turns off the kind an unsubscribe link names; the kind, or `None`
    /// for an unknown link. The link keeps working (a second click
    /// changes nothing).
    pub async fn unsubscribe(&self, token_digest: &str) -> Result<Option<String>, AppError> {
        let mut tx = self.writer.begin().await?;
        let link: Option<(i64, String)> =
            sqlx::query_as("SELECT user_id, kind FROM mail_unsubscribe_links WHERE token_hash = $1")
                .bind(token_digest)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((user_id, kind)) = link else {
            return Ok(None);
        };
        if kind == DIGEST_KIND {
            sqlx::query("UPDATE mail_preferences SET mode = 'off' WHERE user_id = $1 AND mode = 'digest'")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE notifications SET mail_state = 'done' WHERE user_id = $1 AND mail_state = 'digest'")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        } else {
            Self::upsert_preference(&mut tx, user_id, &kind, "off").await?;
        }
        tx.commit().await?;
        Ok(Some(kind))
    }

    /// Notifications no one has routed to email yet, oldest first.
    pub async fn new_mail_notifications(&self, limit: i64) -> Result<Vec<MailNotification>, AppError> {
        Ok(sqlx::query_as(&format!(
            "{MAIL_NOTIFICATIONS} AND n.mail_state = 'new' ORDER BY n.id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.reader)
        .await?)
    }

    /// Moves one notification out of `new`, queuing its message in the
    /// same transaction; false when another instance got there first.
    pub async fn route_notification(&self, id: i64, route: &NotificationRoute) -> Result<bool, AppError> {
        let next = match route {
            NotificationRoute::Digest => "digest",
            NotificationRoute::Instant(_) | NotificationRoute::Skip => "done",
        };
        let mut tx = self.writer.begin().await?;
        let moved: Option<i64> = sqlx::query_scalar(
            "UPDATE notifications SET mail_state = $2 WHERE id = $1 AND mail_state = 'new' RETURNING id",
        )
        .bind(id)
        .bind(next)
        .fetch_optional(&mut *tx)
        .await?;
        if moved.is_none() {
            return Ok(false);
        }
        if let NotificationRoute::Instant(mail) = route {
            Self::insert_mail(&mut tx, mail).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Notifications waiting for a digest that were written before
    /// `before`, by recipient then age.
    pub async fn digest_notifications(&self, before: DateTime<Utc>) -> Result<Vec<MailNotification>, AppError> {
        Ok(sqlx::query_as(&format!(
            "{MAIL_NOTIFICATIONS} AND n.mail_state = 'digest' AND n.created_at < $1 ORDER BY n.user_id, n.id"
        ))
        .bind(before)
        .fetch_all(self.reader)
        .await?)
    }

    /// Marks `ids` sent in a digest and queues the digest, all or nothing:
    /// when another instance sent any of them first, nothing happens and
    /// the answer is false.
    pub async fn send_digest(&self, ids: &[i64], mail: &NewMail) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        for id in ids {
            let moved: Option<i64> = sqlx::query_scalar(
                "UPDATE notifications SET mail_state = 'done' WHERE id = $1 AND mail_state = 'digest' RETURNING id",
            )
            .bind(*id)
            .fetch_optional(&mut *tx)
            .await?;
            if moved.is_none() {
                return Ok(false);
            }
        }
        Self::insert_mail(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Writes a pending change of address (replacing an earlier one of the
    /// same person) and queues its messages: the confirmation to the new
    /// address and the notice to the old.
    pub async fn begin_email_change(&self, change: &EmailChangeRequest, mails: &[NewMail]) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM email_changes WHERE user_id = $1")
            .bind(change.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO email_changes (token_hash, user_id, new_email, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(change.token_digest.as_str())
            .bind(change.user_id)
            .bind(change.new_email.as_str())
            .bind(change.expires_at)
            .execute(&mut *tx)
            .await?;
        for mail in mails {
            Self::insert_mail(&mut tx, mail).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses a confirmation link: the account takes the new address. `None`
    /// for a link that is unknown, used or expired. A conflict when the
    /// address was taken meanwhile.
    pub async fn confirm_email_change(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError> {
        let mut tx = self.writer.begin().await?;
        let change: Option<(i64, String)> = sqlx::query_as(
            "DELETE FROM email_changes WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id, new_email",
        )
        .bind(token_digest)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, new_email)) = change else {
            return Ok(None);
        };
        let user: Option<User> = sqlx::query_as(&format!(
            "UPDATE users SET email = $2 WHERE id = $1 AND active = TRUE RETURNING {}",
            sql::USER_COLUMNS
        ))
        .bind(user_id)
        .bind(new_email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        let mut audit = audit.clone();
        audit.actor_id = Some(user.id);
        audit.target_user_id = Some(user.id);
        Self::insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(Some(user))
    }
}
