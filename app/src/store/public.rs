//! What readers see, shared by both databases: public posts (a page,
//! related ones, neighbours), their authors and tags, old addresses'
//! redirects and the outbox of events front ends follow. Every read is of
//! the live text at a given instant, never the working copy.

use chrono::{DateTime, Utc};

use super::public_filter::{NEWEST_FIRST, PageStart, bind_params};
use super::queries::shared_queries;
use super::search::SearchSql;
use super::sql;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::store::model::accounts::User;
use crate::store::model::posts::{Event, PublicAuthor, PublicCount, PublicPost, PublicQuery, Tag};

/// How many of a post's tags (its first) related articles are looked for
/// under, and how many of each tag's newest posts are candidates.
const RELATED_TAGS: i64 = 10;
const RELATED_PER_TAG: i64 = 100;

shared_queries! {
    /// The current public slug of the post (or page: `kind`) that had
    /// `old_slug` before.
    pub async fn slug_redirect(
        &self,
        kind: PostKind,
        old_slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, AppError> {
        if sql::cannot_match(old_slug) {
            return Ok(None);
        }
        let public = match kind {
            PostKind::Post => sql::public_at("$2"),
            PostKind::Page => sql::public_page_at("$2"),
        };
        let sql = format!(
            "SELECT r.slug FROM post_slug_history h JOIN posts p ON p.id = h.post_id \
             JOIN post_revisions r ON r.id = p.live_revision_id WHERE h.slug = $1 AND {public}"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(old_slug)
            .bind(now)
            .fetch_optional(self.reader)
            .await?)
    }

    /// A page of public posts, and how many there are in all when asked.
    /// Two steps: the page's ids, sorted and cut without touching the
    /// posts' text, then the text of those few posts (with search snippets
    /// for those only) and their stored renders.
    pub async fn public_posts(&self, query: &PublicQuery) -> Result<(Vec<PublicPost>, Option<i64>), AppError> {
        let Some(filter) = self.public_filter(query) else {
            // Nothing searchable was typed: nothing matches.
            return Ok((Vec::new(), query.count_all.then_some(0)));
        };
        let rank = filter
            .search_param
            .as_ref()
            .map(|param| format!("{}, ", SearchSql::with(self.search.rank, param)))
            .unwrap_or_default();
        let (page, offset) = match self.page_start(&filter, query).await? {
            PageStart::Top => (filter.clone(), query.offset),
            PageStart::Mark(position, mark) => (filter.starting_at(mark), query.offset - position),
            PageStart::PastTheEnd => (filter.clone(), -1),
        };
        let ids: Vec<i64> = if offset < 0 {
            Vec::new()
        } else {
            let next = page.params.len();
            let ids_sql = format!(
                "SELECT p.id {from} ORDER BY {rank}{NEWEST_FIRST} LIMIT ${} OFFSET ${}",
                next + 1,
                next + 2,
                from = page.from_where,
            );
            bind_params!(sqlx::query_scalar(&ids_sql), &page.params)
                .bind(query.limit)
                .bind(offset)
                .fetch_all(self.reader)
                .await?
        };
        let total = if !query.count_all {
            None
        } else if query.slug.is_empty() {
            Some(self.list_total(&filter, query.now).await?)
        } else {
            Some(i64::try_from(ids.len()).unwrap_or(0))
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
             p.review_due_at, {snippet} AS snippet, {rendered} FROM posts p \
             JOIN post_revisions r ON r.id = p.live_revision_id \
             LEFT JOIN users rv ON rv.id = p.reviewed_by {join} WHERE p.id IN ({placeholders}) {matches}",
            rendered = sql::stored_render("r"),
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

    /// The next time after `now` that a scheduled post becomes public or a
    /// review readers are shown falls due: until then, what readers see
    /// changes only through a write. A review readers are not shown (a
    /// hidden one, or one of an older text) changes nothing when it lapses.
    pub async fn next_public_change_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        let sql = format!(
            "SELECT at FROM (SELECT publish_at AS at FROM posts WHERE status = 'scheduled' AND publish_at > $1 \
             UNION ALL SELECT p.review_due_at AS at FROM posts p \
             WHERE p.status IN ('published', 'scheduled') AND p.show_review = TRUE AND {} \
             AND p.review_due_at > $1) AS upcoming ORDER BY at LIMIT 1",
            sql::review_stands("p")
        );
        let next: Option<DateTime<Utc>> = sqlx::query_scalar(&sql).bind(now).fetch_optional(self.reader).await?;
        Ok(next)
    }

    /// Every public post's slug and last change, newest first, for the
    /// sitemap: two columns, where a listing reads whole posts.
    pub async fn public_slugs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, DateTime<Utc>)>, AppError> {
        let sql = format!(
            "SELECT r.slug, r.created_at FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE {public} ORDER BY COALESCE(p.published_at, p.publish_at) DESC, p.id DESC LIMIT $2",
            public = sql::public_at("$1")
        );
        Ok(sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(self.reader).await?)
    }

    /// Up to `limit` public posts sharing the most tags with post `id`
    /// (newest first among equals), as (title, slug). Bounded whatever the
    /// site's size: the candidates are the `RELATED_PER_TAG` newest posts
    /// (by id, the order of the tag's index) of each of the post's first
    /// `RELATED_TAGS` tags, of which the public ones count, so a tag on
    /// thousands of posts costs an index read of a hundred, not a count of
    /// thousands. Only the chosen few are read with their text's title.
    pub async fn related_posts(&self, id: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, String)>, AppError> {
        let tags: Vec<i64> =
            sqlx::query_scalar("SELECT tag_id FROM post_tags WHERE post_id = $1 ORDER BY position LIMIT $2")
                .bind(id)
                .bind(RELATED_TAGS)
                .fetch_all(self.reader)
                .await?;
        if tags.is_empty() {
            return Ok(Vec::new());
        }
        let candidates: Vec<String> = (0..tags.len())
            .map(|n| {
                format!(
                    "SELECT * FROM (SELECT post_id FROM post_tags WHERE tag_id = ${tag} AND post_id <> $2 \
                     ORDER BY post_id DESC LIMIT {RELATED_PER_TAG}) AS t{n}",
                    tag = n + 4
                )
            })
            .collect();
        let sql = format!(
            "SELECT r.title, r.slug FROM (SELECT p.id, p.live_revision_id, c.shared, \
             COALESCE(p.published_at, p.publish_at) AS at FROM (SELECT post_id, count(*) AS shared \
             FROM ({candidates}) AS c GROUP BY post_id) AS c JOIN posts p ON p.id = c.post_id WHERE {public} \
             ORDER BY c.shared DESC, at DESC, p.id DESC LIMIT $3) AS best \
             JOIN post_revisions r ON r.id = best.live_revision_id ORDER BY best.shared DESC, best.at DESC, best.id DESC",
            candidates = candidates.join(" UNION ALL "),
            public = sql::public_at("$1"),
        );
        let mut query = sqlx::query_as(&sql).bind(now).bind(id).bind(limit);
        for tag in tags {
            query = query.bind(tag);
        }
        Ok(query.fetch_all(self.reader).await?)
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

    /// The author with `slug`, if a public post is theirs: one post
    /// found is enough, where `public_authors` counts them all.
    pub async fn public_author(&self, now: DateTime<Utc>, slug: &str) -> Result<Option<PublicAuthor>, AppError> {
        if sql::cannot_match(slug) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT u.display_name, u.slug, u.credentials, u.bio, u.avatar_url FROM users u WHERE u.slug = $2 \
             AND EXISTS (SELECT 1 FROM post_authors a JOIN posts p ON p.id = a.post_id WHERE a.user_id = u.id AND {})",
            sql::public_at("$1")
        );
        let row: Option<(String, String, String, String, String)> =
            sqlx::query_as(&sql).bind(now).bind(slug).fetch_optional(self.reader).await?;
        Ok(row.map(|(name, slug, credentials, bio, avatar_url)| PublicAuthor {
            name,
            slug,
            credentials,
            bio,
            avatar_url,
        }))
    }

    /// The slugs of the tags and of the authors that have a public post,
    /// by name (the sitemap's): one post found each, not a count.
    pub async fn public_tag_and_author_slugs(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<String>, Vec<String>), AppError> {
        let public = sql::public_at("$1");
        let tags = format!(
            "SELECT t.slug FROM tags t WHERE EXISTS (SELECT 1 FROM post_tags pt JOIN posts p ON p.id = pt.post_id \
             WHERE pt.tag_id = t.id AND {public}) ORDER BY t.name, t.id"
        );
        let authors = format!(
            "SELECT u.slug FROM users u WHERE EXISTS (SELECT 1 FROM post_authors a JOIN posts p ON p.id = a.post_id \
             WHERE a.user_id = u.id AND {public}) ORDER BY u.display_name, u.id"
        );
        Ok((
            sqlx::query_scalar(&tags).bind(now).fetch_all(self.reader).await?,
            sqlx::query_scalar(&authors).bind(now).fetch_all(self.reader).await?,
        ))
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
}
