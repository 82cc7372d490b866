//! Site-wide settings: the site's title, description, public address, time
//! zone and date format. Every page reads them; admins edit them.

pub mod api;
#[cfg(feature = "ssr")]
pub use crate::input::branding;
pub mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::SiteSettings;
