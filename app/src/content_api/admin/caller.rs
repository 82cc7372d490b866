//! How an admin API request becomes its caller: the bearer token checked
//! (and, for writes, its right to write), and the body and path read.
//! Apart from the handlers because every endpoint goes through it alike.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, Path, Request};
use axum::http::header;

use super::wire::AdminBody;
use crate::accounts::server::Caller;
use crate::api_tokens::server::{TokenCaller, authenticate};
use crate::content_api::problem::Problem;
use crate::error::AppError;
use crate::state::AppState;

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
pub(super) async fn write_request<T: AdminBody>(state: &AppState, request: Request) -> Result<(Caller, T), Problem> {
    let (parts, body) = request.into_parts();
    let caller = caller(state, &parts).await?;
    caller.require_write()?;
    let Json(value) = Json::<T>::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|rejection| bad_body(&rejection))?;
    if let Some(unknown) = value.unknown() {
        unknown.refuse().map_err(Problem::bad_body)?;
    }
    Ok((Caller::of_parts(state, caller.user, &parts), value))
}

/// A problem for a body that is not the JSON the endpoint takes.
fn bad_body(rejection: &JsonRejection) -> Problem {
    Problem::bad_body(rejection.body_text())
}

pub(super) fn post_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    // Ids are whole numbers: anything else names no post.
    path.map(|Path(id)| id).map_err(|_| AppError::NotFound)
}
