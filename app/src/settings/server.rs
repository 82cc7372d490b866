//! Saving the settings an admin sent.

use crate::accounts::server::{AuditAction, Caller, NewAuditEntry};
use crate::error::AppError;
use crate::state::AppState;

pub use crate::input::site::*;

/// Parses and stores settings an admin sent, with an audit entry.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    raw: &crate::domain::SiteSettings,
) -> Result<crate::domain::SiteSettings, AppError> {
    let update = SettingsUpdate::parse(raw)?;
    // The entry's time is the change's: a new content key's overlap runs
    // from it, by the site's clock.
    let entry = NewAuditEntry {
        at: state.clock.now(),
        ..NewAuditEntry::new(AuditAction::SettingsChanged, Some(caller.user.id), None).address(&caller.address)
    };
    state.store.update_site_settings(&update, Some(&entry)).await
}
