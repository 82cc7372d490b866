//! Accounts: users and roles, passwords, sessions, sign-in with throttling,
//! the first admin, set-password links and the audit log.

pub mod api;
pub mod pages;
pub mod policy;
pub mod recovery_pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::{Role, UserView};
