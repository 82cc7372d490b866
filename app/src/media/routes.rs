//! Media over HTTP: the upload endpoint of the editor and the library page
//! (multipart, with the session), and the files themselves under
//! `/media/<key>`, cached for a year since a key names its bytes.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_sessions::Session;

use super::api::UPLOAD_PATH;
use super::server::{content_type_of, is_media_key, upload as store_upload};
use crate::accounts::server::{client_address, user_of_session};
use crate::error::AppError;
use crate::state::AppState;

/// The stored files: public, no session.
pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{key}", get(file))
}

/// The upload endpoint. It reads the signed-in user from the session, so
/// the server wraps it in the session layer, and in a body limit sized
/// for the largest image allowed.
pub fn session_routes() -> Router<AppState> {
    Router::new().route(UPLOAD_PATH, post(upload))
}

/// An error as the admin's scripts read them (the server functions' JSON).
fn refuse(error: AppError) -> Response {
    (error.status_code(), Json(error)).into_response()
}

fn too_large(limit: usize) -> AppError {
    AppError::invalid(
        "file",
        format!(
            "This file is larger than the {} MB an upload may have. Make the picture smaller and try again.",
            limit / (1024 * 1024)
        ),
    )
}

/// `POST /admin/media/upload`: one `file` part; 201 with the library item.
pub async fn upload(State(state): State<AppState>, session: Session, request: Request) -> Response {
    let user = match user_of_session(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return refuse(AppError::Unauthenticated),
        Err(error) => return refuse(error),
    };
    let (parts, body) = request.into_parts();
    let address = client_address(&parts, state.config.trust_proxy);
    let multipart: Result<Multipart, MultipartRejection> =
        <Multipart as axum::extract::FromRequest<AppState>>::from_request(Request::from_parts(parts, body), &state)
            .await;
    let Ok(mut multipart) = multipart else {
        return refuse(AppError::invalid(
            "file",
            "Send the image as a multipart form with a `file` part.",
        ));
    };
    let limit = state.config.media_max_bytes;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return refuse(AppError::invalid("file", "Choose an image to upload.")),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return refuse(too_large(limit)),
            Err(_) => return refuse(AppError::invalid("file", "The upload was cut short; try again.")),
        };
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or("image").to_owned();
        // Past the limit the rest is read and dropped: a browser that is
        // still sending gets the message, not a connection reset.
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) if !over && bytes.len() + chunk.len() <= limit => bytes.extend_from_slice(&chunk),
                Ok(Some(_)) => {
                    over = true;
                    bytes = Vec::new();
                }
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return refuse(too_large(limit)),
                Err(_) => return refuse(AppError::invalid("file", "The upload was cut short; try again.")),
            }
        }
        if over {
            return refuse(too_large(limit));
        }
        return match store_upload(&state, &user, &file_name, bytes, &address).await {
            Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
            Err(error) => refuse(error),
        };
    }
}

/// `GET /media/<key>`: a stored file, immutable.
pub async fn file(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    if !is_media_key(&key) {
        return crate::blog::not_found(State(state)).await.into_response();
    }
    match state.media.get(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type_of(&key))),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => crate::blog::not_found(State(state)).await.into_response(),
        Err(error) => error.into_response(),
    }
}
