//! Two-factor sign-in on the server: the authenticator app (`totp`),
//! recovery codes (`recovery`), setting them up and turning them off
//! (`enrolment`), the sign-in's second step (`sign_in`) and what admins
//! do (`admin`: the policy, resetting someone's second factor).
//!
//! `accounts` asks `set_up_required` in its guards: people the policy
//! covers who have no second factor may only set one up and sign out.

mod admin;
mod enrolment;
pub mod recovery;
mod sign_in;
pub mod totp;

pub use admin::{reset_for, save_policy, second_factors};
pub use enrolment::{confirm_it_is_them, confirm_setup, renew_codes, start_setup, status, turn_off};
pub use sign_in::{CODE_REFUSED, await_code, verify_sign_in_code};

use crate::accounts::server::{NewAuditEntry, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;

/// Whether the person has a second factor: an authenticator app whose
/// first code confirmed it, or a passkey (which is both factors: signing
/// in with it meets the policy, and after a password it can stand in for
/// a code, on the code page).
pub async fn has_second_factor(state: &AppState, user_id: i64) -> Result<bool, AppError> {
    Ok(state.store.has_confirmed_totp(user_id).await? || state.store.count_passkeys(user_id).await? > 0)
}

/// The ids of everyone who has a second factor (an app or a passkey).
pub async fn second_factor_users(state: &AppState) -> Result<Vec<i64>, AppError> {
    let mut users = state.store.users_with_totp().await?;
    users.extend(state.store.users_with_passkeys().await?);
    users.sort_unstable();
    users.dedup();
    Ok(users)
}

/// Whether the site's policy asks a second factor of `user` and they have
/// none yet: then they may only set one up, and sign out.
pub async fn set_up_required(state: &AppState, user: &User) -> Result<bool, AppError> {
    if !state.store.two_factor_policy().await?.applies_to(user.role) {
        return Ok(false);
    }
    Ok(!has_second_factor(state, user.id).await?)
}

/// Removes every second factor of a person (their app and recovery codes,
/// and their passkeys), with `audit`, in one transaction; false when they
/// had none. An admin's reset and `vellum user reset-2fa` both come here.
pub async fn reset_second_factor(store: &dyn Store, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError> {
    store.remove_second_factors(user_id, audit).await
}

/// A plain notice to `to` about their second factor, when email is on
/// (it is queued, and sent by the mail worker).
async fn notify(state: &AppState, to: &User, subject: &str, text: &str) -> Result<(), AppError> {
    let notice = crate::mail::Notice {
        to: &to.email,
        subject,
        text,
        action: Some(("Open your profile", "/admin/profile")),
    };
    crate::mail::queue_notice(state, &notice).await?;
    Ok(())
}
