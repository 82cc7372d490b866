//! A public page that could not be shown: the error as an HTML page with
//! its status.

use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

use super::layout::render_document;
use super::pages::ErrorPage;
use crate::error::AppError;

/// An `AppError` answered as an HTML page rather than JSON.
pub struct PageError(pub(super) AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        // The store may be what failed: the page goes without the chrome.
        let message = self.0.to_string();
        let html = render_document(
            super::chrome::SiteChrome::default(),
            || view! { <ErrorPage status message /> },
        );
        (self.0.status_code(), Html(html)).into_response()
    }
}
