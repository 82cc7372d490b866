//! The admin API's endpoints, each documented for the OpenAPI document.
//! They call the admin's own server-function bodies with the token's
//! owner as the caller, so every workflow rule is the same as in the
//! browser.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;

use super::caller::{caller, post_id, write_request};
use super::wire::{
    AdminListParams, AdminPerson, AdminPost, AdminPostList, AdminPostSummary, DraftFields, DraftUpdate, NewDraft,
    Submission, check_new_draft, to_admin_post,
};
use crate::accounts::server::{Caller, User};
use crate::content_api::problem::Problem;
use crate::domain::{PostFields, PostKind};
use crate::error::AppError;
use crate::posts::api::{ChangeStatus, SavePost};
use crate::posts::server::{ListOrder, Post, PostFilter, post_for};
use crate::posts::workflow::{PostStatus, Transition};
use crate::state::AppState;

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

/// Lists the posts the caller may work on, most recently changed first.
///
/// An author's token sees the posts they are an author of; an editor's or
/// an admin's sees every post. The answer holds the 200 most recently
/// changed, as summaries (id, title, status, authors, tags); `status`
/// keeps only posts in that status, e.g. `?status=draft`. Read a post's
/// full fields with `GET /api/v1/admin/posts/{id}`. A read token will do.
#[utoipa::path(
    get,
    operation_id = "list_admin_posts",
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
        // Articles: pages are made and kept in the admin.
        kind: Some(PostKind::Post),
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
///
/// Every field as the admin's editor shows it, including the `version`
/// that a change (`PATCH`) or a submission must name, so that nobody
/// saves over a newer version unknowingly. A post the caller may not see
/// is a 404, the same as one that does not exist, and so is a page's id:
/// the admin API works on articles. A read token will do.
#[utoipa::path(
    get,
    operation_id = "get_admin_post",
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
    Ok(Json(admin_post(&state, &caller.user, id).await?))
}

/// Starts a draft with the caller as its author.
///
/// Only `title` is required; the other fields may be set now or later,
/// and are checked as the admin's editor checks them (a refused field is
/// a 422 naming it). The answer is the new draft, with the `id` and
/// `version` to change or submit it. Needs a write token.
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
    let (caller, draft) = write_request::<NewDraft>(&state, request).await?;
    check_new_draft(&draft, caller.user.id)?;
    // The admin API makes articles; pages are made in the admin.
    let created = crate::posts::server::editing::create(&state, &caller, &draft.title, PostKind::Post).await?;
    if draft.fields != DraftFields::default() {
        let first_save = DraftUpdate::first_save(created.version, draft);
        save_fields(&state, &caller, created.id, &first_save).await?;
    }
    let post = admin_post(&state, &caller.user, created.id).await?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// Changes a draft's fields; the ones left out stay as they are.
///
/// Name the `version` you last read: if someone saved since, the answer
/// is a 409 and nothing changes, so read the post again and retry. Posts
/// waiting for review may not be edited (409). Refused fields are a 422
/// naming each one. The answer is the saved post with its new `version`.
/// Needs a write token.
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
    let (caller, update) = write_request::<DraftUpdate>(&state, request).await?;
    let id = post_id(path)?;
    save_fields(&state, &caller, id, &update).await?;
    Ok(Json(admin_post(&state, &caller.user, id).await?))
}

/// Sends a draft to the editors for review.
///
/// The same step as the admin's Submit button: the post goes to
/// `in_review` and the editors are told. Name the `version` you last
/// read; a post that changed since, or whose status does not allow a
/// submission, is a 409. Needs a write token.
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
    let (caller, submission) = write_request::<Submission>(&state, request).await?;
    let id = post_id(path)?;
    article_for(&state, &caller.user, id).await?;
    let submit = ChangeStatus {
        id,
        version: submission.version,
        transition: Transition::Submit,
        comment: String::new(),
        publish_at: String::new(),
    };
    crate::posts::server::review::change_status(&state, &caller, &submit).await?;
    Ok(Json(admin_post(&state, &caller.user, id).await?))
}

/// Saves `fields` over the post's current values, as the editor's Save
/// button would.
async fn save_fields(state: &AppState, caller: &Caller, id: i64, update: &DraftUpdate) -> Result<(), AppError> {
    let (post, authors) = article_for(state, &caller.user, id).await?;
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
    update.fields.apply_to(update.title.as_ref(), &mut values)?;
    let save = SavePost {
        id,
        version: update.version,
        fields: values,
        manual: true,
    };
    crate::posts::server::editing::save(state, caller, &save).await?;
    Ok(())
}

/// The article `id` and its authors, when `user` may see it. A page is a
/// 404 here like a post the caller may not see: the admin API makes and
/// changes articles (pages are made and kept in the admin), and its
/// answers say nothing of a kind.
async fn article_for(state: &AppState, user: &User, id: i64) -> Result<(Post, Vec<User>), AppError> {
    let (post, authors, _) = post_for(state, user, id).await?;
    if post.kind != PostKind::Post {
        return Err(AppError::NotFound);
    }
    Ok((post, authors))
}

async fn admin_post(state: &AppState, user: &User, id: i64) -> Result<AdminPost, AppError> {
    let (post, authors) = article_for(state, user, id).await?;
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
