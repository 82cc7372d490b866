//! Where imported posts and pages sit here: the old addresses of another
//! site that lead to them (`post_redirects`, answered with 301 by the
//! blog's fallback), imported pages' hierarchy, and the address of a post
//! whose kind changed since an earlier run. Split from `imports`, which
//! writes them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::imports::{ForeignPost, ImportRun};
use super::queries::shared_queries;
use super::sql;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::input::post::Slug;

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
        // Articles have no parent to set: a new one has none, and one that
        // was a page lost its own when its kind changed (`foreign_post`).
        for post in posts.iter().filter(|post| post.kind == PostKind::Page) {
            let Some(&id) = post_ids.get(post.key.as_str()) else {
                continue;
            };
            let parent = match post.parent.as_deref() {
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

    /// Records `post`'s old addresses (`id` here), but none a page here
    /// answers first: `/news` leads nowhere while the page `news` (or a
    /// page that had that slug) holds it, so it is left out, and said.
    pub(super) async fn foreign_old_paths(
        tx: &mut Transaction<'_, DB>,
        run: &mut ImportRun<'_>,
        post: &ForeignPost,
        id: i64,
    ) -> Result<(), AppError> {
        for path in &post.old_paths {
            let segment = path.strip_prefix('/').filter(|rest| !rest.is_empty() && !rest.contains('/'));
            let page: Option<i64> = match segment {
                None => None,
                Some(slug) => sqlx::query_scalar(
                    "SELECT p.id FROM posts p LEFT JOIN post_revisions r ON r.id = p.live_revision_id \
                     WHERE p.kind = 'page' AND p.id <> $2 AND (p.slug = $1 OR r.slug = $1) \
                     UNION SELECT h.post_id FROM post_slug_history h JOIN posts p ON p.id = h.post_id \
                     WHERE p.kind = 'page' AND h.post_id <> $2 AND h.slug = $1",
                )
                .bind(slug)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?,
            };
            if page.is_some() {
                run.note(
                    post,
                    format!("its old address {path} was left out: a page here answers at {path} first"),
                );
                continue;
            }
            Self::redirect(tx, path, id).await?;
            run.tally.redirects += 1;
        }
        Ok(())
    }

    /// `path` leads to post `id` from now on, whichever it led to before.
    async fn redirect(tx: &mut Transaction<'_, DB>, path: &str, id: i64) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO post_redirects (path, post_id) VALUES ($1, $2) \
             ON CONFLICT (path) DO UPDATE SET post_id = excluded.post_id",
        )
        .bind(path)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The slug post `id` (made by an earlier run) takes now that the file
    /// makes it a page where it was an article, or the other way round;
    /// `None` when its kind stays. A WordPress or Ghost user who turned a
    /// post into a page expects the page to work and its old address to
    /// lead there, as it would on the old site: the slug goes through a
    /// page's rules (none of the site's routes, none of another post's
    /// slugs or old paths), and the addresses readers had for it (its
    /// live slug and its old slugs, under its old kind) answer 301 with
    /// it. The report says so, and that a page keeps no tags.
    pub(super) async fn change_kind(
        tx: &mut Transaction<'_, DB>,
        run: &mut ImportRun<'_>,
        id: i64,
        post: &ForeignPost,
    ) -> Result<Option<String>, AppError> {
        let (kind, slug): (String, String) = sqlx::query_as("SELECT kind, slug FROM posts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        let was = PostKind::try_from(kind)?;
        if was == post.kind {
            return Ok(None);
        }
        let moved = match post.kind {
            // An article's rules are looser: every page slug is one.
            PostKind::Post => slug,
            PostKind::Page => {
                let wanted = Slug::parse(&slug).unwrap_or_else(|_| Slug::from_text(&slug)).into_page();
                let taken = Self::taken_slugs(tx, wanted.as_str(), PostKind::Page, id).await?;
                sql::first_free_slug(wanted.as_str(), &taken)
            }
        };
        let live: Option<String> = sqlx::query_scalar(
            "SELECT r.slug FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let old_slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM post_slug_history WHERE post_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
        let mut kept = Vec::new();
        for old in live.iter().chain(&old_slugs) {
            let path = was.path(old);
            Self::redirect(tx, &path, id).await?;
            run.tally.redirects += 1;
            kept.push(path);
        }
        // Its new address is no old address of its own any more.
        sqlx::query("DELETE FROM post_redirects WHERE post_id = $1 AND path = $2")
            .bind(id)
            .bind(post.kind.path(&moved))
            .execute(&mut **tx)
            .await?;
        let now_at = format!(
            "it was {} here and is {} now, at {}",
            article_or_page(was),
            article_or_page(post.kind),
            post.kind.path(&moved)
        );
        run.note(
            post,
            match kept.as_slice() {
                [] => now_at,
                [one] => format!("{now_at}; its old address {one} leads there"),
                many => format!("{now_at}; its old addresses {} lead there", many.join(", ")),
            },
        );
        let tags: Vec<String> = sqlx::query_scalar(
            "SELECT t.name FROM tags t JOIN post_tags pt ON pt.tag_id = t.id WHERE pt.post_id = $1 ORDER BY pt.position",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        if post.kind == PostKind::Page && !tags.is_empty() {
            run.note(post, format!("its tags ({}) were taken off: a page has none", tags.join(", ")));
        }
        Ok(Some(moved))
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

fn article_or_page(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Post => "an article",
        PostKind::Page => "a page",
    }
}
