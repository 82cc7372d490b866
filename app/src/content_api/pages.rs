//! The site's pages in the content API: `GET /api/v1/pages` (a page of
//! them, by title) and `GET /api/v1/pages/{slug}`. A page is shaped like
//! a post without what pages lack (authors, tags, review, reading time),
//! plus its parent page.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::handlers::{CommonErrors, DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, number, pagination_links, path_text};
use super::problem::Problem;
use super::types::{Cover, Image, ListMeta, Pagination, Seo, Source};
use crate::content::render::excerpt;
use crate::domain::PostKind;
use crate::media::server::{MediaIndex, media_index};
use crate::settings::SiteSettings;
use crate::state::AppState;
use crate::store::model::pages::{PageQuery, PublicPage};

/// A published page of the site (About, Services, Contact…): no authors,
/// tags or date line, and it may sit under another page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    pub id: i64,
    #[schema(example = "about")]
    pub slug: String,
    /// The page on the site.
    #[schema(example = "https://clinic.example/about")]
    pub url: String,
    pub title: String,
    /// The excerpt written for it, or the start of the first paragraph.
    pub excerpt: String,
    /// The body, rendered and sanitised.
    pub html: String,
    /// The body as written (Markdown).
    pub markdown: String,
    /// The works the page cites (its footnotes), in the order of the
    /// numbered Sources list that ends `html`.
    pub sources: Vec<Source>,
    pub cover: Option<Cover>,
    /// The page it sits under, while that one is published too.
    pub parent: Option<PageRef>,
    pub published_at: DateTime<Utc>,
    /// When the text readers see last changed.
    pub updated_at: DateTime<Utc>,
    pub seo: Seo,
    /// The library images of the cover and the body, with their resized
    /// copies.
    pub images: Vec<Image>,
}

/// Another page, named.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageRef {
    #[schema(example = "about")]
    pub slug: String,
    pub title: String,
    #[schema(example = "https://clinic.example/about")]
    pub url: String,
}

/// A page of pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageList {
    pub pages: Vec<Page>,
    pub meta: ListMeta,
}

impl Page {
    fn from_public(page: PublicPage, settings: &SiteSettings, media: &MediaIndex) -> Self {
        let rendered = page.render().into_owned();
        let address = |slug: &str| format!("{}{}", settings.site_url, PostKind::Page.path(slug));
        let url = address(&page.content.slug);
        let parent = page.parent().map(|(title, slug)| PageRef {
            url: address(&slug),
            slug,
            title,
        });
        let content = page.content;
        let excerpt_text = if content.excerpt.is_empty() {
            excerpt(&rendered.first_paragraph, 200)
        } else {
            content.excerpt.clone()
        };
        let or = |own: &str, fallback: &str| {
            if own.is_empty() {
                fallback.to_owned()
            } else {
                own.to_owned()
            }
        };
        Self {
            id: page.id,
            images: Image::mentioned(&[&content.cover_url, &content.body], settings, media),
            seo: Seo {
                title: or(&content.seo_title, &content.title),
                description: or(&content.seo_description, &excerpt_text),
                canonical_url: or(&content.canonical_url, &url),
            },
            cover: (!content.cover_url.is_empty()).then(|| Cover {
                url: settings.absolute(&content.cover_url),
                alt: content.cover_alt.clone(),
            }),
            parent,
            published_at: page.published_at,
            updated_at: page.updated_at,
            slug: content.slug,
            url,
            title: content.title,
            excerpt: excerpt_text,
            // Library images get absolute addresses: the HTML is shown
            // on other sites.
            html: rendered.html.replace(
                "<img src=\"/media/",
                &format!("<img src=\"{}/media/", settings.site_url),
            ),
            markdown: content.body,
            sources: rendered.sources.iter().map(Source::from).collect(),
        }
    }
}

/// Pages as the API gives them, with the library images they use.
async fn api_pages(state: &AppState, pages: Vec<PublicPage>) -> Result<Vec<Page>, crate::error::AppError> {
    let settings = state.store.site_settings().await?;
    let texts: Vec<&str> = pages
        .iter()
        .flat_map(|page| [page.content.cover_url.as_str(), page.content.body.as_str()])
        .collect();
    let media = media_index(state, &texts).await?;
    Ok(pages
        .into_iter()
        .map(|page| Page::from_public(page, &settings, &media))
        .collect())
}

/// The query of `GET /api/v1/pages`, checked here so that a bad value is
/// a 400 naming it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100000, default = 1)]
    page: Option<String>,
    /// Pages per page, 1 to 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 10)]
    limit: Option<String>,
}

/// Published pages, by title.
///
/// The site's pages readers can see now (About, Services, Contact…),
/// in the shape of `GET /api/v1/pages/{slug}`. Drafts and pages in
/// review never appear. `meta.pagination` and the `Link` header give the
/// neighbouring pages of the list; a page past the end is an empty list.
#[utoipa::path(
    get,
    path = "/api/v1/pages",
    tag = "content",
    params(PageListParams),
    responses(
        (status = 200, description = "A page of published pages", body = PageList,
         headers(("Link" = String, description = "URLs of the first, last, previous and next pages (RFC 8288)"),
                 ("ETag" = String, description = "Strong validator; send it back in If-None-Match"))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, description = "A query parameter is not valid; `invalid_params` names it",
         body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn list_pages(
    State(state): State<AppState>,
    query: Result<Query<PageListParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = query.map_err(|rejection| Problem::bad_query(rejection.body_text()))?;
    let page = number("page", params.page.as_deref(), 1, MAX_PAGE)?;
    let limit = number("limit", params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let query = PageQuery::all(state.clock.now(), limit, (page - 1) * limit);
    let (pages, total) = state.store.public_pages(&query).await?;
    let count = (total + limit - 1) / limit;
    let pagination = Pagination {
        page,
        limit,
        pages: count,
        total,
        next: (page < count).then_some(page + 1),
        prev: (page > 1).then(|| (page - 1).min(count.max(1))),
    };
    let link = link_header(&pagination);
    let body = PageList {
        pages: api_pages(&state, pages).await?,
        meta: ListMeta { pagination },
    };
    let mut response = Json(body).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// `Link` header entries for the neighbouring pages of the list.
fn link_header(pagination: &Pagination) -> Option<HeaderValue> {
    pagination_links(pagination, |page| {
        format!("</api/v1/pages?page={page}&limit={}>", pagination.limit)
    })
}

/// One published page by its slug.
///
/// The page as the list gives it: rendered, sanitised `html` and the
/// `markdown` it came from, cover, SEO fields, the library images it
/// uses and the page it sits under. A slug that is unknown, or belongs to
/// a page that is not published (or to an article: see
/// `GET /api/v1/posts/{slug}`), is a 404.
#[utoipa::path(
    get,
    path = "/api/v1/pages/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The page's slug, as in its URL")),
    responses(
        (status = 200, description = "The page", body = Page),
        (status = 400, description = "The path segment is not text", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 404, description = "No published page has this slug", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn get_page(
    State(state): State<AppState>,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Json<Page>, Problem> {
    let slug = path_text(slug, "slug")?;
    let (found, _) = state
        .store
        .public_pages(&PageQuery::by_slug(state.clock.now(), &slug))
        .await?;
    let mut pages = api_pages(&state, found).await?;
    let page = pages
        .pop()
        .ok_or_else(|| Problem::not_found(format!("No published page has the slug `{slug}`.")))?;
    Ok(Json(page))
}
