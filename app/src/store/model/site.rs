//! The rows behind the site's identity: the clinic's details and the
//! menus' items.

use crate::domain::{ClinicDetails, DayHours, MenuItem, MenuTarget, WEEKDAYS};

/// `clinic_details`, with the opening hours as the JSON text they are
/// stored as.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClinicRow {
    pub name: String,
    pub street_address: String,
    pub locality: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
    pub email: String,
    pub booking_url: String,
    pub disclaimer: String,
    pub opening_hours: String,
}

impl From<ClinicRow> for ClinicDetails {
    fn from(row: ClinicRow) -> Self {
        // The column is only ever written from parsed hours; anything
        // else reads as "no hours given" rather than failing every page.
        let mut hours: Vec<DayHours> = serde_json::from_str(&row.opening_hours).unwrap_or_default();
        // Always the whole week, whichever way the row was written (a
        // new database holds `[]`), so every backend reads it alike.
        hours.resize(WEEKDAYS.len(), DayHours::default());
        Self {
            name: row.name,
            street_address: row.street_address,
            locality: row.locality,
            region: row.region,
            postal_code: row.postal_code,
            country: row.country,
            phone: row.phone,
            email: row.email,
            booking_url: row.booking_url,
            disclaimer: row.disclaimer,
            hours,
        }
    }
}

/// One `menu_items` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MenuItemRow {
    pub menu: String,
    pub label: String,
    pub kind: String,
    pub target: String,
}

impl MenuItemRow {
    /// The item, unless its kind is one this version does not know.
    pub fn item(self) -> Option<MenuItem> {
        Some(MenuItem {
            label: self.label,
            kind: MenuTarget::parse(&self.kind)?,
            target: self.target,
        })
    }
}
