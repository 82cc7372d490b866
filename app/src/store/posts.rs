//! The editorial side of posts' queries, shared by both databases: a
//! post's creation, saves, status changes, revisions, comments, trash and
//! scheduled publication. Every change runs in one transaction, with its
//! rules (version, status) in the SQL `WHERE`. Lists, notifications and
//! what readers see live beside it (`post_lists`, `notifications`,
//! `public`), since they only read what these writes leave.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::changes::{PublicChange, Touched};
use super::queries::shared_queries;
use super::sql;
use crate::audit::NewAuditEntry;
use crate::domain::{PostKind, PostStatus};
use crate::error::AppError;
use crate::input::post::{PostTitle, Slug};
use crate::store::model::accounts::User;
use crate::store::model::posts::{
    CommentRow, LiveText, NotificationKind, Notify, Post, Revision, RevisionKind, SaveRequest, StatusChange, Tag,
};
use crate::store::model::webhooks::EventPayload;

/// Autosaves by one person within this window update one revision.
const AUTOSAVE_WINDOW_MINUTES: i64 = 5;

shared_queries! {
    pub async fn create_draft(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.insert_draft(title, slug, PostKind::Post, author_id, at).await
    }

    pub async fn post(&self, id: i64) -> Result<Option<Post>, AppError> {
        let sql = format!("SELECT {} FROM posts WHERE id = $1", sql::POST_COLUMNS);
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(self.reader).await?)
    }

    pub async fn post_authors(&self, id: i64) -> Result<Vec<User>, AppError> {
        let sql = format!(
            "SELECT {} FROM users JOIN post_authors pa ON pa.user_id = users.id WHERE pa.post_id = $1 \
             ORDER BY pa.position",
            sql::USER_COLUMNS
        );
        Ok(sqlx::query_as(&sql).bind(id).fetch_all(self.reader).await?)
    }

    pub async fn post_tags(&self, id: i64) -> Result<Vec<Tag>, AppError> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.name, t.slug, t.description FROM tags t JOIN post_tags pt ON pt.tag_id = t.id \
             WHERE pt.post_id = $1 ORDER BY pt.position",
        )
        .bind(id)
        .fetch_all(self.reader)
        .await?)
    }

    /// Saves only if the post is still at the expected version and in a
    /// status the caller may edit: both sit in the `WHERE`, so two saves
    /// can never both win.
    pub async fn save_post(&self, request: &SaveRequest<'_>) -> Result<Post, AppError> {
        let edit = request.edit;
        let mut tx = self.writer.begin().await?;
        let mut touched = Self::touched_by(&mut tx, request.id).await?;
        Self::check_slug_free(&mut tx, &edit.content.slug, request.id).await?;
        Self::check_page_address(&mut tx, &edit.content.slug, request.id).await?;
        Self::check_authors(&mut tx, &edit.author_ids).await?;
        let statuses = sql::placeholders(14, request.editable.len());
        let sql = format!(
            "UPDATE posts SET title = $3, slug = $4, body = $5, excerpt = $6, cover_url = $7, cover_alt = $8, \
             seo_title = $9, seo_description = $10, canonical_url = $11, show_review = $12, \
             version = version + 1, updated_at = $13 \
             WHERE id = $1 AND version = $2 AND status IN ({statuses}) RETURNING {}",
            sql::POST_COLUMNS
        );
        let query = sqlx::query_as::<_, Post>(&sql)
            .bind(request.id)
            .bind(request.expected_version);
        let mut query = sql::bind_content!(query, &edit.content)
            .bind(edit.show_review)
            .bind(request.at);
        for status in request.editable {
            query = query.bind(status.as_str());
        }
        let saved = query.fetch_optional(&mut *tx).await?;
        let Some(post) = saved else {
            return Err(Self::why_unchanged(&mut tx, request.id, request.expected_version).await);
        };
        Self::record_media_usage(&mut tx, post.id).await?;
        sqlx::query("DELETE FROM post_authors WHERE post_id = $1")
            .bind(post.id)
            .execute(&mut *tx)
            .await?;
        for (position, author_id) in edit.author_ids.iter().enumerate() {
            sqlx::query("INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)")
                .bind(post.id)
                .bind(*author_id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
            .bind(post.id)
            .execute(&mut *tx)
            .await?;
        // A typed name finds its tag by name first (tags can be renamed;
        // their slug stays), then by slug; otherwise it is created.
        let mut tag_ids: Vec<i64> = Vec::new();
        for tag in &edit.tags {
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM tags WHERE lower(name) = lower($1) OR slug = $2 \
                 ORDER BY CASE WHEN lower(name) = lower($1) THEN 0 ELSE 1 END, id LIMIT 1",
            )
            .bind(&tag.name)
            .bind(tag.slug.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let id = match existing {
                Some(id) => id,
                None => {
                    sqlx::query_scalar("INSERT INTO tags (name, slug) VALUES ($1, $2) RETURNING id")
                        .bind(&tag.name)
                        .bind(tag.slug.as_str())
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            if !tag_ids.contains(&id) {
                tag_ids.push(id);
            }
        }
        for (position, tag_id) in tag_ids.iter().enumerate() {
            sqlx::query("INSERT INTO post_tags (post_id, tag_id, position) VALUES ($1, $2, $3)")
                .bind(post.id)
                .bind(*tag_id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
        }
        Self::keep_revision(&mut tx, &post, request.saved_by, request.kind, request.at).await?;
        // A live post's authors, tags and review switch show at once (its
        // text waits for "publish update").
        let live = matches!(post.status, PostStatus::Published | PostStatus::Scheduled);
        if !live {
            tx.commit().await?;
            return Ok(post);
        }
        touched.merge(Self::touched_by(&mut tx, post.id).await?);
        self.commit_change(tx, Some(touched.into_change())).await?;
        Ok(post)
    }

    /// Moves the status, if it is still `from` at the expected version,
    /// and writes what goes with it: the revision, the live text, the
    /// comment, the notifications and the audit entry.
    pub async fn change_status(&self, change: &StatusChange) -> Result<Post, AppError> {
        let mut tx = self.writer.begin().await?;
        let mut touched = Self::touched_by(&mut tx, change.id).await?;
        // Every placeholder is used whatever the change, as SQLite wants.
        let sql = format!(
            "UPDATE posts SET status = $4, updated_at = $5, \
             reviewed_by = COALESCE($6, reviewed_by), reviewed_at = CASE WHEN $6 IS NULL THEN reviewed_at ELSE $5 END, \
             reviewed_version = CASE WHEN $6 IS NULL THEN reviewed_version ELSE version END, \
             review_due_at = CASE WHEN $6 IS NULL THEN review_due_at ELSE $9 END, \
             publish_at = $7, trashed_at = CASE WHEN $4 = 'trashed' THEN $5 ELSE NULL END, \
             live_revision_id = CASE WHEN $8 THEN NULL ELSE live_revision_id END \
             WHERE id = $1 AND version = $2 AND status = $3 RETURNING {}",
            sql::POST_COLUMNS
        );
        let changed = sqlx::query_as::<_, Post>(&sql)
            .bind(change.id)
            .bind(change.expected_version)
            .bind(change.from.as_str())
            .bind(change.to.as_str())
            .bind(change.at)
            .bind(change.reviewed.then_some(change.actor_id))
            .bind(change.publish_at)
            .bind(change.live == LiveText::Withdraw)
            .bind(change.review_due_at)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(mut post) = changed else {
            return Err(Self::why_unchanged(&mut tx, change.id, change.expected_version).await);
        };
        if change.live == LiveText::FromCurrent {
            post = Self::make_live(&mut tx, post, change.actor_id, change.at).await?;
        } else {
            Self::insert_revision(&mut tx, &post, change.actor_id, RevisionKind::Status, change.at).await?;
        }
        if change.live != LiveText::Keep {
            self.index_live_text(&mut tx, post.id).await?;
        }
        if let Some((kind, body)) = &change.comment {
            sqlx::query(
                "INSERT INTO post_comments (post_id, author_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(post.id)
            .bind(change.actor_id)
            .bind(*kind)
            .bind(body.as_str())
            .bind(change.at)
            .execute(&mut *tx)
            .await?;
        }
        let recipients = match change.notify {
            Notify::Nobody => None,
            Notify::Editors(kind) => Some((
                "SELECT id AS id FROM users WHERE role IN ('editor', 'admin') AND active = TRUE AND id <> $2",
                kind,
            )),
            Notify::Authors(kind) => Some((
                "SELECT pa.user_id AS id FROM post_authors pa JOIN users u ON u.id = pa.user_id \
                 WHERE pa.post_id = $1 AND u.active = TRUE AND pa.user_id <> $2",
                kind,
            )),
        };
        if let Some((recipients, kind)) = recipients {
            let sql = format!(
                "INSERT INTO notifications (user_id, post_id, actor_id, kind, created_at) \
                 SELECT r.id, $1, $2, $3, $4 FROM ({recipients}) AS r"
            );
            sqlx::query(&sql)
                .bind(post.id)
                .bind(change.actor_id)
                .bind(kind.as_str())
                .bind(change.at)
                .execute(&mut *tx)
                .await?;
        }
        // What front ends and webhooks hear about (the outbox).
        for kind in change.events(post.kind) {
            Self::record_event(&mut tx, kind, &post, change.at, change.payload).await?;
        }
        Self::insert_audit(&mut tx, &change.audit).await?;
        // Any move into, out of or within published and scheduled changes
        // what readers see (or will see at a scheduled time).
        let public = |status| matches!(status, PostStatus::Published | PostStatus::Scheduled);
        let seen_by_readers = public(change.from) || public(change.to) || change.live != LiveText::Keep;
        // A post leaving the public must leave every cached page at once
        // (lists, feeds, other posts' related articles): everything.
        // So must a scheduled post moved to another time: its time may
        // have come already, unseen by the scheduler.
        let leaves = public(change.from) && !public(change.to)
            || change.from == PostStatus::Scheduled && change.to != PostStatus::Published;
        let change = if leaves {
            Some(PublicChange::Everything)
        } else if seen_by_readers {
            touched.merge(Self::touched_by(&mut tx, post.id).await?);
            Some(touched.into_change())
        } else {
            None
        };
        self.commit_change(tx, change).await?;
        Ok(post)
    }

    pub async fn revisions(&self, post_id: i64) -> Result<Vec<Revision>, AppError> {
        let sql = format!("{} WHERE r.post_id = $1 ORDER BY r.id DESC", sql::SELECT_REVISIONS);
        Ok(sqlx::query_as(&sql).bind(post_id).fetch_all(self.reader).await?)
    }

    pub async fn revision(&self, post_id: i64, id: i64) -> Result<Option<Revision>, AppError> {
        let sql = format!("{} WHERE r.post_id = $1 AND r.id = $2", sql::SELECT_REVISIONS);
        Ok(sqlx::query_as(&sql)
            .bind(post_id)
            .bind(id)
            .fetch_optional(self.reader)
            .await?)
    }

    pub async fn comments(&self, post_id: i64) -> Result<Vec<CommentRow>, AppError> {
        Ok(sqlx::query_as(
            "SELECT c.id, u.display_name AS author, c.author_id, c.kind, c.body, c.created_at FROM post_comments c \
             JOIN users u ON u.id = c.author_id WHERE c.post_id = $1 ORDER BY c.id",
        )
        .bind(post_id)
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn add_comment(
        &self,
        post_id: i64,
        author_id: i64,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<CommentRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO post_comments (post_id, author_id, kind, body, created_at) \
             VALUES ($1, $2, 'comment', $3, $4) RETURNING id",
        )
        .bind(post_id)
        .bind(author_id)
        .bind(body)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let comment = sqlx::query_as(
            "SELECT c.id, u.display_name AS author, c.author_id, c.kind, c.body, c.created_at FROM post_comments c \
             JOIN users u ON u.id = c.author_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        // The post's authors and its reviewer hear of it (not the one who
        // wrote it).
        sqlx::query(
            "INSERT INTO notifications (user_id, post_id, actor_id, kind, created_at) \
             SELECT u.id, $1, $2, $3, $4 FROM users u WHERE u.active = TRUE AND u.id <> $2 AND \
             (u.id IN (SELECT user_id FROM post_authors WHERE post_id = $1) \
             OR u.id = (SELECT reviewed_by FROM posts WHERE id = $1))",
        )
        .bind(post_id)
        .bind(author_id)
        .bind(NotificationKind::Comment.as_str())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// Deletes trashed posts (all of them, or those trashed before
    /// `before`) with everything that hangs off them.
    pub async fn empty_trash(
        &self,
        before: Option<DateTime<Utc>>,
        audit: Option<&NewAuditEntry>,
    ) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let condition = if before.is_some() {
            "status = 'trashed' AND trashed_at < $1"
        } else {
            "status = 'trashed'"
        };
        // Locked (PostgreSQL) so that a restore in between waits, then
        // finds the post gone, rather than losing its authors and history.
        let sql = format!("SELECT id FROM posts WHERE {condition} {}", self.skip_locked);
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        if let Some(before) = before {
            query = query.bind(before);
        }
        let ids = query.fetch_all(&mut *tx).await?;
        for id in &ids {
            let tables = [
                "post_authors",
                "post_tags",
                "post_comments",
                "notifications",
                "preview_links",
                "post_revisions",
                "post_slug_history",
            ];
            for table in tables {
                sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(self.search.forget).bind(*id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM posts WHERE id = $1 AND status = 'trashed'")
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(audit) = audit {
            let audit = NewAuditEntry {
                detail: format!("{} posts", ids.len()),
                ..audit.clone()
            };
            Self::insert_audit(&mut tx, &audit).await?;
        }
        tx.commit().await?;
        Ok(u64::try_from(ids.len()).unwrap_or(u64::MAX))
    }

    /// One `UPDATE … RETURNING` claims the due posts. On PostgreSQL the
    /// rows are picked `FOR UPDATE SKIP LOCKED`, so a second process skips
    /// what the first is claiming; on SQLite the single writer serialises
    /// them. Either way a post leaves `scheduled` once.
    pub async fn publish_due(&self, now: DateTime<Utc>, payload: EventPayload) -> Result<Vec<Post>, AppError> {
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "UPDATE posts SET status = 'published', published_at = COALESCE(published_at, publish_at), \
             updated_at = $1 WHERE status = 'scheduled' AND id IN (SELECT id FROM posts \
             WHERE status = 'scheduled' AND publish_at <= $1 ORDER BY id {}) RETURNING {}",
            self.skip_locked,
            sql::POST_COLUMNS
        );
        let due: Vec<Post> = sqlx::query_as(&sql).bind(now).fetch_all(&mut *tx).await?;
        let mut touched = Touched::default();
        for post in &due {
            touched.merge(Self::touched_by(&mut tx, post.id).await?);
            let event = match post.kind {
                PostKind::Post => "post.published",
                PostKind::Page => "page.published",
            };
            Self::record_event(&mut tx, event, post, now, payload).await?;
            let audit = NewAuditEntry {
                at: now,
                ..NewAuditEntry::new(crate::audit::AuditAction::PostPublished, None, None)
                    .detail(format!("post {} \"{}\" at its scheduled time", post.id, post.content.title))
            };
            Self::insert_audit(&mut tx, &audit).await?;
        }
        let change = (!due.is_empty()).then(|| touched.into_change());
        self.commit_change(tx, change).await?;
        Ok(due)
    }

    pub async fn scheduled_posts_waiting(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM posts WHERE status = 'scheduled'")
            .fetch_one(self.reader)
            .await?)
    }

    async fn check_slug_free(tx: &mut Transaction<'_, DB>, slug: &str, id: i64) -> Result<(), AppError> {
        let clash: Option<i64> = sqlx::query_scalar(
            "SELECT p.id FROM posts p LEFT JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE p.id <> $2 AND (p.slug = $1 OR r.slug = $1) \
             UNION SELECT post_id FROM post_slug_history WHERE slug = $1 AND post_id <> $2",
        )
        .bind(slug)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match clash {
            Some(_) => Err(AppError::invalid(
                "slug",
                "Another post uses this address (now or before); choose another.",
            )),
            None => Ok(()),
        }
    }

    async fn check_authors(tx: &mut Transaction<'_, DB>, ids: &[i64]) -> Result<(), AppError> {
        let sql = format!(
            "SELECT count(*) FROM users WHERE active = TRUE AND id IN ({})",
            sql::placeholders(1, ids.len())
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        let found = query.fetch_one(&mut **tx).await?;
        if usize::try_from(found).ok() == Some(ids.len()) {
            Ok(())
        } else {
            Err(AppError::invalid("authors", "Choose authors among the active staff."))
        }
    }

    /// Why an update matched no row: the post is gone, someone saved in
    /// between, or its status moved.
    async fn why_unchanged(tx: &mut Transaction<'_, DB>, id: i64, expected_version: i64) -> AppError {
        let current: Result<Option<(i64, String)>, sqlx::Error> =
            sqlx::query_as("SELECT version, status FROM posts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await;
        match current {
            Err(error) => error.into(),
            Ok(None) => AppError::NotFound,
            Ok(Some((version, _))) if version != expected_version => AppError::Conflict {
                message: format!(
                    "Someone else saved this post (now version {version}) after you opened version \
                     {expected_version}. Nothing was overwritten."
                ),
            },
            Ok(Some((_, status))) => AppError::Conflict {
                message: format!(
                    "The post's status changed (it is {} now); reload to see it.",
                    status.replace('_', " ")
                ),
            },
        }
    }

    /// Keeps a revision of a save: autosaves by the same person within a
    /// few minutes update the latest revision rather than adding one.
    async fn keep_revision(
        tx: &mut Transaction<'_, DB>,
        post: &Post,
        saved_by: i64,
        kind: RevisionKind,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if kind == RevisionKind::Autosave {
            let window_start = at - chrono::Duration::minutes(AUTOSAVE_WINDOW_MINUTES);
            let sql = format!(
                "UPDATE post_revisions SET {}, updated_at = $3 WHERE id = (SELECT id FROM post_revisions \
                 WHERE post_id = $1 ORDER BY id DESC LIMIT 1) AND kind = 'autosave' AND saved_by = $2 \
                 AND created_at > $4 AND NOT EXISTS (SELECT 1 FROM preview_links l \
                 WHERE l.revision_id = post_revisions.id) RETURNING id",
                sql::REVISION_CONTENT_FROM_POST
            );
            let updated: Option<i64> = sqlx::query_scalar(&sql)
                .bind(post.id)
                .bind(saved_by)
                .bind(at)
                .bind(window_start)
                .fetch_optional(&mut **tx)
                .await?;
            if updated.is_some() {
                return Ok(());
            }
        }
        Self::insert_revision(tx, post, saved_by, kind, at).await?;
        Ok(())
    }

    pub(super) async fn insert_revision(
        tx: &mut Transaction<'_, DB>,
        post: &Post,
        saved_by: i64,
        kind: RevisionKind,
        at: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar(sql::INSERT_REVISION_FROM_POST)
            .bind(post.id)
            .bind(saved_by)
            .bind(kind.as_str())
            .bind(at)
            .fetch_one(&mut **tx)
            .await?)
    }

    /// Rewrites the post's search row from its live text (none when it
    /// has none), stores the live text's render, and its media usage, in
    /// the transaction that changed it.
    pub(super) async fn index_live_text(&self, tx: &mut Transaction<'_, DB>, id: i64) -> Result<(), AppError> {
        sqlx::query(self.search.forget).bind(id).execute(&mut **tx).await?;
        sqlx::query(self.search.index).bind(id).execute(&mut **tx).await?;
        Self::render_live_text(tx, id).await?;
        Self::record_media_usage(tx, id).await
    }

    /// Makes the post's current text the live one. A published post whose
    /// address changed keeps its old address, which then redirects.
    pub(super) async fn make_live(
        tx: &mut Transaction<'_, DB>,
        post: Post,
        actor_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        let previous_slug: Option<String> = sqlx::query_scalar(
            "SELECT slug FROM post_revisions WHERE post_id = $1 AND kind = 'publish' ORDER BY id DESC LIMIT 1",
        )
        .bind(post.id)
        .fetch_optional(&mut **tx)
        .await?;
        let revision = Self::insert_revision(tx, &post, actor_id, RevisionKind::Publish, at).await?;
        // Published: the first publication keeps its date. Scheduled: the
        // date is set when the post goes live.
        let first_publication = if post.status == PostStatus::Published {
            "COALESCE(published_at, $3)"
        } else {
            "CASE WHEN $3 IS NULL THEN NULL ELSE published_at END"
        };
        let sql = format!(
            "UPDATE posts SET live_revision_id = $2, published_at = {first_publication} WHERE id = $1 RETURNING {}",
            sql::POST_COLUMNS
        );
        let live: Post = sqlx::query_as(&sql)
            .bind(post.id)
            .bind(revision)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM post_slug_history WHERE slug = $1")
            .bind(live.content.slug.as_str())
            .execute(&mut **tx)
            .await?;
        if let Some(old) = previous_slug.filter(|old| *old != live.content.slug) {
            sqlx::query(
                "INSERT INTO post_slug_history (slug, post_id) VALUES ($1, $2) \
                 ON CONFLICT (slug) DO UPDATE SET post_id = excluded.post_id",
            )
            .bind(old)
            .bind(live.id)
            .execute(&mut **tx)
            .await?;
        }
        Ok(live)
    }
}
