//! The media library's queries, shared by both databases.

use sqlx::Transaction;

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use crate::error::AppError;
use crate::store::model::media::{MediaRow, MediaUse, NewMedia, UsageViewer, VariantRow};

const MEDIA_COLUMNS: &str = "m.id, m.original_key, m.file_name, m.content_type, m.width, m.height, m.bytes, m.alt, \
     m.uploaded_by, u.display_name AS uploader, m.created_at";
const FROM_MEDIA: &str = "FROM media m LEFT JOIN users u ON u.id = m.uploaded_by";
const VARIANT_COLUMNS: &str = "media_id, key, content_type, width, height, bytes";

/// The delete refusal: the posts the caller may see by title, the others
/// by number.
fn in_use_message(uses: &[MediaUse]) -> String {
    let titles: Vec<String> = uses
        .iter()
        .filter_map(|usage| usage.title.as_ref())
        .map(|title| format!("\u{201c}{title}\u{201d}"))
        .collect();
    let hidden = uses.len() - titles.len();
    let mut parts = titles;
    match hidden {
        0 => {}
        1 => parts.push("1 post by another author".to_owned()),
        n => parts.push(format!("{n} posts by other authors")),
    }
    let what = if uses.len() == 1 { "that post" } else { "those posts" };
    format!(
        "This image is used in {}; take it out of {what} first.",
        parts.join(", ")
    )
}

/// `$first, $first+1, …`: placeholders for an IN list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

shared_queries! {
    /// Stores an upload's rows and its audit entry in one transaction; an
    /// upload of a picture already in the library returns that item.
    pub async fn create_media(&self, media: &NewMedia, audit: &NewAuditEntry) -> Result<MediaRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM media WHERE original_key = $1")
            .bind(media.original.key.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id = Self::insert_media(&mut tx, media, "").await?;
                Self::insert_audit(&mut tx, audit).await?;
                id
            }
        };
        let row = sqlx::query_as(&format!("SELECT {MEDIA_COLUMNS} {FROM_MEDIA} WHERE m.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The rows of a new library item and its variants.
    pub(super) async fn insert_media(
        tx: &mut Transaction<'_, DB>,
        media: &NewMedia,
        alt: &str,
    ) -> Result<i64, AppError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO media (original_key, file_name, content_type, width, height, bytes, alt, uploaded_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(media.original.key.as_str())
        .bind(media.file_name.as_str())
        .bind(media.original.content_type)
        .bind(i64::from(media.original.width))
        .bind(i64::from(media.original.height))
        .bind(media.original.size)
        .bind(alt)
        .bind(media.uploaded_by)
        .bind(media.created_at)
        .fetch_one(&mut **tx)
        .await?;
        for variant in &media.variants {
            sqlx::query(
                "INSERT INTO media_variants (media_id, key, content_type, width, height, bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(variant.key.as_str())
            .bind(variant.content_type)
            .bind(i64::from(variant.width))
            .bind(i64::from(variant.height))
            .bind(variant.size)
            .execute(&mut **tx)
            .await?;
        }
        Ok(id)
    }

    /// Newest first; `q` matches file names and alt texts.
    pub async fn media_list(&self, q: &str, limit: i64) -> Result<Vec<MediaRow>, AppError> {
        let pattern = format!("%{}%", super::sql::escape_like(&q.to_lowercase()));
        Ok(sqlx::query_as(&format!(
            "SELECT {MEDIA_COLUMNS} {FROM_MEDIA} WHERE $1 = '' OR lower(m.file_name) LIKE $2 ESCAPE '\\' \
             OR lower(m.alt) LIKE $2 ESCAPE '\\' ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(q)
        .bind(pattern)
        .bind(limit)
        .fetch_all(self.reader)
        .await?)
    }

    pub async fn media_by_id(&self, id: i64) -> Result<Option<MediaRow>, AppError> {
        Ok(sqlx::query_as(&format!("SELECT {MEDIA_COLUMNS} {FROM_MEDIA} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.reader)
            .await?)
    }

    /// The library items whose originals have these keys.
    pub async fn media_by_keys(&self, keys: &[String]) -> Result<Vec<MediaRow>, AppError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} {FROM_MEDIA} WHERE m.original_key IN ({})",
            placeholders(1, keys.len())
        );
        let mut query = sqlx::query_as(&sql);
        for key in keys {
            query = query.bind(key.as_str());
        }
        Ok(query.fetch_all(self.reader).await?)
    }

    /// The variants of these items, smallest first.
    pub async fn media_variants(&self, ids: &[i64]) -> Result<Vec<VariantRow>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {VARIANT_COLUMNS} FROM media_variants WHERE media_id IN ({}) ORDER BY media_id, width, id",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_all(self.reader).await?)
    }

    /// The posts that use these files (text or cover, working copy or
    /// published text), as `viewer` may see them: one query for a page of
    /// the library, read from the usage table.
    pub async fn media_usage(&self, keys: &[String], viewer: UsageViewer) -> Result<Vec<MediaUse>, AppError> {
        Self::usage(self.reader, keys, viewer).await
    }

    /// Rewrites the usage rows of one post from its working text and its
    /// published text; part of every transaction that changes either.
    pub(super) async fn record_media_usage(tx: &mut Transaction<'_, DB>, post_id: i64) -> Result<(), AppError> {
        let texts: Vec<String> = sqlx::query_scalar(
            "SELECT body || ' ' || cover_url FROM posts WHERE id = $1 \
             UNION ALL SELECT r.body || ' ' || r.cover_url FROM posts p \
             JOIN post_revisions r ON r.id = p.live_revision_id WHERE p.id = $1",
        )
        .bind(post_id)
        .fetch_all(&mut **tx)
        .await?;
        let keys: std::collections::BTreeSet<&str> =
            texts.iter().flat_map(|text| crate::content::media_keys_in(text)).collect();
        sqlx::query("DELETE FROM media_usage WHERE post_id = $1").bind(post_id).execute(&mut **tx).await?;
        for key in keys {
            sqlx::query("INSERT INTO media_usage (media_key, post_id) VALUES ($1, $2)")
                .bind(key)
                .bind(post_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Whether any library item stores a file under `key`.
    pub async fn media_key_referenced(&self, key: &str) -> Result<bool, AppError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM media WHERE original_key = $1 UNION ALL SELECT id FROM media_variants WHERE key = $1 \
             LIMIT 1",
        )
        .bind(key)
        .fetch_optional(self.reader)
        .await?;
        Ok(found.is_some())
    }

    /// Without `only_uploader` anyone may set it; with it, only that
    /// uploader. The API shows alt texts, so readers' caches are renewed.
    pub async fn set_media_alt(&self, id: i64, alt: &str, only_uploader: Option<i64>) -> Result<MediaRow, AppError> {
        let mut tx = self.writer.begin().await?;
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE media SET alt = $2 WHERE id = $1 AND ($3 = 0 OR uploaded_by = $3) RETURNING id",
        )
        .bind(id)
        .bind(alt)
        .bind(only_uploader.unwrap_or(0))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = updated else {
            return Err(AppError::Forbidden);
        };
        let row = sqlx::query_as(&format!("SELECT {MEDIA_COLUMNS} {FROM_MEDIA} WHERE m.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        self.commit_public(tx, true).await?;
        Ok(row)
    }

    /// Deletes an unused item (only the uploader's own, when given) with
    /// its audit entry; returns the keys of its files. `Conflict` names the
    /// posts that still use it.
    pub async fn delete_media(
        &self,
        id: i64,
        only_uploader: Option<i64>,
        viewer: UsageViewer,
        audit: &NewAuditEntry,
    ) -> Result<Vec<String>, AppError> {
        let mut tx = self.writer.begin().await?;
        let key: Option<String> = sqlx::query_scalar(
            "SELECT original_key FROM media WHERE id = $1 AND ($2 = 0 OR uploaded_by = $2)",
        )
        .bind(id)
        .bind(only_uploader.unwrap_or(0))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(key) = key else {
            return Err(AppError::NotFound);
        };
        let uses = Self::usage(&mut *tx, std::slice::from_ref(&key), viewer).await?;
        if !uses.is_empty() {
            return Err(AppError::Conflict {
                message: in_use_message(&uses),
            });
        }
        let mut keys: Vec<String> = sqlx::query_scalar("SELECT key FROM media_variants WHERE media_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        keys.push(key);
        sqlx::query("DELETE FROM media_variants WHERE media_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM media WHERE id = $1").bind(id).execute(&mut *tx).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(keys)
    }

    async fn usage<'e, E>(executor: E, keys: &[String], viewer: UsageViewer) -> Result<Vec<MediaUse>, AppError>
    where
        E: sqlx::Executor<'e, Database = DB>,
    {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.media_key, CASE WHEN $1 OR EXISTS (SELECT 1 FROM post_authors a \
             WHERE a.post_id = p.id AND a.user_id = $2) THEN p.title \
             WHEN p.status = 'published' THEN r.title END AS title \
             FROM media_usage u JOIN posts p ON p.id = u.post_id \
             LEFT JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE u.media_key IN ({}) ORDER BY u.media_key, 2, p.id",
            placeholders(3, keys.len())
        );
        let mut query = sqlx::query_as(&sql).bind(viewer.sees_every_post).bind(viewer.user_id);
        for key in keys {
            query = query.bind(key.as_str());
        }
        Ok(query.fetch_all(executor).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delete_refusal_names_only_what_the_caller_may_see() {
        let uses = [
            MediaUse {
                media_key: "k".into(),
                title: Some("Flu shots".into()),
            },
            MediaUse {
                media_key: "k".into(),
                title: None,
            },
            MediaUse {
                media_key: "k".into(),
                title: None,
            },
        ];
        assert_eq!(
            in_use_message(&uses),
            "This image is used in \u{201c}Flu shots\u{201d}, 2 posts by other authors; take it out of those posts first."
        );
    }
}
