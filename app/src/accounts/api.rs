//! The accounts' server functions and the types they exchange.
//!
//! Every privileged function opens with `require(Action::…)` (see `policy`);
//! the public ones (sign-in, first set-up, set-password link) are gated by
//! a credential of their own and throttled or single-use.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::Role;
use crate::error::AppError;

/// A user as the admin shows it. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub avatar_url: String,
    pub credentials: String,
    pub role: Role,
    pub active: bool,
    /// UTC, formatted for the admin ("2026-11-26 18:56:24 UTC").
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
}

/// A new user and the link with which they set their first password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUser {
    pub user: UserView,
    pub set_password_url: String,
    /// The link went to the person by email (email is on).
    pub emailed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub address: String,
    pub detail: String,
}

/// The signed-in user, or `None` for a visitor.
#[server]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    use super::server::{session_user, view_of};
    match session_user().await? {
        Some(user) => Ok(Some(view_of(&crate::state::app_state()?, &user).await?)),
        None => Ok(None),
    }
}

/// Signs in and sends the browser on to `next` (a local path) or the
/// dashboard.
#[server]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    super::server::login(email, password, next).await
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    // Everyone signed in may sign out, even before setting up the second
    // factor the site asks of them.
    let user = super::server::require_user_for_set_up().await?;
    super::server::logout(user).await
}

/// Creates the first admin. Works only while there are no users, and only
/// with the one-time token that the server printed to its log.
#[server]
pub async fn complete_setup(
    token: String,
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    super::server::complete_setup(token, email, display_name, password).await
}

/// Sets a password through a one-time link (new users, resets by an admin).
#[server]
pub async fn set_password_with_token(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    super::server::set_password_with_token(token, password, password_confirmation).await
}

#[server]
pub async fn update_profile(
    display_name: String,
    bio: String,
    avatar_url: String,
    credentials: String,
) -> Result<UserView, AppError> {
    let user = super::server::require(super::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    let request = UpdateProfile {
        display_name,
        bio,
        avatar_url,
        credentials,
    };
    super::server::update_profile(&state, &caller, &request).await
}

#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let user = super::server::require(super::policy::Action::ManageOwnAccount).await?;
    super::server::change_password(user, current_password, new_password, new_password_confirmation).await
}

#[server]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let _admin = super::server::require(super::policy::Action::ManageUsers).await?;
    super::server::list_users(&crate::state::app_state()?).await
}

#[server]
pub async fn create_user(email: String, display_name: String, role: String) -> Result<CreatedUser, AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::create_user(&state, &caller, email, display_name, role).await
}

#[server]
pub async fn change_role(user_id: i64, role: String) -> Result<UserView, AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::change_role(&state, &caller, user_id, role).await
}

#[server]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<UserView, AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::set_user_active(&state, &caller, user_id, active).await
}

/// A fresh set-password link for a user (e.g. one who forgot theirs).
#[server]
pub async fn issue_password_link(user_id: i64) -> Result<String, AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::issue_password_link(&state, &caller, user_id).await
}

/// Signs everyone out, the caller too; answers how many sessions ended.
#[server]
pub async fn sign_everyone_out() -> Result<u64, AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    super::server::sign_everyone_out(admin).await
}

#[server]
pub async fn audit_log(user_id: Option<i64>, action: Option<String>) -> Result<Vec<AuditEntryView>, AppError> {
    let _admin = super::server::require(super::policy::Action::ViewAuditLog).await?;
    super::server::audit_log(&crate::state::app_state()?, user_id, action).await
}

/// "Forgot password?": emails a one-hour link when the address has an
/// active account. The answer is the same either way.
#[server]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    super::server::recovery::request_password_reset(&crate::state::app_state()?, &email).await
}

/// Emails a person a fresh set-password link (an invitation again).
#[server]
pub async fn send_password_link(user_id: i64) -> Result<(), AppError> {
    let admin = super::server::require(super::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::users::send_password_link(&state, &caller, user_id).await
}

/// Changes the caller's sign-in address; with email on, only once the
/// link sent to the new address is opened. Answers whether it was sent.
#[server]
pub async fn change_email(new_email: String, password: String) -> Result<bool, AppError> {
    let user = super::server::require(super::policy::Action::ManageOwnAccount).await?;
    super::server::recovery::change_email(&crate::state::app_state()?, &user, &new_email, password).await
}

/// Confirms a new address with the link sent to it.
#[server]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    super::server::recovery::confirm_email(&state, &token).await?;
    leptos_axum::redirect("/admin/profile?email=confirmed");
    Ok(())
}
