//! The files every page asks for besides itself: the favicon and the
//! style sheet under its hashed name.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::PageError;
use crate::state::AppState;

/// Vellum's own icon (16, 32 and 48 pixels), for sites without a logo.
const DEFAULT_FAVICON: &[u8] = include_bytes!("favicon.ico");

/// How long browsers keep `/favicon.ico`: its answer changes when an admin
/// sets or changes the logo, so not for good; public pages link the logo
/// itself, so only clients that ask for `/favicon.ico` on their own (feed
/// readers, the admin's tabs) may show the old icon, for a day at most.
const FAVICON_CACHE: &str = "public, max-age=86400";

/// What never changes under its address, browsers keep for a year.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// `GET /favicon.ico`: the site's logo when it has one, Vellum's icon
/// otherwise. The logo is a redirect, not its bytes: it may be an image
/// elsewhere (an https address), which the server must not fetch, and a
/// library image is already served with its own caching.
pub(super) async fn favicon(State(state): State<AppState>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static(FAVICON_CACHE));
    Ok(if settings.logo_url.is_empty() {
        let icon = (header::CONTENT_TYPE, HeaderValue::from_static("image/x-icon"));
        ([icon, cache], DEFAULT_FAVICON).into_response()
    } else {
        (
            StatusCode::FOUND,
            [(header::LOCATION, location(&settings.logo_url)), cache],
        )
            .into_response()
    })
}

/// An address as a `Location` value: the settings refuse control
/// characters, and anything else that is not visible ASCII (a path with
/// accents, a space) is percent-encoded, as browsers would.
fn location(address: &str) -> HeaderValue {
    let mut encoded = String::with_capacity(address.len());
    for byte in address.bytes() {
        if byte.is_ascii_graphic() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static("/"))
}

/// `GET /assets/vellum-<hash>.css`: the style sheet read at start, for a
/// year. Any other name (an older sheet's, after a new release) is 404:
/// the page that linked it is gone with the old release too.
pub(super) async fn stylesheet(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let sheet = &state.config.stylesheet;
    let current = sheet
        .path
        .strip_prefix("/assets/")
        .filter(|current| !current.is_empty());
    if current != Some(name.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, FOREVER),
        ],
        sheet.css.clone(),
    )
        .into_response()
}
