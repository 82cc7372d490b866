//! The posts' queries, shared by both databases. Every change runs in one
//! transaction, with its rules (version, status) in the SQL `WHERE`.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use super::search::SearchSql;
use super::sql;
use crate::audit::NewAuditEntry;
use crate::domain::PostStatus;
use crate::error::AppError;
use crate::input::post::{PostTitle, Slug};
use crate::store::model::accounts::User;
use crate::store::model::posts::{CalendarRow, Event, PublicAuthor, PublicCount, PublicPost, PublicQuery};
use crate::store::model::posts::{
    CommentRow, ListOrder, LiveText, NotificationRow, Notify, Post, PostFilter, Revision, RevisionKind, SaveRequest,
    StatusChange, SummaryRow, Tag, TagUse,
};
use crate::store::model::webhooks::EventPayload;

/// A value bound to a numbered placeholder of a public query.
enum Param {
    Time(DateTime<Utc>),
    Text(String),
}

/// Binds `Param`s in order, whatever the query type.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Time(at) => query.bind(*at),
                Param::Text(text) => query.bind(text.as_str()),
            };
        }
        query
    }};
}

/// Joins the text readers see, for filters on it.
const LIVE_REVISION: &str = "JOIN post_revisions r ON r.id = p.live_revision_id";

/// What `public_filter` builds: the conditions in use and their values.
struct PublicFilter {
    conditions: Vec<String>,
    params: Vec<Param>,
    joins: Vec<&'static str>,
    /// The search text's placeholder, for ranking.
    search_param: Option<String>,
    search_text: Option<String>,
    from_where: String,
}

impl PublicFilter {
    /// Adds a condition; `{}` in it becomes the value's placeholder, which
    /// is returned.
    fn add(&mut self, template: &str, param: Param) -> String {
        self.params.push(param);
        let placeholder = format!("${}", self.params.len());
        self.conditions.push(template.replace("{}", &placeholder));
        placeholder
    }
}

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
        let mut tx = self.writer.begin().await?;
        // Working slugs, live slugs and old addresses are all taken.
        let taken: Vec<String> = sqlx::query_scalar(
            "SELECT slug FROM posts WHERE slug = $1 OR slug LIKE $2 \
             UNION SELECT slug FROM post_revisions WHERE kind = 'publish' AND (slug = $1 OR slug LIKE $2) \
             UNION SELECT slug FROM post_slug_history WHERE slug = $1 OR slug LIKE $2",
        )
            .bind(slug.as_str())
            .bind(format!("{}-%", slug.as_str()))
            .fetch_all(&mut *tx)
            .await?;
        let sql = format!(
            "INSERT INTO posts (title, slug, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING {}",
            sql::POST_COLUMNS
        );
        let post: Post = sqlx::query_as(&sql)
            .bind(title.as_str())
            .bind(sql::first_free_slug(slug.as_str(), &taken))
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, 0)")
            .bind(post.id)
            .bind(author_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(post)
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

    pub async fn list_tags(&self) -> Result<Vec<TagUse>, AppError> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.name, t.slug, t.description, \
             (SELECT count(*) FROM post_tags pt WHERE pt.tag_id = t.id) AS posts \
             FROM tags t ORDER BY lower(t.name), t.id",
        )
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn update_tag(&self, id: i64, name: &str, description: &str) -> Result<Tag, AppError> {
        let mut tx = self.writer.begin().await?;
        let updated: Option<Tag> = sqlx::query_as(
            "UPDATE tags SET name = $2, description = $3 WHERE id = $1 RETURNING id, name, slug, description",
        )
        .bind(id)
        .bind(name)
        .bind(description)
        .fetch_optional(&mut *tx)
        .await?;
        let updated = updated.ok_or(AppError::NotFound)?;
        self.announce_public_change(&mut tx).await?;
        tx.commit().await?;
        self.public_changed();
        Ok(updated)
    }

    /// Saves only if the post is still at the expected version and in a
    /// status the caller may edit: both sit in the `WHERE`, so two saves
    /// can never both win.
    pub async fn save_post(&self, request: &SaveRequest<'_>) -> Result<Post, AppError> {
        let edit = request.edit;
        let mut tx = self.writer.begin().await?;
        Self::check_slug_free(&mut tx, &edit.content.slug, request.id).await?;
        Self::check_authors(&mut tx, &edit.author_ids).await?;
        let statuses = sql::placeholders(14, request.editable.len());
        let sql = format!(
            "UPDATE posts SET title = $3, slug = $4, body = $5, excerpt = $6, cover_url = $7, cover_alt = $8, \
             seo_title = $9, seo_description = $10, canonical_url = $11, show_review = $12, \
             version = version + 1, updated_at = $13 \
             WHERE id = $1 AND version = $2 AND status IN ({statuses}) RETURNING {}",
            sql::POST_COLUMNS
        );
        let mut query = sqlx::query_as::<_, Post>(&sql)
            .bind(request.id)
            .bind(request.expected_version)
            .bind(edit.content.title.as_str())
            .bind(edit.content.slug.as_str())
            .bind(edit.content.body.as_str())
            .bind(edit.content.excerpt.as_str())
            .bind(edit.content.cover_url.as_str())
            .bind(edit.content.cover_alt.as_str())
            .bind(edit.content.seo_title.as_str())
            .bind(edit.content.seo_description.as_str())
            .bind(edit.content.canonical_url.as_str())
            .bind(edit.show_review)
            .bind(request.at);
        for status in request.editable {
            query = query.bind(status.as_str());
        }
        let saved = query.fetch_optional(&mut *tx).await?;
        let Some(post) = saved else {
            return Err(Self::why_unchanged(&mut tx, request.id, request.expected_version).await);
        };
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
        if live {
            self.announce_public_change(&mut tx).await?;
        }
        tx.commit().await?;
        if live {
            self.public_changed();
        }
        Ok(post)
    }

    /// Moves the status, if it is still `from` at the expected version,
    /// and writes what goes with it: the revision, the live text, the
    /// comment, the notifications and the audit entry.
    pub async fn change_status(&self, change: &StatusChange) -> Result<Post, AppError> {
        let mut tx = self.writer.begin().await?;
        // Every placeholder is used whatever the change, as SQLite wants.
        let sql = format!(
            "UPDATE posts SET status = $4, updated_at = $5, \
             reviewed_by = COALESCE($6, reviewed_by), reviewed_at = CASE WHEN $6 IS NULL THEN reviewed_at ELSE $5 END, \
             reviewed_version = CASE WHEN $6 IS NULL THEN reviewed_version ELSE version END, \
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
        for kind in change.events() {
            Self::record_event(&mut tx, kind, &post, change.at, change.payload).await?;
        }
        Self::insert_audit(&mut tx, &change.audit).await?;
        // Any move into, out of or within published and scheduled changes
        // what readers see (or will see at a scheduled time).
        let public = |status| matches!(status, PostStatus::Published | PostStatus::Scheduled);
        let seen_by_readers = public(change.from) || public(change.to) || change.live != LiveText::Keep;
        if seen_by_readers {
            self.announce_public_change(&mut tx).await?;
        }
        tx.commit().await?;
        if seen_by_readers {
            self.public_changed();
        }
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
        tx.commit().await?;
        Ok(comment)
    }

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

    pub async fn list_posts(&self, filter: &PostFilter) -> Result<Vec<SummaryRow>, AppError> {
        let order = match filter.order {
            ListOrder::RecentlyChanged => "p.updated_at DESC, p.id DESC",
            ListOrder::OldestFirst => "p.updated_at ASC, p.id ASC",
        };
        let sql = format!("{} ORDER BY {order} LIMIT $6", sql::LIST_POSTS);
        let title_pattern = filter
            .title_contains
            .as_deref()
            .map(|text| format!("%{}%", sql::escape_like(&text.to_lowercase())))
            .unwrap_or_default();
        let mut rows: Vec<SummaryRow> = sqlx::query_as(&sql)
            .bind(filter.status.map(PostStatus::as_str).unwrap_or_default())
            .bind(filter.author_id.unwrap_or(0))
            .bind(filter.tag_slug.as_deref().unwrap_or_default())
            .bind(title_pattern)
            .bind(filter.visible_to_author.unwrap_or(0))
            .bind(filter.limit)
            .fetch_all(self.reader)
            .await?;
        if rows.is_empty() {
            return Ok(rows);
        }
        let ids = sql::placeholders(1, rows.len());
        let authors_sql = format!(
            "SELECT pa.post_id, u.display_name FROM post_authors pa JOIN users u ON u.id = pa.user_id \
             WHERE pa.post_id IN ({ids}) ORDER BY pa.post_id, pa.position"
        );
        let tags_sql = format!(
            "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.post_id IN ({ids}) ORDER BY pt.post_id, pt.position"
        );
        for (sql, is_authors) in [(authors_sql, true), (tags_sql, false)] {
            let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
            for row in &rows {
                query = query.bind(row.id);
            }
            for (post_id, name) in query.fetch_all(self.reader).await? {
                if let Some(row) = rows.iter_mut().find(|row| row.id == post_id) {
                    if is_authors {
                        row.authors.push(name);
                    } else {
                        row.tags.push(name);
                    }
                }
            }
        }
        Ok(rows)
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

    /// The current public slug of the post that had `old_slug` before.
    pub async fn slug_redirect(&self, old_slug: &str, now: DateTime<Utc>) -> Result<Option<String>, AppError> {
        if sql::cannot_match(old_slug) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT r.slug FROM post_slug_history h JOIN posts p ON p.id = h.post_id \
             JOIN post_revisions r ON r.id = p.live_revision_id WHERE h.slug = $1 AND {}",
            sql::public_at("$2")
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(old_slug)
            .bind(now)
            .fetch_optional(self.reader)
            .await?)
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
        for post in &due {
            Self::record_event(&mut tx, "post.published", post, now, payload).await?;
            let audit = NewAuditEntry {
                at: now,
                ..NewAuditEntry::new(crate::audit::AuditAction::PostPublished, None, None)
                    .detail(format!("post {} \"{}\" at its scheduled time", post.id, post.content.title))
            };
            Self::insert_audit(&mut tx, &audit).await?;
        }
        if !due.is_empty() {
            self.announce_public_change(&mut tx).await?;
        }
        tx.commit().await?;
        if !due.is_empty() {
            self.public_changed();
        }
        Ok(due)
    }

    pub async fn calendar(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to_author: Option<i64>,
    ) -> Result<Vec<CalendarRow>, AppError> {
        Ok(sqlx::query_as(
            "SELECT id, title, status, at FROM (\
               SELECT id, title, status, publish_at AS at FROM posts WHERE status = 'scheduled' \
               UNION ALL SELECT id, title, status, published_at AS at FROM posts WHERE status = 'published'\
             ) AS c WHERE at >= $1 AND at < $2 \
             AND ($3 = 0 OR EXISTS (SELECT 1 FROM post_authors a WHERE a.post_id = c.id AND a.user_id = $3)) \
             ORDER BY at, id",
        )
        .bind(from)
        .bind(to)
        .bind(visible_to_author.unwrap_or(0))
        .fetch_all(self.reader)
        .await?)
    }

    /// A page of public posts and how many there are in all. Two steps: the
    /// page's ids, sorted and cut without touching the posts' text, then
    /// the text of those few posts (with search snippets for those only).
    pub async fn public_posts(&self, query: &PublicQuery) -> Result<(Vec<PublicPost>, i64), AppError> {
        let Some(filter) = self.public_filter(query) else {
            // Nothing searchable was typed: nothing matches.
            return Ok((Vec::new(), 0));
        };
        let rank = filter
            .search_param
            .as_ref()
            .map(|param| format!("{}, ", SearchSql::with(self.search.rank, param)))
            .unwrap_or_default();
        let next = filter.params.len();
        let ids_sql = format!(
            "SELECT p.id {from} ORDER BY {rank}COALESCE(p.published_at, p.publish_at) DESC, p.id DESC \
             LIMIT ${} OFFSET ${}",
            next + 1,
            next + 2,
            from = filter.from_where,
        );
        let ids: Vec<i64> = bind_params!(sqlx::query_scalar(&ids_sql), &filter.params)
            .bind(query.limit)
            .bind(query.offset)
            .fetch_all(self.reader)
            .await?;
        let total = if query.slug.is_empty() {
            let count_sql = format!("SELECT count(*) {}", filter.from_where);
            bind_params!(sqlx::query_scalar::<_, i64>(&count_sql), &filter.params)
                .fetch_one(self.reader)
                .await?
        } else {
            i64::try_from(ids.len()).unwrap_or(0)
        };
        if ids.is_empty() {
            return Ok((Vec::new(), total));
        }
        let placeholders = sql::placeholders(1, ids.len());
        let (join, snippet, matches) = match &filter.search_text {
            Some(_) => {
                let param = format!("${}", ids.len() + 1);
                (
                    self.search.join,
                    SearchSql::with(self.search.snippet, &param),
                    format!("AND {}", SearchSql::with(self.search.matches, &param)),
                )
            }
            None => ("", "CAST(NULL AS TEXT)".to_owned(), String::new()),
        };
        let rows_sql = format!(
            "SELECT p.id, r.title, r.slug, r.excerpt, r.body, r.cover_url, r.cover_alt, r.seo_title, \
             r.seo_description, r.canonical_url, COALESCE(p.published_at, p.publish_at) AS published_at, \
             r.created_at AS updated_at, r.version AS live_version, p.show_review, p.reviewed_version, \
             p.reviewed_at, rv.display_name AS reviewer_name, rv.credentials AS reviewer_credentials, \
             {snippet} AS snippet FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             LEFT JOIN users rv ON rv.id = p.reviewed_by {join} WHERE p.id IN ({placeholders}) {matches}"
        );
        let mut rows = sqlx::query_as::<_, PublicPost>(&rows_sql);
        for id in &ids {
            rows = rows.bind(*id);
        }
        if let Some(text) = &filter.search_text {
            rows = rows.bind(text.as_str());
        }
        let mut found = rows.fetch_all(self.reader).await?;
        // Back into the page's order.
        let mut posts = Vec::with_capacity(found.len());
        for id in &ids {
            if let Some(at) = found.iter().position(|post| post.id == *id) {
                posts.push(found.swap_remove(at));
            }
        }
        self.attach_bylines(&mut posts).await?;
        Ok((posts, total))
    }

    /// The FROM and WHERE of a public query with only the filters in use,
    /// so that each can use its index; `None` when a search has no words.
    fn public_filter(&self, query: &PublicQuery) -> Option<PublicFilter> {
        if [&query.author_slug, &query.tag_slug, &query.slug]
            .into_iter()
            .any(|text| sql::cannot_match(text))
        {
            return None;
        }
        let mut filter = PublicFilter {
            conditions: vec![sql::public_at("$1")],
            params: vec![Param::Time(query.now)],
            joins: Vec::new(),
            search_param: None,
            search_text: None,
            from_where: String::new(),
        };
        let by_author = "EXISTS (SELECT 1 FROM post_authors a JOIN users u ON u.id = a.user_id \
                         WHERE a.post_id = p.id AND u.slug = {})";
        let by_tag = "EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
                      WHERE pt.post_id = p.id AND t.slug = {})";
        if !query.author_slug.is_empty() {
            filter.add(by_author, Param::Text(query.author_slug.clone()));
        }
        if !query.tag_slug.is_empty() {
            filter.add(by_tag, Param::Text(query.tag_slug.clone()));
        }
        if !query.slug.is_empty() {
            filter.add("r.slug = {}", Param::Text(query.slug.clone()));
            filter.joins.push(LIVE_REVISION);
        }
        if let Some(since) = query.updated_since {
            filter.add("r.created_at >= {}", Param::Time(since));
            filter.joins.push(LIVE_REVISION);
        }
        if let Some(raw) = &query.search {
            let text = (self.search.prepare)(raw)?;
            let placeholder = filter.add(&SearchSql::with(self.search.matches, "{}"), Param::Text(text.clone()));
            filter.joins.push(self.search.join);
            filter.search_param = Some(placeholder);
            filter.search_text = Some(text);
        }
        filter.joins.dedup();
        filter.from_where = format!(
            "FROM posts p {} WHERE {}",
            filter.joins.join(" "),
            filter.conditions.join(" AND ")
        );
        Some(filter)
    }

    /// Fills in each post's authors and tags, in their order.
    pub(crate) async fn attach_bylines(&self, posts: &mut [PublicPost]) -> Result<(), AppError> {
        if posts.is_empty() {
            return Ok(());
        }
        let ids = sql::placeholders(1, posts.len());
        let authors_sql = format!(
            "SELECT pa.post_id, u.display_name, u.slug, u.credentials, u.bio, u.avatar_url FROM post_authors pa \
             JOIN users u ON u.id = pa.user_id WHERE pa.post_id IN ({ids}) ORDER BY pa.post_id, pa.position"
        );
        let mut authors = sqlx::query_as::<_, (i64, String, String, String, String, String)>(&authors_sql);
        for post in posts.iter() {
            authors = authors.bind(post.id);
        }
        for (post_id, name, slug, credentials, bio, avatar_url) in authors.fetch_all(self.reader).await? {
            if let Some(post) = posts.iter_mut().find(|post| post.id == post_id) {
                post.authors.push(PublicAuthor {
                    name,
                    slug,
                    credentials,
                    bio,
                    avatar_url,
                });
            }
        }
        let tags_sql = format!(
            "SELECT pt.post_id, t.name, t.slug FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.post_id IN ({ids}) ORDER BY pt.post_id, pt.position"
        );
        let mut tags = sqlx::query_as::<_, (i64, String, String)>(&tags_sql);
        for post in posts.iter() {
            tags = tags.bind(post.id);
        }
        for (post_id, name, slug) in tags.fetch_all(self.reader).await? {
            if let Some(post) = posts.iter_mut().find(|post| post.id == post_id) {
                post.tags.push((name, slug));
            }
        }
        Ok(())
    }

    /// The next time a scheduled post becomes public after `now`: until
    /// then, what readers see changes only through a write.
    pub async fn next_publication_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        let next: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT publish_at FROM posts WHERE status = 'scheduled' AND publish_at > $1 ORDER BY publish_at LIMIT 1",
        )
        .bind(now)
        .fetch_optional(self.reader)
        .await?;
        Ok(next)
    }

    /// Up to `limit` public posts sharing the most tags with post `id`
    /// (newest first among equals), as (title, slug). Candidates are the
    /// 30 posts sharing the most tags, newest first, so a tag on thousands
    /// of posts costs a count of ids, not a read of thousands of posts.
    pub async fn related_posts(&self, id: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, String)>, AppError> {
        let sql = format!(
            "SELECT r.title, r.slug FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             JOIN (SELECT pt.post_id, count(*) AS shared FROM post_tags pt JOIN posts p ON p.id = pt.post_id \
                   WHERE pt.tag_id IN (SELECT tag_id FROM post_tags WHERE post_id = $2) AND pt.post_id <> $2 \
                   AND {public} GROUP BY pt.post_id ORDER BY shared DESC, pt.post_id DESC LIMIT 30) c \
             ON c.post_id = p.id WHERE {public} ORDER BY c.shared DESC, COALESCE(p.published_at, p.publish_at) DESC, p.id DESC LIMIT $3",
            public = sql::public_at("$1")
        );
        Ok(sqlx::query_as(&sql)
            .bind(now)
            .bind(id)
            .bind(limit)
            .fetch_all(self.reader)
            .await?)
    }

    /// The public posts published just before and just after post `id`,
    /// as (title, slug).
    pub async fn neighbours(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Option<(String, String)>, Option<(String, String)>), AppError> {
        let mut found = Vec::new();
        // `<=` / `>=` on the date lets the index seek to the post; the
        // second test breaks ties between posts of the same instant.
        let at = "(SELECT COALESCE(published_at, publish_at) FROM posts WHERE id = $2)";
        for (comparison, order) in [("<", "DESC"), (">", "ASC")] {
            let sql = format!(
                "SELECT r.title, r.slug FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
                 WHERE {} AND COALESCE(p.published_at, p.publish_at) {comparison}= {at} \
                 AND (COALESCE(p.published_at, p.publish_at) {comparison} {at} OR p.id {comparison} $2) \
                 ORDER BY COALESCE(p.published_at, p.publish_at) {order}, p.id {order} LIMIT 1",
                sql::public_at("$1")
            );
            found.push(sqlx::query_as(&sql).bind(now).bind(id).fetch_optional(self.reader).await?);
        }
        let newer = found.pop().flatten();
        let older = found.pop().flatten();
        Ok((older, newer))
    }

    /// The authors of public posts ('' for all, or the one with `slug`),
    /// by name, with how many public posts each has.
    pub async fn public_authors(
        &self,
        now: DateTime<Utc>,
        slug: &str,
    ) -> Result<Vec<PublicCount<PublicAuthor>>, AppError> {
        if sql::cannot_match(slug) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.display_name, u.slug, u.credentials, u.bio, u.avatar_url, count(*) AS posts FROM users u \
             JOIN post_authors a ON a.user_id = u.id JOIN posts p ON p.id = a.post_id \
             WHERE {} AND ($2 = '' OR u.slug = $2) \
             GROUP BY u.id, u.display_name, u.slug, u.credentials, u.bio, u.avatar_url ORDER BY u.display_name, u.id",
            sql::public_at("$1")
        );
        let rows = sqlx::query_as::<_, (String, String, String, String, String, i64)>(&sql)
            .bind(now)
            .bind(slug)
            .fetch_all(self.reader)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(name, slug, credentials, bio, avatar_url, posts)| PublicCount {
                item: PublicAuthor {
                    name,
                    slug,
                    credentials,
                    bio,
                    avatar_url,
                },
                posts,
            })
            .collect())
    }

    /// The tags on public posts ('' for all, or the one with `slug`), by
    /// name, with how many public posts carry each.
    pub async fn public_tags(&self, now: DateTime<Utc>, slug: &str) -> Result<Vec<PublicCount<Tag>>, AppError> {
        if sql::cannot_match(slug) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT t.id, t.name, t.slug, t.description, count(*) AS posts FROM tags t \
             JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id \
             WHERE {} AND ($2 = '' OR t.slug = $2) \
             GROUP BY t.id, t.name, t.slug, t.description ORDER BY t.name, t.id",
            sql::public_at("$1")
        );
        let rows = sqlx::query_as::<_, (i64, String, String, String, i64)>(&sql)
            .bind(now)
            .bind(slug)
            .fetch_all(self.reader)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, slug, description, posts)| PublicCount {
                item: Tag {
                    id,
                    name,
                    slug,
                    description,
                },
                posts,
            })
            .collect())
    }

    pub async fn user_by_slug(&self, slug: &str) -> Result<Option<User>, AppError> {
        if sql::cannot_match(slug) {
            return Ok(None);
        }
        let sql = format!("SELECT {} FROM users WHERE slug = $1", sql::USER_COLUMNS);
        Ok(sqlx::query_as(&sql).bind(slug).fetch_optional(self.reader).await?)
    }

    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>, AppError> {
        if sql::cannot_match(slug) {
            return Ok(None);
        }
        Ok(
            sqlx::query_as("SELECT id, name, slug, description FROM tags WHERE slug = $1")
                .bind(slug)
                .fetch_optional(self.reader)
                .await?,
        )
    }

    pub async fn events(&self, after_id: i64, limit: i64) -> Result<Vec<Event>, AppError> {
        Ok(
            sqlx::query_as("SELECT id, kind, post_id, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after_id)
                .bind(limit)
                .fetch_all(self.reader)
                .await?,
        )
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
    /// has none), in the transaction that changed it.
    pub(super) async fn index_live_text(&self, tx: &mut Transaction<'_, DB>, id: i64) -> Result<(), AppError> {
        sqlx::query(self.search.forget).bind(id).execute(&mut **tx).await?;
        sqlx::query(self.search.index).bind(id).execute(&mut **tx).await?;
        Ok(())
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
