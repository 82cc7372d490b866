// `save_site_settings` takes the settings form's fields as flat arguments,
// one per input, as `ActionForm` posts them; the `#[server]` macro's client
// stub does not carry an item-level allow.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

pub use crate::domain::SiteSettings;
use crate::error::AppError;

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
