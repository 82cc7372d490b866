//! The session list's server functions and the types they exchange. Each
//! person lists and ends their own sessions; admins those of anyone.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A signed-in session as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    /// Readable: "Chrome on Linux".
    pub browser: String,
    /// The client's address at sign-in: the approximate place.
    pub address: String,
    pub started: String,
    pub last_used: String,
    /// The session this list was asked from.
    pub current: bool,
}

/// A person's sessions, for the admin's page about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSessions {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub sessions: Vec<SessionView>,
}

#[server]
pub async fn list_my_sessions() -> Result<Vec<SessionView>, AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::list_own(&state, &caller).await
}

/// Ends one of the caller's own sessions.
#[server]
pub async fn end_my_session(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::end_own(&state, &caller, id).await
}

/// Ends every session of the caller but this one; answers how many.
#[server]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::end_others(&state, &caller).await
}

#[server]
pub async fn list_user_sessions(user_id: i64) -> Result<UserSessions, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::list_of(&state, &caller, user_id).await
}

/// Ends one session of a person.
#[server]
pub async fn end_user_session(user_id: i64, id: i64) -> Result<(), AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::end_one(&state, &caller, user_id, id).await
}

/// Ends every session of a person; answers how many.
#[server]
pub async fn end_user_sessions(user_id: i64) -> Result<u64, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::end_all_of(&state, &caller, user_id).await
}
