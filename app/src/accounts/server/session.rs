//! The session as the accounts module uses it: who is signed in, under
//! which session epoch, and which sign-in (a row of `signed_in_sessions`,
//! listed on the profile) it is. A session whose row has been deleted is
//! signed out at its next request: that is how a session is ended.

use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{User, random_token, request_address};
use crate::error::AppError;
use crate::state::{AppState, app_state};
use crate::store::model::sessions::NewSession;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vellum_session";
/// A session unused for this many days expires (the cookie, its stored
/// session and its row in the session list).
pub const SESSION_IDLE_DAYS: i64 = 14;
const USER_KEY: &str = "user";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub epoch: i64,
    /// The key of this sign-in's row in the session list. Sessions from
    /// before the list have none, and are refused (their people sign in
    /// once more).
    #[serde(default)]
    pub key: String,
}

pub async fn from_request() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(AppError::internal)
}

/// The session's user, if the session is still valid for them: the
/// account is active, its epoch has not moved on, and this sign-in has
/// not been ended. An invalid session is emptied on the spot.
pub async fn load_user(state: &AppState, session: &Session) -> Result<Option<User>, AppError> {
    let Some(signed_in) = session.get::<SessionUser>(USER_KEY).await.map_err(AppError::internal)? else {
        return Ok(None);
    };
    let user = state
        .store
        .user_by_id(signed_in.id)
        .await?
        .filter(|user| user.active && user.session_epoch == signed_in.epoch);
    if let Some(user) = user
        && state
            .store
            .use_session(&signed_in.key, user.id, state.clock.now())
            .await?
    {
        return Ok(Some(user));
    }
    session.flush().await.map_err(AppError::internal)?;
    Ok(None)
}

/// The key of the session's sign-in, if it has one.
pub async fn current_key(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session
        .get::<SessionUser>(USER_KEY)
        .await
        .map_err(AppError::internal)?
        .map(|signed_in| signed_in.key)
        .filter(|key| !key.is_empty()))
}

/// Binds the session to `user` under a new id, so an id planted before
/// sign-in (session fixation) is worthless afterwards, and lists it as a
/// new sign-in from this request's browser and address (replacing the
/// session's previous sign-in, if it had one).
pub async fn sign_in(session: &Session, user: &User) -> Result<(), AppError> {
    let state = app_state()?;
    let previous = current_key(session).await?;
    session.cycle_id().await.map_err(AppError::internal)?;
    let user_agent = leptos::prelude::use_context::<Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let key = random_token();
    let new = NewSession {
        key: key.clone(),
        user_id: user.id,
        epoch: user.session_epoch,
        browser: crate::sessions::server::browser_label(&user_agent),
        address: request_address(&state),
        at: state.clock.now(),
    };
    state.store.start_session(&new, previous.as_deref()).await?;
    session
        .insert(
            USER_KEY,
            SessionUser {
                id: user.id,
                epoch: user.session_epoch,
                key,
            },
        )
        .await
        .map_err(AppError::internal)
}

/// Signs the session out: its sign-in leaves the list and the session
/// is emptied.
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), AppError> {
    if let Some(key) = current_key(session).await? {
        state.store.forget_session(&key).await?;
    }
    session.flush().await.map_err(AppError::internal)
}
