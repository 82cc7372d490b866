//! The export over HTTP: one download for admins.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tower_sessions::Session;

use super::api::EXPORT_PATH;
use super::writer::write_export;
use crate::accounts::Role;
use crate::accounts::server::{random_token, user_of_session};
use crate::error::AppError;
use crate::state::AppState;

/// The download. It reads the signed-in user from the session, so the
/// server wraps it in the session layer. A POST: it does real work, and a
/// link or an image on another page must not set it off.
pub fn session_routes() -> Router<AppState> {
    Router::new().route(EXPORT_PATH, post(download))
}

/// `POST /admin/export.tar.gz`: the export, for admins, as one download.
async fn download(State(state): State<AppState>, session: Session) -> Response {
    let user = match user_of_session(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(error) => return error.into_response(),
    };
    if user.role < Role::Admin {
        return AppError::Forbidden.into_response();
    }
    match archive(&state).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/gzip"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"vellum-export.tar.gz\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        // Whatever failed, the admin gets a 500: a store error met while
        // exporting is no fault of the request.
        Err(error) => AppError::internal(format_args!("export: {error}")).into_response(),
    }
}

/// The export written to a scratch folder and packed as .tar.gz.
async fn archive(state: &AppState) -> Result<Vec<u8>, AppError> {
    let scratch = std::env::temp_dir().join(format!("vellum-export-{}", random_token()));
    // Built where only this user can read: the shared temporary folder is
    // everyone's.
    crate::store::files::create_private_dir(&scratch)
        .map_err(|error| AppError::internal(format_args!("cannot create {}: {error}", scratch.display())))?;
    let written = write_export(state.store.as_ref(), &state.media, &scratch).await;
    let packed = written
        .and_then(|_| pack(&scratch).map_err(|error| AppError::internal(format_args!("packing the export: {error}"))));
    let _ = std::fs::remove_dir_all(&scratch);
    packed
}

fn pack(folder: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let mut tarball = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    tarball.append_dir_all("vellum-export", folder)?;
    tarball.into_inner()?.finish()
}
