//! Saving the settings an admin sent.

use crate::accounts::server::{AuditAction, NewAuditEntry, User, request_address};
use crate::error::AppError;
use crate::state::app_state;

pub use crate::input::site::*;

/// Parses and stores settings an admin sent, with an audit entry.
pub async fn save(admin: User, raw: &crate::domain::SiteSettings) -> Result<crate::domain::SiteSettings, AppError> {
    let state = app_state()?;
    let update = SettingsUpdate::parse(raw)?;
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::SettingsChanged, Some(admin.id), None).address(&address);
    state.store.update_site_settings(&update, Some(&entry)).await
}
