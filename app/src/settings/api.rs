// `save_site_settings` takes the settings form's fields as flat arguments,
// one per input, as `ActionForm` posts them; the `#[server]` macro's client
// stub does not carry an item-level allow.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The settings as stored and as sent to the admin.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
    /// The logo in the public header: a path or an https URL; empty for
    /// the site title alone.
    pub logo_url: String,
    /// `#rrggbb`; empty for Vellum's teal.
    pub accent_color: String,
    /// The call to action under every article; all empty for none.
    pub cta_heading: String,
    pub cta_text: String,
    pub cta_label: String,
    pub cta_url: String,
    /// When set, the public content API answers only requests that carry
    /// it (`?key=` or `X-Content-Key`); empty for an open API.
    pub content_key: String,
}

impl SiteSettings {
    /// An address as other sites need it: paths on this site made absolute.
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.site_url)
        } else {
            url.to_owned()
        }
    }
}

/// Everything here is public (it is printed on every public page), so this
/// function needs no signed-in caller; the content API's key alone is
/// secret and goes to admins only.
#[server]
pub async fn get_site_settings() -> Result<SiteSettings, AppError> {
    let state = crate::state::app_state()?;
    let mut settings = state.store.site_settings().await?;
    if crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings)
        .await
        .is_err()
    {
        settings.content_key.clear();
    }
    Ok(settings)
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
    #[server(default)] logo_url: String,
    #[server(default)] accent_color: String,
    #[server(default)] cta_heading: String,
    #[server(default)] cta_text: String,
    #[server(default)] cta_label: String,
    #[server(default)] cta_url: String,
    #[server(default)] content_key: String,
) -> Result<SiteSettings, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let raw = SiteSettings {
        title,
        description,
        site_url,
        time_zone,
        date_format,
        review_required,
        logo_url,
        accent_color,
        cta_heading,
        cta_text,
        cta_label,
        cta_url,
        content_key,
    };
    super::server::save(admin, &raw).await
}
