//! The admin's front door, as axum middleware in front of admin pages:
//! visitors go to the sign-in page (and come back afterwards), people the
//! two-factor policy covers go to set up their second factor first, pages
//! for admins only answer 403 to others, and the set-up page exists only
//! while there are no users.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::session::load_user;
use crate::accounts::policy::{allows, page_action};
use crate::error::AppError;
use crate::state::AppState;

/// Admin pages anyone may open.
fn is_public_admin_page(path: &str) -> bool {
    path == "/admin/login"
        || path == crate::two_factor::api::CODE_PAGE
        || path == "/admin/setup"
        || path == "/admin/forgot-password"
        || path.starts_with("/admin/set-password/")
        || path.starts_with("/admin/confirm-email/")
}

pub async fn admin_pages(State(state): State<AppState>, session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let is_read = request.method() == Method::GET || request.method() == Method::HEAD;
    if !is_read || !(path == "/admin" || path.starts_with("/admin/")) {
        return next.run(request).await;
    }
    if path == "/admin/setup" {
        let token = request
            .uri()
            .query()
            .and_then(|query| url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "token"))
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        return match state.store.count_users().await {
            Ok(0) if state.config.setup_token_matches(&token) => next.run(request).await,
            Ok(_) => crate::blog::not_found(State(state)).await,
            Err(error) => error.into_response(),
        };
    }
    if is_public_admin_page(&path) {
        return next.run(request).await;
    }
    let user = match load_user(&state, &session).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    // The two-factor policy's people without a second factor set one up
    // before anything else.
    if let Some(user) = &user
        && path != crate::two_factor::api::SETUP_PAGE
    {
        match crate::two_factor::server::set_up_required(&state, user).await {
            Ok(true) => return Redirect::to(crate::two_factor::api::SETUP_PAGE).into_response(),
            Ok(false) => {}
            Err(error) => return error.into_response(),
        }
    }
    match user {
        None => {
            let target = request.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str());
            let next_param: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            Redirect::to(&format!("/admin/login?next={next_param}")).into_response()
        }
        Some(user) if page_action(&path).is_some_and(|action| !allows(user.role, action)) => forbidden_page(),
        Some(_) => next.run(request).await,
    }
}

fn forbidden_page() -> Response {
    let html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · Vellum admin</title>\
        <link rel=\"stylesheet\" href=\"/pkg/vellum.css\"></head><body class=\"admin\"><main class=\"admin-main\">\
        <h1>Not allowed</h1><p>Only admins may open this page.</p><p><a href=\"/admin\">Back to the dashboard</a></p>\
        </main></body></html>";
    (StatusCode::FORBIDDEN, Html(html)).into_response()
}

/// Server functions answer with the status of their `AppError` (leptos
/// would send 500 for every error), plus Retry-After when throttled.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return AppError::Internal.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status_code();
        if let AppError::TooManyRequests { retry_after_secs } = error {
            parts.headers.insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
