//! Notifications' queries, shared by both databases. Status changes write
//! them in their own transaction (`posts`); here each person reads theirs
//! and marks them read.

use chrono::{DateTime, Utc};

use super::queries::shared_queries;
use crate::error::AppError;
use crate::store::model::posts::NotificationRow;

shared_queries! {
    pub async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRow>, AppError> {
        Ok(sqlx::query_as(
            "SELECT n.id, n.post_id, p.title AS post_title, u.display_name AS actor, n.kind, n.created_at, n.read_at \
             FROM notifications n JOIN posts p ON p.id = n.post_id JOIN users u ON u.id = n.actor_id \
             WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64, AppError> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id)
                .fetch_one(self.reader)
                .await?,
        )
    }

    pub async fn mark_notifications_read(&self, user_id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .bind(at)
            .execute(self.writer)
            .await?;
        Ok(())
    }
}
