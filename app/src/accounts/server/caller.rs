//! Who is calling: the user of the request's session, the guards server
//! functions start with, and the `Caller` their bodies take.

use axum::http::request::Parts;

use super::address::client_address;
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

/// `session_user` for plain axum handlers, which hold the session itself
/// and act for the user: refused (403) to someone who must set up a
/// second factor first, as `require_user` is.
pub async fn user_of_session(state: &AppState, session: &tower_sessions::Session) -> Result<Option<User>, AppError> {
    let user = session::load_user(state, session).await?;
    if let Some(user) = &user
        && crate::two_factor::server::set_up_required(state, user).await?
    {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// The signed-in user. Refused (403) while the site's two-factor policy
/// asks them to set up a second factor and they have none: then only
/// `require_user_for_set_up` lets them in.
pub async fn require_user() -> Result<User, AppError> {
    let user = require_user_for_set_up().await?;
    if crate::two_factor::server::set_up_required(&app_state()?, &user).await? {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// The signed-in user, even one who must set up a second factor before
/// anything else: for that set-up itself, and for signing out.
pub async fn require_user_for_set_up() -> Result<User, AppError> {
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

/// Whom a server function's body works for, and from where. Bodies take
/// the state and the caller as arguments, not from Leptos context, so
/// that the admin API (which has a token, not a session) calls the same
/// bodies directly. Callers are made by `call_context`, after a server
/// function's guard, and by `of_parts`, after the admin API's token check.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    /// The client's address, for the audit log.
    pub address: String,
}

impl Caller {
    /// The caller of a request whose `parts` are at hand.
    pub fn of_parts(state: &AppState, user: User, parts: &Parts) -> Self {
        Self {
            user,
            address: client_address(parts, state.config.trust_proxy),
        }
    }
}

/// The state and the caller of the current server function, once its
/// guard has let `user` in.
pub fn call_context(user: User) -> Result<(AppState, Caller), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    Ok((state, Caller { user, address }))
}

/// The address of the current server function call's client, for calls
/// that have no signed-in caller (signing in, setting a password).
pub fn request_address(state: &AppState) -> String {
    leptos::prelude::use_context::<Parts>()
        .map(|parts| client_address(&parts, state.config.trust_proxy))
        .unwrap_or_default()
}
