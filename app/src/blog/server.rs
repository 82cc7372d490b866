use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

use super::layout::render_document;
use super::pages::{ErrorPage, HomePage, NotFoundPage, PostPage, PostPageData};
use crate::content::render::{excerpt, render_markdown};
use crate::error::AppError;
use crate::state::AppState;

/// The public pages. Each handler reads what it needs, then renders.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/posts/{slug}", get(post_page))
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let settings = state.store.site_settings().await?;
    Ok(Html(render_document(view! { <HomePage settings /> })))
}

/// A published post by its address; an address the post had before
/// answers 301 with the current one.
async fn post_page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let now = state.clock.now();
    let Some((post, live)) = state.store.live_post(&slug, now).await? else {
        return match state.store.slug_redirect(&slug, now).await? {
            Some(current) => Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(axum::http::header::LOCATION, format!("/posts/{current}"))],
            )
                .into_response()),
            None => Ok(not_found(State(state)).await),
        };
    };
    let settings = state.store.site_settings().await?;
    let zone: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let date = |at: chrono::DateTime<chrono::Utc>| {
        let local = at.with_timezone(&zone);
        let mut text = String::new();
        // Stored formats are checked; a failure still must not panic.
        match std::fmt::Write::write_fmt(&mut text, format_args!("{}", local.format(&settings.date_format))) {
            Ok(()) => text,
            Err(_) => local.format("%Y-%m-%d").to_string(),
        }
    };
    let rendered = render_markdown(&live.body);
    let authors = state.store.post_authors(post.id).await?;
    // The review is claimed only for the text that was reviewed: an edit
    // published without a new approval drops the line.
    let reviewed_live_text = post.reviewed_version == Some(live.version);
    let reviewer = match (
        post.show_review && reviewed_live_text,
        post.reviewed_by,
        post.reviewed_at,
    ) {
        (true, Some(id), Some(at)) => state.store.user_by_id(id).await?.map(|user| {
            let name = if user.credentials.is_empty() {
                user.display_name
            } else {
                format!("{}, {}", user.display_name, user.credentials)
            };
            (name, date(at))
        }),
        _ => None,
    };
    // A scheduled post is public from its time on, before the scheduler
    // has marked it published.
    let published = post.published_at.or(post.publish_at).unwrap_or(live.created_at);
    let updated = (live.created_at - published > chrono::Duration::hours(1)).then(|| date(live.created_at));
    let description = [&live.seo_description, &live.excerpt]
        .into_iter()
        .find(|text| !text.is_empty())
        .cloned()
        .unwrap_or_else(|| excerpt(&rendered.first_paragraph, 160));
    let data = PostPageData {
        title: live.title.clone(),
        description,
        html: rendered.html,
        cover: (!live.cover_url.is_empty()).then(|| (live.cover_url.clone(), live.cover_alt.clone())),
        authors: authors.into_iter().map(|user| (user.display_name, user.slug)).collect(),
        published: date(published),
        updated,
        reviewed: reviewer,
        reading_time_minutes: rendered.reading_time_minutes,
    };
    Ok(Html(render_document(view! { <PostPage settings post=data /> })).into_response())
}

/// The fallback for every address no route claims: an HTML page, status 404.
pub async fn not_found(State(state): State<AppState>) -> Response {
    let settings = state.store.site_settings().await.ok();
    let html = render_document(view! { <NotFoundPage settings /> });
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

/// An `AppError` answered as an HTML page rather than JSON.
pub struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let html = render_document(view! { <ErrorPage status message=self.0.to_string() /> });
        (self.0.status_code(), Html(html)).into_response()
    }
}
