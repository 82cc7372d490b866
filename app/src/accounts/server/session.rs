//! The session as the accounts module uses it: who is signed in, under
//! which session epoch.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::User;
use crate::error::AppError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vellum_session";
const USER_KEY: &str = "user";

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub epoch: i64,
}

pub async fn from_request() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(AppError::internal)
}

/// The session's user, if the session is still valid for them; an invalid
/// session is emptied on the spot.
pub async fn load_user(state: &AppState, session: &Session) -> Result<Option<User>, AppError> {
    let Some(signed_in) = session.get::<SessionUser>(USER_KEY).await.map_err(AppError::internal)? else {
        return Ok(None);
    };
    match state.store.user_by_id(signed_in.id).await? {
        Some(user) if user.active && user.session_epoch == signed_in.epoch => Ok(Some(user)),
        _ => {
            session.flush().await.map_err(AppError::internal)?;
            Ok(None)
        }
    }
}

/// Binds the session to `user` under a new id, so an id planted before
/// sign-in (session fixation) is worthless afterwards.
pub async fn sign_in(session: &Session, user: &User) -> Result<(), AppError> {
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(
            USER_KEY,
            SessionUser {
                id: user.id,
                epoch: user.session_epoch,
            },
        )
        .await
        .map_err(AppError::internal)
}
