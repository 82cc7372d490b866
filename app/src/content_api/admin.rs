//! The admin API under `/api/v1/admin`, for automation: a person's
//! scripts list and read their posts, create and edit drafts and submit
//! them for review, with a personal API token (`Authorization: Bearer`).
//! A token acts as its owner with the owner's current role and nothing
//! more; a read token only reads. The handlers run the admin's own
//! server-side functions, so every workflow rule is the same as in the
//! browser.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use crate::api_tokens::server::{TokenCaller, authenticate};
use crate::domain::{PostContent, PostFields};
use crate::error::AppError;
use crate::posts::server::{ListOrder, Post, PostEdit, PostFilter, PostTitle, Slug, post_for};
use crate::posts::workflow::{PostStatus, Transition};
use crate::state::AppState;

/// Where the admin API lives.
pub const ADMIN_PREFIX: &str = "/api/v1/admin";
const LIST_LIMIT: i64 = 200;

/// The errors every admin endpoint may answer, documented once.
#[derive(utoipa::IntoResponses)]
#[expect(
    dead_code,
    reason = "only described in the OpenAPI document; the answers are built as `Problem`s"
)]
enum AdminErrors {
    /// No token, or an unknown, revoked or deactivated one
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Problem),
    /// The token may not do this (a read token writing, or the owner's role)
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Too many requests; retry after the `Retry-After` seconds
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// Failure on the server's side
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
}

/// A post as its authors and editors work on it: the working copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPost {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: PostStatus,
    /// Send it back with an update: a save over someone else's newer one
    /// is refused with 409.
    pub version: i64,
    pub markdown: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    pub authors: Vec<AdminPerson>,
    pub cover_url: String,
    pub cover_alt: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
    pub show_review: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPerson {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostSummary {
    pub id: i64,
    pub title: String,
    pub status: PostStatus,
    pub updated_at: DateTime<Utc>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostList {
    pub posts: Vec<AdminPostSummary>,
}

/// A new draft: a title, and any of the other fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDraft {
    #[schema(min_length = 1, max_length = 200, example = "Sleep and screens")]
    pub title: String,
    pub slug: Option<String>,
    pub markdown: Option<String>,
    pub excerpt: Option<String>,
    /// Tag names; missing tags are created.
    pub tags: Option<Vec<String>>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub show_review: Option<bool>,
}

/// Changes to a draft: the version it was read at, and the fields to
/// change (the others stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftUpdate {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub slug: Option<String>,
    pub markdown: Option<String>,
    pub excerpt: Option<String>,
    /// Tag names; missing tags are created.
    pub tags: Option<Vec<String>>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub show_review: Option<bool>,
}

/// The fields a save may change; `None` keeps the current value.
#[derive(Debug, Default)]
struct DraftFields {
    title: Option<String>,
    slug: Option<String>,
    markdown: Option<String>,
    excerpt: Option<String>,
    tags: Option<Vec<String>>,
    cover_url: Option<String>,
    cover_alt: Option<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    canonical_url: Option<String>,
    show_review: Option<bool>,
}

impl From<NewDraft> for DraftFields {
    fn from(draft: NewDraft) -> Self {
        Self {
            title: None,
            slug: draft.slug,
            markdown: draft.markdown,
            excerpt: draft.excerpt,
            tags: draft.tags,
            cover_url: draft.cover_url,
            cover_alt: draft.cover_alt,
            seo_title: draft.seo_title,
            seo_description: draft.seo_description,
            canonical_url: draft.canonical_url,
            show_review: draft.show_review,
        }
    }
}

impl From<DraftUpdate> for DraftFields {
    fn from(update: DraftUpdate) -> Self {
        Self {
            title: update.title,
            slug: update.slug,
            markdown: update.markdown,
            excerpt: update.excerpt,
            tags: update.tags,
            cover_url: update.cover_url,
            cover_alt: update.cover_alt,
            seo_title: update.seo_title,
            seo_description: update.seo_description,
            canonical_url: update.canonical_url,
            show_review: update.show_review,
        }
    }
}

impl DraftFields {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.slug.is_none()
            && self.markdown.is_none()
            && self.excerpt.is_none()
            && self.tags.is_none()
            && self.cover_url.is_none()
            && self.cover_alt.is_none()
            && self.seo_title.is_none()
            && self.seo_description.is_none()
            && self.canonical_url.is_none()
            && self.show_review.is_none()
    }
}

/// A version as JSON may write a whole number: `3` or `3.0`.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|value| value.fract() == 0.0 && value.abs() < 9.0e15)
                .map(|value| value as i64)
        })
        .ok_or_else(|| serde::de::Error::custom("expected a whole number"))
}

/// The version the caller read, so that a submission of a text changed
/// since is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListParams {
    /// Only posts in this status.
    #[param(value_type = Option<PostStatus>, inline, example = "draft")]
    status: Option<String>,
}

/// Runs `work` as the token's owner, inside the same context the admin's
/// server functions have (state and request), so that they apply.
async fn as_caller<T>(
    state: &AppState,
    request: axum::http::request::Parts,
    work: impl std::future::Future<Output = Result<T, AppError>> + Send,
) -> Result<T, AppError> {
    let owner = Owner::new();
    let state = state.clone();
    owner
        .with(|| {
            ScopedFuture::new(async move {
                provide_context(state);
                provide_context(request);
                work.await
            })
        })
        .await
}

/// The caller, from the bearer token; 401 without one.
async fn caller(state: &AppState, parts: &axum::http::request::Parts) -> Result<TokenCaller, Problem> {
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    authenticate(state, authorization).await.map_err(|error| match error {
        AppError::Unauthenticated => Problem::token_required(),
        other => other.into(),
    })
}

/// What every write starts with: the caller's token, which must be a
/// write token, and the body as JSON of the endpoint's type.
async fn write_request<T: serde::de::DeserializeOwned>(
    state: &AppState,
    request: Request,
) -> Result<(crate::accounts::server::User, axum::http::request::Parts, T), Problem> {
    let (parts, body) = request.into_parts();
    let caller = caller(state, &parts).await?;
    caller.require_write()?;
    let Json(value) = Json::<T>::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|rejection| bad_body(&rejection))?;
    Ok((caller.user, parts, value))
}

/// A problem for a body that is not the JSON the endpoint takes.
fn bad_body(rejection: &JsonRejection) -> Problem {
    Problem::bad_body(rejection.body_text())
}

fn post_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    // Ids are whole numbers: anything else names no post.
    path.map(|Path(id)| id).map_err(|_| AppError::NotFound)
}

/// Lists the posts the caller may work on (authors: their own; editors
/// and admins: all), most recently changed first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/posts",
    tag = "admin",
    params(AdminListParams),
    security(("api_token" = [])),
    responses(
        (status = 200, description = "The caller's posts", body = AdminPostList),
        (status = 400, description = "A query parameter was refused", content_type = "application/problem+json", body = Problem),
        AdminErrors,
    )
)]
pub async fn list_posts(
    State(state): State<AppState>,
    query: Result<Query<AdminListParams>, QueryRejection>,
    request: Request,
) -> Result<Json<AdminPostList>, Problem> {
    let (parts, _) = request.into_parts();
    let caller = caller(&state, &parts).await?;
    let Query(params) = query.map_err(|rejection| Problem::bad_query(rejection.body_text()))?;
    let status = match params.status.as_deref() {
        None => None,
        Some(raw) => Some(
            PostStatus::ALL
                .into_iter()
                .find(|status| status.as_str() == raw)
                .ok_or_else(|| {
                    Problem::invalid_param(
                        "status",
                        "must be one of draft, in_review, changes_requested, approved, scheduled, published, trashed",
                    )
                })?,
        ),
    };
    let filter = PostFilter {
        status,
        visible_to_author: (caller.user.role < crate::accounts::Role::Editor).then_some(caller.user.id),
        order: ListOrder::RecentlyChanged,
        limit: LIST_LIMIT,
        ..PostFilter::default()
    };
    let rows = state.store.list_posts(&filter).await?;
    Ok(Json(AdminPostList {
        posts: rows
            .into_iter()
            .map(|row| AdminPostSummary {
                id: row.id,
                title: row.title,
                status: row.status,
                updated_at: row.updated_at,
                authors: row.authors,
                tags: row.tags,
            })
            .collect(),
    }))
}

/// One post the caller may work on; 404 for anyone else's.
#[utoipa::path(
    get,
    path = "/api/v1/admin/posts/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The post's id")),
    security(("api_token" = [])),
    responses(
        (status = 200, description = "The post", body = AdminPost),
        (status = 404, description = "No such post among the caller's", content_type = "application/problem+json", body = Problem),
        AdminErrors,
    )
)]
pub async fn get_post(
    State(state): State<AppState>,
    path: Result<Path<i64>, PathRejection>,
    request: Request,
) -> Result<Json<AdminPost>, Problem> {
    let (parts, _) = request.into_parts();
    let caller = caller(&state, &parts).await?;
    let id = post_id(path)?;
    let post = as_caller(&state, parts, admin_post(caller.user, id)).await?;
    Ok(Json(post))
}

/// Starts a draft with the caller as its author.
#[utoipa::path(
    post,
    path = "/api/v1/admin/posts",
    tag = "admin",
    request_body = NewDraft,
    security(("api_token" = [])),
    responses(
        (status = 201, description = "The new draft", body = AdminPost),
        (status = 400, description = "The body is not the JSON this endpoint takes", content_type = "application/problem+json", body = Problem),
        (status = 422, description = "Some fields were refused; `errors` says why, per field", content_type = "application/problem+json", body = Problem),
        AdminErrors,
    )
)]
pub async fn create_draft(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<AdminPost>), Problem> {
    let (user, parts, draft) = write_request::<NewDraft>(&state, request).await?;
    let title = draft.title.clone();
    let fields = DraftFields::from(draft);
    check_new_draft(&title, &fields, user.id)?;
    let post = as_caller(&state, parts, async move {
        let created = crate::posts::server::editing::create(user.clone(), &title).await?;
        if !fields.is_empty() {
            save_fields(&user, created.id, created.version, &fields).await?;
        }
        admin_post(user, created.id).await
    })
    .await?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// Changes a draft's fields; the ones left out stay as they are.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/posts/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "The post's id")),
    request_body = DraftUpdate,
    security(("api_token" = [])),
    responses(
        (status = 200, description = "The saved post", body = AdminPost),
        (status = 400, description = "The body is not the JSON this endpoint takes", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "No such post among the caller's", content_type = "application/problem+json", body = Problem),
        (status = 409, description = "Someone saved a newer version, or the post may not be edited in its status", content_type = "application/problem+json", body = Problem),
        (status = 422, description = "Some fields were refused; `errors` says why, per field", content_type = "application/problem+json", body = Problem),
        AdminErrors,
    )
)]
pub async fn update_draft(
    State(state): State<AppState>,
    path: Result<Path<i64>, PathRejection>,
    request: Request,
) -> Result<Json<AdminPost>, Problem> {
    let (user, parts, update) = write_request::<DraftUpdate>(&state, request).await?;
    let id = post_id(path)?;
    let post = as_caller(&state, parts, async move {
        let version = update.version;
        save_fields(&user, id, version, &DraftFields::from(update)).await?;
        admin_post(user, id).await
    })
    .await?;
    Ok(Json(post))
}

/// Sends a draft to the editors for review.
#[utoipa::path(
    post,
    path = "/api/v1/admin/posts/{id}/submit",
    tag = "admin",
    params(("id" = i64, Path, description = "The post's id")),
    request_body = Submission,
    security(("api_token" = [])),
    responses(
        (status = 200, description = "The post, now in review", body = AdminPost),
        (status = 400, description = "The body is not the JSON this endpoint takes", content_type = "application/problem+json", body = Problem),
        (status = 404, description = "No such post among the caller's", content_type = "application/problem+json", body = Problem),
        (status = 409, description = "The post changed since that version, or cannot be submitted in its status", content_type = "application/problem+json", body = Problem),
        AdminErrors,
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    path: Result<Path<i64>, PathRejection>,
    request: Request,
) -> Result<Json<AdminPost>, Problem> {
    let (user, parts, submission) = write_request::<Submission>(&state, request).await?;
    let id = post_id(path)?;
    let post = as_caller(&state, parts, async move {
        crate::posts::server::review::change_status(user.clone(), id, submission.version, Transition::Submit, "", "")
            .await?;
        admin_post(user, id).await
    })
    .await?;
    Ok(Json(post))
}

impl DraftFields {
    /// Lays these changes over a post's fields. Tag names travel joined by
    /// commas, so a name with a comma in it is refused rather than split
    /// in two.
    fn apply_to(&self, fields: &mut PostFields) -> Result<(), AppError> {
        let set = |target: &mut String, new: &Option<String>| {
            if let Some(new) = new {
                new.clone_into(target);
            }
        };
        let content = &mut fields.content;
        set(&mut content.title, &self.title);
        set(&mut content.slug, &self.slug);
        set(&mut content.body, &self.markdown);
        set(&mut content.excerpt, &self.excerpt);
        set(&mut content.cover_url, &self.cover_url);
        set(&mut content.cover_alt, &self.cover_alt);
        set(&mut content.seo_title, &self.seo_title);
        set(&mut content.seo_description, &self.seo_description);
        set(&mut content.canonical_url, &self.canonical_url);
        if let Some(show_review) = self.show_review {
            fields.show_review = show_review;
        }
        if let Some(tags) = &self.tags {
            if tags.iter().any(|tag| tag.contains(',')) {
                return Err(AppError::invalid("tags", "Tag names cannot contain commas."));
            }
            fields.tags = tags.join(", ");
        }
        Ok(())
    }
}

/// Checks a new draft's fields as its first save will, before anything is
/// stored, so a refused draft leaves nothing behind.
fn check_new_draft(title: &str, fields: &DraftFields, author_id: i64) -> Result<(), AppError> {
    let slug = PostTitle::parse(title)
        .map(|title| Slug::from_title(&title).as_str().to_owned())
        .unwrap_or_default();
    let mut values = PostFields {
        content: PostContent {
            title: title.to_owned(),
            slug,
            ..PostContent::default()
        },
        show_review: true,
        tags: String::new(),
        author_ids: vec![author_id],
    };
    fields.apply_to(&mut values)?;
    PostEdit::parse(&values).map(drop)
}

/// Saves `fields` over the post's current values, as the editor's Save
/// button would.
async fn save_fields(
    user: &crate::accounts::server::User,
    id: i64,
    version: i64,
    fields: &DraftFields,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (post, authors, _) = post_for(user, id).await?;
    let tags: Vec<String> = state
        .store
        .post_tags(id)
        .await?
        .into_iter()
        .map(|tag| tag.name)
        .collect();
    let mut values = PostFields {
        content: post.content,
        show_review: post.show_review,
        tags: tags.join(", "),
        author_ids: authors.iter().map(|author| author.id).collect(),
    };
    fields.apply_to(&mut values)?;
    crate::posts::server::editing::save(user.clone(), id, version, &values, true).await?;
    Ok(())
}

async fn admin_post(user: crate::accounts::server::User, id: i64) -> Result<AdminPost, AppError> {
    let state = crate::state::app_state()?;
    let (post, authors, _) = post_for(&user, id).await?;
    let tags = state.store.post_tags(id).await?;
    Ok(to_admin_post(
        post,
        authors
            .into_iter()
            .map(|author| AdminPerson {
                id: author.id,
                name: author.display_name,
            })
            .collect(),
        tags.into_iter().map(|tag| tag.name).collect(),
    ))
}

fn to_admin_post(post: Post, authors: Vec<AdminPerson>, tags: Vec<String>) -> AdminPost {
    AdminPost {
        id: post.id,
        title: post.content.title,
        slug: post.content.slug,
        status: post.status,
        version: post.version,
        markdown: post.content.body,
        excerpt: post.content.excerpt,
        tags,
        authors,
        cover_url: post.content.cover_url,
        cover_alt: post.content.cover_alt,
        seo_title: post.content.seo_title,
        seo_description: post.content.seo_description,
        canonical_url: post.content.canonical_url,
        show_review: post.show_review,
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
        publish_at: post.publish_at,
    }
}

/// The admin API's routes, to be nested at `ADMIN_PREFIX`. Its answers
/// are the caller's own: never cached, never readable by other origins.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/posts", get(list_posts).post(create_draft))
        .route("/posts/{id}", get(get_post).patch(update_draft))
        .route("/posts/{id}/submit", post(submit))
        .fallback(super::problem::not_found)
        .method_not_allowed_fallback(super::problem::method_not_allowed)
        .layer(axum::middleware::map_response(|mut response: Response| async move {
            let unauthenticated = response.status() == StatusCode::UNAUTHORIZED;
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            if unauthenticated {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            response
        }))
}
