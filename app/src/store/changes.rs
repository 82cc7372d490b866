//! What committed changes touched, as readers see it. Every write that
//! changes a public page records one `PublicChange`; the public cache
//! reads the log to drop or re-render only the pages a change touched,
//! and on PostgreSQL the change travels to the other instances in the
//! transaction's NOTIFY.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Transaction;

use super::queries::shared_queries;
use crate::error::AppError;

/// What one committed change touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublicChange {
    /// Settings, menus, media, imports, a removed post: anything readers
    /// see may differ, so nothing rendered before may be served.
    Everything,
    /// Posts or pages that stay public changed: their own addresses, the
    /// pages of their tags and authors, and every list.
    Posts(Touched),
}

/// The addresses a change to live posts touched, before and after it
/// (a renamed slug or a removed tag touches the old one too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    /// Slugs, and ids as text (the API finds a post by either).
    pub posts: Vec<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    /// Whether a menu item names one of them (menus are on every page).
    #[serde(default)]
    pub menus: bool,
}

impl Touched {
    /// What readers must be told: everything when menus change.
    pub fn into_change(self) -> PublicChange {
        if self.menus {
            PublicChange::Everything
        } else {
            PublicChange::Posts(self)
        }
    }

    pub fn merge(&mut self, other: Touched) {
        self.menus |= other.menus;
        for (mine, theirs) in [
            (&mut self.posts, other.posts),
            (&mut self.tags, other.tags),
            (&mut self.authors, other.authors),
        ] {
            for item in theirs {
                if !mine.contains(&item) {
                    mine.push(item);
                }
            }
        }
    }
}

/// At most this many posts are named in one change read from the
/// clock; more make it a change of everything.
const MAX_NAMED: usize = 100;

shared_queries! {
    /// What the passing of time touched from `since` to `until`: posts
    /// scheduled in that span, and reviews readers are shown falling due.
    pub async fn touched_between(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Touched, AppError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM posts WHERE (publish_at >= $1 AND publish_at <= $2) \
             OR (review_due_at >= $1 AND review_due_at <= $2)",
        )
        .bind(since)
        .bind(until)
        .fetch_all(self.reader)
        .await?;
        let mut touched = Touched { menus: ids.len() > MAX_NAMED, ..Touched::default() };
        let mut tx = self.reader.begin().await?;
        for id in ids.iter().take(MAX_NAMED) {
            touched.merge(Self::touched_by(&mut tx, *id).await?);
        }
        tx.rollback().await?;
        Ok(touched)
    }

    /// The addresses readers know post `id` by, read inside a write's
    /// transaction: its slug (its live text's too) and id, and its tags'
    /// and authors' slugs.
    pub(crate) async fn touched_by(tx: &mut Transaction<'_, DB>, id: i64) -> Result<Touched, AppError> {
        let slugs: Option<(String, String)> = sqlx::query_as(
            "SELECT p.slug, COALESCE(r.slug, p.slug) FROM posts p \
             LEFT JOIN post_revisions r ON r.id = p.live_revision_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let tags: Vec<String> =
            sqlx::query_scalar("SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id WHERE pt.post_id = $1")
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
        let authors: Vec<String> = sqlx::query_scalar(
            "SELECT u.slug FROM users u JOIN post_authors pa ON pa.user_id = u.id WHERE pa.post_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        // A page's children show its title and address (the API's
        // `parent`); old slugs still answer, and menus may name them.
        let related: Vec<String> = sqlx::query_scalar(
            "SELECT slug FROM posts WHERE parent_id = $1 UNION SELECT slug FROM post_slug_history WHERE post_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let mut touched = Touched { posts: vec![id.to_string()], tags, authors, menus: false };
        if let Some((slug, live_slug)) = slugs {
            touched.merge(Touched { posts: vec![slug, live_slug], ..Touched::default() });
        }
        touched.merge(Touched { posts: related, ..Touched::default() });
        // A menu item shows only while what it names is public: a change
        // to such a post, tag or author changes every page's menus.
        let items: Vec<(String, String)> = sqlx::query_as("SELECT kind, target FROM menu_items")
            .fetch_all(&mut **tx)
            .await?;
        touched.menus = items.iter().any(|(kind, target)| {
            let names = match kind.as_str() {
                "post" | "page" => &touched.posts,
                "tag" => &touched.tags,
                "author" => &touched.authors,
                _ => return false,
            };
            names.contains(target)
        });
        Ok(touched)
    }
}

/// How many recent changes are remembered; a cache further behind than
/// this starts afresh.
const REMEMBERED: usize = 1024;

/// Counts changes and remembers the recent ones. The count (the public
/// version) moves after the change committed, so a page rendered after a
/// reader saw the new count shows the change.
#[derive(Debug, Default)]
pub struct ChangeLog {
    version: AtomicU64,
    recent: Mutex<VecDeque<(u64, PublicChange)>>,
}

impl ChangeLog {
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// Records a committed change; returns the new version.
    pub fn record(&self, change: PublicChange) -> u64 {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        // Under the lock, so that versions enter the log in order.
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back((version, change));
        version
    }

    /// The changes after `version` up to `until`, oldest first; `None`
    /// when some are no longer remembered.
    pub fn since(&self, version: u64, until: u64) -> Option<Vec<PublicChange>> {
        if until <= version {
            return Some(Vec::new());
        }
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let oldest = recent.front().map_or(u64::MAX, |(first, _)| *first);
        if oldest > version + 1 {
            return None;
        }
        Some(
            recent
                .iter()
                .filter(|(at, _)| *at > version && *at <= until)
                .map(|(_, change)| change.clone())
                .collect(),
        )
    }
}

/// Records a change when dropped: `Everything` unless `settle` says
/// what committed (or that nothing did).
pub struct RecordOnDrop<'a> {
    log: &'a ChangeLog,
    change: Option<PublicChange>,
}

impl<'a> RecordOnDrop<'a> {
    pub fn new(log: &'a ChangeLog, changes_something: bool) -> Self {
        Self {
            log,
            change: changes_something.then_some(PublicChange::Everything),
        }
    }

    pub fn settle(&mut self, committed: Option<PublicChange>) {
        self.change = committed;
    }
}

impl Drop for RecordOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(change) = self.change.take() {
            self.log.record(change);
        }
    }
}

/// The NOTIFY payload: the announcing instance and its change. Payloads
/// are limited to 8000 bytes; a change too large to describe is sent as
/// `Everything`.
pub fn notification(instance: &str, change: &PublicChange) -> String {
    let encode = |change: &PublicChange| serde_json::json!({ "from": instance, "change": change }).to_string();
    let payload = encode(change);
    if payload.len() < 7_900 {
        payload
    } else {
        encode(&PublicChange::Everything)
    }
}

/// Reads a payload: who sent it and what changed. A payload that does not
/// read (an older instance's) counts as a change of everything.
pub fn read_notification(payload: &str) -> (String, PublicChange) {
    #[derive(Deserialize)]
    struct Payload {
        from: String,
        change: PublicChange,
    }
    match serde_json::from_str::<Payload>(payload) {
        Ok(Payload { from, change }) => (from, change),
        Err(_) => (payload.to_owned(), PublicChange::Everything),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(slug: &str) -> PublicChange {
        PublicChange::Posts(Touched {
            posts: vec![slug.to_owned()],
            ..Touched::default()
        })
    }

    #[test]
    fn the_log_hands_out_what_came_after_a_version() {
        let log = ChangeLog::default();
        assert_eq!(log.record(post("a")), 1);
        assert_eq!(log.record(PublicChange::Everything), 2);
        assert_eq!(log.since(0, 2), Some(vec![post("a"), PublicChange::Everything]));
        assert_eq!(log.since(1, 2), Some(vec![PublicChange::Everything]));
        assert_eq!(log.since(2, 2), Some(vec![]));
    }

    #[test]
    fn a_reader_too_far_behind_is_told_to_start_afresh() {
        let log = ChangeLog::default();
        for n in 0..REMEMBERED + 5 {
            log.record(post(&n.to_string()));
        }
        assert_eq!(log.since(0, log.version()), None);
        assert_eq!(
            log.since(log.version() - 3, log.version()).map(|changes| changes.len()),
            Some(3)
        );
    }

    #[test]
    fn notifications_round_trip_and_fall_back_to_everything() {
        let change = post("flu-season");
        assert_eq!(
            read_notification(&notification("me", &change)),
            ("me".to_owned(), change)
        );
        let huge = PublicChange::Posts(Touched {
            posts: (0..2_000).map(|n| format!("post-{n}")).collect(),
            ..Touched::default()
        });
        assert_eq!(
            read_notification(&notification("me", &huge)).1,
            PublicChange::Everything
        );
        assert_eq!(
            read_notification("an-old-instance"),
            ("an-old-instance".to_owned(), PublicChange::Everything)
        );
    }
}
