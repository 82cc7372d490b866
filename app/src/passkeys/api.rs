//! The passkeys' server functions and the types they exchange. Adding,
//! listing and removing are each person's own (`Action::ManageOwnAccount`);
//! signing in needs no session: the passkey is the credential, and its
//! ceremony works once, expires, and is throttled per address.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A passkey as its owner sees it on their profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
}

/// The profile's passkeys section: whether this site can use passkeys
/// (its address has a domain name) and the person's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyList {
    pub enabled: bool,
    pub passkeys: Vec<PasskeyView>,
}

/// A ceremony's first half: the options for the browser's WebAuthn call
/// (JSON, binary values in base64url) and the token its answer must name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub ceremony: String,
    pub options: String,
}

/// Like the other passkey functions for one's own account, open to people
/// the two-factor policy sends to set-up first: a passkey meets it.
#[server]
pub async fn list_passkeys() -> Result<PasskeyList, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::list(&state, &caller).await
}

/// Starts adding a passkey called `name` to the caller's account, once
/// `confirmation` (their password or a code from their app) shows it is
/// them and not someone at a computer they left signed in.
#[server]
pub async fn start_passkey_registration(name: String, confirmation: String) -> Result<Challenge, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    crate::two_factor::server::confirm_it_is_them(&state, &caller, &confirmation, "adding a passkey").await?;
    super::server::start_registration(&state, &caller, &name).await
}

/// Keeps the passkey the browser made (`credential`, its answer as JSON)
/// for the ceremony `ceremony`.
#[server]
pub async fn finish_passkey_registration(
    ceremony: String,
    name: String,
    credential: String,
) -> Result<PasskeyView, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let answer = FinishPasskeyRegistration {
        ceremony,
        name,
        credential,
    };
    super::server::finish_registration(&state, &caller, &answer).await
}

#[server]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::remove(&state, &caller, id).await
}

/// Whether the sign-in page offers "Sign in with a passkey".
#[server]
pub async fn passkeys_enabled() -> Result<bool, AppError> {
    super::server::enabled(&crate::state::app_state()?).await
}

#[server]
pub async fn start_passkey_sign_in() -> Result<Challenge, AppError> {
    super::server::start_sign_in().await
}

/// Signs in the owner of the passkey that answered, and sends the
/// browser on to `next` (a local path) or the dashboard.
#[server]
pub async fn finish_passkey_sign_in(
    ceremony: String,
    credential: String,
    next: Option<String>,
) -> Result<(), AppError> {
    super::server::finish_sign_in(ceremony, credential, next).await
}
