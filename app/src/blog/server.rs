use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

use super::chrome::site_chrome;
use super::error::PageError;
use super::layout::render_document;
use super::pages::{AuthorPage, Card, HomePage, Listing, NotFoundPage, SearchPage, TagPage};
use crate::content::render::excerpt;
use crate::error::AppError;
use crate::media::server::{MediaIndex, media_index};
use crate::posts::server::{PublicPost, PublicQuery};
use crate::state::AppState;

/// The public pages. Each handler reads what it needs, then renders.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/posts/{slug}", get(post_page))
        .route("/authors/{slug}", get(author_page))
        .route("/tags/{slug}", get(tag_page))
        .route("/search", get(search_page))
        .route("/theme.css", get(theme_css))
        .route("/favicon.ico", get(super::assets::favicon))
        .route("/assets/{name}", get(super::assets::stylesheet))
        .route("/preview/{token}", get(preview_page))
        .route("/feed.xml", get(super::feeds::rss))
        .route("/atom.xml", get(super::feeds::atom))
        .route("/authors/{slug}/feed.xml", get(super::feeds::author_rss))
        .route("/tags/{slug}/feed.xml", get(super::feeds::tag_rss))
        .route("/sitemap.xml", get(super::feeds::sitemap))
        .route("/robots.txt", get(super::feeds::robots))
        // Last among equals: every fixed address above wins over a page.
        .route("/{slug}", get(page).fallback(page))
}

/// `GET /{slug}`: the public page with this address (or a redirect from
/// a slug it had). Other methods, and addresses no page has, are the
/// fallback's: an imported site's old address answers 301, anything else
/// the 404 page.
async fn page(State(state): State<AppState>, method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let slug = uri.path().trim_start_matches('/');
    // Slugs are plain ASCII: `/favicon.ico` and the like need no query.
    let readable = method == axum::http::Method::GET || method == axum::http::Method::HEAD;
    if readable && crate::input::post::Slug::is_well_formed(slug) {
        match super::site_pages::public_page(&state, slug).await {
            Ok(Some(response)) => return response,
            Ok(None) => {}
            Err(error) => return PageError(error).into_response(),
        }
    }
    fallback(State(state), method, uri).await
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

/// A page of the public posts that `filter` picks, as cards, and how many
/// there are in all when `filter.count_all` asks (the search page says);
/// `None` when the page number is past the end (page 1 always exists,
/// empty or not). `base` is the list's address. Whether an older page
/// exists is known from one post more than the page shows, not from a
/// count, which would read every post the list has.
async fn listing(
    state: &AppState,
    settings: &crate::settings::SiteSettings,
    base: &str,
    filter: PublicQuery,
    page: i64,
) -> Result<Option<(Listing, Option<i64>)>, AppError> {
    let query = PublicQuery {
        limit: PAGE_SIZE + 1,
        offset: (page - 1) * PAGE_SIZE,
        ..filter
    };
    let (mut posts, total) = state.store.public_posts(&query).await?;
    if posts.is_empty() && page > 1 {
        return Ok(None);
    }
    let has_older = posts.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    posts.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
    let page_path = |n: i64| match (n, base.contains('?')) {
        (1, _) => base.to_owned(),
        (n, true) => format!("{base}&page={n}"),
        (n, false) => format!("{base}?page={n}"),
    };
    let covers: Vec<&str> = posts.iter().map(|post| post.content.cover_url.as_str()).collect();
    let media = media_index(state, &covers).await?;
    let listing = Listing {
        cards: posts.iter().map(|post| card(post, settings, &media)).collect(),
        newer: (page > 1).then(|| page_path(page - 1)),
        older: has_older.then(|| page_path(page + 1)),
    };
    Ok(Some((listing, total)))
}

/// A search snippet as HTML: everything escaped, the matches marked, and
/// the Markdown punctuation that would read as noise dropped.
fn snippet_html(snippet: &str) -> String {
    use crate::store::search::{MATCH_END, MATCH_START};
    let mut html = String::with_capacity(snippet.len() + 32);
    for c in snippet.chars() {
        match c {
            MATCH_START => html.push_str("<mark>"),
            MATCH_END => html.push_str("</mark>"),
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '*' | '#' | '`' | '|' => {}
            '\n' | '\r' => html.push(' '),
            other => html.push(other),
        }
    }
    html
}

fn card(post: &PublicPost, settings: &crate::settings::SiteSettings, media: &MediaIndex) -> Card {
    let summary = post.summary();
    Card {
        title: post.content.title.clone(),
        path: crate::posts::server::public_path(&post.content.slug),
        excerpt: if post.content.excerpt.is_empty() {
            excerpt(&summary.first_paragraph, 200)
        } else {
            post.content.excerpt.clone()
        },
        cover: super::images::cover_image(&post.content.cover_url, &post.content.cover_alt, media),
        authors: post.byline(),
        tags: post.tags.clone(),
        date: local_date(post.published_at, settings),
        iso_date: post.published_at.format("%Y-%m-%d").to_string(),
        reading_time_minutes: summary.reading_time_minutes,
        snippet_html: post.snippet.as_deref().map(snippet_html),
    }
}

pub use crate::time::local_date;

async fn home(State(state): State<AppState>, Query(page): Query<PageParam>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let everything = PublicQuery::newest(state.clock.now(), 0, 0);
    let Some((listing, _)) = (match page.number() {
        Some(n) => listing(&state, &settings, "/", everything, n).await?,
        None => None,
    }) else {
        return Ok(not_found(State(state)).await);
    };
    let chrome = site_chrome(&state).await?;
    Ok(Html(render_document(chrome, || view! { <HomePage settings listing /> })).into_response())
}

async fn author_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(page): Query<PageParam>,
) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    // Only people with a public post have a public page, as in the API:
    // a colleague who never published is not listed to the world.
    let author = state.store.public_author(state.clock.now(), &slug).await?;
    let (Some(author), Some(n)) = (author, page.number()) else {
        return Ok(not_found(State(state)).await);
    };
    let filter = PublicQuery {
        author_slug: slug.clone(),
        ..PublicQuery::newest(state.clock.now(), 0, 0)
    };
    let Some((listing, _)) = listing(&state, &settings, &format!("/authors/{slug}"), filter, n).await? else {
        return Ok(not_found(State(state)).await);
    };
    let chrome = site_chrome(&state).await?;
    let view = || {
        view! {
            <AuthorPage settings slug=slug.clone() name=author.name credentials=author.credentials bio=author.bio
                avatar_url=author.avatar_url listing />
        }
    };
    Ok(Html(render_document(chrome, view)).into_response())
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
    let filter = PublicQuery {
        tag_slug: slug.clone(),
        ..PublicQuery::newest(state.clock.now(), 0, 0)
    };
    let Some((listing, _)) = listing(&state, &settings, &format!("/tags/{slug}"), filter, n).await? else {
        return Ok(not_found(State(state)).await);
    };
    let chrome = site_chrome(&state).await?;
    let view = || view! { <TagPage settings slug=slug.clone() name=tag.name description=tag.description listing /> };
    Ok(Html(render_document(chrome, view)).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct ThemeParams {
    accent: Option<String>,
}

/// The site's accent colour as a style sheet. The colour is in the
/// address (pages link `/theme.css?accent=rrggbb`), so the answer never
/// changes and may be cached for a year.
async fn theme_css(Query(params): Query<ThemeParams>) -> Response {
    let hex = params
        .accent
        .filter(|hex| hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()));
    match hex {
        Some(hex) => (
            [
                (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (axum::http::header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            format!(":root {{ --accent: #{hex}; }}\n"),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    page: Option<String>,
}

/// `/search?q=…`: public posts matching the words, best first.
async fn search_page(State(state): State<AppState>, Query(params): Query<SearchParams>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let query = params.q.unwrap_or_default().trim().to_owned();
    let Some(n) = (PageParam { page: params.page }).number() else {
        return Ok(not_found(State(state)).await);
    };
    let (listing, total) = if query.is_empty() {
        (
            Listing {
                cards: Vec::new(),
                newer: None,
                older: None,
            },
            0,
        )
    } else {
        let base = format!(
            "/search?q={}",
            url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        );
        // The page says how many posts match: a search counts them.
        let filter = PublicQuery {
            search: Some(query.clone()),
            count_all: true,
            ..PublicQuery::newest(state.clock.now(), 0, 0)
        };
        match listing(&state, &settings, &base, filter, n).await? {
            Some((listing, total)) => (listing, total.unwrap_or_default()),
            None => return Ok(not_found(State(state)).await),
        }
    };
    let chrome = site_chrome(&state).await?;
    Ok(Html(render_document(
        chrome,
        || view! { <SearchPage settings query total listing /> },
    ))
    .into_response())
}

/// A published post by its address; an address the post had before
/// answers 301 with the current one.
async fn post_page(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let now = state.clock.now();
    let query = PublicQuery {
        slug: slug.clone(),
        ..PublicQuery::newest(now, 1, 0)
    };
    let Some(post) = state.store.public_posts(&query).await?.0.pop() else {
        return match state
            .store
            .slug_redirect(crate::domain::PostKind::Post, &slug, now)
            .await?
        {
            Some(current) => Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(axum::http::header::LOCATION, format!("/posts/{current}"))],
            )
                .into_response()),
            // An article a later import made a page: its address leads there.
            None => match state.store.path_redirect(&format!("/posts/{slug}"), now).await? {
                Some(location) => Ok((
                    StatusCode::MOVED_PERMANENTLY,
                    [(axum::http::header::LOCATION, location)],
                )
                    .into_response()),
                None => Ok(not_found(State(state)).await),
            },
        };
    };
    Ok(Html(super::post_page::render_post(&state, post, false).await?).into_response())
}

/// `/preview/{token}`: a post before it is published, for whoever holds a
/// preview link; never indexed, never cached.
async fn preview_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let Some(post) = crate::previews::server::previewed(&state, &token).await? else {
        return Ok(not_found(State(state)).await);
    };
    let html = match super::site_pages::previewed_page(&state, &post).await? {
        Some(page) => page,
        None => super::post_page::render_post(&state, post, true).await?,
    };
    // For the link's holders only, and revocable: no cache may keep it.
    Ok((
        [
            (axum::http::header::HeaderName::from_static("x-robots-tag"), "noindex"),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        Html(html),
    )
        .into_response())
}

/// Every address no route answers: an old address of an imported site
/// redirects (301) to where its content lives now; anything else is 404.
pub async fn fallback(State(state): State<AppState>, method: axum::http::Method, uri: axum::http::Uri) -> Response {
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        match old_address(&state, uri.path()).await {
            Ok(Some(location)) => {
                return (
                    StatusCode::MOVED_PERMANENTLY,
                    [(axum::http::header::LOCATION, location)],
                )
                    .into_response();
            }
            Ok(None) => {}
            Err(error) => return PageError(error).into_response(),
        }
    }
    not_found(State(state)).await
}

/// Where an address of the site's earlier home (WordPress, Ghost) lives
/// here: a post's old permalink, and their tag, category, author and feed
/// addresses.
async fn old_address(state: &AppState, path: &str) -> Result<Option<String>, AppError> {
    if let Some(page) = super::site_pages::page_with_slash(state, path).await? {
        return Ok(Some(page));
    }
    let path = crate::store::imports::redirect_key(path);
    if path.is_empty() {
        return Ok(None);
    }
    if let Some(address) = state.store.path_redirect(&path, state.clock.now()).await? {
        return Ok(Some(address));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match segments.as_slice() {
        ["feed" | "rss"] => Some("/feed.xml".to_owned()),
        ["feed", "atom"] => Some("/atom.xml".to_owned()),
        ["tag", slug] | ["category", .., slug] => state
            .store
            .tag_by_slug(slug)
            .await?
            .map(|tag| format!("/tags/{}", tag.slug)),
        ["author", slug] => state
            .store
            .user_by_slug(slug)
            .await?
            .map(|user| format!("/authors/{}", user.slug)),
        _ => None,
    })
}

/// The page for an address that leads nowhere: an HTML page, status 404.
pub async fn not_found(State(state): State<AppState>) -> Response {
    let settings = state.store.site_settings().await.ok();
    // A page that is not there still shows the way on: the menus and the
    // clinic, when they can be read.
    let chrome = site_chrome(&state).await.unwrap_or_else(|_| super::chrome::SiteChrome {
        stylesheet: state.config.stylesheet.href().to_owned(),
        ..Default::default()
    });
    let html = render_document(chrome, || view! { <NotFoundPage settings /> });
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}
