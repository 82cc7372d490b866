//! Another site's content coming in (`vellum import wordpress|ghost`):
//! people, tags, images and posts, written in one transaction. Each post
//! is remembered by where it came from, so importing the same file again
//! updates what the first run made instead of adding it twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use super::sql;
use crate::audit::{AuditAction, NewAuditEntry};
use crate::domain::{PostContent, PostKind, PostStatus};
use crate::error::AppError;
use crate::store::model::media::{FileRecord, NewMedia};
use crate::store::model::posts::{Post, RevisionKind};

/// Everything one import writes, already parsed and converted.
#[derive(Debug, Clone, Default)]
pub struct ForeignSite {
    /// Names the site, e.g. `wordpress:https://clinic.example`; a post is
    /// the same post on a later run when its source and key match.
    pub source: String,
    pub users: Vec<ForeignUser>,
    pub tags: Vec<ForeignTag>,
    pub media: Vec<ForeignMedia>,
    pub posts: Vec<ForeignPost>,
}

/// A person, matched by email; made an author without a password, and
/// deactivated, when nobody here has that email.
#[derive(Debug, Clone)]
pub struct ForeignUser {
    /// How posts name them (a login, an id).
    pub key: String,
    /// Lower-cased.
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
}

/// A tag, matched by slug.
#[derive(Debug, Clone)]
pub struct ForeignTag {
    pub name: String,
    pub slug: String,
    pub description: String,
}

/// An image fetched and processed; its files are stored already.
#[derive(Debug, Clone)]
pub struct ForeignMedia {
    /// Where it was fetched from: a later run finds it by this address.
    pub source_url: String,
    pub original: FileRecord,
    pub variants: Vec<FileRecord>,
    pub file_name: String,
    /// The key of the user who uploaded it there.
    pub uploader: String,
    pub alt: String,
}

#[derive(Debug, Clone)]
pub struct ForeignPost {
    pub key: String,
    /// Its text; the slug is the one it had there, made free here.
    pub content: PostContent,
    pub status: PostStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was published (published posts).
    pub published_at: Option<DateTime<Utc>>,
    /// When it goes out (scheduled posts).
    pub publish_at: Option<DateTime<Utc>>,
    /// User keys, primary author first; at least one.
    pub authors: Vec<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Its old addresses there (paths, without a trailing slash).
    pub old_paths: Vec<String>,
    /// An article, or a page (at `/{slug}` here).
    pub kind: PostKind,
    /// For a page: the key of the page it sat under there (in this site,
    /// or imported from it before).
    pub parent: Option<String>,
}

/// An old address as `post_redirects` keeps it: percent-decoded (clients
/// encode in either case) and without the trailing slash.
pub fn redirect_key(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .trim_end_matches('/')
        .to_owned()
}

/// What an import made, found and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportTally {
    pub users_created: u64,
    pub users_matched: u64,
    pub tags_created: u64,
    pub tags_matched: u64,
    pub media_created: u64,
    pub media_matched: u64,
    pub posts_created: u64,
    pub posts_updated: u64,
    pub posts_unchanged: u64,
    pub redirects: u64,
    /// What the store decided about a post that the report should say: a
    /// post that changed kind, an old address left out.
    pub notes: Vec<ImportNote>,
}

/// Something the import did to a post other than what the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNote {
    /// The post's `ForeignPost::key`.
    pub key: String,
    pub message: String,
}

/// Whether the import is kept or only tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Write,
    /// Everything runs and is counted, then rolled back.
    DryRun,
}

/// One import as it runs: where from, its moment, and what it did so far.
pub(super) struct ImportRun<'a> {
    pub(super) source: &'a str,
    pub(super) at: DateTime<Utc>,
    pub(super) tally: ImportTally,
}

impl ImportRun<'_> {
    pub(super) fn note(&mut self, post: &ForeignPost, message: String) {
        self.tally.notes.push(ImportNote {
            key: post.key.clone(),
            message,
        });
    }
}

/// A post's authors and tags, as ids here, each once and in order.
struct PostLinks {
    authors: Vec<i64>,
    tags: Vec<i64>,
}

/// The id an earlier step gave `key`; a key nothing gave is a bug in the
/// importer that built the site, not bad input.
fn known(ids: &HashMap<&str, i64>, key: &str, what: &str) -> Result<i64, AppError> {
    ids.get(key)
        .copied()
        .ok_or_else(|| AppError::internal(format_args!("import: no {what} with key {key:?}")))
}

/// `items` without repeats, first occurrence kept.
fn unique(items: impl IntoIterator<Item = i64>) -> Vec<i64> {
    items.into_iter().fold(Vec::new(), |mut kept, item| {
        if !kept.contains(&item) {
            kept.push(item);
        }
        kept
    })
}

shared_queries! {
    /// Writes `site` in one transaction; on any error nothing is kept.
    /// `progress` is called after each post.
    pub async fn import_foreign(
        &self,
        site: &ForeignSite,
        at: DateTime<Utc>,
        mode: ImportMode,
        progress: &(dyn Fn() + Send + Sync),
    ) -> Result<ImportTally, AppError> {
        let mut tx = self.writer.begin().await?;
        self.lock_users(&mut tx).await?;
        let mut run = ImportRun {
            source: &site.source,
            at,
            tally: ImportTally::default(),
        };
        let mut user_ids = HashMap::new();
        for user in &site.users {
            let id = Self::foreign_user(&mut tx, user, at, &mut run.tally).await?;
            user_ids.insert(user.key.as_str(), id);
        }
        let tag_ids = Self::foreign_tags(&mut tx, &site.tags, &mut run.tally).await?;
        Self::foreign_media(&mut tx, site, &user_ids, &mut run).await?;
        let mut post_ids: HashMap<&str, i64> = HashMap::new();
        for post in &site.posts {
            // Pages have no tags (a restore would refuse them).
            let tags = post.tags.iter().filter(|_| post.kind == PostKind::Post);
            let links = PostLinks {
                authors: unique(post.authors.iter().map(|key| known(&user_ids, key, "user")).collect::<Result<Vec<_>, _>>()?),
                tags: unique(tags.map(|slug| known(&tag_ids, slug, "tag")).collect::<Result<Vec<_>, _>>()?),
            };
            let id = self.foreign_post(&mut tx, &mut run, post, &links).await?;
            post_ids.insert(post.key.as_str(), id);
            Self::foreign_old_paths(&mut tx, &mut run, post, id).await?;
            progress();
        }
        // Parents come last: a page may come before its parent in the file.
        Self::foreign_parents(&mut tx, run.source, &site.posts, &post_ids).await?;
        let tally = run.tally;
        let audit = NewAuditEntry::new(AuditAction::ContentImported, None, None).detail(format!(
            "{}: {} posts created, {} updated, {} people created",
            site.source, tally.posts_created, tally.posts_updated, tally.users_created
        ));
        Self::insert_audit(&mut tx, &NewAuditEntry { at, ..audit }).await?;
        match mode {
            ImportMode::DryRun => tx.rollback().await?,
            ImportMode::Write => {
                self.commit_public(tx, true).await?;
            }
        }
        Ok(tally)
    }

    /// Each tag's id here, by slug: matched by slug, created otherwise.
    async fn foreign_tags<'s>(
        tx: &mut Transaction<'_, DB>,
        tags: &'s [ForeignTag],
        tally: &mut ImportTally,
    ) -> Result<HashMap<&'s str, i64>, AppError> {
        let mut tag_ids = HashMap::new();
        for tag in tags {
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM tags WHERE slug = $1")
                .bind(tag.slug.as_str())
                .fetch_optional(&mut **tx)
                .await?;
            let id = match existing {
                Some(id) => {
                    tally.tags_matched += 1;
                    id
                }
                None => {
                    tally.tags_created += 1;
                    sqlx::query_scalar("INSERT INTO tags (name, slug, description) VALUES ($1, $2, $3) RETURNING id")
                        .bind(tag.name.as_str())
                        .bind(tag.slug.as_str())
                        .bind(tag.description.as_str())
                        .fetch_one(&mut **tx)
                        .await?
                }
            };
            tag_ids.insert(tag.slug.as_str(), id);
        }
        Ok(tag_ids)
    }

    /// The library images, matched by their content key or added.
    async fn foreign_media(
        tx: &mut Transaction<'_, DB>,
        site: &ForeignSite,
        user_ids: &HashMap<&str, i64>,
        run: &mut ImportRun<'_>,
    ) -> Result<(), AppError> {
        for item in &site.media {
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM media WHERE original_key = $1")
                .bind(item.original.key.as_str())
                .fetch_optional(&mut **tx)
                .await?;
            let id = match existing {
                Some(id) => {
                    run.tally.media_matched += 1;
                    id
                }
                None => {
                    let media = NewMedia {
                        original: item.original.clone(),
                        variants: item.variants.clone(),
                        file_name: item.file_name.clone(),
                        uploaded_by: known(user_ids, &item.uploader, "user")?,
                        created_at: run.at,
                    };
                    run.tally.media_created += 1;
                    Self::insert_media(tx, &media, &item.alt).await?
                }
            };
            Self::remember_source(tx, run.source, "media", &item.source_url, id).await?;
        }
        Ok(())
    }

    /// The id of the user with `user`'s email, made when there is none.
    async fn foreign_user(
        tx: &mut Transaction<'_, DB>,
        user: &ForeignUser,
        at: DateTime<Utc>,
        tally: &mut ImportTally,
    ) -> Result<i64, AppError> {
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(user.email.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(id) = existing {
            tally.users_matched += 1;
            return Ok(id);
        }
        let taken: Vec<String> = sqlx::query_scalar(sql::TAKEN_SLUGS)
            .bind(user.slug.as_str())
            .bind(format!("{}-%", user.slug))
            .fetch_all(&mut **tx)
            .await?;
        // No password and not active: they sign in only after an admin
        // reactivates them and sends a set-password link.
        let id = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, slug, bio, role, active, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, 'author', FALSE, NULL, $5) RETURNING id",
        )
        .bind(user.email.as_str())
        .bind(user.display_name.as_str())
        .bind(sql::first_free_slug(&user.slug, &taken))
        .bind(user.bio.as_str())
        .bind(at)
        .fetch_one(&mut **tx)
        .await?;
        tally.users_created += 1;
        Ok(id)
    }

    /// Creates the post, or updates the one an earlier run made from the
    /// same source; returns its id.
    async fn foreign_post(
        &self,
        tx: &mut Transaction<'_, DB>,
        run: &mut ImportRun<'_>,
        post: &ForeignPost,
        links: &PostLinks,
    ) -> Result<i64, AppError> {
        let (source, at) = (run.source, run.at);
        let (authors, tags) = (links.authors.as_slice(), links.tags.as_slice());
        let earlier: Option<i64> = sqlx::query_scalar(
            "SELECT s.local_id FROM import_sources s JOIN posts p ON p.id = s.local_id \
             WHERE s.source = $1 AND s.kind = 'post' AND s.external_id = $2",
        )
        .bind(source)
        .bind(post.key.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        // In the trash from now: the purge counts its 30 days from here.
        let trashed_at = (post.status == PostStatus::Trashed).then_some(at);
        let published_since;
        let post = match earlier {
            Some(id) => match Self::went_out_as_scheduled(tx, id, post).await? {
                Some(published) => {
                    published_since = published;
                    &published_since
                }
                None => post,
            },
            None => post,
        };
        let stored: Post = match earlier {
            Some(id) => {
                if Self::unchanged(tx, id, post, authors, tags).await? {
                    run.tally.posts_unchanged += 1;
                    return Ok(id);
                }
                // The address it has here stays (readers may have it),
                // unless its kind changed: then it moves to where its kind
                // lives. Only a page has a parent, only an article a review
                // that falls due.
                let moved = Self::change_kind(tx, run, id, post).await?;
                let update = format!(
                    "UPDATE posts SET title = $2, body = $3, excerpt = $4, cover_url = $5, cover_alt = $6, \
                     seo_title = $7, seo_description = $8, canonical_url = $9, status = $10, publish_at = $11, \
                     trashed_at = $12, updated_at = $13, kind = $14, slug = COALESCE($15, slug), \
                     parent_id = CASE WHEN $14 = 'page' THEN parent_id END, \
                     review_due_at = CASE WHEN $14 = 'post' THEN review_due_at END, \
                     version = version + 1 WHERE id = $1 RETURNING {}",
                    sql::POST_COLUMNS
                );
                let stored = Self::bind_foreign(sqlx::query_as(&update).bind(id), post)
                    .bind(trashed_at)
                    .bind(at)
                    .bind(post.kind.as_str())
                    .bind(moved.as_deref())
                    .fetch_one(&mut **tx)
                    .await?;
                sqlx::query("DELETE FROM post_authors WHERE post_id = $1").bind(id).execute(&mut **tx).await?;
                sqlx::query("DELETE FROM post_tags WHERE post_id = $1").bind(id).execute(&mut **tx).await?;
                run.tally.posts_updated += 1;
                stored
            }
            None => {
                // As for a new draft: a page also keeps off the old paths
                // earlier imports redirect from (it would hide them).
                let taken = Self::taken_slugs(tx, &post.content.slug, post.kind, 0).await?;
                let insert = format!(
                    "INSERT INTO posts (slug, title, body, excerpt, cover_url, cover_alt, seo_title, \
                     seo_description, canonical_url, status, publish_at, trashed_at, created_at, updated_at, kind) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING {}",
                    sql::POST_COLUMNS
                );
                let stored: Post =
                    Self::bind_foreign(sqlx::query_as(&insert).bind(sql::first_free_slug(&post.content.slug, &taken)), post)
                        .bind(trashed_at)
                        .bind(post.created_at)
                        .bind(post.updated_at)
                        .bind(post.kind.as_str())
                        .fetch_one(&mut **tx)
                        .await?;
                Self::remember_source(tx, source, "post", &post.key, stored.id).await?;
                run.tally.posts_created += 1;
                stored
            }
        };
        let id = stored.id;
        Self::link_and_place(tx, stored, post, links, at).await?;
        self.index_live_text(tx, id).await?;
        Ok(id)
    }

    /// Gives the stored post its authors and tags, and makes its text live
    /// (published or scheduled there) or a revision of its own.
    async fn link_and_place(
        tx: &mut Transaction<'_, DB>,
        stored: Post,
        post: &ForeignPost,
        links: &PostLinks,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (authors, tags) = (links.authors.as_slice(), links.tags.as_slice());
        let id = stored.id;
        for (position, author) in (0_i64..).zip(authors) {
            sqlx::query("INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*author)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
        for (position, tag) in (0_i64..).zip(tags) {
            sqlx::query("INSERT INTO post_tags (post_id, tag_id, position) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*tag)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
        let importer = authors.first().copied().ok_or_else(|| AppError::internal("import: a post without author"))?;
        if matches!(post.status, PostStatus::Published | PostStatus::Scheduled) {
            Self::make_live(tx, stored, importer, at).await?;
            // Its first publication there is its publication date here.
            sqlx::query("UPDATE posts SET published_at = $2 WHERE id = $1")
                .bind(id)
                .bind(post.published_at)
                .execute(&mut **tx)
                .await?;
        } else {
            Self::insert_revision(tx, &stored, importer, RevisionKind::Import, at).await?;
            sqlx::query("UPDATE posts SET live_revision_id = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    async fn remember_source(
        tx: &mut Transaction<'_, DB>,
        source: &str,
        kind: &str,
        external_id: &str,
        local_id: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO import_sources (source, kind, external_id, local_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, kind, external_id) DO UPDATE SET local_id = excluded.local_id",
        )
        .bind(source)
        .bind(kind)
        .bind(external_id)
        .bind(local_id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The library images earlier runs fetched for `source`: the address
    /// each came from and its key here.
    pub async fn imported_media(&self, source: &str) -> Result<Vec<(String, String)>, AppError> {
        Ok(sqlx::query_as(
            "SELECT s.external_id, m.original_key FROM import_sources s JOIN media m ON m.id = s.local_id \
             WHERE s.source = $1 AND s.kind = 'media'",
        )
        .bind(source)
        .fetch_all(self.reader)
        .await?)
    }

    /// A post imported as scheduled that has gone out since is published
    /// here: a later run keeps it so (with its date), rather than
    /// scheduling it again.
    async fn went_out_as_scheduled(
        tx: &mut Transaction<'_, DB>,
        id: i64,
        post: &ForeignPost,
    ) -> Result<Option<ForeignPost>, AppError> {
        if post.status != PostStatus::Scheduled {
            return Ok(None);
        }
        let current: Post = sqlx::query_as(&format!("SELECT {} FROM posts WHERE id = $1", sql::POST_COLUMNS))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        Ok((current.status == PostStatus::Published && current.publish_at == post.publish_at).then(|| ForeignPost {
            status: PostStatus::Published,
            published_at: current.published_at,
            ..post.clone()
        }))
    }

    /// Whether the post an earlier run made still says what `post` says.
    async fn unchanged(
        tx: &mut Transaction<'_, DB>,
        id: i64,
        post: &ForeignPost,
        authors: &[i64],
        tags: &[i64],
    ) -> Result<bool, AppError> {
        let current: Post = sqlx::query_as(&format!("SELECT {} FROM posts WHERE id = $1", sql::POST_COLUMNS))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        let current_authors: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM post_authors WHERE post_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
        let current_tags: Vec<i64> = sqlx::query_scalar("SELECT tag_id FROM post_tags WHERE post_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        // The slug is left out: an earlier run may have made it free.
        let same_text = PostContent {
            slug: current.content.slug.clone(),
            ..post.content.clone()
        } == current.content;
        Ok(same_text
            && current.kind == post.kind
            && current.status == post.status
            && current.publish_at == post.publish_at
            && (post.published_at.is_none() || current.published_at == post.published_at)
            && current_authors == authors
            && current_tags == tags)
    }

    /// Binds $2…$11 of the post insert and update: its text and status.
    fn bind_foreign<'q, O>(
        query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
        post: &'q ForeignPost,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>> {
        query
            .bind(post.content.title.as_str())
            .bind(post.content.body.as_str())
            .bind(post.content.excerpt.as_str())
            .bind(post.content.cover_url.as_str())
            .bind(post.content.cover_alt.as_str())
            .bind(post.content.seo_title.as_str())
            .bind(post.content.seo_description.as_str())
            .bind(post.content.canonical_url.as_str())
            .bind(post.status.as_str())
            .bind(post.publish_at)
    }
}
