//! The admin's lists: all posts with filters, the review queue, the
//! posts due for their next review and the dashboard.

use super::{ListOrder, PostFilter, SummaryRow, admin_time};
use crate::accounts::Role;
use crate::accounts::server::Caller;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::posts::api::{DashboardView, LinkTarget, ListPosts, PostSummary};
use crate::posts::workflow::PostStatus;
use crate::settings::SiteSettings;
use crate::state::AppState;

const LIST_LIMIT: i64 = 200;
const DASHBOARD_LIMIT: i64 = 10;
const LINK_TARGETS: usize = 10;
/// Longer searches find nothing a title could hold.
const MAX_QUERY_CHARS: usize = 200;

pub async fn list(state: &AppState, caller: &Caller, request: &ListPosts) -> Result<Vec<PostSummary>, AppError> {
    let ListPosts {
        status,
        author,
        tag,
        q,
        review,
        kind,
    } = request;
    let user = &caller.user;
    let status = match status.trim() {
        "" => None,
        raw => Some(
            PostStatus::ALL
                .into_iter()
                .find(|status| status.as_str() == raw)
                .ok_or_else(|| AppError::invalid("status", "Choose a status from the list."))?,
        ),
    };
    let author_id = match author.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::invalid("author", "Choose an author from the list."))?,
        ),
    };
    let review_due_by = match review.trim() {
        "" => None,
        "due" => Some(super::cadence::due_soon_by(state.clock.now())),
        _ => return Err(AppError::invalid("review", "Choose a review filter from the list.")),
    };
    let kind = match kind.trim() {
        "" => None,
        raw => Some(PostKind::parse(raw).ok_or_else(|| AppError::invalid("kind", "Choose articles or pages."))?),
    };
    let filter = PostFilter {
        status,
        author_id,
        tag_slug: Some(tag.trim().to_owned()).filter(|tag| !tag.is_empty()),
        title_contains: Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
        visible_to_author: (user.role < Role::Editor).then_some(user.id),
        match_live_title: false,
        review_due_by,
        kind,
        order: if review_due_by.is_some() {
            ListOrder::ReviewDue
        } else {
            ListOrder::RecentlyChanged
        },
        limit: LIST_LIMIT,
    };
    fetch(state, &filter).await
}

pub async fn link_targets(state: &AppState, caller: &Caller, q: &str) -> Result<Vec<LinkTarget>, AppError> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid("q", "Search for at most 200 characters."));
    }
    // No title holds NUL (and PostgreSQL refuses it in a query).
    if q.contains('\0') {
        return Ok(Vec::new());
    }
    let user = &caller.user;
    let any = PostFilter {
        title_contains: Some(q.to_owned()).filter(|q| !q.is_empty()),
        order: ListOrder::RecentlyChanged,
        limit: i64::try_from(LINK_TARGETS).unwrap_or(10),
        ..PostFilter::default()
    };
    let mut rows = state
        .store
        .list_posts(&PostFilter {
            visible_to_author: (user.role < Role::Editor).then_some(user.id),
            ..any.clone()
        })
        .await?;
    if user.role < Role::Editor {
        // Everyone may link to what readers can see, as readers see it:
        // a colleague's pending update (its new title) stays out of
        // sight, like colleagues' drafts. The author's own posts take at
        // most half the list.
        rows.truncate(LINK_TARGETS / 2);
        let published = PostFilter {
            status: Some(PostStatus::Published),
            match_live_title: true,
            ..any
        };
        let wanted = q.to_lowercase();
        for mut row in state.store.list_posts(&published).await? {
            if rows.iter().any(|seen| seen.id == row.id) {
                continue;
            }
            let live = row.live_title.take().unwrap_or_default();
            if live.to_lowercase().contains(&wanted) {
                row.title = live;
                rows.push(row);
            }
        }
        rows.truncate(LINK_TARGETS);
    }
    Ok(rows
        .into_iter()
        .map(|row| LinkTarget {
            // Readers find a published post at its live address; the
            // working slug only counts once it is published. A page's
            // address is `/{slug}`.
            path: row.kind.path(row.live_slug.as_deref().unwrap_or(&row.slug)),
            title: row.title,
            status: row.status,
        })
        .collect())
}

pub async fn review_queue(state: &AppState) -> Result<Vec<PostSummary>, AppError> {
    fetch(
        state,
        &PostFilter {
            status: Some(PostStatus::InReview),
            order: ListOrder::OldestFirst,
            limit: LIST_LIMIT,
            ..PostFilter::default()
        },
    )
    .await
}

pub async fn dashboard(state: &AppState, caller: &Caller) -> Result<DashboardView, AppError> {
    let user = &caller.user;
    let own = (user.role < Role::Editor).then_some(user.id);
    let section =
        |status: PostStatus, visible_to_author: Option<i64>, author_id: Option<i64>, order: ListOrder| PostFilter {
            status: Some(status),
            author_id,
            visible_to_author,
            order,
            limit: DASHBOARD_LIMIT,
            ..PostFilter::default()
        };
    Ok(DashboardView {
        my_drafts: fetch(
            state,
            &section(PostStatus::Draft, None, Some(user.id), ListOrder::RecentlyChanged),
        )
        .await?,
        waiting_for_review: fetch(state, &section(PostStatus::InReview, own, None, ListOrder::OldestFirst)).await?,
        changes_requested: fetch(
            state,
            &section(PostStatus::ChangesRequested, own, None, ListOrder::RecentlyChanged),
        )
        .await?,
        scheduled: fetch(
            state,
            &section(PostStatus::Scheduled, own, None, ListOrder::RecentlyChanged),
        )
        .await?,
        recently_published: fetch(
            state,
            &section(PostStatus::Published, own, None, ListOrder::RecentlyChanged),
        )
        .await?,
        due_for_review: fetch(
            state,
            &PostFilter {
                review_due_by: Some(super::cadence::due_soon_by(state.clock.now())),
                ..section(PostStatus::Published, own, None, ListOrder::ReviewDue)
            },
        )
        .await?,
    })
}

async fn fetch(state: &AppState, filter: &PostFilter) -> Result<Vec<PostSummary>, AppError> {
    let settings = state.store.site_settings().await?;
    let rows = state.store.list_posts(filter).await?;
    let now = state.clock.now();
    Ok(rows.into_iter().map(|row| summary(row, &settings, now)).collect())
}

fn summary(row: SummaryRow, settings: &SiteSettings, now: chrono::DateTime<chrono::Utc>) -> PostSummary {
    // Only an article's live review is due; a draft's old one waits for
    // approval, and a page's never falls due.
    let (review_due, review_overdue) = super::cadence::due_view(
        row.review_due_at
            .filter(|_| row.status == PostStatus::Published && row.kind.review_falls_due()),
        settings,
        now,
    );
    PostSummary {
        id: row.id,
        kind: row.kind,
        title: row.title,
        status: row.status,
        authors: row.authors.join(", "),
        tags: row.tags.join(", "),
        updated_at: admin_time(row.updated_at, settings),
        publish_at: row.publish_at.map(|at| admin_time(at, settings)),
        publish_in: row.publish_at.map(|at| super::relative_time(at - now)),
        latest_request: row
            .latest_request
            .filter(|_| row.status == PostStatus::ChangesRequested),
        public_path: row
            .live_slug
            .filter(|_| row.status == PostStatus::Published)
            .map(|slug| row.kind.path(&slug)),
        review_due,
        review_overdue,
    }
}
