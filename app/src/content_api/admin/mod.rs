//! The admin API under `/api/v1/admin`, for automation: a person's
//! scripts list and read their posts, create and edit drafts and submit
//! them for review, with a personal API token (`Authorization: Bearer`).
//! A token acts as its owner with the owner's current role and nothing
//! more; a read token only reads. The handlers run the admin's own
//! server-side functions, so every workflow rule is the same as in the
//! browser.
//!
//! Its wire types (`wire`), the request plumbing every endpoint shares
//! (`caller`) and the endpoints themselves (`handlers`) each have a file;
//! this one holds only the routes.

mod caller;
pub mod handlers;
pub mod wire;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::state::AppState;
use handlers::{create_draft, get_post, list_posts, submit, update_draft};

/// Where the admin API lives.
pub const ADMIN_PREFIX: &str = "/api/v1/admin";

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
