//! The media library's server functions and the types they exchange.
//! Uploads themselves are a multipart POST to `UPLOAD_PATH` (a server
//! function would hide the upload's progress from the page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where the editor and the library page send files (multipart, one
/// `file` part); the answer is a `MediaView` as JSON, or an `AppError`.
pub const UPLOAD_PATH: &str = "/admin/media/upload";

/// One image of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaView {
    pub id: i64,
    /// The address to put in posts: the stored original (upright, without
    /// metadata). Public pages swap in the variants.
    pub url: String,
    /// The smallest variant, for lists.
    pub thumbnail_url: String,
    pub file_name: String,
    /// Size of the stored original, in bytes.
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    /// Empty until someone describes the image; required before inserting.
    pub alt: String,
    pub uploaded_by: String,
    pub created: String,
    /// Titles of the posts that use it (text or cover) and that the
    /// caller may see.
    pub used_in: Vec<String>,
    /// How many other posts use it: other authors' posts that are not
    /// published, which the caller may not see.
    pub used_elsewhere: u32,
    /// The caller may change its alt text or delete it.
    pub can_edit: bool,
}

/// The library, newest first; `q` searches file names and alt texts.
#[server]
pub async fn list_media(#[server(default)] q: String) -> Result<Vec<MediaView>, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::list(&state, &caller, &q).await
}

/// Describes an image for people who cannot see it.
#[server]
pub async fn set_media_alt(id: i64, alt: String) -> Result<MediaView, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::set_alt(&state, &caller, id, &alt).await
}

/// Deletes an unused image and its files; `Conflict` naming the posts that
/// use it otherwise.
#[server]
pub async fn delete_media(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::delete(&state, &caller, id).await
}
