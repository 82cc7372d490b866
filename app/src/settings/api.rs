use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The settings as stored and as sent to the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    /// The public address of the site, without a trailing slash.
    pub site_url: String,
    /// An IANA time zone name, e.g. `America/Chicago`.
    pub time_zone: String,
    /// A strftime pattern, e.g. `%B %-d, %Y` for "July 9, 2025".
    pub date_format: String,
    /// When on, authors submit posts for review; when off, they may
    /// publish their own.
    pub review_required: bool,
}

/// Everything here is public (it is printed on every public page), so this
/// function needs no signed-in caller.
#[server]
pub async fn get_site_settings() -> Result<SiteSettings, AppError> {
    let state = crate::state::app_state()?;
    state.store.site_settings().await
}

/// Saves the site settings; admins only.
#[server]
pub async fn save_site_settings(
    title: String,
    description: String,
    site_url: String,
    time_zone: String,
    date_format: String,
    #[server(default)] review_required: bool,
) -> Result<SiteSettings, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let raw = SiteSettings {
        title,
        description,
        site_url,
        time_zone,
        date_format,
        review_required,
    };
    super::server::save(admin, &raw).await
}
