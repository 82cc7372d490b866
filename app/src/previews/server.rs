//! Preview links on the server: tokens, their digests, and who may read
//! what with one.

use chrono::{DateTime, Duration, Utc};

use super::api::{CreatedPreviewLink, MAX_DAYS, PreviewLinkView};
use crate::accounts::server::{Caller, random_token, token_digest};
use crate::domain::PostStatus;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::model::posts::PublicPost;
pub use crate::store::model::previews::*;
use crate::time::admin_time;

pub async fn create(
    state: &AppState,
    caller: &Caller,
    post_id: i64,
    days: u32,
    pin: bool,
) -> Result<CreatedPreviewLink, AppError> {
    let user = &caller.user;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::invalid("days", format!("Choose from 1 to {MAX_DAYS} days.")));
    }
    let post = state.store.post(post_id).await?.ok_or(AppError::NotFound)?;
    if post.status == PostStatus::Trashed {
        return Err(AppError::Conflict {
            message: "This post is in the trash; restore it before sharing a preview.".into(),
        });
    }
    let now = state.clock.now();
    let token = random_token();
    let row = state
        .store
        .create_preview_link(&NewPreviewLink {
            token_hash: token_digest(&token),
            post_id,
            pin,
            created_by: user.id,
            created_at: now,
            expires_at: now + Duration::days(i64::from(days)),
        })
        .await?;
    let settings = state.store.site_settings().await?;
    Ok(CreatedPreviewLink {
        link: view(row, now, &settings),
        page_url: format!("{}/preview/{token}", settings.site_url),
        api_url: format!("{}{}/preview/{token}", settings.site_url, crate::content::API_PREFIX),
    })
}

pub async fn list(state: &AppState, post_id: i64) -> Result<Vec<PreviewLinkView>, AppError> {
    let now = state.clock.now();
    let settings = state.store.site_settings().await?;
    let rows = state.store.preview_links(post_id).await?;
    Ok(rows.into_iter().map(|row| view(row, now, &settings)).collect())
}

pub async fn revoke(state: &AppState, post_id: i64, id: i64) -> Result<(), AppError> {
    state.store.revoke_preview_link(post_id, id, state.clock.now()).await
}

/// The post a token opens right now, if any: unknown, expired and revoked
/// tokens open nothing, and neither does a trashed post.
pub async fn previewed(state: &crate::state::AppState, token: &str) -> Result<Option<PublicPost>, AppError> {
    state
        .store
        .previewed_post(&token_digest(token), state.clock.now())
        .await
}

fn view(row: PreviewLinkRow, now: DateTime<Utc>, settings: &crate::settings::SiteSettings) -> PreviewLinkView {
    let state = match (row.revoked_at, row.expires_at <= now) {
        (Some(_), _) => "revoked",
        (None, true) => "expired",
        (None, false) => "active",
    };
    PreviewLinkView {
        id: row.id,
        created_by: row.created_by,
        created: admin_time(row.created_at, settings),
        expires: admin_time(row.expires_at, settings),
        state: state.to_owned(),
        pinned_version: row.pinned_version,
    }
}
