//! The preview links' server functions (editors and admins) and the types
//! they exchange.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How long a new link lives unless the editor chooses otherwise.
pub const DEFAULT_DAYS: u32 = 7;
/// The longest life a link may get.
pub const MAX_DAYS: u32 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLinkView {
    pub id: i64,
    pub created_by: String,
    pub created: String,
    pub expires: String,
    /// `active`, `expired` or `revoked`.
    pub state: String,
    /// The version the link shows, when it is pinned.
    pub pinned_version: Option<i64>,
}

/// A link just made: its addresses carry the token, shown this once (only
/// its digest is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPreviewLink {
    pub link: PreviewLinkView,
    pub page_url: String,
    pub api_url: String,
}

#[server]
pub async fn create_preview_link(
    post_id: i64,
    days: u32,
    #[server(default)] pin: bool,
) -> Result<CreatedPreviewLink, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Editor).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::create(&state, &caller, post_id, days, pin).await
}

#[server]
pub async fn list_preview_links(post_id: i64) -> Result<Vec<PreviewLinkView>, AppError> {
    let _user = crate::accounts::server::require_role(crate::accounts::Role::Editor).await?;
    super::server::list(&crate::state::app_state()?, post_id).await
}

#[server]
pub async fn revoke_preview_link(post_id: i64, id: i64) -> Result<(), AppError> {
    let _user = crate::accounts::server::require_role(crate::accounts::Role::Editor).await?;
    super::server::revoke(&crate::state::app_state()?, post_id, id).await
}
