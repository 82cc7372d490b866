//! Reviews that stay current, shared by both databases: a reviewer's
//! second look at a published post (confirmed, or sent back to its
//! authors), a post's own next-review date, and the reminders when a
//! review comes due. The first review is part of a status change
//! (`posts`); these only touch posts that already have one.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use super::sql;
use crate::error::AppError;
use crate::store::model::posts::{NotificationKind, Post, ReReviewChange, ReviewDueChange, ReviewVerdict};

/// Why a page's review is never renewed nor dated.
const NO_PAGE_REVIEW: &str = "A page has no medical review that falls due: only articles are re-reviewed \
     and get a next review date.";

/// Articles whose live text is what readers see now: the only posts a
/// re-review can look at (a page's review is no medical one that falls
/// due). `posts` is the table's own name (the rule is used inside
/// `UPDATE posts` and `… FROM posts`).
const HAS_LIVE_TEXT: &str = "posts.kind = 'post' AND posts.status = 'published' AND posts.live_revision_id IS NOT NULL";

shared_queries! {
    /// Records a re-review of a published post in one transaction: the
    /// rule (published, with a live text) sits in the `WHERE`, so a post
    /// unpublished in between is refused, not reviewed.
    pub async fn re_review(&self, review: &ReReviewChange) -> Result<Post, AppError> {
        let mut tx = self.writer.begin().await?;
        let (comment_kind, comment) = match &review.outcome {
            ReviewVerdict::Confirmed { due_at, comment } => {
                // The live text's version is the one reviewed, even while
                // an edit waits to be published.
                let sql = format!(
                    "UPDATE posts SET reviewed_by = $2, reviewed_at = $3, review_due_at = $4, \
                     reviewed_version = (SELECT r.version FROM post_revisions r WHERE r.id = posts.live_revision_id) \
                     WHERE posts.id = $1 AND {HAS_LIVE_TEXT} RETURNING {}",
                    sql::POST_COLUMNS
                );
                let confirmed: Option<Post> = sqlx::query_as(&sql)
                    .bind(review.id)
                    .bind(review.reviewer_id)
                    .bind(review.at)
                    .bind(*due_at)
                    .fetch_optional(&mut *tx)
                    .await?;
                if confirmed.is_none() {
                    return Err(Self::why_no_live_text(&mut tx, review.id).await);
                }
                ("review_confirmed", comment.clone())
            }
            ReviewVerdict::SentBack { comment } => ("changes_requested", Some(comment.clone())),
        };
        if let Some(body) = comment {
            let sql = format!(
                "INSERT INTO post_comments (post_id, author_id, kind, body, created_at) \
                 SELECT posts.id, $2, $3, $4, $5 FROM posts WHERE posts.id = $1 AND {HAS_LIVE_TEXT} RETURNING id"
            );
            let written: Option<i64> = sqlx::query_scalar(&sql)
                .bind(review.id)
                .bind(review.reviewer_id)
                .bind(comment_kind)
                .bind(body.as_str())
                .bind(review.at)
                .fetch_optional(&mut *tx)
                .await?;
            if written.is_none() {
                return Err(Self::why_no_live_text(&mut tx, review.id).await);
            }
        }
        let confirmed = matches!(review.outcome, ReviewVerdict::Confirmed { .. });
        if !confirmed {
            // The authors hear that their live article needs changes.
            sqlx::query(
                "INSERT INTO notifications (user_id, post_id, actor_id, kind, created_at) \
                 SELECT pa.user_id, $1, $2, $3, $4 FROM post_authors pa JOIN users u ON u.id = pa.user_id \
                 WHERE pa.post_id = $1 AND u.active = TRUE AND pa.user_id <> $2",
            )
            .bind(review.id)
            .bind(review.reviewer_id)
            .bind(NotificationKind::ChangesRequested.as_str())
            .bind(review.at)
            .execute(&mut *tx)
            .await?;
        }
        Self::insert_audit(&mut tx, &review.audit).await?;
        let sql = format!("SELECT {} FROM posts WHERE id = $1", sql::POST_COLUMNS);
        let post: Post = sqlx::query_as(&sql).bind(review.id).fetch_one(&mut *tx).await?;
        // A confirmed review changes the review line readers see.
        let change = if confirmed {
            Some(Self::touched_by(&mut tx, post.id).await?.into_change())
        } else {
            None
        };
        self.commit_change(tx, change).await?;
        Ok(post)
    }

    /// Sets when a reviewed article (approved, scheduled or published) is
    /// next due for review.
    pub async fn set_review_due(&self, change: &ReviewDueChange) -> Result<Post, AppError> {
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "UPDATE posts SET review_due_at = $2 WHERE id = $1 AND kind = 'post' AND reviewed_at IS NOT NULL \
             AND status IN ('approved', 'scheduled', 'published') RETURNING {}",
            sql::POST_COLUMNS
        );
        let changed: Option<Post> = sqlx::query_as(&sql)
            .bind(change.id)
            .bind(change.due_at)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(post) = changed else {
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM posts WHERE id = $1")
                .bind(change.id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match kind {
                None => AppError::NotFound,
                Some(kind) if kind == "page" => AppError::Conflict { message: NO_PAGE_REVIEW.into() },
                Some(_) => AppError::Conflict {
                    message: "Only a medically reviewed post (approved, scheduled or published) has a next \
                              review to date; approve it first."
                        .into(),
                },
            });
        };
        Self::insert_audit(&mut tx, &change.audit).await?;
        // The API shows a live post's due date.
        let live = matches!(post.status, crate::domain::PostStatus::Published | crate::domain::PostStatus::Scheduled);
        let change = if live {
            Some(Self::touched_by(&mut tx, post.id).await?.into_change())
        } else {
            None
        };
        self.commit_change(tx, change).await?;
        Ok(post)
    }

    /// Tells each reviewer about their published posts due for review by
    /// `due_by`: once per due date, however often it runs and from however
    /// many processes (the post remembers the due date it was reminded
    /// of, set in the same `UPDATE` that claims it). A reviewer who left
    /// the staff (deactivated, or no longer an editor) is replaced by
    /// every active editor and admin. Returns how many posts were due.
    pub async fn remind_due_reviews(&self, due_by: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "UPDATE posts SET review_reminded_for = review_due_at \
             WHERE status = 'published' AND reviewed_by IS NOT NULL AND review_due_at <= $1 AND {} \
             AND (review_reminded_for IS NULL OR review_reminded_for <> review_due_at) \
             RETURNING id, reviewed_by",
            sql::review_stands("posts")
        );
        let due: Vec<(i64, i64)> = sqlx::query_as(&sql).bind(due_by).fetch_all(&mut *tx).await?;
        for (post_id, reviewer_id) in &due {
            sqlx::query(
                "INSERT INTO notifications (user_id, post_id, actor_id, kind, created_at) \
                 SELECT u.id, $1, $2, $3, $4 FROM users u \
                 WHERE u.active = TRUE AND u.role IN ('editor', 'admin') AND (u.id = $2 OR NOT EXISTS \
                 (SELECT 1 FROM users r WHERE r.id = $2 AND r.active = TRUE AND r.role IN ('editor', 'admin')))",
            )
            .bind(*post_id)
            .bind(*reviewer_id)
            .bind(NotificationKind::ReviewDue.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(u64::try_from(due.len()).unwrap_or(u64::MAX))
    }

    /// Why a re-review found no published text: the post is gone, or it
    /// is not published now.
    async fn why_no_live_text(tx: &mut Transaction<'_, DB>, id: i64) -> AppError {
        let found: Result<Option<(String, String)>, sqlx::Error> =
            sqlx::query_as("SELECT kind, status FROM posts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await;
        match found {
            Err(error) => error.into(),
            Ok(None) => AppError::NotFound,
            Ok(Some((kind, _))) if kind == "page" => AppError::Conflict { message: NO_PAGE_REVIEW.into() },
            Ok(Some((_, status))) => AppError::Conflict {
                message: format!(
                    "Only a published article can be re-reviewed, and this post is {} now: there is no live \
                     text to confirm. Review it through the workflow instead (submit, approve, publish).",
                    status.replace('_', " ")
                ),
            },
        }
    }
}
