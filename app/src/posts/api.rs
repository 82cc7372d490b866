//! The posts' server functions and the types they exchange. Every
//! function that needs a signed-in caller checks it on its first line.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::workflow::{PostStatus, Transition};
use crate::accounts::Role;
use crate::domain::{PostFields, PostKind};
use crate::error::AppError;

/// A person named on a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// A post as the admin edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: i64,
    /// An article or a page: the editor shows which, and a page has no
    /// tags.
    pub kind: PostKind,
    /// The page a page sits under: its id and title.
    pub parent: Option<(i64, String)>,
    /// What the editor edits and saves (flat in the JSON).
    #[serde(flatten)]
    pub fields: PostFields,
    /// The authors by name, in the order of `fields.author_ids`.
    pub authors: Vec<Person>,
    pub status: PostStatus,
    /// The version a save must name; it goes up with every save.
    pub version: i64,
    /// Times as the site shows them, in its time zone.
    pub updated_at: String,
    pub published_at: Option<String>,
    pub publish_at: Option<String>,
    /// "in 3 hours": how far away the scheduled time is.
    pub publish_in: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// When the next medical review is due, as the site shows dates, and
    /// as `YYYY-MM-DD` (the site's zone) for the date field.
    pub review_due: Option<String>,
    pub review_due_on: Option<String>,
    /// The due date has passed.
    pub review_overdue: bool,
    /// Published (or scheduled) and edited since: readers still see the
    /// approved text until an editor publishes the update.
    pub pending_update: bool,
    /// Where readers find it, while it is live.
    pub public_path: Option<String>,
}

/// What the editor page needs: the post, what the caller may do with it,
/// and the review thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorData {
    pub post: PostView,
    pub can_edit: bool,
    /// The status changes the caller may make now.
    pub transitions: Vec<Transition>,
    pub can_publish_update: bool,
    /// The caller may confirm the live text's review again, or send the
    /// post back to its authors (see `workflow::may_re_review`).
    pub can_re_review: bool,
    /// The caller may choose when the next review is due.
    pub can_date_review: bool,
    pub comments: Vec<CommentView>,
    /// Active staff, for the authors field.
    pub people: Vec<Person>,
    pub viewer_id: i64,
    pub viewer_role: Role,
    /// The site's language, for the spellcheck.
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: i64,
    pub author: String,
    /// `comment`, `changes_requested`, `approved` or `review_confirmed`.
    pub kind: String,
    pub body: String,
    pub at: String,
}

/// A post in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSummary {
    pub id: i64,
    pub kind: PostKind,
    pub title: String,
    pub status: PostStatus,
    pub authors: String,
    pub tags: String,
    pub updated_at: String,
    pub publish_at: Option<String>,
    pub publish_in: Option<String>,
    /// For posts sent back: the editor's latest request.
    pub latest_request: Option<String>,
    pub public_path: Option<String>,
    /// For published reviewed posts: when the next review is due (the
    /// site's date format), and whether that date has passed.
    pub review_due: Option<String>,
    pub review_overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub my_drafts: Vec<PostSummary>,
    pub waiting_for_review: Vec<PostSummary>,
    pub changes_requested: Vec<PostSummary>,
    pub scheduled: Vec<PostSummary>,
    pub recently_published: Vec<PostSummary>,
    /// Published reviewed posts due for review within 30 days, and
    /// overdue ones; the one due first, first.
    pub due_for_review: Vec<PostSummary>,
}

/// What a reviewer decides on a second look at a published post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReReviewOutcome {
    /// The live text is still correct: a new review, without a new text.
    Confirm,
    /// The text needs changes: the authors get the comment; readers keep
    /// the live text.
    SendBack,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionView {
    pub id: i64,
    pub version: i64,
    pub saved_by: String,
    /// `autosave`, `save`, `status`, `restore` or `publish`.
    pub kind: String,
    pub status: PostStatus,
    pub at: String,
    /// What readers see now.
    pub live: bool,
}

/// The difference between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffView {
    pub from: RevisionView,
    pub to: RevisionView,
    /// Fields other than the body that differ: (field, before, after).
    pub fields: Vec<(String, String, String)>,
    pub body: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// `+` added, `-` removed, ` ` unchanged.
    pub sign: char,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub post_id: i64,
    pub message: String,
    pub at: String,
    pub read: bool,
}

/// A month of scheduled and published posts, in the site's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarView {
    /// `2026-12`
    pub month: String,
    /// "December 2026"
    pub title: String,
    pub previous: String,
    pub next: String,
    pub time_zone: String,
    /// Monday first; days outside the month have `day` 0.
    pub weeks: Vec<Vec<CalendarDay>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: u32,
    pub today: bool,
    pub entries: Vec<CalendarEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub id: i64,
    pub title: String,
    pub status: PostStatus,
    /// "09:30", local time.
    pub time: String,
}

/// A tag as the tags page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    /// How many posts carry it.
    pub posts: i64,
}

/// Rendered Markdown, exactly as it will be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub html: String,
    pub word_count: usize,
    pub reading_time_minutes: u32,
}

/// One thing in a post that would let a patient or a search engine down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadinessItem {
    /// The field it concerns (`body`, `excerpt`, `seo_description`).
    pub field: String,
    pub message: String,
}

/// The readiness panel: what to fix before review, and the reading level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub items: Vec<ReadinessItem>,
    /// The text's Flesch–Kincaid grade; none for very short texts.
    pub grade: Option<f64>,
    /// The grade the site aims at (Settings).
    pub target: i64,
    /// The hardest sentences above the target, hardest first.
    pub hardest: Vec<String>,
    /// Set when the site's language is not English, which the grade
    /// formula is made for: then there is no grade.
    pub ungraded_language: Option<String>,
}

/// The editor's readiness checks for the text as it is being written;
/// `kind` says whether it is an article or a page (an article unless
/// told), as some checks are for articles only.
#[server]
pub async fn check_readiness(
    #[server(flatten)] fields: PostFields,
    #[server(default)] kind: PostKind,
) -> Result<Readiness, AppError> {
    let _user = crate::accounts::server::require_role(Role::Author).await?;
    super::server::readiness::check(&crate::state::app_state()?, &fields, kind).await
}

/// The active staff, for choosing authors and filtering lists.
#[server]
pub async fn list_staff() -> Result<Vec<Person>, AppError> {
    let _user = crate::accounts::server::require_role(Role::Author).await?;
    super::server::editing::staff(&crate::state::app_state()?).await
}

/// The calendar of a month (`2026-12`; empty for this month). Authors
/// see their own posts.
#[server]
pub async fn calendar(#[server(default)] month: String) -> Result<CalendarView, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::calendar::month(&state, &caller, &month).await
}

#[server]
pub async fn list_tags() -> Result<Vec<TagView>, AppError> {
    let _user = crate::accounts::server::require_role(Role::Author).await?;
    super::server::editing::tags(&crate::state::app_state()?).await
}

/// Renames a tag or describes it (the description shows on its public
/// page); editors only. Its address stays.
#[server]
pub async fn update_tag(id: i64, name: String, description: String) -> Result<TagView, AppError> {
    let _user = crate::accounts::server::require_role(Role::Editor).await?;
    super::server::editing::update_tag(&crate::state::app_state()?, id, &name, &description).await
}

/// Starts a draft with the caller as its author: an article, or with
/// `kind=page` a page (About, Services, Contact…, at `/{slug}`).
#[server]
pub async fn create_post(title: String, #[server(default)] kind: PostKind) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::editing::create(&state, &caller, &title, kind).await
}

#[server]
pub async fn load_post(id: i64) -> Result<EditorData, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::editing::editor_data(&state, &caller, id).await
}

/// Saves a post. `version` is the one the editor loaded; when someone else
/// saved since, the answer is `Conflict` and nothing changes. `manual` is
/// true for the Save button (always a revision of its own) and false for
/// autosaves (coalesced).
#[server]
pub async fn save_post(
    id: i64,
    version: i64,
    #[server(flatten)] fields: PostFields,
    manual: bool,
) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = SavePost {
        id,
        version,
        fields,
        manual,
    };
    super::server::editing::save(&state, &caller, &request).await
}

/// The editor's live preview: the same renderer as the public page.
#[server]
pub async fn preview_markdown(markdown: String) -> Result<Preview, AppError> {
    let _user = crate::accounts::server::require_role(Role::Author).await?;
    super::server::editing::preview(&markdown)
}

/// Moves a post through the workflow. `version` is the one the caller
/// looked at: approving a text someone changed since is refused.
/// `comment` is required to request changes; `publish_at` (the site's
/// local time, `YYYY-MM-DDTHH:MM`) to schedule.
#[server]
pub async fn change_status(
    id: i64,
    version: i64,
    transition: Transition,
    #[server(default)] comment: String,
    #[server(default)] publish_at: String,
) -> Result<EditorData, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = ChangeStatus {
        id,
        version,
        transition,
        comment,
        publish_at,
    };
    super::server::review::change_status(&state, &caller, &request).await
}

/// Makes the edited text of a published (or scheduled) post the one
/// readers see; editors only.
#[server]
pub async fn publish_update(id: i64, version: i64) -> Result<EditorData, AppError> {
    let user = crate::accounts::server::require_role(Role::Editor).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::review::publish_update(&state, &caller, id, version).await
}

#[server]
pub async fn add_comment(id: i64, body: String) -> Result<CommentView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::review::add_comment(&state, &caller, id, &body).await
}

/// Posts the caller may see, newest change first. Authors see their own.
/// `review=due`: published posts due for review within 30 days or
/// overdue, the one due first, first. `kind=post` lists articles only,
/// `kind=page` pages only.
#[server]
pub async fn list_posts(
    #[server(default)] status: String,
    #[server(default)] author: String,
    #[server(default)] tag: String,
    #[server(default)] q: String,
    #[server(default)] review: String,
    #[server(default)] kind: String,
) -> Result<Vec<PostSummary>, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = ListPosts {
        status,
        author,
        tag,
        q,
        review,
        kind,
    };
    super::server::lists::list(&state, &caller, &request).await
}

/// A post the text can link to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkTarget {
    pub title: String,
    /// `/posts/{slug}` (a page: `/{slug}`): where readers find it (or
    /// will, once it is out).
    pub path: String,
    pub status: PostStatus,
}

/// Posts whose title holds `q`, for the link dialog: those readers can
/// see, and the others the caller may see (authors: their own).
#[server]
pub async fn find_link_targets(#[server(default)] q: String) -> Result<Vec<LinkTarget>, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::lists::link_targets(&state, &caller, &q).await
}

/// Posts waiting for review, oldest first; editors only.
#[server]
pub async fn review_queue() -> Result<Vec<PostSummary>, AppError> {
    let _user = crate::accounts::server::require_role(Role::Editor).await?;
    super::server::lists::review_queue(&crate::state::app_state()?).await
}

#[server]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::lists::dashboard(&state, &caller).await
}

#[server]
pub async fn post_history(id: i64) -> Result<Vec<RevisionView>, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::history::revisions(&state, &caller, id).await
}

#[server]
pub async fn revision_diff(id: i64, from: i64, to: i64) -> Result<DiffView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::history::diff(&state, &caller, &RevisionDiff { id, from, to }).await
}

/// Makes an old revision the current text, as a new revision: nothing is
/// ever destroyed.
#[server]
pub async fn restore_revision(id: i64, revision: i64, version: i64) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = RestoreRevision { id, revision, version };
    super::server::history::restore(&state, &caller, &request).await
}

#[server]
pub async fn list_notifications() -> Result<Vec<NotificationView>, AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::review::notifications(&state, &caller).await
}

/// The caller's unread notifications; 0 for a visitor, so that the
/// admin's navigation can ask on every page, the sign-in page included.
#[server]
pub async fn unread_notifications() -> Result<i64, AppError> {
    match crate::accounts::server::require_user().await {
        Ok(user) => {
            let (state, caller) = crate::accounts::server::call_context(user)?;
            super::server::review::unread_count(&state, &caller).await
        }
        Err(AppError::Unauthenticated) => Ok(0),
        Err(other) => Err(other),
    }
}

#[server]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let user = crate::accounts::server::require_role(Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::review::mark_read(&state, &caller).await
}

/// A reviewer's second look at a published post, without a new text:
/// `confirm` records a new review (the caller, now, and the next due
/// date: `due`, the site's local `YYYY-MM-DD`, or the settings' interval
/// when empty); `send_back` gives the authors `comment` (required) while
/// readers keep the live text. Editors and admins only.
#[server]
pub async fn re_review(
    id: i64,
    outcome: ReReviewOutcome,
    #[server(default)] comment: String,
    #[server(default)] due: String,
) -> Result<EditorData, AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ReReview).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = ReReview {
        id,
        outcome,
        comment,
        due,
    };
    super::server::cadence::re_review(&state, &caller, &request).await
}

/// Sets when a reviewed post's next review is due (`due`: the site's
/// local `YYYY-MM-DD`, in the future, at most five years ahead).
/// Editors and admins only.
#[server]
pub async fn set_review_due(id: i64, due: String) -> Result<EditorData, AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ReReview).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::cadence::set_due(&state, &caller, id, &due).await
}

/// Deletes every post in the trash for good; admins only.
#[server]
pub async fn empty_trash() -> Result<u64, AppError> {
    let user = crate::accounts::server::require_role(Role::Admin).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::review::empty_trash(&state, &caller).await
}
