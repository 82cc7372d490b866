//! One-click unsubscribe (RFC 8058). Every notification names
//! `/mail/unsubscribe/{token}` in `List-Unsubscribe`, with
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: mail programs
//! POST to it, and a person who follows the link from the message's
//! footer gets a page with one button. A GET changes nothing, because
//! link scanners open every link in a message.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::crypto::token_digest;
use crate::mail::api::kind_label;
use crate::state::AppState;
use crate::store::model::mail::DIGEST_KIND;

pub fn routes() -> Router<AppState> {
    Router::new().route("/mail/unsubscribe/{token}", get(confirm_page).post(unsubscribe))
}

const NOT_VALID: &str = "This unsubscribe link is not valid. You can choose which emails you get on your profile.";

async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let title = site_title(&state).await;
    if !is_token(&token) {
        return page(StatusCode::NOT_FOUND, &title, "Unsubscribe", &paragraph(NOT_VALID));
    }
    let body = format!(
        "<p>Stop these emails? You can turn them on again on your profile.</p>\n\
         <form method=\"post\" action=\"/mail/unsubscribe/{token}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Unsubscribe</button></form>\n"
    );
    page(StatusCode::OK, &title, "Unsubscribe", &body)
}

async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let title = site_title(&state).await;
    if !is_token(&token) {
        return page(StatusCode::NOT_FOUND, &title, "Unsubscribe", &paragraph(NOT_VALID));
    }
    match state.store.unsubscribe(&token_digest(&token)).await {
        Ok(Some(kind)) => {
            let what = if kind == DIGEST_KIND {
                "You will get no more daily digests.".to_owned()
            } else {
                format!("You will get no more emails for “{}”.", kind_label(&kind))
            };
            let body = paragraph(&format!("{what} You can change this on your profile in the admin."));
            page(StatusCode::OK, &title, "Unsubscribed", &body)
        }
        Ok(None) => page(StatusCode::NOT_FOUND, &title, "Unsubscribe", &paragraph(NOT_VALID)),
        Err(error) => {
            tracing::error!(%error, "unsubscribing failed");
            let body = paragraph("Something went wrong on our side. Please try again in a minute.");
            page(StatusCode::INTERNAL_SERVER_ERROR, &title, "Unsubscribe", &body)
        }
    }
}

/// Tokens are 64 hexadecimal digits (`crypto::random_token`).
fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn site_title(state: &AppState) -> String {
    state
        .store
        .site_settings()
        .await
        .map(|settings| settings.title)
        .unwrap_or_default()
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

fn page(status: StatusCode, site: &str, heading: &str, body: &str) -> Response {
    let site = escape(site);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{heading} · {site}</title><link rel=\"stylesheet\" href=\"/pkg/vellum.css\"></head>\n\
         <body><main class=\"narrow\"><h1>{heading}</h1>\n{body}<p><a href=\"/\">{site}</a></p></main></body></html>\n"
    );
    (status, Html(html)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
