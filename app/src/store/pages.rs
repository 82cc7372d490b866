//! Pages' own queries, shared by both databases: a new draft (a page, or
//! an article, whose slug rules differ only in the old paths a page keeps
//! off), the public pages (one by address, all for the API and the
//! sitemap), and the rule that keeps a page off an imported site's old
//! address. Pages are posts of another kind: their saves, status changes,
//! revisions and previews are the posts' (`posts`, `previews`).

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::queries::shared_queries;
use super::sql;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::input::post::{PostTitle, Slug};
use crate::store::model::pages::{PageQuery, PublicPage};
use crate::store::model::posts::Post;

shared_queries! {
    /// A new page, a draft with one author; the slug gets -2, -3, … when
    /// taken (by a post or page, now or before, or by an imported site's
    /// old address, which a page at `/{slug}` would hide).
    pub async fn create_page(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.insert_draft(title, slug, PostKind::Page, author_id, at).await
    }

    /// A new draft of `kind` with one author, at the first free slug.
    pub(super) async fn insert_draft(
        &self,
        title: &PostTitle,
        slug: &Slug,
        kind: PostKind,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        let mut tx = self.writer.begin().await?;
        let taken = Self::taken_slugs(&mut tx, slug.as_str(), kind, 0).await?;
        let sql = format!(
            "INSERT INTO posts (title, slug, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING {}",
            sql::POST_COLUMNS
        );
        let post: Post = sqlx::query_as(&sql)
            .bind(title.as_str())
            .bind(sql::first_free_slug(slug.as_str(), &taken))
            .bind(kind.as_str())
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

    /// The slugs `first_free_slug` must step over to give a post of
    /// `kind` (other than post `except`; 0 for a new one) the slug `slug`
    /// or `slug-N`: working slugs, live slugs and old slugs are all taken;
    /// for a page (at `/{slug}`), so are an imported site's old paths
    /// there, which the page would hide.
    pub(super) async fn taken_slugs(
        tx: &mut Transaction<'_, DB>,
        slug: &str,
        kind: PostKind,
        except: i64,
    ) -> Result<Vec<String>, AppError> {
        let path = kind.path(slug);
        Ok(sqlx::query_scalar(
            "SELECT slug FROM posts WHERE (slug = $1 OR slug LIKE $2) AND id <> $6 \
             UNION SELECT slug FROM post_revisions WHERE kind = 'publish' AND (slug = $1 OR slug LIKE $2) \
             AND post_id <> $6 \
             UNION SELECT slug FROM post_slug_history WHERE (slug = $1 OR slug LIKE $2) AND post_id <> $6 \
             UNION SELECT substr(path, 2) FROM post_redirects WHERE $3 = 'page' AND (path = $4 OR path LIKE $5) \
             AND post_id <> $6",
        )
        .bind(slug)
        .bind(format!("{slug}-%"))
        .bind(kind.as_str())
        .bind(path.as_str())
        .bind(format!("{path}-%"))
        .bind(except)
        .fetch_all(&mut **tx)
        .await?)
    }

    /// Public pages at `query.now` (one by slug or id, or all), by title
    /// (then address), and how many there are in all. The parent is named
    /// only while readers may see it too. The titles compare byte by byte,
    /// ASCII letters without case: the order every database agrees on.
    pub async fn public_pages(&self, query: &PageQuery) -> Result<(Vec<PublicPage>, i64), AppError> {
        if sql::cannot_match(&query.slug) {
            return Ok((Vec::new(), 0));
        }
        let public = sql::public_page_at("$1");
        let live = "FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id";
        let only = "AND ($2 = '' OR r.slug = $2) AND ($3 = 0 OR p.id = $3)";
        let bytes = self.bytewise;
        let rows_sql = format!(
            "SELECT p.id, r.title, r.slug, r.body, r.excerpt, r.cover_url, r.cover_alt, r.seo_title, \
             r.seo_description, r.canonical_url, COALESCE(p.published_at, p.publish_at) AS published_at, \
             r.created_at AS updated_at, parent.title AS parent_title, parent.slug AS parent_slug, {rendered} {live} \
             LEFT JOIN (SELECT p.id, r.title, r.slug {live} WHERE {public}) parent ON parent.id = p.parent_id \
             WHERE {public} {only} ORDER BY lower(r.title {bytes}) {bytes}, r.slug {bytes}, p.id LIMIT $4 OFFSET $5",
            rendered = sql::stored_render("r"),
        );
        let pages: Vec<PublicPage> = sqlx::query_as(&rows_sql)
            .bind(query.now)
            .bind(query.slug.as_str())
            .bind(query.id)
            .bind(query.limit)
            .bind(query.offset)
            .fetch_all(self.reader)
            .await?;
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) {live} WHERE {public} {only}"))
            .bind(query.now)
            .bind(query.slug.as_str())
            .bind(query.id)
            .fetch_one(self.reader)
            .await?;
        Ok((pages, total))
    }

    /// Every public page's slug and last change, for the sitemap.
    pub async fn public_page_slugs(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(String, DateTime<Utc>)>, AppError> {
        let sql = format!(
            "SELECT r.slug, r.created_at FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE {} ORDER BY r.slug {} LIMIT $2",
            sql::public_page_at("$1"),
            self.bytewise
        );
        Ok(sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(self.reader).await?)
    }

    /// A page (post `id`, when it is one) may not take the address an
    /// imported site's old path redirects from to another post or page:
    /// the page would hide that redirect. Its own old paths are fine.
    pub(super) async fn check_page_address(
        tx: &mut Transaction<'_, DB>,
        slug: &str,
        id: i64,
    ) -> Result<(), AppError> {
        let clash: Option<i64> = sqlx::query_scalar(
            "SELECT h.post_id FROM post_redirects h JOIN posts p ON p.id = $2 \
             WHERE h.path = $1 AND h.post_id <> $2 AND p.kind = 'page'",
        )
        .bind(PostKind::Page.path(slug))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match clash {
            Some(_) => Err(AppError::invalid(
                "slug",
                format!(
                    "/{slug} is an old address of the imported site, which leads readers to another post or page; \
                     choose another address for this page."
                ),
            )),
            None => Ok(()),
        }
    }
}
