//! The portable site: the shape of `site.json`, which `vellum export`
//! writes and `vellum import vellum` reads back into an empty database,
//! and the restore itself (one transaction, every id kept, so revisions,
//! comments, authors and live texts point where they did).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Transaction;

mod check;

use super::queries::shared_queries;
use super::sql;
use crate::domain::SiteSettings;
use crate::domain::{PostContent, PostKind};
use crate::error::AppError;

/// The format's name and version.
pub const FORMAT: &str = "vellum-export/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteExport {
    pub format: String,
    #[serde(with = "micros")]
    pub exported_at: DateTime<Utc>,
    pub settings: SiteSettings,
    /// The clinic's details and the menus; exports made before they
    /// existed have neither.
    #[serde(default)]
    pub clinic: crate::domain::ClinicDetails,
    #[serde(default)]
    pub menus: crate::domain::Menus,
    pub users: Vec<ExportUser>,
    pub tags: Vec<ExportTag>,
    pub posts: Vec<ExportPost>,
    pub media: Vec<ExportMedia>,
    /// Where imported posts and images came from, so that importing the
    /// same WordPress or Ghost site again still updates them.
    pub import_sources: Vec<ExportSource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ExportSource {
    pub source: String,
    pub kind: String,
    pub external_id: String,
    pub local_id: i64,
}

/// A user without password hash, session epoch or sign-in times: an
/// export is safe to hand on, and people set a new password after a
/// restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ExportUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub avatar_url: String,
    pub credentials: String,
    pub role: String,
    pub active: bool,
    #[serde(with = "micros")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportTag {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
}

/// A post's text as `site.json` names it: the body is `markdown`, as in
/// the content API. The one place that maps the export's names.
#[derive(Serialize, Deserialize)]
#[serde(remote = "PostContent")]
struct ExportContent {
    title: String,
    slug: String,
    #[serde(rename = "markdown")]
    body: String,
    excerpt: String,
    cover_url: String,
    cover_alt: String,
    seo_title: String,
    seo_description: String,
    canonical_url: String,
}

/// A post in `site.json`. Its text is flattened in under the export's own
/// names (see `ExportContent`); unknown keys are not refused here, as
/// serde cannot refuse them beside a flattened field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportPost {
    pub id: i64,
    #[serde(flatten, with = "ExportContent")]
    pub content: PostContent,
    pub status: String,
    pub show_review: bool,
    pub version: i64,
    #[serde(with = "micros")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "micros")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "micros_option")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(with = "micros_option")]
    pub publish_at: Option<DateTime<Utc>>,
    #[serde(with = "micros_option")]
    pub trashed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    #[serde(with = "micros_option")]
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_version: Option<i64>,
    /// When the next medical review is due; exports written before due
    /// dates existed have none, and get one as the app dates a review: the
    /// restored site's interval after it, on the site's calendar.
    #[serde(default, with = "micros_option")]
    pub review_due_at: Option<DateTime<Utc>>,
    /// The revision readers see while the post is published or scheduled.
    pub live_revision_id: Option<i64>,
    /// `post` (an article) or `page`; exports written before pages
    /// existed hold articles only.
    #[serde(default)]
    pub kind: PostKind,
    /// The page a page sits under (a post id of this file).
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// User ids, primary author first.
    pub authors: Vec<i64>,
    /// Tag names, for people reading the file, and the same tags by id.
    pub tags: Vec<String>,
    pub tag_ids: Vec<i64>,
    /// Earlier slugs and other sites' addresses that redirect here.
    pub old_slugs: Vec<String>,
    pub old_paths: Vec<String>,
    /// Newest first.
    pub revisions: Vec<ExportRevision>,
    pub comments: Vec<ExportComment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRevision {
    pub id: i64,
    pub version: i64,
    /// The saver's display name, and their id.
    pub saved_by: String,
    pub saved_by_id: i64,
    pub kind: String,
    pub status: String,
    #[serde(flatten, with = "ExportContent")]
    pub content: PostContent,
    #[serde(with = "micros")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "micros")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportComment {
    pub id: i64,
    pub author: String,
    pub author_id: i64,
    pub kind: String,
    pub body: String,
    #[serde(with = "micros")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportMedia {
    pub id: i64,
    pub original_key: String,
    pub file_name: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub alt: String,
    pub uploaded_by: Option<i64>,
    #[serde(with = "micros")]
    pub created_at: DateTime<Utc>,
    pub variants: Vec<ExportVariant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportVariant {
    pub key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// Times in microseconds, the precision both databases keep: SQLite
/// stores what it is given (nanoseconds, from the clock), PostgreSQL
/// rounds to microseconds, and an export must read the same from either.
mod micros {
    use chrono::{DateTime, SubsecRound, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        at.trunc_subsecs(6).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        DateTime::deserialize(deserializer)
    }
}

mod micros_option {
    use chrono::{DateTime, SubsecRound, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        at.map(|at| at.trunc_subsecs(6)).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::deserialize(deserializer)
    }
}

/// A post's earlier addresses: its old slugs and other sites' paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OldAddresses {
    pub slugs: Vec<String>,
    pub paths: Vec<String>,
}

/// The tables whose ids a restore sets itself.
const TABLES_WITH_IDS: [&str; 6] = ["users", "tags", "posts", "post_revisions", "post_comments", "media"];

shared_queries! {
    /// Writes an export into an empty database in one transaction;
    /// `Conflict` when it holds users, posts or media already.
    pub async fn restore_site(&self, site: &SiteExport) -> Result<(), AppError> {
        let mut tx = self.writer.begin().await?;
        let occupied: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM posts) + (SELECT count(*) FROM media) \
             + (SELECT count(*) FROM tags)",
        )
        .fetch_one(&mut *tx)
        .await?;
        if occupied > 0 {
            return Err(AppError::Conflict {
                message: "This database already has users, posts, tags or media; restore an export into an empty one."
                    .into(),
            });
        }
        self.restore_settings(&mut tx, &site.settings).await?;
        Self::write_clinic(&mut tx, &crate::input::clinic::ClinicUpdate::parse(&site.clinic)?).await?;
        Self::write_menus(&mut tx, &crate::input::menu::MenuUpdate::parse(&site.menus)?).await?;
        let keep_id = self.overriding_ids;
        for user in &site.users {
            sqlx::query(&format!(
                "INSERT INTO users (id, email, display_name, slug, bio, avatar_url, credentials, role, active, \
                 created_at) {keep_id} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(user.id)
            .bind(user.email.as_str())
            .bind(user.display_name.as_str())
            .bind(user.slug.as_str())
            .bind(user.bio.as_str())
            .bind(user.avatar_url.as_str())
            .bind(user.credentials.as_str())
            .bind(user.role.as_str())
            .bind(user.active)
            .bind(user.created_at)
            .execute(&mut *tx)
            .await?;
        }
        for tag in &site.tags {
            sqlx::query(&format!("INSERT INTO tags (id, name, slug, description) {keep_id} VALUES ($1, $2, $3, $4)"))
                .bind(tag.id)
                .bind(tag.name.as_str())
                .bind(tag.slug.as_str())
                .bind(tag.description.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for post in &site.posts {
            self.restore_post(&mut tx, post, &site.settings).await?;
        }
        // Parents once every post exists: a page may come before its parent.
        for post in site.posts.iter().filter(|post| post.parent_id.is_some()) {
            sqlx::query("UPDATE posts SET parent_id = $2 WHERE id = $1")
                .bind(post.id)
                .bind(post.parent_id)
                .execute(&mut *tx)
                .await?;
        }
        for item in &site.media {
            sqlx::query(&format!(
                "INSERT INTO media (id, original_key, file_name, content_type, width, height, bytes, alt, \
                 uploaded_by, created_at) {keep_id} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(item.id)
            .bind(item.original_key.as_str())
            .bind(item.file_name.as_str())
            .bind(item.content_type.as_str())
            .bind(item.width)
            .bind(item.height)
            .bind(item.bytes)
            .bind(item.alt.as_str())
            .bind(item.uploaded_by)
            .bind(item.created_at)
            .execute(&mut *tx)
            .await?;
            for variant in &item.variants {
                sqlx::query(
                    "INSERT INTO media_variants (media_id, key, content_type, width, height, bytes) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(item.id)
                .bind(variant.key.as_str())
                .bind(variant.content_type.as_str())
                .bind(variant.width)
                .bind(variant.height)
                .bind(variant.bytes)
                .execute(&mut *tx)
                .await?;
            }
        }
        for row in &site.import_sources {
            sqlx::query("INSERT INTO import_sources (source, kind, external_id, local_id) VALUES ($1, $2, $3, $4)")
                .bind(row.source.as_str())
                .bind(row.kind.as_str())
                .bind(row.external_id.as_str())
                .bind(row.local_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(reset) = self.reset_id_sequence {
            for table in TABLES_WITH_IDS {
                sqlx::query(&reset.replace("{table}", table)).execute(&mut *tx).await?;
            }
        }
        self.commit_public(tx, true).await?;
        Ok(())
    }

    pub async fn import_sources(&self) -> Result<Vec<ExportSource>, AppError> {
        Ok(sqlx::query_as(
            "SELECT source, kind, external_id, local_id FROM import_sources ORDER BY source, kind, external_id",
        )
        .fetch_all(self.reader)
        .await?)
    }

    /// A post's old slugs and other sites' paths that redirect to it.
    pub async fn post_old_addresses(&self, post_id: i64) -> Result<OldAddresses, AppError> {
        let slugs = sqlx::query_scalar("SELECT slug FROM post_slug_history WHERE post_id = $1 ORDER BY slug")
            .bind(post_id)
            .fetch_all(self.reader)
            .await?;
        let paths = sqlx::query_scalar("SELECT path FROM post_redirects WHERE post_id = $1 ORDER BY path")
            .bind(post_id)
            .fetch_all(self.reader)
            .await?;
        Ok(OldAddresses { slugs, paths })
    }

    async fn restore_settings(&self, tx: &mut Transaction<'_, DB>, settings: &SiteSettings) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE site_settings SET title = $1, description = $2, site_url = $3, time_zone = $4, \
             date_format = $5, review_required = $6, logo_url = $7, accent_color = $8, cta_heading = $9, \
             cta_text = $10, cta_label = $11, cta_url = $12, content_key = $13, reading_grade_target = $14, language = $15, \
             review_interval_months = $16, lapsed_review_display = $17 WHERE id = 1",
        )
        .bind(settings.title.as_str())
        .bind(settings.description.as_str())
        .bind(settings.site_url.as_str())
        .bind(settings.time_zone.as_str())
        .bind(settings.date_format.as_str())
        .bind(settings.review_required)
        .bind(settings.logo_url.as_str())
        .bind(settings.accent_color.as_str())
        .bind(settings.cta_heading.as_str())
        .bind(settings.cta_text.as_str())
        .bind(settings.cta_label.as_str())
        .bind(settings.cta_url.as_str())
        .bind(settings.content_key.as_str())
        .bind(settings.reading_grade_target)
        .bind(settings.language.as_str())
        .bind(settings.review_interval_months)
        .bind(settings.lapsed_review_display.as_str())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// One post, its authors, tags, revisions, comments and addresses;
    /// `settings` (the restored site's) date a review the export left
    /// undated.
    async fn restore_post(
        &self,
        tx: &mut Transaction<'_, DB>,
        post: &ExportPost,
        settings: &SiteSettings,
    ) -> Result<(), AppError> {
        let keep_id = self.overriding_ids;
        // The live revision is set once the revisions exist.
        let insert = format!(
            "INSERT INTO posts (id, title, slug, body, excerpt, cover_url, cover_alt, seo_title, seo_description, \
             canonical_url, show_review, status, version, created_at, updated_at, published_at, publish_at, \
             trashed_at, reviewed_by, reviewed_at, reviewed_version, review_due_at, kind) {keep_id} VALUES ($1, $2, $3, \
             $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
        );
        let query = sqlx::query(&insert).bind(post.id);
        sql::bind_content!(query, &post.content)
        .bind(post.show_review)
        .bind(post.status.as_str())
        .bind(post.version)
        .bind(post.created_at)
        .bind(post.updated_at)
        .bind(post.published_at)
        .bind(post.publish_at)
        .bind(post.trashed_at)
        .bind(post.reviewed_by)
        .bind(post.reviewed_at)
        .bind(post.reviewed_version)
        .bind(
            post.review_due_at
                .or_else(|| post.reviewed_at.map(|at| crate::time::default_review_due(at, settings)))
                .filter(|_| post.kind.review_falls_due()),
        )
        .bind(post.kind.as_str())
        .execute(&mut **tx)
        .await?;
        for (position, author) in (0_i64..).zip(&post.authors) {
            sqlx::query("INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)")
                .bind(post.id)
                .bind(*author)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
        for (position, tag) in (0_i64..).zip(&post.tag_ids) {
            sqlx::query("INSERT INTO post_tags (post_id, tag_id, position) VALUES ($1, $2, $3)")
                .bind(post.id)
                .bind(*tag)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
        self.restore_revisions(tx, post).await?;
        sqlx::query("UPDATE posts SET live_revision_id = $2 WHERE id = $1")
            .bind(post.id)
            .bind(post.live_revision_id)
            .execute(&mut **tx)
            .await?;
        self.restore_comments_and_addresses(tx, post).await?;
        self.index_live_text(tx, post.id).await
    }

    /// The post's revisions, ids and all; oldest first, as they were written.
    async fn restore_revisions(&self, tx: &mut Transaction<'_, DB>, post: &ExportPost) -> Result<(), AppError> {
        let keep_id = self.overriding_ids;
        for revision in post.revisions.iter().rev() {
            let insert = format!(
                "INSERT INTO post_revisions (id, post_id, version, saved_by, kind, status, title, slug, body, \
                 excerpt, cover_url, cover_alt, seo_title, seo_description, canonical_url, created_at, updated_at) \
                 {keep_id} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
            );
            let query = sqlx::query(&insert)
                .bind(revision.id)
            .bind(post.id)
            .bind(revision.version)
            .bind(revision.saved_by_id)
            .bind(revision.kind.as_str())
                .bind(revision.status.as_str());
            sql::bind_content!(query, &revision.content)
            .bind(revision.created_at)
            .bind(revision.updated_at)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// The review thread and the addresses that redirect to the post.
    async fn restore_comments_and_addresses(
        &self,
        tx: &mut Transaction<'_, DB>,
        post: &ExportPost,
    ) -> Result<(), AppError> {
        let keep_id = self.overriding_ids;
        for comment in &post.comments {
            sqlx::query(&format!(
                "INSERT INTO post_comments (id, post_id, author_id, kind, body, created_at) {keep_id} \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ))
            .bind(comment.id)
            .bind(post.id)
            .bind(comment.author_id)
            .bind(comment.kind.as_str())
            .bind(comment.body.as_str())
            .bind(comment.created_at)
            .execute(&mut **tx)
            .await?;
        }
        for slug in &post.old_slugs {
            sqlx::query("INSERT INTO post_slug_history (slug, post_id) VALUES ($1, $2)")
                .bind(slug.as_str())
                .bind(post.id)
                .execute(&mut **tx)
                .await?;
        }
        for path in &post.old_paths {
            sqlx::query("INSERT INTO post_redirects (path, post_id) VALUES ($1, $2)")
                .bind(path.as_str())
                .bind(post.id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}
