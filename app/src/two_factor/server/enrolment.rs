//! A person's own second factor: its status, setting up an authenticator
//! app (a secret, confirmed by a first code, which brings ten recovery
//! codes), new recovery codes, and turning the app off. The last two ask
//! for a current code or the password again, throttled like sign-in: a
//! session left open on a shared computer must not be enough.

use super::sign_in::{Typed, take_app_code};
use super::{has_second_factor, notify, recovery, totp};
use crate::accounts::server::throttle::{self, FailureKey};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry, User, throttle_key, verify_password};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::model::two_factor::TotpConfirmation;
use crate::two_factor::api::{RecoveryCodes, TotpSetup, TwoFactorStatus};

/// The set-up's first code did not match (or the set-up changed since).
const SETUP_CODE_REFUSED: &str = "That code did not work. Check that your app shows Vellum's new entry and type its \
     newest code.";
const CONFIRMATION_REFUSED: &str = "That code or password is not correct.";

pub async fn status(state: &AppState, user: &User) -> Result<TwoFactorStatus, AppError> {
    let enabled = state.store.has_confirmed_totp(user.id).await?;
    let recovery_codes_left = if enabled {
        state.store.recovery_codes_left(user.id).await?
    } else {
        0
    };
    let required = state.store.two_factor_policy().await?.applies_to(user.role);
    Ok(TwoFactorStatus {
        enabled,
        recovery_codes_left,
        required,
        set_up_required: required && !has_second_factor(state, user.id).await?,
    })
}

pub async fn start_setup(state: &AppState, caller: &Caller) -> Result<TotpSetup, AppError> {
    let secret = totp::new_secret();
    if !state
        .store
        .begin_totp_setup(caller.user.id, &secret, state.clock.now())
        .await?
    {
        return Err(already_on());
    }
    let site = state.store.site_settings().await?;
    let address = totp::otpauth_url(&secret, &site.title, &caller.user.email)?;
    Ok(TotpSetup {
        secret: totp::grouped(&secret),
        qr_svg: totp::qr_svg(&address)?,
    })
}

pub async fn confirm_setup(state: &AppState, caller: &Caller, code: &str) -> Result<RecoveryCodes, AppError> {
    let user = &caller.user;
    let Some(setup) = state.store.totp_secret(user.id).await? else {
        return Err(AppError::Conflict {
            message: "Start the set-up first: choose \"Set up an authenticator app\".".into(),
        });
    };
    if setup.confirmed_at.is_some() {
        return Err(already_on());
    }
    let refused = || AppError::invalid("code", SETUP_CODE_REFUSED);
    let Typed::App(code) = Typed::read(code) else {
        return Err(refused());
    };
    let Some(step) = totp::matching_step(&setup.secret, &code, state.clock.now())? else {
        return Err(refused());
    };
    let codes = recovery::generate();
    let digests: Vec<String> = codes.iter().filter_map(|code| recovery::digest(code)).collect();
    let mut entry = NewAuditEntry::new(AuditAction::TwoFactorEnabled, Some(user.id), Some(user.id))
        .address(&caller.address)
        .detail("an authenticator app, with ten recovery codes");
    entry.at = state.clock.now();
    let confirmation = TotpConfirmation {
        user_id: user.id,
        secret: &setup.secret,
        step,
        recovery_digests: &digests,
        at: entry.at,
    };
    if !state.store.confirm_totp(&confirmation, &entry).await? {
        return Err(refused());
    }
    notify(
        state,
        user,
        "Two-factor sign-in is on",
        "Two-factor sign-in was turned on for your account: signing in now asks for a code from your \
         authenticator app. If this was not you, tell your site's admin at once.",
    )
    .await?;
    Ok(RecoveryCodes { codes })
}

pub async fn renew_codes(state: &AppState, caller: &Caller, confirmation: &str) -> Result<RecoveryCodes, AppError> {
    if !state.store.has_confirmed_totp(caller.user.id).await? {
        return Err(no_codes());
    }
    confirm_it_is_them(state, caller, confirmation, "to renew recovery codes").await?;
    let codes = recovery::generate();
    let digests: Vec<String> = codes.iter().filter_map(|code| recovery::digest(code)).collect();
    let entry = NewAuditEntry::new(
        AuditAction::RecoveryCodesRenewed,
        Some(caller.user.id),
        Some(caller.user.id),
    )
    .address(&caller.address);
    if !state
        .store
        .replace_recovery_codes(caller.user.id, &digests, &entry)
        .await?
    {
        return Err(no_codes());
    }
    Ok(RecoveryCodes { codes })
}

pub async fn turn_off(state: &AppState, caller: &Caller, confirmation: &str) -> Result<(), AppError> {
    if !state.store.has_confirmed_totp(caller.user.id).await? {
        return Err(off_already());
    }
    confirm_it_is_them(state, caller, confirmation, "to turn two-factor sign-in off").await?;
    let entry = NewAuditEntry::new(
        AuditAction::TwoFactorDisabled,
        Some(caller.user.id),
        Some(caller.user.id),
    )
    .address(&caller.address)
    .detail("the authenticator app and recovery codes, by the person themselves");
    if !state.store.remove_totp(caller.user.id, &entry).await? {
        return Err(off_already());
    }
    notify(
        state,
        &caller.user,
        "Two-factor sign-in is off",
        "Two-factor sign-in was turned off for your account: signing in asks only for your password now. \
         If this was not you, change your password and tell your site's admin at once.",
    )
    .await
}

/// A current code from the app, or the password: counted and limited as
/// sign-in attempts are, and every failure audited.
pub async fn confirm_it_is_them(state: &AppState, caller: &Caller, typed: &str, purpose: &str) -> Result<(), AppError> {
    let user = &caller.user;
    let address_key = throttle_key(&caller.address);
    let key = FailureKey {
        email: &user.email,
        address: &address_key,
    };
    let attempt = throttle::begin_attempt(state, &key).await?;
    let confirmed = match Typed::read(typed) {
        Typed::App(code) => take_app_code(state, user.id, &code).await?,
        Typed::Recovery { .. } | Typed::Neither => {
            verify_password(typed.to_owned(), user.password_hash.clone()).await?
        }
    };
    if confirmed {
        return attempt.succeeded(state).await;
    }
    let entry = NewAuditEntry::new(AuditAction::TwoFactorFailed, Some(user.id), Some(user.id))
        .address(&caller.address)
        .detail(format!("a wrong code or password, {purpose}"));
    state.store.append_audit(&entry).await?;
    Err(AppError::invalid("confirmation", CONFIRMATION_REFUSED))
}

fn already_on() -> AppError {
    AppError::Conflict {
        message: "Two-factor sign-in is on already. To move to another app, turn it off first.".into(),
    }
}

fn off_already() -> AppError {
    AppError::Conflict {
        message: "Two-factor sign-in is off already.".into(),
    }
}

fn no_codes() -> AppError {
    AppError::Conflict {
        message: "Two-factor sign-in is off, so there are no recovery codes to renew.".into(),
    }
}
