use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

use super::layout::render_document;
use super::pages::{ErrorPage, HomePage, NotFoundPage};
use crate::error::AppError;
use crate::state::AppState;

/// The public pages. Each handler reads what it needs, then renders.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let settings = state.store.site_settings().await?;
    Ok(Html(render_document(view! { <HomePage settings /> })))
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
