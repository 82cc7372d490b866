//! Stored renders, shared by both databases: a live text is rendered once,
//! in the transaction that makes it live (publish, schedule, publish an
//! update, import, restore), and kept beside its revision, so readers'
//! requests read HTML instead of making it. Only the Markdown's render is
//! kept: what else a page adds to it (images' `srcset` from the media
//! library, absolute addresses from the site URL) changes without the text
//! changing, so the pages add it per request from cheap lookups.

use sqlx::Transaction;

use super::queries::shared_queries;
use crate::content::render::{RENDER_VERSION, render_markdown};
use crate::error::AppError;

/// `body` as `render_markdown` renders it, as stored (`content::Rendered`).
fn stored(body: &str) -> Result<String, AppError> {
    serde_json::to_string(&render_markdown(body)).map_err(AppError::internal)
}

/// Writes a stored render unless the revision already has this version's
/// (or a newer binary's: instances of two versions never undo each
/// other's work).
const STORE_RENDER: &str = "UPDATE post_revisions SET rendered = $2, render_version = $3 \
     WHERE id = $1 AND (render_version IS NULL OR render_version < $3)";

shared_queries! {
    /// Renders post `id`'s live text, if it has one without a render of
    /// this version, as part of the transaction that made it live.
    pub(super) async fn render_live_text(tx: &mut Transaction<'_, DB>, id: i64) -> Result<(), AppError> {
        let live: Option<(i64, String)> = sqlx::query_as(
            "SELECT r.id, r.body FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE p.id = $1 AND (r.render_version IS NULL OR r.render_version < $2)",
        )
        .bind(id)
        .bind(RENDER_VERSION)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((revision, body)) = live {
            sqlx::query(STORE_RENDER)
                .bind(revision)
                .bind(stored(&body)?)
                .bind(RENDER_VERSION)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The backfill's step: renders up to `limit` live texts without a
    /// render of this version, of the live revisions after revision
    /// `after`, in order. Returns the last revision it rendered, to pass
    /// as `after` next time, and how many it rendered; `None` once there
    /// is none left. Rendering runs off the async workers, and nothing
    /// readers see changes (a stored render is what they got anyway).
    pub async fn render_live_texts(&self, after: i64, limit: i64) -> Result<Option<(i64, usize)>, AppError> {
        // The ids first: on a site where every text has its render (each
        // start of `serve` asks), that reads indexes, not the texts.
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT r.id FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE p.live_revision_id > $1 AND (r.render_version IS NULL OR r.render_version < $2) \
             ORDER BY p.live_revision_id LIMIT $3",
        )
        .bind(after)
        .bind(RENDER_VERSION)
        .bind(limit)
        .fetch_all(self.reader)
        .await?;
        let Some(last) = ids.last().copied() else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT id, body FROM post_revisions WHERE id IN ({})",
            super::sql::placeholders(1, ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in &ids {
            query = query.bind(*id);
        }
        let texts: Vec<(i64, String)> = query.fetch_all(self.reader).await?;
        let count = texts.len();
        let renders = tokio::task::spawn_blocking(move || {
            texts
                .into_iter()
                .map(|(id, body)| stored(&body).map(|json| (id, json)))
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await
        .map_err(AppError::internal)??;
        let mut tx = self.writer.begin().await?;
        for (id, json) in renders {
            sqlx::query(STORE_RENDER)
                .bind(id)
                .bind(json)
                .bind(RENDER_VERSION)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some((last, count)))
    }
}
