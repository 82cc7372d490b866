//! The sign-in's second step. After a correct password, someone with a
//! second factor is not signed in yet: the session holds a pending
//! sign-in (who, under which session epoch, where to go next, until
//! when), and the code page finishes it with a code from their app or a
//! recovery code. Codes count against the same limits as passwords, for
//! the account and the address, and every failed one is audited.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{recovery, totp};
use crate::accounts::server::throttle::{self, FailureKey};
use crate::accounts::server::{
    AuditAction, NewAuditEntry, User, complete_sign_in, request_address, request_session, throttle_key,
};
use crate::error::AppError;
use crate::state::{AppState, app_state};

/// The one answer to every code that does not sign in: wrong, used,
/// expired, or no sign-in waiting for one.
pub const CODE_REFUSED: &str = "That code did not work. Use the newest code from your app or an unused recovery \
     code, or sign in again.";
const PENDING_KEY: &str = "two_factor_pending";
/// How long the code page waits after the password.
const PENDING_MINUTES: i64 = 10;

#[derive(Serialize, Deserialize)]
struct PendingSignIn {
    user_id: i64,
    epoch: i64,
    /// A local path (checked by `safe_next` before it was kept).
    next: String,
    /// Unix seconds.
    until: i64,
}

/// A code as typed: six digits from the app, or a recovery code.
pub(super) enum Typed {
    App(String),
    Recovery { digest: String },
    Neither,
}

impl Typed {
    pub(super) fn read(typed: &str) -> Self {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == totp::DIGITS && digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Self::App(digits);
        }
        match recovery::digest(typed) {
            Some(digest) => Self::Recovery { digest },
            None => Self::Neither,
        }
    }
}

/// Keeps `user`'s sign-in pending in `session` (which holds no signed-in
/// user) until a code finishes it.
pub async fn await_code(state: &AppState, session: &Session, user: &User, next: &str) -> Result<(), AppError> {
    let pending = PendingSignIn {
        user_id: user.id,
        epoch: user.session_epoch,
        next: next.to_owned(),
        until: (state.clock.now() + Duration::minutes(PENDING_MINUTES)).timestamp(),
    };
    session.insert(PENDING_KEY, pending).await.map_err(AppError::internal)
}

pub async fn verify_sign_in_code(code: &str) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    let session = request_session().await?;
    let pending = pending_sign_in(&state, &session).await?;
    let email = pending.as_ref().map(|(_, user)| user.email.clone()).unwrap_or_default();
    let address_key = throttle_key(&address);
    let key = FailureKey {
        email: &email,
        address: &address_key,
    };
    let attempt = throttle::begin_attempt(&state, &key).await?;
    let Some((pending, user)) = pending else {
        return Err(AppError::invalid("code", CODE_REFUSED));
    };
    let Some(how) = take_code(&state, &user, code, &address).await? else {
        let entry = NewAuditEntry::new(AuditAction::TwoFactorFailed, Some(user.id), Some(user.id))
            .address(&address)
            .detail(format!(
                "at sign-in; {} failed attempts for this account from this address in {} minutes",
                attempt.counts.pair,
                throttle::WINDOW_MINUTES
            ));
        state.store.append_audit(&entry).await?;
        return Err(AppError::invalid("code", CODE_REFUSED));
    };
    session
        .remove::<PendingSignIn>(PENDING_KEY)
        .await
        .map_err(AppError::internal)?;
    attempt.succeeded(&state).await?;
    complete_sign_in(&state, &user, &address, &pending.next, how).await
}

/// The session's pending sign-in and its person, while it is still
/// valid: in time, and the account active under the same session epoch.
async fn pending_sign_in(state: &AppState, session: &Session) -> Result<Option<(PendingSignIn, User)>, AppError> {
    let Some(pending) = session
        .get::<PendingSignIn>(PENDING_KEY)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    let user = if pending.until > state.clock.now().timestamp() {
        state
            .store
            .user_by_id(pending.user_id)
            .await?
            .filter(|user| user.active && user.session_epoch == pending.epoch)
    } else {
        None
    };
    match user {
        Some(user) => Ok(Some((pending, user))),
        None => {
            session
                .remove::<PendingSignIn>(PENDING_KEY)
                .await
                .map_err(AppError::internal)?;
            Ok(None)
        }
    }
}

/// Takes the code if it signs `user` in; says how, for the audit log.
async fn take_code(state: &AppState, user: &User, code: &str, address: &str) -> Result<Option<&'static str>, AppError> {
    match Typed::read(code) {
        Typed::App(code) => Ok(take_app_code(state, user.id, &code)
            .await?
            .then_some("with a code from an authenticator app")),
        Typed::Recovery { digest } => {
            let entry =
                NewAuditEntry::new(AuditAction::RecoveryCodeUsed, Some(user.id), Some(user.id)).address(address);
            Ok(state
                .store
                .use_recovery_code(user.id, &digest, &entry)
                .await?
                .then_some("with a recovery code"))
        }
        Typed::Neither => Ok(None),
    }
}

/// Takes a code from the person's app: true when it is one of the steps
/// accepted now and no code of that step or a later one was taken before.
pub(super) async fn take_app_code(state: &AppState, user_id: i64, code: &str) -> Result<bool, AppError> {
    let Some(secret) = state
        .store
        .totp_secret(user_id)
        .await?
        .filter(|row| row.confirmed_at.is_some())
    else {
        return Ok(false);
    };
    match totp::matching_step(&secret.secret, code, state.clock.now())? {
        Some(step) => state.store.accept_totp_step(user_id, step).await,
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_an_app_code_and_the_rest_may_be_a_recovery_code() {
        assert!(matches!(Typed::read(" 123 456 "), Typed::App(code) if code == "123456"));
        assert!(matches!(Typed::read("abcd-efgh-jkmn-pqrs"), Typed::Recovery { .. }));
        for typed in ["", "12345", "1234567", "abcdef", "12345a"] {
            assert!(matches!(Typed::read(typed), Typed::Neither), "{typed}");
        }
    }
}
