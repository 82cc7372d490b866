use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

use super::layout::render_document;
use super::pages::{AuthorPage, Card, ErrorPage, HomePage, Listing, NotFoundPage, PostPage, PostPageData, TagPage};
use crate::content::render::{excerpt, render_markdown};
use crate::error::AppError;
use crate::posts::server::{PublicPost, PublicQuery};
use crate::state::AppState;

/// The public pages. Each handler reads what it needs, then renders.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/posts/{slug}", get(post_page))
        .route("/authors/{slug}", get(author_page))
        .route("/tags/{slug}", get(tag_page))
        .route("/feed.xml", get(super::feeds::rss))
        .route("/atom.xml", get(super::feeds::atom))
        .route("/authors/{slug}/feed.xml", get(super::feeds::author_rss))
        .route("/tags/{slug}/feed.xml", get(super::feeds::tag_rss))
        .route("/sitemap.xml", get(super::feeds::sitemap))
        .route("/robots.txt", get(super::feeds::robots))
}

/// Posts per page of a list.
const PAGE_SIZE: i64 = 10;

/// `?page=N`: 1 when absent; anything but a page number is no page.
#[derive(Debug, serde::Deserialize)]
pub struct PageParam {
    page: Option<String>,
}

impl PageParam {
    fn number(&self) -> Option<i64> {
        match self.page.as_deref() {
            None => Some(1),
            Some(raw) => raw.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n)),
        }
    }
}

/// A page of public posts as cards; `None` when the page number is past
/// the end (page 1 always exists, empty or not).
async fn listing(
    state: &AppState,
    settings: &crate::settings::SiteSettings,
    base: &str,
    author_slug: &str,
    tag_slug: &str,
    page: i64,
) -> Result<Option<Listing>, AppError> {
    let query = PublicQuery {
        now: state.clock.now(),
        author_slug: author_slug.to_owned(),
        tag_slug: tag_slug.to_owned(),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (posts, total) = state.store.public_posts(&query).await?;
    if posts.is_empty() && page > 1 {
        return Ok(None);
    }
    let page_path = |n: i64| {
        if n == 1 {
            base.to_owned()
        } else {
            format!("{base}?page={n}")
        }
    };
    Ok(Some(Listing {
        cards: posts.iter().map(|post| card(post, settings)).collect(),
        newer: (page > 1).then(|| page_path(page - 1)),
        older: (page * PAGE_SIZE < total).then(|| page_path(page + 1)),
    }))
}

fn card(post: &PublicPost, settings: &crate::settings::SiteSettings) -> Card {
    let rendered = render_markdown(&post.body);
    Card {
        title: post.title.clone(),
        path: crate::posts::server::public_path(&post.slug),
        excerpt: if post.excerpt.is_empty() {
            excerpt(&rendered.first_paragraph, 200)
        } else {
            post.excerpt.clone()
        },
        cover: (!post.cover_url.is_empty()).then(|| (post.cover_url.clone(), post.cover_alt.clone())),
        authors: post.authors.clone(),
        tags: post.tags.clone(),
        date: local_date(post.published_at, settings),
        iso_date: post.published_at.format("%Y-%m-%d").to_string(),
        reading_time_minutes: rendered.reading_time_minutes,
    }
}

/// A date in the site's zone and format ("July 9, 2025").
pub fn local_date(at: chrono::DateTime<chrono::Utc>, settings: &crate::settings::SiteSettings) -> String {
    let zone: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&zone);
    let mut text = String::new();
    // Stored formats are checked; a failure still must not panic.
    match std::fmt::Write::write_fmt(&mut text, format_args!("{}", local.format(&settings.date_format))) {
        Ok(()) => text,
        Err(_) => local.format("%Y-%m-%d").to_string(),
    }
}

async fn home(State(state): State<AppState>, Query(page): Query<PageParam>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let Some(listing) = (match page.number() {
        Some(n) => listing(&state, &settings, "/", "", "", n).await?,
        None => None,
    }) else {
        return Ok(not_found(State(state)).await);
    };
    Ok(Html(render_document(view! { <HomePage settings listing /> })).into_response())
}

async fn author_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(page): Query<PageParam>,
) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let (Some(author), Some(n)) = (state.store.user_by_slug(&slug).await?, page.number()) else {
        return Ok(not_found(State(state)).await);
    };
    let Some(listing) = listing(&state, &settings, &format!("/authors/{slug}"), &slug, "", n).await? else {
        return Ok(not_found(State(state)).await);
    };
    let view = view! {
        <AuthorPage settings slug=slug.clone() name=author.display_name credentials=author.credentials bio=author.bio
            avatar_url=author.avatar_url listing />
    };
    Ok(Html(render_document(view)).into_response())
}

async fn tag_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(page): Query<PageParam>,
) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let (Some(tag), Some(n)) = (state.store.tag_by_slug(&slug).await?, page.number()) else {
        return Ok(not_found(State(state)).await);
    };
    let Some(listing) = listing(&state, &settings, &format!("/tags/{slug}"), "", &slug, n).await? else {
        return Ok(not_found(State(state)).await);
    };
    let view = view! { <TagPage settings slug=slug.clone() name=tag.name description=tag.description listing /> };
    Ok(Html(render_document(view)).into_response())
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
    let date = |at: chrono::DateTime<chrono::Utc>| local_date(at, &settings);
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
    let canonical = if live.canonical_url.is_empty() {
        format!("{}{}", settings.site_url, crate::posts::server::public_path(&live.slug))
    } else {
        live.canonical_url.clone()
    };
    let meta = super::layout::PageMeta {
        canonical,
        kind: "article",
        image: (!live.cover_url.is_empty()).then(|| {
            let src = if live.cover_url.starts_with('/') {
                format!("{}{}", settings.site_url, live.cover_url)
            } else {
                live.cover_url.clone()
            };
            (src, live.cover_alt.clone())
        }),
        published: Some(published.to_rfc3339()),
        modified: Some(live.created_at.to_rfc3339()),
    };
    let data = PostPageData {
        meta,
        seo_title: live.seo_title.clone(),
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
