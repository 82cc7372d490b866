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

/// Saves the site settings; admins only. The form posts the fields flat.
#[server]
pub async fn save_site_settings(#[server(flatten)] settings: SiteSettings) -> Result<SiteSettings, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::save(&state, &caller, &settings).await
}
