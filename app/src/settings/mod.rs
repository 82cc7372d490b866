//! Site-wide settings: the site's title, description, public address, time
//! zone and date format, the clinic's details and the menus. Every page
//! reads them; admins edit them.

pub mod api;
mod clinic_form;
mod menus_form;
#[cfg(feature = "ssr")]
pub use crate::input::branding;
pub mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::SiteSettings;
