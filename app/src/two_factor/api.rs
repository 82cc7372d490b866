//! Two-factor sign-in's server functions and the types they exchange.
//!
//! The set-up's own functions (`get_two_factor_status`, `start_totp_setup`,
//! `confirm_totp_setup`) open with `require_user_for_set_up`: they are
//! what someone the policy sends to set up a second factor may still call.
//! Every other privileged one opens with `require(Action::…)`.
//! `verify_sign_in_code` is public: it needs the pending sign-in that a
//! correct password left in the session, and it is throttled like
//! passwords.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::TwoFactorPolicy;
use crate::error::AppError;

/// The sign-in's second step: a code from the app or a recovery code.
pub const CODE_PAGE: &str = "/admin/login/code";
/// Where people set up a second factor, and where the policy sends those
/// who have none.
pub const SETUP_PAGE: &str = "/admin/two-factor";

/// The caller's second factor as their profile shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// Their authenticator app is set up (its first code confirmed it).
    pub enabled: bool,
    pub recovery_codes_left: i64,
    /// The site's policy asks a second factor of people in their role.
    pub required: bool,
    /// Required, and they have none yet: nothing else works until they
    /// set one up.
    pub set_up_required: bool,
}

/// A set-up in progress: the secret (grouped by four, to type it into the
/// app) and the same as a QR code (an SVG element).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetup { .. }")
    }
}

/// New recovery codes, shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.codes.len())
    }
}

/// One person's second factor, for admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    pub enabled: bool,
    /// The policy asks it of them.
    pub required: bool,
}

#[server]
pub async fn get_two_factor_status() -> Result<TwoFactorStatus, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let state = crate::state::app_state()?;
    super::server::status(&state, &user).await
}

/// Starts (or starts again) setting up an authenticator app: a new secret,
/// which counts once `confirm_totp_setup` has had a code made with it.
#[server]
pub async fn start_totp_setup() -> Result<TotpSetup, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::start_setup(&state, &caller).await
}

/// Confirms the set-up with a first code; answers the recovery codes,
/// shown this once.
#[server]
pub async fn confirm_totp_setup(code: String) -> Result<RecoveryCodes, AppError> {
    let user = crate::accounts::server::require_user_for_set_up().await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::confirm_setup(&state, &caller, &code).await
}

/// New recovery codes in place of the old ones; `confirmation` is a
/// current code from the app or the password.
#[server]
pub async fn renew_recovery_codes(confirmation: String) -> Result<RecoveryCodes, AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::renew_codes(&state, &caller, &confirmation).await
}

/// Turns one's own authenticator app off; `confirmation` is a current code
/// from it or the password.
#[server]
pub async fn turn_off_totp(confirmation: String) -> Result<(), AppError> {
    let user = crate::accounts::server::require(crate::accounts::policy::Action::ManageOwnAccount).await?;
    let (state, caller) = crate::accounts::server::call_context(user)?;
    super::server::turn_off(&state, &caller, &confirmation).await
}

/// The sign-in's second step: signs in the person whose password was
/// right, with a code from their app or a recovery code, and sends the
/// browser on.
#[server]
pub async fn verify_sign_in_code(code: String) -> Result<(), AppError> {
    super::server::verify_sign_in_code(&code).await
}

#[server]
pub async fn get_two_factor_policy() -> Result<TwoFactorPolicy, AppError> {
    crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    crate::state::app_state()?.store.two_factor_policy().await
}

#[server]
pub async fn save_two_factor_policy(policy: String) -> Result<TwoFactorPolicy, AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageSettings).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::save_policy(&state, &caller, &policy).await
}

/// Everyone's second factor, for the Users page.
#[server]
pub async fn list_second_factors() -> Result<Vec<SecondFactorView>, AppError> {
    crate::accounts::server::require(crate::accounts::policy::Action::ManageUsers).await?;
    super::server::second_factors(&crate::state::app_state()?).await
}

/// Removes another person's second factor (a lost phone): audited, and
/// they are told by email when email is on.
#[server]
pub async fn reset_two_factor(user_id: i64) -> Result<(), AppError> {
    let admin = crate::accounts::server::require(crate::accounts::policy::Action::ManageUsers).await?;
    let (state, caller) = crate::accounts::server::call_context(admin)?;
    super::server::reset_for(&state, &caller, user_id).await
}
