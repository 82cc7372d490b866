//! Preview links' queries, shared by both databases.

use chrono::{DateTime, Utc};

use super::queries::shared_queries;
use super::sql;
use crate::error::AppError;
use crate::store::model::posts::PublicPost;
use crate::store::model::previews::{NewPreviewLink, PreviewLinkRow};

const SELECT_LINKS: &str = "SELECT l.id, u.display_name AS created_by, l.created_at, l.expires_at, l.revoked_at, \
     r.version AS pinned_version FROM preview_links l JOIN users u ON u.id = l.created_by \
     LEFT JOIN post_revisions r ON r.id = l.revision_id";

/// A previewed post in the shape of a public one, its text from `t`: the
/// pinned revision or the post's working copy, with `rendered` the
/// stored render it has (a pinned revision that went live has one).
/// `$1` is now.
fn previewed_post_sql(text_source: &str, rendered: &str) -> String {
    format!(
        "SELECT p.id, t.title, t.slug, t.excerpt, t.body, t.cover_url, t.cover_alt, t.seo_title, \
         t.seo_description, t.canonical_url, COALESCE(p.published_at, p.publish_at, $1) AS published_at, \
         t.updated_at AS updated_at, t.version AS live_version, p.show_review, p.reviewed_version, \
         p.reviewed_at, rv.display_name AS reviewer_name, rv.credentials AS reviewer_credentials, \
         p.review_due_at, CAST(NULL AS TEXT) AS snippet, {rendered} FROM preview_links l \
         JOIN posts p ON p.id = l.post_id {text_source} LEFT JOIN users rv ON rv.id = p.reviewed_by WHERE l.id = $2"
    )
}

shared_queries! {
    pub async fn create_preview_link(&self, link: &NewPreviewLink) -> Result<PreviewLinkRow, AppError> {
        let mut tx = self.writer.begin().await?;
        // Pinned: the newest revision, which holds the text as last saved.
        let revision: Option<i64> = if link.pin {
            sqlx::query_scalar("SELECT id FROM post_revisions WHERE post_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(link.post_id)
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO preview_links (token_hash, post_id, revision_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(link.token_hash.as_str())
        .bind(link.post_id)
        .bind(revision)
        .bind(link.created_by)
        .bind(link.created_at)
        .bind(link.expires_at)
        .fetch_one(&mut *tx)
        .await?;
        let row = sqlx::query_as(&format!("{SELECT_LINKS} WHERE l.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn preview_links(&self, post_id: i64) -> Result<Vec<PreviewLinkRow>, AppError> {
        Ok(sqlx::query_as(&format!("{SELECT_LINKS} WHERE l.post_id = $1 ORDER BY l.id DESC"))
            .bind(post_id)
            .fetch_all(self.reader)
            .await?)
    }

    /// Revokes an active link of the post; 404 when there is none.
    pub async fn revoke_preview_link(&self, post_id: i64, id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
        let revoked: Option<i64> = sqlx::query_scalar(
            "UPDATE preview_links SET revoked_at = $3 WHERE id = $1 AND post_id = $2 AND revoked_at IS NULL \
             RETURNING id",
        )
        .bind(id)
        .bind(post_id)
        .bind(at)
        .fetch_optional(self.writer)
        .await?;
        revoked.map(drop).ok_or(AppError::NotFound)
    }

    /// The post an active link with this token digest opens at `now`.
    pub async fn previewed_post(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PublicPost>, AppError> {
        let link: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT l.id, l.revision_id FROM preview_links l JOIN posts p ON p.id = l.post_id \
             WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND l.expires_at > $2 AND p.status <> 'trashed'",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.reader)
        .await?;
        let Some((link_id, revision)) = link else { return Ok(None) };
        let sql = if revision.is_some() {
            previewed_post_sql("JOIN post_revisions t ON t.id = l.revision_id", &sql::stored_render("t"))
        } else {
            previewed_post_sql("JOIN posts t ON t.id = l.post_id", "CAST(NULL AS TEXT) AS rendered")
        };
        let post: Option<PublicPost> = sqlx::query_as(&sql)
            .bind(now)
            .bind(link_id)
            .fetch_optional(self.reader)
            .await?;
        let Some(post) = post else { return Ok(None) };
        let mut posts = [post];
        self.attach_bylines(&mut posts).await?;
        let [post] = posts;
        Ok(Some(post))
    }
}
