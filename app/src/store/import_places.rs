//! Where imported posts and pages sit here: the old addresses of another
//! site that lead to them (`post_redirects`, answered with 301 by the
//! blog's fallback), and imported pages' hierarchy. Split from `imports`,
//! which writes them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::imports::ForeignPost;
use super::queries::shared_queries;
use super::sql;
use crate::domain::PostKind;
use crate::error::AppError;

shared_queries! {
    /// Sets each imported page's parent: a page of this import, or of an
    /// earlier one from the same site; none when the parent did not come
    /// across (or is no page). Articles have none.
    pub(super) async fn foreign_parents(
        tx: &mut Transaction<'_, DB>,
        source: &str,
        posts: &[ForeignPost],
        post_ids: &HashMap<&str, i64>,
    ) -> Result<(), AppError> {
        for post in posts {
            let Some(&id) = post_ids.get(post.key.as_str()) else {
                continue;
            };
            let parent = match post.parent.as_deref().filter(|_| post.kind == PostKind::Page) {
                None => None,
                Some(key) => match post_ids.get(key) {
                    Some(&parent) => Some(parent),
                    None => sqlx::query_scalar(
                        "SELECT local_id FROM import_sources WHERE source = $1 AND kind = 'post' AND external_id = $2",
                    )
                    .bind(source)
                    .bind(key)
                    .fetch_optional(&mut **tx)
                    .await?,
                },
            };
            sqlx::query(
                "UPDATE posts SET parent_id = (SELECT p.id FROM posts p WHERE p.id = $2 AND p.kind = 'page' AND p.id <> $1) \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(parent)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Where readers find the public post or page that lived at `path`
    /// on another site (without its trailing slash): `/posts/{slug}` or
    /// `/{slug}`.
    pub async fn path_redirect(&self, path: &str, now: DateTime<Utc>) -> Result<Option<String>, AppError> {
        if sql::cannot_match(path) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT p.kind, r.slug FROM post_redirects h JOIN posts p ON p.id = h.post_id \
             JOIN post_revisions r ON r.id = p.live_revision_id WHERE h.path = $1 AND ({} OR {})",
            sql::public_at("$2"),
            sql::public_page_at("$2")
        );
        let found: Option<(String, String)> =
            sqlx::query_as(&sql).bind(path).bind(now).fetch_optional(self.reader).await?;
        found
            .map(|(kind, slug)| Ok(PostKind::try_from(kind)?.path(&slug)))
            .transpose()
    }
}
