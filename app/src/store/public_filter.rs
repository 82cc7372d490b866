//! The filters of public lists, and where a page of one starts. A list's
//! query has only the conditions in use, so that each can use its index;
//! a deep page of a dated list starts from a remembered mark
//! (`list_marks`) instead of stepping over every newer post.

use chrono::{DateTime, Utc};

use super::list_marks::{Found, Mark, STRIDE};
use super::queries::shared_queries;
use super::search::SearchSql;
use super::sql;
use crate::error::AppError;
use crate::store::model::posts::PublicQuery;

/// A value bound to a numbered placeholder of a public query.
#[derive(Debug, Clone)]
pub(super) enum Param {
    Time(DateTime<Utc>),
    Text(String),
    Id(i64),
}

/// Binds `Param`s in order, whatever the query type.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::store::public_filter::Param::Time(at) => query.bind(*at),
                $crate::store::public_filter::Param::Text(text) => query.bind(text.as_str()),
                $crate::store::public_filter::Param::Id(id) => query.bind(*id),
            };
        }
        query
    }};
}
pub(super) use bind_params;

/// Joins the text readers see, for filters on it.
const LIVE_REVISION: &str = "JOIN post_revisions r ON r.id = p.live_revision_id";

/// The public order: when a post went (or goes) out, newest first.
pub(super) const NEWEST_FIRST: &str = "COALESCE(p.published_at, p.publish_at) DESC, p.id DESC";

/// What `public_filter` builds: the conditions in use and their values.
#[derive(Debug, Clone)]
pub(super) struct PublicFilter {
    conditions: Vec<String>,
    pub(super) params: Vec<Param>,
    joins: Vec<&'static str>,
    /// The search text's placeholder, for ranking.
    pub(super) search_param: Option<String>,
    pub(super) search_text: Option<String>,
    pub(super) from_where: String,
}

impl PublicFilter {
    /// Adds a condition; `{}` in it becomes the value's placeholder, which
    /// is returned.
    fn add(&mut self, template: &str, param: Param) -> String {
        self.params.push(param);
        let placeholder = format!("${}", self.params.len());
        self.conditions.push(template.replace("{}", &placeholder));
        placeholder
    }

    /// Writes `from_where` from the conditions.
    fn finish(&mut self) {
        self.from_where = format!(
            "FROM posts p {} WHERE {}",
            self.joins.join(" "),
            self.conditions.join(" AND ")
        );
    }

    /// Only the posts at `mark` and after it in the public order. The
    /// first condition lets the index seek to the mark; the second breaks
    /// ties between posts of the same instant.
    pub(super) fn starting_at(&self, (at, id): Mark) -> Self {
        let mut sought = self.clone();
        sought.params.push(Param::Time(at));
        sought.params.push(Param::Id(id));
        let (at, id) = (sought.params.len() - 1, sought.params.len());
        let when = "COALESCE(p.published_at, p.publish_at)";
        sought
            .conditions
            .push(format!("{when} <= ${at} AND ({when} < ${at} OR p.id <= ${id})"));
        sought.finish();
        sought
    }

    /// Names the list: the same conditions with the same values (but the
    /// time, the same for every request of a moment) are the same list.
    fn list_key(&self) -> String {
        format!("{}{:?}", self.from_where, &self.params[1..])
    }
}

/// Where a page of a list starts.
pub(super) enum PageStart {
    /// At its offset from the top.
    Top,
    /// At its offset minus `position`, from the post at `position`.
    Mark(i64, Mark),
    /// Past the list's end: the page is empty.
    PastTheEnd,
}

shared_queries! {
    /// The FROM and WHERE of a public query with only the filters in use,
    /// so that each can use its index; `None` when a search has no words.
    pub(super) fn public_filter(&self, query: &PublicQuery) -> Option<PublicFilter> {
        if [&query.author_slug, &query.tag_slug, &query.slug]
            .into_iter()
            .any(|text| sql::cannot_match(text))
        {
            return None;
        }
        let mut filter = PublicFilter {
            conditions: vec![sql::public_at("$1")],
            params: vec![Param::Time(query.now)],
            joins: Vec::new(),
            search_param: None,
            search_text: None,
            from_where: String::new(),
        };
        let by_author = "EXISTS (SELECT 1 FROM post_authors a JOIN users u ON u.id = a.user_id \
                         WHERE a.post_id = p.id AND u.slug = {})";
        let by_tag = "EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
                      WHERE pt.post_id = p.id AND t.slug = {})";
        if !query.author_slug.is_empty() {
            filter.add(by_author, Param::Text(query.author_slug.clone()));
        }
        if !query.tag_slug.is_empty() {
            filter.add(by_tag, Param::Text(query.tag_slug.clone()));
        }
        if !query.slug.is_empty() {
            filter.add("r.slug = {}", Param::Text(query.slug.clone()));
            filter.joins.push(LIVE_REVISION);
        }
        if let Some(since) = query.updated_since {
            filter.add("r.created_at >= {}", Param::Time(since));
            filter.joins.push(LIVE_REVISION);
        }
        if let Some(raw) = &query.search {
            let text = (self.search.prepare)(raw)?;
            let placeholder = filter.add(&SearchSql::with(self.search.matches, "{}"), Param::Text(text.clone()));
            filter.joins.push(self.search.join);
            filter.search_param = Some(placeholder);
            filter.search_text = Some(text);
        }
        filter.joins.dedup();
        filter.finish();
        Some(filter)
    }

    /// Where the page at `query.offset` of `filter`'s list starts: from
    /// the top for the first pages and for searches (ranked, not dated),
    /// otherwise from the mark `STRIDE` entries apart at or before it,
    /// found once (by stepping from the nearest mark found before, or from
    /// the top) and remembered while the list stays as it is.
    pub(super) async fn page_start(&self, filter: &PublicFilter, query: &PublicQuery) -> Result<PageStart, AppError> {
        let target = query.offset / STRIDE * STRIDE;
        if target == 0 || filter.search_text.is_some() {
            return Ok(PageStart::Top);
        }
        let list = filter.list_key();
        // Read before the list: a change committed meanwhile makes what is
        // found now belong to a version already over.
        let version = self.changes.version();
        let from = self.list_marks.nearest(&list, version, query.now, target);
        if let Some((position, mark)) = from.filter(|(position, _)| *position == target) {
            return Ok(PageStart::Mark(position, mark));
        }
        let until = if self.list_marks.hold(&list, version, query.now) {
            None
        } else {
            self.next_scheduled_after(query.now).await?
        };
        let (sought, step) = match from {
            Some((position, mark)) => (filter.starting_at(mark), target - position),
            None => (filter.clone(), target),
        };
        let sql = format!("SELECT p.id {} ORDER BY {NEWEST_FIRST} LIMIT 1 OFFSET {step}", sought.from_where);
        let found: Option<i64> = bind_params!(sqlx::query_scalar(&sql), &sought.params)
            .fetch_optional(self.reader)
            .await?;
        let Some(id) = found else {
            return Ok(PageStart::PastTheEnd);
        };
        let at: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT COALESCE(published_at, publish_at) FROM posts WHERE id = $1")
            .bind(id)
            .fetch_one(self.reader)
            .await?;
        let Some(at) = at else { return Ok(PageStart::Top) };
        let found = Found { version, now: query.now, until };
        self.list_marks.remember(&list, found, target, (at, id));
        Ok(PageStart::Mark(target, (at, id)))
    }

    /// How many posts `filter`'s list has: counted once (a count reads
    /// every entry), then remembered with the list's marks while the list
    /// stays as it is. Searches are counted each time.
    pub(super) async fn list_total(&self, filter: &PublicFilter, now: DateTime<Utc>) -> Result<i64, AppError> {
        let count = || async {
            let count_sql = format!("SELECT count(*) {}", filter.from_where);
            let count: i64 = bind_params!(sqlx::query_scalar(&count_sql), &filter.params)
                .fetch_one(self.reader)
                .await?;
            Ok::<i64, AppError>(count)
        };
        if filter.search_text.is_some() {
            return count().await;
        }
        let list = filter.list_key();
        let version = self.changes.version();
        if let Some(total) = self.list_marks.total(&list, version, now) {
            return Ok(total);
        }
        let until = self.next_scheduled_after(now).await?;
        let total = count().await?;
        self.list_marks.remember_total(&list, Found { version, now, until }, total);
        Ok(total)
    }

    /// The next time after `now` that a scheduled post joins the lists.
    async fn next_scheduled_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT min(publish_at) FROM posts WHERE status = 'scheduled' AND kind = 'post' AND publish_at > $1",
        )
        .bind(now)
        .fetch_one(self.reader)
        .await?)
    }
}
