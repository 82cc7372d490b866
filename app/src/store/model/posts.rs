//! Posts as stored and as the store reads and writes them: the working
//! copy, revisions, comments, notifications, tags, admin lists, public
//! reads, and the saves and status changes the store performs.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::audit::NewAuditEntry;
use crate::content::render::{Rendered, Summary, render_markdown, summarize};
use crate::domain::{PostContent, PostKind, PostStatus};
use crate::input::post::PostEdit;
use crate::store::model::webhooks::EventPayload;

/// A post as stored: the working copy. While it is published or
/// scheduled, readers see `live_revision_id` instead.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Post {
    pub id: i64,
    #[sqlx(flatten)]
    pub content: PostContent,
    pub show_review: bool,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
    pub trashed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The version the reviewer approved.
    pub reviewed_version: Option<i64>,
    pub live_revision_id: Option<i64>,
    /// When the next medical review is due (none before the first review).
    pub review_due_at: Option<DateTime<Utc>>,
    /// An article or a page, from its creation on (an import of the same
    /// item again may correct it: pages used to come in as articles).
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    /// The page a page sits under (its breadcrumb); none for articles.
    pub parent_id: Option<i64>,
}

/// Why a revision was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionKind {
    /// Coalesced: one per person every few minutes.
    Autosave,
    Save,
    Status,
    Restore,
    /// The text became what readers see (published or scheduled).
    Publish,
    /// Written by `vellum import` from another site's export.
    Import,
}

impl RevisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Autosave => "autosave",
            Self::Save => "save",
            Self::Status => "status",
            Self::Restore => "restore",
            Self::Publish => "publish",
            Self::Import => "import",
        }
    }
}

/// A stored revision: a full copy of the post's text at one version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub post_id: i64,
    pub version: i64,
    /// The saver's display name, and their id.
    pub saved_by: String,
    pub saved_by_id: i64,
    pub kind: String,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    #[sqlx(flatten)]
    pub content: PostContent,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub author: String,
    pub author_id: i64,
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub actor: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A post in an admin list, with its authors' names and tags.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub id: i64,
    pub title: String,
    /// The slug of the working text (the live one may differ until an
    /// update is published).
    pub slug: String,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub updated_at: DateTime<Utc>,
    pub publish_at: Option<DateTime<Utc>>,
    pub live_slug: Option<String>,
    /// The title readers see, when there is a live text.
    pub live_title: Option<String>,
    pub latest_request: Option<String>,
    pub review_due_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    #[sqlx(skip)]
    pub authors: Vec<String>,
    #[sqlx(skip)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
}

/// A post on the calendar: scheduled for, or published at, `at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub at: DateTime<Utc>,
}

/// Something that happened to a post, kept for webhooks (the outbox).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub post_id: i64,
    pub created_at: DateTime<Utc>,
}

/// Which public posts a page lists. Empty strings mean "any".
#[derive(Debug, Clone)]
pub struct PublicQuery {
    pub now: DateTime<Utc>,
    pub author_slug: String,
    pub tag_slug: String,
    /// One post, by its live slug.
    pub slug: String,
    /// Only posts whose live text changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// What a reader searched for: matching posts only, best match first,
    /// each with a snippet.
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// Also count every post that matches (the API's pagination, the
    /// search page's "N results"). A count reads every match, so a list
    /// that only needs to know whether there is a next page asks for one
    /// post more than it shows instead.
    pub count_all: bool,
}

impl PublicQuery {
    /// Every public post at `now`, newest first, `limit` from `offset`.
    pub fn newest(now: DateTime<Utc>, limit: i64, offset: i64) -> Self {
        Self {
            now,
            author_slug: String::new(),
            tag_slug: String::new(),
            slug: String::new(),
            updated_since: None,
            search: None,
            limit,
            offset,
            count_all: false,
        }
    }
}

/// A public post as lists, feeds and the API show it: its live text, when
/// it went out, its authors and tags.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicPost {
    pub id: i64,
    #[sqlx(flatten)]
    pub content: PostContent,
    pub published_at: DateTime<Utc>,
    /// When the live text was last replaced.
    pub updated_at: DateTime<Utc>,
    pub live_version: i64,
    pub show_review: bool,
    pub reviewed_version: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewer_name: Option<String>,
    pub reviewer_credentials: Option<String>,
    pub review_due_at: Option<DateTime<Utc>>,
    /// The matching passage, with `store::search::MATCH_START`/`MATCH_END`
    /// around matched words (searches only).
    pub snippet: Option<String>,
    /// The live text's render, stored when it went live; `None` when there
    /// is none of this renderer's version (a preview of a working copy, a
    /// row the backfill has not reached yet). Read it through `render`.
    pub rendered: Option<Rendered>,
    #[sqlx(skip)]
    pub authors: Vec<PublicAuthor>,
    /// (name, slug)
    #[sqlx(skip)]
    pub tags: Vec<(String, String)>,
}

impl PublicPost {
    /// The text as readers get it: the stored render, or one made now.
    pub fn render(&self) -> Cow<'_, Rendered> {
        stored_or_fresh(self.rendered.as_ref(), &self.content.body)
    }

    /// A list card's facts: from the stored render, or from a parse of
    /// the text (cheaper than a whole render) when there is none.
    pub fn summary(&self) -> Summary {
        self.rendered
            .as_ref()
            .map_or_else(|| summarize(&self.content.body), Rendered::summary)
    }

    /// (name, slug) of each author, in byline order.
    pub fn byline(&self) -> Vec<(String, String)> {
        self.authors
            .iter()
            .map(|author| (author.name.clone(), author.slug.clone()))
            .collect()
    }

    /// The medical review readers are told about: only when the post
    /// shows it and the live text is the version that was reviewed.
    pub fn shown_review(&self) -> Option<(String, String, DateTime<Utc>)> {
        if !self.show_review || self.reviewed_version != Some(self.live_version) {
            return None;
        }
        Some((
            self.reviewer_name.clone()?,
            self.reviewer_credentials.clone().unwrap_or_default(),
            self.reviewed_at?,
        ))
    }

    /// When the review readers are told about is due again; none when
    /// they are told of no review.
    pub fn shown_review_due(&self) -> Option<DateTime<Utc>> {
        self.shown_review().and(self.review_due_at)
    }
}

/// `stored`, or a render of `markdown` made now: what a live text's
/// readers get whether or not its render was stored yet.
pub fn stored_or_fresh<'a>(stored: Option<&'a Rendered>, markdown: &str) -> Cow<'a, Rendered> {
    match stored {
        Some(rendered) => Cow::Borrowed(rendered),
        None => Cow::Owned(render_markdown(markdown)),
    }
}

/// An author of public posts, or a tag on them, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCount<T> {
    pub item: T,
    pub posts: i64,
}

/// An author as readers see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAuthor {
    pub name: String,
    pub slug: String,
    pub credentials: String,
    pub bio: String,
    pub avatar_url: String,
}

/// A tag and how many posts carry it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagUse {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub posts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    #[default]
    RecentlyChanged,
    OldestFirst,
    /// The review due first, first.
    ReviewDue,
}

/// Which posts a list shows. Empty strings and zeros mean "any".
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub status: Option<PostStatus>,
    pub author_id: Option<i64>,
    pub tag_slug: Option<String>,
    pub title_contains: Option<String>,
    /// Authors see only posts they are an author of.
    pub visible_to_author: Option<i64>,
    /// `title_contains` looks at the title readers see (the live one)
    /// where there is one, not at a pending update's.
    pub match_live_title: bool,
    /// Only published posts whose next medical review is due by then
    /// (overdue ones included).
    pub review_due_by: Option<DateTime<Utc>>,
    /// Only articles, or only pages.
    pub kind: Option<PostKind>,
    pub order: ListOrder,
    pub limit: i64,
}

/// A save as the store performs it.
#[derive(Debug, Clone)]
pub struct SaveRequest<'a> {
    pub id: i64,
    pub expected_version: i64,
    /// The statuses in which this caller may change the text; repeated in
    /// the SQL `WHERE` so a status change in between wins.
    pub editable: &'a [PostStatus],
    pub edit: &'a PostEdit,
    pub saved_by: i64,
    pub kind: RevisionKind,
    pub at: DateTime<Utc>,
}

/// What happens to the text readers see in a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveText {
    Keep,
    /// The current text becomes the live one (publish, schedule, publish
    /// an update).
    FromCurrent,
    /// Readers no longer see the post.
    Withdraw,
}

/// Who hears about a status change in the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    Nobody,
    /// Every active editor and admin but the actor.
    Editors(NotificationKind),
    /// The post's authors but the actor.
    Authors(NotificationKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Submitted,
    ChangesRequested,
    /// A reviewer signed the post off.
    Approved,
    Published,
    /// Someone commented on a post the recipient wrote or reviewed.
    Comment,
    /// A post the recipient reviewed is due for its next review.
    ReviewDue,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Published => "published",
            Self::Comment => "comment",
            Self::ReviewDue => "review_due",
        }
    }
}

/// A status change as the store performs it, in one transaction: the
/// status moves only if it is still `from` at `expected_version`.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub id: i64,
    pub expected_version: i64,
    pub from: PostStatus,
    pub to: PostStatus,
    pub actor_id: i64,
    pub at: DateTime<Utc>,
    pub live: LiveText,
    /// Records the actor as the medical reviewer.
    pub reviewed: bool,
    /// With `reviewed`: when the next review is due.
    pub review_due_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
    pub comment: Option<(&'static str, String)>,
    pub notify: Notify,
    pub audit: NewAuditEntry,
    /// The body of each webhook delivery this change queues.
    pub payload: EventPayload,
}

impl StatusChange {
    /// What front ends and webhooks hear about this change to a post of
    /// `kind` (the outbox): `post.*` for articles, `page.*` for pages.
    pub fn events(&self, kind: PostKind) -> Vec<&'static str> {
        let events = self.post_events();
        match kind {
            PostKind::Post => events,
            PostKind::Page => events.into_iter().filter_map(page_event).collect(),
        }
    }

    fn post_events(&self) -> Vec<&'static str> {
        use PostStatus::{Published, Scheduled, Trashed};
        match (self.from, self.to) {
            (Published, Published) => vec!["post.updated"],
            (_, Published) => vec!["post.published"],
            (_, Scheduled) => vec!["post.scheduled"],
            (Published, Trashed) => vec!["post.unpublished", "post.trashed"],
            (_, Trashed) => vec!["post.trashed"],
            (Published, _) => vec!["post.unpublished"],
            _ => Vec::new(),
        }
    }
}

/// A page's name for an article's event. Pages have no schedule readers
/// follow (no feed, no list), so `post.scheduled` has no page event; a
/// page moved to the trash is gone for readers: `page.deleted`.
pub fn page_event(post_event: &'static str) -> Option<&'static str> {
    match post_event {
        "post.published" => Some("page.published"),
        "post.updated" => Some("page.updated"),
        "post.unpublished" => Some("page.unpublished"),
        "post.trashed" => Some("page.deleted"),
        _ => None,
    }
}

/// A second look at a published post's live text, as the store performs
/// it in one transaction, only while the post is published with a live
/// text (the rule is in the SQL `WHERE`). No revision is written: the
/// text does not change.
#[derive(Debug, Clone)]
pub struct ReReviewChange {
    pub id: i64,
    pub reviewer_id: i64,
    pub at: DateTime<Utc>,
    pub outcome: ReviewVerdict,
    pub audit: NewAuditEntry,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewVerdict {
    /// The live text is still correct: the reviewer, the time and the
    /// live version become the post's review, due again at `due_at`.
    Confirmed {
        due_at: DateTime<Utc>,
        comment: Option<String>,
    },
    /// The live text needs changes: a `changes_requested` comment, and
    /// the authors are told. Readers keep the live text and its review,
    /// which stays due.
    SentBack { comment: String },
}

/// A reviewer's own date for a post's next review.
#[derive(Debug, Clone)]
pub struct ReviewDueChange {
    pub id: i64,
    pub due_at: DateTime<Utc>,
    pub audit: NewAuditEntry,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditAction;

    fn change(from: PostStatus, to: PostStatus) -> StatusChange {
        StatusChange {
            id: 1,
            expected_version: 1,
            from,
            to,
            actor_id: 1,
            at: Utc::now(),
            live: LiveText::Keep,
            reviewed: false,
            review_due_at: None,
            publish_at: None,
            comment: None,
            notify: Notify::Nobody,
            audit: NewAuditEntry::new(AuditAction::PostPublished, None, None),
            payload: |_| String::new(),
        }
    }

    #[test]
    fn each_change_readers_notice_is_one_event() {
        use PostStatus::*;
        let cases: [(PostStatus, PostStatus, &[&str]); 9] = [
            (Approved, Published, &["post.published"]),
            (Scheduled, Published, &["post.published"]),
            (Published, Published, &["post.updated"]),
            (Approved, Scheduled, &["post.scheduled"]),
            (Scheduled, Scheduled, &["post.scheduled"]),
            (Published, Draft, &["post.unpublished"]),
            (Published, Trashed, &["post.unpublished", "post.trashed"]),
            (Draft, Trashed, &["post.trashed"]),
            (Draft, InReview, &[]),
        ];
        for (from, to, expected) in cases {
            assert_eq!(change(from, to).events(PostKind::Post), expected, "{from:?} → {to:?}");
        }
        let page = |from, to| change(from, to).events(PostKind::Page);
        assert_eq!(page(Approved, Published), ["page.published"]);
        assert_eq!(page(Published, Published), ["page.updated"]);
        assert_eq!(page(Published, Trashed), ["page.unpublished", "page.deleted"]);
        assert!(page(Approved, Scheduled).is_empty(), "no page event for a schedule");
    }
}
