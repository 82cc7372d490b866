//! The admin's lists, shared by both databases: posts filtered and
//! ordered for the dashboard, the calendar of (to be) published posts and
//! the tags with their use. Apart from editorial writes because they only
//! read, across posts, what those leave (bar renaming a tag).

use chrono::{DateTime, Utc};

use super::queries::shared_queries;
use super::sql;
use crate::domain::{PostKind, PostStatus};
use crate::error::AppError;
use crate::store::model::posts::{CalendarRow, ListOrder, PostFilter, SummaryRow, Tag, TagUse};

shared_queries! {
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
        self.commit_public(tx, true).await?;
        Ok(updated)
    }

    pub async fn list_posts(&self, filter: &PostFilter) -> Result<Vec<SummaryRow>, AppError> {
        let order = match filter.order {
            ListOrder::RecentlyChanged => "p.updated_at DESC, p.id DESC",
            ListOrder::OldestFirst => "p.updated_at ASC, p.id ASC",
            ListOrder::ReviewDue => "p.review_due_at ASC, p.id ASC",
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
            .bind(filter.match_live_title)
            .bind(filter.review_due_by)
            .bind(filter.kind.map(PostKind::as_str).unwrap_or_default())
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
}
