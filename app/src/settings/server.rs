//! Saving the settings an admin sent: the site's, the clinic's details
//! and the menus, each with an audit entry.

use std::collections::BTreeMap;

use super::api::MenusView;
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry};
use crate::domain::{ClinicDetails, MenuItem, MenuLink, Menus};
use crate::error::AppError;
use crate::input::clinic::ClinicUpdate;
use crate::input::menu::MenuUpdate;
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

/// The audit entry of a change to one part of the settings.
fn settings_entry(state: &AppState, caller: &Caller, part: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: state.clock.now(),
        detail: part.to_owned(),
        ..NewAuditEntry::new(AuditAction::SettingsChanged, Some(caller.user.id), None).address(&caller.address)
    }
}

pub async fn save_clinic(state: &AppState, caller: &Caller, raw: &ClinicDetails) -> Result<ClinicDetails, AppError> {
    let update = ClinicUpdate::parse(raw)?;
    let entry = settings_entry(state, caller, "clinic details");
    state.store.update_clinic_details(&update, &entry).await
}

/// Why an item's target is not there for readers, if it is not.
async fn dead_target(state: &AppState, item: &MenuItem) -> Result<Option<String>, AppError> {
    let found = state
        .store
        .menu_target_exists(item.kind, &item.target, state.clock.now())
        .await?;
    Ok((!found).then(|| {
        let what = item.kind.label().to_lowercase();
        format!(
            "\"{}\" leads to the {what} \"{}\", which readers cannot see: it does not exist or is not \
             published (an author needs a published article).",
            item.label, item.target
        )
    }))
}

/// Refuses menus that lead readers nowhere, naming each such item, with
/// every malformed item in the same answer.
pub async fn save_menus(state: &AppState, caller: &Caller, raw: &Menus) -> Result<MenusView, AppError> {
    let mut problems = match MenuUpdate::parse(raw) {
        Ok(_) => crate::error::FieldErrors::new(),
        Err(AppError::Validation { fields }) => fields,
        Err(other) => return Err(other),
    };
    for (name, items) in [("header", &raw.header), ("footer", &raw.footer)] {
        for (at, raw_item) in items.iter().enumerate() {
            let Ok(item) = crate::input::menu::parse_item(raw_item) else {
                continue;
            };
            if let Some(message) = dead_target(state, &item).await? {
                problems.entry(format!("{name}.{at}")).or_default().push(message);
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation { fields: problems });
    }
    let update = MenuUpdate::parse(raw)?;
    let entry = settings_entry(state, caller, "menus");
    let menus = state.store.replace_menus(&update, &entry).await?;
    Ok(MenusView {
        menus,
        problems: BTreeMap::new(),
    })
}

/// The menus as saved, each item that no longer leads anywhere flagged
/// (a page unpublished, a tag renamed since).
pub async fn menus_view(state: &AppState) -> Result<MenusView, AppError> {
    let menus = state.store.menus().await?;
    let mut problems = BTreeMap::new();
    for (name, items) in [("header", &menus.header), ("footer", &menus.footer)] {
        for (at, item) in items.iter().enumerate() {
            if let Some(message) = dead_target(state, item).await? {
                problems.insert(format!("{name}.{at}"), message);
            }
        }
    }
    Ok(MenusView { menus, problems })
}

/// The header's and the footer's links as readers get them: items whose
/// target is gone are left out rather than leading to a missing page.
pub async fn public_menus(state: &AppState) -> Result<PublicMenus, AppError> {
    let menus = state.store.live_menus(state.clock.now()).await?;
    let links = |items: Vec<MenuItem>| {
        items
            .into_iter()
            .map(|item| MenuLink {
                href: item.kind.href(&item.target),
                label: item.label,
            })
            .collect()
    };
    Ok(PublicMenus {
        header: links(menus.header),
        footer: links(menus.footer),
    })
}

/// Both menus' live links.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublicMenus {
    pub header: Vec<MenuLink>,
    pub footer: Vec<MenuLink>,
}
