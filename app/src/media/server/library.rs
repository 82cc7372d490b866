//! The bodies of the media library's server functions and of the upload
//! endpoint (the callers checked who is asking), and the clean-up of files
//! no item uses.

use super::process::{StoredFile, process};
use crate::accounts::Role;
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry, User};
use crate::content::MEDIA_PREFIX;
use crate::error::AppError;
use crate::media::api::MediaView;
use crate::state::AppState;
use crate::store::files::MediaStorage;
use crate::store::model::media::{MediaRow, NewMedia, UsageViewer};
use crate::time::admin_time;

/// The most items the library page lists at once (newest first; search
/// finds older ones).
const LIBRARY_PAGE: i64 = 500;

/// Uploads being decoded and encoded at once, at most.
static PROCESSING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Authors change what they uploaded; editors and admins, everything.
fn may_edit(user: &User, row: &MediaRow) -> bool {
    user.role >= Role::Editor || row.uploaded_by == Some(user.id)
}

pub async fn view(state: &AppState, user: &User, row: MediaRow) -> Result<MediaView, AppError> {
    views(state, user, vec![row]).await?.pop().ok_or(AppError::NotFound)
}

/// Which posts `user` may see by title where a library item is used: the
/// admin's rule for posts (`posts::server::post_for`).
fn usage_viewer(user: &User) -> UsageViewer {
    UsageViewer {
        user_id: user.id,
        sees_every_post: user.role >= Role::Editor,
    }
}

/// The library items as the admin shows them; the settings, every item's
/// variants and their usage are read once for the whole list.
async fn views(state: &AppState, user: &User, rows: Vec<MediaRow>) -> Result<Vec<MediaView>, AppError> {
    let settings = state.store.site_settings().await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let variants = state.store.media_variants(&ids).await?;
    let keys: Vec<String> = rows.iter().map(|row| row.original_key.clone()).collect();
    let uses = state.store.media_usage(&keys, usage_viewer(user)).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let mine = || uses.iter().filter(|usage| usage.media_key == row.original_key);
        let used_in: Vec<String> = mine().filter_map(|usage| usage.title.clone()).collect();
        let used_elsewhere = mine().filter(|usage| usage.title.is_none()).count();
        let thumbnail = variants
            .iter()
            .find(|variant| variant.media_id == row.id && variant.content_type == "image/webp")
            .map_or(row.original_key.clone(), |variant| variant.key.clone());
        views.push(MediaView {
            id: row.id,
            url: format!("{MEDIA_PREFIX}{}", row.original_key),
            thumbnail_url: format!("{MEDIA_PREFIX}{thumbnail}"),
            can_edit: may_edit(user, &row),
            file_name: row.file_name,
            bytes: row.bytes,
            width: row.width,
            height: row.height,
            alt: row.alt,
            uploaded_by: row.uploader.unwrap_or_else(|| "a former user".into()),
            created: admin_time(row.created_at, &settings),
            used_in,
            used_elsewhere: u32::try_from(used_elsewhere).unwrap_or(u32::MAX),
        });
    }
    Ok(views)
}

pub async fn list(state: &AppState, caller: &Caller, q: &str) -> Result<Vec<MediaView>, AppError> {
    let user = &caller.user;
    let rows = state.store.media_list(q.trim(), LIBRARY_PAGE).await?;
    views(state, user, rows).await
}

/// Alt text: plain text, at most 500 characters.
pub fn alt_text(raw: &str) -> Result<String, String> {
    let alt = raw.trim();
    if alt.is_empty() {
        return Err("Describe the image for people who cannot see it.".into());
    }
    if alt.chars().count() > 500 || alt.chars().any(char::is_control) {
        return Err("Use at most 500 characters of plain text.".into());
    }
    Ok(alt.to_owned())
}

pub async fn set_alt(state: &AppState, caller: &Caller, id: i64, raw: &str) -> Result<MediaView, AppError> {
    let user = &caller.user;
    let alt = alt_text(raw).map_err(|message| AppError::invalid("alt", message))?;
    let row = state.store.media_by_id(id).await?.ok_or(AppError::NotFound)?;
    if row.alt == alt {
        return view(state, user, row).await;
    }
    // Anyone may describe an image nobody has described yet (an author
    // using a colleague's upload); changing a description is its owner's.
    let fills_in = row.alt.is_empty();
    if !fills_in && !may_edit(user, &row) {
        return Err(AppError::Forbidden);
    }
    let only_uploader = (!fills_in && user.role < Role::Editor).then_some(user.id);
    let row = state.store.set_media_alt(id, &alt, only_uploader).await?;
    view(state, user, row).await
}

pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    let user = &caller.user;
    let row = state.store.media_by_id(id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(user, &row) {
        return Err(AppError::Forbidden);
    }
    let audit = NewAuditEntry::new(AuditAction::MediaDeleted, Some(user.id), None)
        .address(&caller.address)
        .detail(format!("\"{}\" ({})", row.file_name, row.original_key));
    let only_uploader = (user.role < Role::Editor).then_some(user.id);
    let keys = state
        .store
        .delete_media(id, only_uploader, usage_viewer(user), &audit)
        .await?;
    // The rows are gone; a file that fails to go is only wasted space.
    remove_unreferenced(state, &keys).await;
    Ok(())
}

/// Stores an upload for `user`: files first (content-addressed, so a
/// retry rewrites the same bytes), then the rows in one transaction. The
/// same picture uploaded twice is one library item.
pub async fn upload(
    state: &AppState,
    user: &User,
    file_name: &str,
    bytes: Vec<u8>,
    address: &str,
) -> Result<MediaView, AppError> {
    let max_pixels = state.config.media_max_pixels;
    // A large photo needs hundreds of megabytes while it is processed: a
    // few at a time, the rest wait their turn.
    let turn = PROCESSING
        .acquire()
        .await
        .map_err(|error| AppError::internal(format_args!("image processing queue: {error}")))?;
    let processed = tokio::task::spawn_blocking(move || process(&bytes, max_pixels))
        .await
        .map_err(|error| AppError::internal(format_args!("image processing stopped: {error}")))?
        .map_err(|message| AppError::invalid("file", message))?;
    drop(turn);
    let keys: Vec<String> = std::iter::once(&processed.original)
        .chain(&processed.variants)
        .map(|file| file.key.clone())
        .collect();
    for file in std::iter::once(&processed.original).chain(&processed.variants) {
        if let Err(error) = state.media.put(&file.key, file.bytes.clone()).await {
            remove_unreferenced(state, &keys).await;
            return Err(error);
        }
    }
    let file_name = clean_file_name(file_name);
    let audit = NewAuditEntry::new(AuditAction::MediaUploaded, Some(user.id), None)
        .address(address)
        .detail(format!("\"{file_name}\" ({})", processed.original.key));
    let created = state
        .store
        .create_media(
            &NewMedia {
                original: processed.original.record(),
                variants: processed.variants.iter().map(StoredFile::record).collect(),
                file_name,
                uploaded_by: user.id,
                created_at: state.clock.now(),
            },
            &audit,
        )
        .await;
    match created {
        Ok(row) => view(state, user, row).await,
        Err(error) => {
            // Nothing left behind: the files no row names go again.
            remove_unreferenced(state, &keys).await;
            Err(error)
        }
    }
}

/// Removes those of `keys` that no library item uses (another item may
/// share a file: the same pixels give the same WebP bytes).
pub async fn remove_unreferenced(state: &AppState, keys: &[String]) {
    remove_unreferenced_from(state.store.as_ref(), &state.media, keys).await;
}

/// `remove_unreferenced` for a store and storage outside a running site
/// (`vellum import`).
pub async fn remove_unreferenced_from(store: &dyn crate::store::Store, media: &MediaStorage, keys: &[String]) {
    for key in keys {
        match store.media_key_referenced(key).await {
            Ok(false) => {
                if let Err(error) = media.delete(key).await {
                    tracing::warn!(%error, "media file left behind");
                }
            }
            Ok(true) => {}
            Err(error) => tracing::warn!(%error, key, "media file kept: cannot tell whether it is used"),
        }
    }
}

/// The name shown in the library: the last path segment, printable, at
/// most 200 characters.
pub fn clean_file_name(raw: &str) -> String {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if name.trim().is_empty() {
        "image".to_owned()
    } else {
        name.trim().to_owned()
    }
}
