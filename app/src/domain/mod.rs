//! The words every layer shares, compiled for the server and the browser
//! alike: a person's role, a post's fields and status, and the site's
//! settings. They
//! sit below the store and the features, and import neither.

pub mod form;
pub mod post;
pub mod role;
pub mod settings;
pub mod status;

pub use post::{PostContent, PostFields};
pub use role::Role;
#[cfg(feature = "ssr")]
pub use settings::ContentKeys;
pub use settings::{CONTENT_KEY_OVERLAP_DAYS, DEFAULT_LANGUAGE, SiteSettings};
pub use status::PostStatus;
