//! Sessions you can see: every sign-in is listed on its person's profile
//! (browser, address, started, last used), and each can be ended there;
//! admins see and end anyone's from the Users page. A session is ended by
//! deleting its row in the session list, which the session checks on every
//! request (`accounts::server::session`), so it ends at once, on every
//! instance.

pub mod api;
pub mod page;
pub mod panel;
#[cfg(feature = "ssr")]
pub mod server;
