//! The words every layer shares, compiled for the server and the browser
//! alike: a person's role, a post's fields and status, and the site's
//! settings. They
//! sit below the store and the features, and import neither.

pub mod clinic;
pub mod form;
pub mod menu;
pub mod post;
pub mod role;
pub mod settings;
pub mod status;
pub mod two_factor;

pub use clinic::{ClinicDetails, DayHours, WEEKDAYS};
pub use menu::{MENU_MAX_ITEMS, MenuItem, MenuLink, MenuTarget, Menus};
pub use post::{PostContent, PostFields, PostKind};
pub use role::Role;
#[cfg(feature = "ssr")]
pub use settings::ContentKeys;
pub use settings::{
    CONTENT_KEY_OVERLAP_DAYS, DEFAULT_LANGUAGE, DEFAULT_REVIEW_INTERVAL_MONTHS, LapsedReviewDisplay, SiteSettings,
};
pub use status::PostStatus;
pub use two_factor::TwoFactorPolicy;
