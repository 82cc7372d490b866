use leptos::prelude::*;

pub use crate::domain::SiteSettings;
use crate::domain::{ClinicDetails, Menus};
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

/// The clinic's details as the settings page edits them; admins only
/// (readers get them on every public page and from the content API).
#[server]
pub async fn get_clinic_details() -> Result<ClinicDetails, AppError> {
    crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let state = crate::state::app_state()?;
    state.store.clinic_details().await
}

/// Saves the clinic's details; admins only. The form posts them flat,
/// the hours as `hours[0][opens]`, Monday first.
#[server]
pub async fn save_clinic_details(#[server(flatten)] clinic: ClinicDetails) -> Result<ClinicDetails, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::save_clinic(&state, &caller, &clinic).await
}

/// The menus with what is wrong with their items now (`header.0` → a
/// message), e.g. a page unpublished since.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MenusView {
    pub menus: Menus,
    pub problems: std::collections::BTreeMap<String, String>,
}

#[server]
pub async fn get_menus() -> Result<MenusView, AppError> {
    crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let state = crate::state::app_state()?;
    super::server::menus_view(&state).await
}

/// Replaces both menus; admins only. The settings page's script sends
/// the items it holds as `header[0][label]`, `header[0][kind]`,
/// `header[0][target]`, … (the page needs its script to add and reorder
/// items, so its form has no plain-HTML fallback).
#[server]
pub async fn save_menus(#[server(flatten)] menus: Menus) -> Result<MenusView, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::save_menus(&state, &caller, &menus).await
}
