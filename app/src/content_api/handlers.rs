//! The endpoints. Each reads what is public at this moment (the clock),
//! so a scheduled post appears at its time, whether or not the scheduler
//! has run.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::problem::Problem;
use super::types::{
    AuthorList, AuthorWithCount, Clinic, ListMeta, Navigation, NavigationLink, Pagination, Post, PostList, Site,
    TagDetail, TagList,
};
use crate::domain::PostKind;
use crate::media::server::media_index;
use crate::posts::server::PublicQuery;
use crate::state::AppState;

/// The errors every content endpoint may answer, documented once.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "only described in the OpenAPI document; the answers are built as `Problem`s"
)]
pub(super) enum CommonErrors {
    /// The site requires its content key (see the security schemes)
    #[response(status = 401, content_type = "application/problem+json")]
    ContentKeyRequired(Problem),
    /// Too many requests; retry after the `Retry-After` seconds
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// Failure on the server's side
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
}

/// Posts as the API gives them, with the library images their covers and
/// bodies use (looked up together, in two queries).
async fn api_posts(
    state: &AppState,
    settings: &crate::settings::SiteSettings,
    posts: Vec<crate::posts::server::PublicPost>,
) -> Result<Vec<Post>, crate::error::AppError> {
    let texts: Vec<&str> = posts
        .iter()
        .flat_map(|post| [post.content.cover_url.as_str(), post.content.body.as_str()])
        .collect();
    let media = media_index(state, &texts).await?;
    Ok(posts
        .into_iter()
        .map(|post| Post::from_public(post, settings, &media, state.clock.now()))
        .collect())
}

async fn api_post(
    state: &AppState,
    settings: &crate::settings::SiteSettings,
    post: crate::posts::server::PublicPost,
) -> Result<Post, crate::error::AppError> {
    let mut posts = api_posts(state, settings, vec![post]).await?;
    posts.pop().ok_or(crate::error::AppError::NotFound)
}

/// The most posts one page may hold.
pub const MAX_LIMIT: i64 = 100;
pub(super) const DEFAULT_LIMIT: i64 = 10;
/// Past this page the offset is not worth scanning.
pub(super) const MAX_PAGE: i64 = 100_000;

/// The query of `GET /api/v1/posts`. Values arrive as text and are
/// checked here, so a bad one is answered with 400 naming it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100000, default = 1)]
    page: Option<String>,
    /// Posts per page, 1 to 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 10)]
    limit: Option<String>,
    /// Only posts with this tag (its slug).
    tag: Option<String>,
    /// Only posts by this author (their slug).
    author: Option<String>,
    /// Full-text search over title, excerpt and body; results are ordered
    /// by relevance instead of date.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only posts whose text changed at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime, example = "2026-01-31T00:00:00Z")]
    updated_since: Option<String>,
}

/// A query parameter that was refused, and why.
pub(super) struct BadParam {
    name: &'static str,
    reason: String,
}

impl From<BadParam> for Problem {
    fn from(bad: BadParam) -> Self {
        Problem::invalid_param(bad.name, &bad.reason)
    }
}

pub(super) fn number(name: &'static str, raw: Option<&str>, default: i64, max: i64) -> Result<i64, BadParam> {
    let Some(raw) = raw else { return Ok(default) };
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| BadParam {
            name,
            reason: format!("must be a whole number from 1 to {max}"),
        })
}

/// A path segment as text; one that is not (bad percent-encoding, not
/// UTF-8) is a 400 naming it, not axum's plain-text rejection.
pub(super) fn path_text(segment: Result<Path<String>, PathRejection>, name: &'static str) -> Result<String, BadParam> {
    segment.map(|Path(text)| text).map_err(|_| BadParam {
        name,
        reason: "must be text (UTF-8, percent-encoded)".to_owned(),
    })
}

/// `Link` header entries for the neighbouring pages of a list.
fn link_header(params: &PostListParams, pagination: &Pagination) -> Option<HeaderValue> {
    let url = |page: i64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("page", &page.to_string());
        query.append_pair("limit", &pagination.limit.to_string());
        for (name, value) in [
            ("tag", &params.tag),
            ("author", &params.author),
            ("q", &params.q),
            ("updated_since", &params.updated_since),
        ] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        format!("</api/v1/posts?{}>", query.finish())
    };
    pagination_links(pagination, url)
}

/// The `Link` header of a list: its first, last, previous and next pages,
/// each at the address `url` gives for a page number.
pub(super) fn pagination_links(pagination: &Pagination, url: impl Fn(i64) -> String) -> Option<HeaderValue> {
    let mut links = vec![format!("{}; rel=\"first\"", url(1))];
    if pagination.pages > 0 {
        links.push(format!("{}; rel=\"last\"", url(pagination.pages)));
    }
    if let Some(prev) = pagination.prev {
        links.push(format!("{}; rel=\"prev\"", url(prev)));
    }
    if let Some(next) = pagination.next {
        links.push(format!("{}; rel=\"next\"", url(next)));
    }
    HeaderValue::from_str(&links.join(", ")).ok()
}

/// Published posts, newest first (or best match first with `q`).
///
/// A page of the posts readers can see now: drafts, posts in review and
/// scheduled posts before their time never appear. Narrow the list to a
/// tag or an author (by slug), search it with `q`, or fetch only what
/// changed since your last sync with `updated_since`. `meta.pagination`
/// and the `Link` header give the neighbouring pages, keeping the
/// filters; a page past the end is an empty list, not an error.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "content",
    params(PostListParams),
    responses(
        (status = 200, description = "A page of published posts", body = PostList,
         headers(("Link" = String, description = "URLs of the first, last, previous and next pages (RFC 8288)"),
                 ("ETag" = String, description = "Strong validator; send it back in If-None-Match"))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, description = "A query parameter is not valid; `invalid_params` names it",
         body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn list_posts(
    State(state): State<AppState>,
    query: Result<Query<PostListParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = query.map_err(|rejection| Problem::bad_query(rejection.body_text()))?;
    let page = number("page", params.page.as_deref(), 1, MAX_PAGE)?;
    let limit = number("limit", params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let updated_since = match params.updated_since.as_deref() {
        None => None,
        Some(raw) => Some(
            DateTime::parse_from_rfc3339(raw.trim())
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| {
                    Problem::invalid_param(
                        "updated_since",
                        "must be a date and time in RFC 3339 form, e.g. 2026-01-31T09:00:00Z",
                    )
                })?,
        ),
    };
    let search = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|q| q.chars().count() > crate::store::search::MAX_QUERY_CHARS) {
        return Err(Problem::invalid_param("q", "must be at most 200 characters long"));
    }
    let query = PublicQuery {
        author_slug: params.author.clone().unwrap_or_default(),
        tag_slug: params.tag.clone().unwrap_or_default(),
        updated_since,
        search: search.map(str::to_owned),
        // `meta.pagination` promises the total and the number of pages.
        count_all: true,
        ..PublicQuery::newest(state.clock.now(), limit, (page - 1) * limit)
    };
    let (posts, total) = state.store.public_posts(&query).await?;
    let total = total.unwrap_or_default();
    let settings = state.store.site_settings().await?;
    let pages = (total + limit - 1) / limit;
    let pagination = Pagination {
        page,
        limit,
        pages,
        total,
        next: (page < pages).then_some(page + 1),
        prev: (page > 1).then(|| (page - 1).min(pages.max(1))),
    };
    let link = link_header(&params, &pagination);
    let body = PostList {
        posts: api_posts(&state, &settings, posts).await?,
        meta: ListMeta { pagination },
    };
    let mut response = Json(body).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// One published post by its slug.
///
/// The post as the list gives it: rendered, sanitised `html` and the
/// `markdown` it came from, authors in byline order, tags, cover, the
/// medical review when the post shows it, SEO fields and the library
/// images it uses (for building `srcset`s). A slug that is unknown, or
/// belongs to a post that is not published, is a 404.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The post's slug, as in its URL")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 400, description = "The path segment is not text", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 404, description = "No published post has this slug", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn get_post(
    State(state): State<AppState>,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Json<Post>, Problem> {
    let slug = path_text(slug, "slug")?;
    let query = PublicQuery {
        slug: slug.clone(),
        ..PublicQuery::newest(state.clock.now(), 1, 0)
    };
    let (mut posts, _) = state.store.public_posts(&query).await?;
    let post = posts
        .pop()
        .ok_or_else(|| Problem::not_found(format!("No published post has the slug `{slug}`.")))?;
    let settings = state.store.site_settings().await?;
    Ok(Json(api_post(&state, &settings, post).await?))
}

/// Everyone with at least one published post, by name.
///
/// Each author's public profile (name, credentials, bio, avatar, the
/// address of their page) with the number of their published posts.
/// People who have not published anything are not listed.
#[utoipa::path(
    get,
    path = "/api/v1/authors",
    tag = "content",
    responses(
        (status = 200, description = "The authors of published posts", body = AuthorList),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        CommonErrors,
    )
)]
pub async fn list_authors(State(state): State<AppState>) -> Result<Json<AuthorList>, Problem> {
    let authors = state.store.public_authors(state.clock.now(), "").await?;
    let settings = state.store.site_settings().await?;
    Ok(Json(AuthorList {
        authors: authors
            .into_iter()
            .map(|author| AuthorWithCount::from_public(author, &settings))
            .collect(),
    }))
}

/// One author of published posts.
///
/// The author's public profile and the number of their published posts,
/// by the slug of their page. Someone who has never published is a 404,
/// like an unknown slug; list their posts with
/// `GET /api/v1/posts?author={slug}`.
#[utoipa::path(
    get,
    path = "/api/v1/authors/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The author's slug, as in their page's URL")),
    responses(
        (status = 200, description = "The author", body = AuthorWithCount),
        (status = 400, description = "The path segment is not text", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 404, description = "No author of a published post has this slug", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn get_author(
    State(state): State<AppState>,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Json<AuthorWithCount>, Problem> {
    let slug = path_text(slug, "slug")?;
    let mut found = state.store.public_authors(state.clock.now(), &slug).await?;
    let author = found
        .pop()
        .ok_or_else(|| Problem::not_found(format!("No author of a published post has the slug `{slug}`.")))?;
    let settings = state.store.site_settings().await?;
    Ok(Json(AuthorWithCount::from_public(author, &settings)))
}

/// Every tag on published posts, by name.
///
/// Each tag's slug, name, description and page address, with the number
/// of published posts that carry it. Tags used only on drafts are not
/// listed.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "content",
    responses(
        (status = 200, description = "The tags of published posts", body = TagList),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        CommonErrors,
    )
)]
pub async fn list_tags(State(state): State<AppState>) -> Result<Json<TagList>, Problem> {
    let tags = state.store.public_tags(state.clock.now(), "").await?;
    let settings = state.store.site_settings().await?;
    Ok(Json(TagList {
        tags: tags
            .into_iter()
            .map(|tag| TagDetail::from_public(tag, &settings))
            .collect(),
    }))
}

/// One tag on published posts.
///
/// The tag's name, description, page address and number of published
/// posts, by its slug. A tag no published post carries is a 404; list
/// its posts with `GET /api/v1/posts?tag={slug}`.
#[utoipa::path(
    get,
    path = "/api/v1/tags/{slug}",
    tag = "content",
    params(("slug" = String, Path, description = "The tag's slug, as in its page's URL")),
    responses(
        (status = 200, description = "The tag", body = TagDetail),
        (status = 400, description = "The path segment is not text", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 404, description = "No published post has this tag", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn get_tag(
    State(state): State<AppState>,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Json<TagDetail>, Problem> {
    let slug = path_text(slug, "slug")?;
    let mut found = state.store.public_tags(state.clock.now(), &slug).await?;
    let tag = found
        .pop()
        .ok_or_else(|| Problem::not_found(format!("No published post has the tag `{slug}`.")))?;
    let settings = state.store.site_settings().await?;
    Ok(Json(TagDetail::from_public(tag, &settings)))
}

/// The site's title, description, address, time zone and language, the
/// clinic's details and the menus.
///
/// What a front end needs to present the site as its admins set it up:
/// `url` is the site's public address, which the `url` of every post,
/// author and tag starts with, and `time_zone` is the one the blog shows
/// dates in (times in answers are always UTC).
#[utoipa::path(
    get,
    path = "/api/v1/site",
    tag = "content",
    responses(
        (status = 200, description = "The site", body = Site),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        CommonErrors,
    )
)]
pub async fn get_site(State(state): State<AppState>) -> Result<Json<Site>, Problem> {
    let settings = state.store.site_settings().await?;
    let menus = crate::settings::server::public_menus(&state).await?;
    let links = |links: Vec<crate::domain::MenuLink>| {
        links
            .into_iter()
            .map(|link| NavigationLink {
                url: settings.absolute(&link.href),
                label: link.label,
            })
            .collect()
    };
    let navigation = Navigation {
        header: links(menus.header),
        footer: links(menus.footer),
    };
    Ok(Json(Site {
        clinic: Clinic::from_details(state.store.clinic_details().await?),
        navigation,
        title: settings.title,
        description: settings.description,
        url: settings.site_url,
        time_zone: settings.time_zone,
        locale: settings.language,
    }))
}

/// A post through a preview link, drafts included.
///
/// The post in the shape `GET /api/v1/posts/{slug}` gives it once
/// published, for a front end's preview mode: an editor shares a preview
/// link from the admin, and its token is the last part of the link. The
/// link shows the post's latest text, or the version it was pinned to.
/// A page's preview has the page's own `url` (`/{slug}`) and no
/// `reviewer` or `review`. Unknown, expired and revoked tokens are a 404;
/// answers are never cached (`private, no-store`) and are marked
/// `noindex`.
#[utoipa::path(
    get,
    path = "/api/v1/preview/{token}",
    tag = "content",
    params(("token" = String, Path, description = "The token of a preview link an editor created")),
    responses(
        (status = 200, description = "The post as the link shows it (its latest text, or the pinned revision)", body = Post),
        (status = 400, description = "The path segment is not text", body = Problem, content_type = "application/problem+json"),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 404, description = "No active preview link has this token (unknown, expired or revoked)",
         body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    )
)]
pub async fn get_preview(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let token = path_text(token, "token")?;
    let post = crate::previews::server::previewed(&state, &token)
        .await?
        .ok_or_else(|| {
            Problem::not_found("No active preview link has this token: it is unknown, expired or revoked.")
        })?;
    let settings = state.store.site_settings().await?;
    let kind = state.store.post(post.id).await?.map_or(PostKind::Post, |row| row.kind);
    let mut previewed = api_post(&state, &settings, post).await?;
    if kind == PostKind::Page {
        previewed = previewed.as_page(&settings);
    }
    let mut response = Json(previewed).into_response();
    let headers = response.headers_mut();
    // A preview is for its link's holders only, and can be revoked.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(response)
}
