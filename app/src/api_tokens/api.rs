//! The API tokens' server functions (every signed-in person manages their
//! own) and the types they exchange.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    pub created: String,
    pub last_used: Option<String>,
    /// `active` or `revoked`.
    pub state: String,
}

/// A token just made: `secret` is shown this once (only its digest is
/// stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: ApiTokenView,
    pub secret: String,
}

#[server]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::list(&state, &caller).await
}

#[server]
pub async fn create_api_token(name: String, scope: String) -> Result<CreatedApiToken, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::create(&state, &caller, &name, &scope).await
}

#[server]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::revoke(&state, &caller, id).await
}
