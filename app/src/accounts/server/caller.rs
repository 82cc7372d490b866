//! Who is calling: the user of the request's session, and the guards
//! server functions start with.

use super::session;
use crate::accounts::api::Role;
use crate::accounts::policy::{self, Action};
use crate::error::AppError;
use crate::state::{AppState, app_state};
use crate::store::model::accounts::User;

/// The user of the current request's session, if it is still valid: the
/// account exists, is active, and its session epoch has not moved on
/// (a password, role or activation change ends every older session).
pub async fn session_user() -> Result<Option<User>, AppError> {
    let state = app_state()?;
    let session = session::from_request().await?;
    session::load_user(&state, &session).await
}

/// `session_user` for plain axum handlers, which hold the session itself.
pub async fn user_of_session(state: &AppState, session: &tower_sessions::Session) -> Result<Option<User>, AppError> {
    session::load_user(state, session).await
}

pub async fn require_user() -> Result<User, AppError> {
    session_user().await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_role(role: Role) -> Result<User, AppError> {
    let user = require_user().await?;
    if user.role >= role {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn require(action: Action) -> Result<User, AppError> {
    let user = require_user().await?;
    if policy::allows(user.role, action) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}
