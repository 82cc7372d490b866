//! How an admin API request becomes its caller: the bearer token checked
//! (and, for writes, its right to write), the body and path read, and the
//! work run in the context the admin's server functions expect. Apart
//! from the handlers because every endpoint goes through it alike.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, Path, Request};
use axum::http::header;
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

use crate::api_tokens::server::{TokenCaller, authenticate};
use crate::content_api::problem::Problem;
use crate::error::AppError;
use crate::state::AppState;

/// Runs `work` as the token's owner, inside the same context the admin's
/// server functions have (state and request), so that they apply.
pub(super) async fn as_caller<T>(
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
pub(super) async fn caller(state: &AppState, parts: &axum::http::request::Parts) -> Result<TokenCaller, Problem> {
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
pub(super) async fn write_request<T: serde::de::DeserializeOwned>(
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

pub(super) fn post_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    // Ids are whole numbers: anything else names no post.
    path.map(|Path(id)| id).map_err(|_| AppError::NotFound)
}
