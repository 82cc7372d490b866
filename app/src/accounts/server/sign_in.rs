//! Signing in and out, the first admin, and a person's own password and
//! profile: the bodies of those server functions (the callers checked who
//! is asking).

use super::{
    AuditAction, Caller, DisplayName, Email, NewAuditEntry, NewUser, Password, ProfileUpdate, User, hash_password,
    request_address, safe_next, session, throttle, throttle_key, token_digest, verify_password, view_of,
};
use crate::accounts::api::{Role, UpdateProfile, UserView};
use crate::error::AppError;
use crate::input;
use crate::state::{AppState, app_state};
use crate::store::model::accounts::FailureKey;

/// The one message for every failed sign-in, whatever went wrong.
pub const SIGN_IN_FAILED: &str = "That email and password do not match an active account.";

pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    // Malformed input is a failed attempt like any other: same message,
    // same counting, same (dummy) hashing time.
    let email_key: String = email.trim().to_lowercase().chars().take(254).collect();
    let address_key = throttle_key(&address);
    let failures = FailureKey {
        email: &email_key,
        address: &address_key,
    };
    let attempt = throttle::begin_attempt(&state, &failures).await?;
    let user = match Email::parse(&email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().and_then(|user| user.password_hash.clone());
    let password_ok = verify_password(password, hash).await?;
    let user = match user {
        Some(user) if password_ok && user.active => user,
        other => {
            if attempt.starts_a_wait() {
                let entry = NewAuditEntry::new(AuditAction::SignInFailed, None, other.map(|u| u.id))
                    .address(&address)
                    .detail(lockout_detail(&email_key, &attempt.counts));
                state.store.append_audit(&entry).await?;
            }
            return Err(AppError::invalid("password", SIGN_IN_FAILED));
        }
    };
    let next = safe_next(next.as_deref());
    if crate::two_factor::server::has_second_factor(&state, user.id).await? {
        // Not signed in yet: the code page finishes the sign-in. The
        // failures so far stay counted, so that codes and passwords share
        // one limit.
        attempt.succeeded(&state).await?;
        let session = session::from_request().await?;
        // Whoever this browser was signed in as before, it is not now.
        session::sign_out(&state, &session).await?;
        crate::two_factor::server::await_code(&state, &session, &user, &next).await?;
        leptos_axum::redirect(crate::two_factor::api::CODE_PAGE);
        return Ok(());
    }
    complete_sign_in(&state, &user, &address, &next, "").await
}

/// The end of every sign-in, once each factor it asks has been given:
/// the session is bound to `user` (under a new id), the sign-in is audited
/// (`how`: the factors, when more than a password) and the failures of
/// this account from this address are forgotten, and the browser goes on
/// to `next`, a local path.
pub async fn complete_sign_in(
    state: &AppState,
    user: &User,
    address: &str,
    next: &str,
    how: &str,
) -> Result<(), AppError> {
    let session = session::from_request().await?;
    session::sign_in(&session, user).await?;
    let address_key = throttle_key(address);
    let failures = FailureKey {
        email: &user.email,
        address: &address_key,
    };
    let entry = NewAuditEntry::new(AuditAction::SignIn, Some(user.id), Some(user.id))
        .address(address)
        .detail(how);
    state.store.record_sign_in(user.id, &failures, &entry).await?;
    // Someone the two-factor policy covers who has no second factor sets
    // one up before anything else.
    if crate::two_factor::server::set_up_required(state, user).await? {
        leptos_axum::redirect(crate::two_factor::api::SETUP_PAGE);
    } else {
        leptos_axum::redirect(next);
    }
    Ok(())
}

pub async fn logout(user: User) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    let session = session::from_request().await?;
    session::sign_out(&state, &session).await?;
    let entry = NewAuditEntry::new(AuditAction::SignOut, Some(user.id), Some(user.id)).address(&address);
    state.store.append_audit(&entry).await?;
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// Ends every signed-in session, the caller's too (after a lost laptop or
/// a shared password): the rows go, and the caller's own session is ended
/// here so that this request does not write it back. API tokens keep
/// working: they are revoked one by one, so front ends do not break.
pub async fn sign_everyone_out(user: User) -> Result<u64, AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    let entry = NewAuditEntry::new(AuditAction::AllSessionsEnded, Some(user.id), None).address(&address);
    let ended = state.store.end_all_sessions(&entry).await?;
    let session = session::from_request().await?;
    session.flush().await.map_err(AppError::internal)?;
    leptos_axum::redirect("/admin/login");
    Ok(ended)
}

pub async fn complete_setup(
    token: String,
    email: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    if state.store.count_users().await? > 0 {
        return Err(AppError::NotFound);
    }
    let address = request_address(&state);
    let attempt = begin_anonymous_attempt(&state, &address, "set-up").await?;
    if !state.config.setup_token_matches(&token) {
        return Err(AppError::invalid(
            "token",
            "This set-up link is not valid. Use the link the server printed to its log at start.",
        ));
    }
    let mut problems = crate::error::FieldErrors::new();
    let email = input::collect(&mut problems, "email", Email::parse(&email));
    let display_name = input::collect(&mut problems, "display_name", DisplayName::parse(&display_name));
    let password = input::collect(&mut problems, "password", Password::parse(&password));
    let (Some(email), Some(display_name), Some(password)) = (email, display_name, password) else {
        return Err(AppError::Validation { fields: problems });
    };
    let new_user = NewUser {
        email,
        display_name,
        role: Role::Admin,
        password_hash: Some(hash_password(password).await?),
        password_link: None,
    };
    let entry = NewAuditEntry::new(AuditAction::UserCreated, None, None)
        .address(&address)
        .detail("first admin, through /admin/setup");
    let user = state.store.create_first_admin(&new_user, &entry).await?;
    attempt.succeeded(&state).await?;
    let session = session::from_request().await?;
    session::sign_in(&session, &user).await?;
    leptos_axum::redirect("/admin");
    Ok(())
}

pub async fn set_password_with_token(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    let attempt = begin_anonymous_attempt(&state, &address, "set-password").await?;
    // The link is looked up before any hashing, which is costly and
    // shared with sign-in: invented links must not keep staff out.
    let digest = token_digest(&token);
    if !state.store.password_token_is_valid(&digest, state.clock.now()).await? {
        return Err(link_expired());
    }
    // The password is checked before the link is used up, so a typo does
    // not cost the user their link.
    let password = parse_new_password(&password, &password_confirmation, "password")?;
    let hash = hash_password(password).await?;
    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, None, None)
        .address(&address)
        .detail("through a set-password link");
    let Some(user) = state
        .store
        .set_password_with_token(&digest, &hash, state.clock.now(), &entry)
        .await?
    else {
        return Err(link_expired());
    };
    attempt.succeeded(&state).await?;
    if crate::two_factor::server::has_second_factor(&state, user.id).await? {
        // A link by email proves the mailbox, not the second factor: the
        // code page finishes the sign-in, as after a password.
        let session = session::from_request().await?;
        session::sign_out(&state, &session).await?;
        crate::two_factor::server::await_code(&state, &session, &user, "/admin").await?;
        leptos_axum::redirect(crate::two_factor::api::CODE_PAGE);
        return Ok(());
    }
    complete_sign_in(&state, &user, &address, "/admin", "after a set-password link").await
}

pub async fn update_profile(state: &AppState, caller: &Caller, request: &UpdateProfile) -> Result<UserView, AppError> {
    let update = ProfileUpdate::parse(
        &request.display_name,
        &request.bio,
        &request.avatar_url,
        &request.credentials,
    )?;
    view_of(state, &state.store.update_profile(caller.user.id, &update).await?).await
}

pub async fn change_password(
    user: User,
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    if !verify_password(current_password, user.password_hash.clone()).await? {
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    let password = parse_new_password(&new_password, &new_password_confirmation, "new_password")?;
    let hash = hash_password(password).await?;
    let address = request_address(&state);
    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, Some(user.id), Some(user.id)).address(&address);
    let user = state.store.set_password(user.id, &hash, &entry).await?;
    // Every other session of this user ended with the epoch change; this
    // one continues under the new epoch, with a fresh id.
    let session = session::from_request().await?;
    session::sign_in(&session, &user).await
}

/// The audit entry's words for a lockout: which limit was reached.
fn lockout_detail(email_key: &str, counts: &throttle::FailureCounts) -> String {
    let minutes = throttle::WINDOW_MINUTES;
    if counts.pair >= throttle::MAX_FAILURES_PER_PAIR {
        format!(
            "{} failed sign-ins for {email_key} from this address: it waits up to {minutes} minutes for this account",
            counts.pair
        )
    } else {
        format!(
            "{} failed sign-ins from this address (the last for {email_key}): it waits up to {minutes} minutes",
            counts.address
        )
    }
}

fn link_expired() -> AppError {
    AppError::invalid(
        "token",
        "This link has expired or was already used. Ask for a new one with \"Forgot password?\" on the sign-in page, or ask an admin.",
    )
}

/// An attempt that names no account (a set-up or set-password link),
/// throttled per address only. Every such attempt counts until it
/// succeeds; the one that makes the address wait is audited, once.
pub(super) async fn begin_anonymous_attempt(
    state: &AppState,
    address: &str,
    link: &str,
) -> Result<throttle::Attempt, AppError> {
    let address_key = throttle_key(address);
    let key = FailureKey {
        email: "",
        address: &address_key,
    };
    let attempt = throttle::begin_attempt(state, &key).await?;
    if attempt.starts_a_wait() {
        let entry = NewAuditEntry::new(AuditAction::SignInFailed, None, None)
            .address(address)
            .detail(format!(
                "{} attempts from this address (the last with a {link} link): it waits up to {} minutes",
                attempt.counts.address,
                throttle::WINDOW_MINUTES
            ));
        state.store.append_audit(&entry).await?;
    }
    Ok(attempt)
}

fn parse_new_password(password: &str, confirmation: &str, field: &str) -> Result<Password, AppError> {
    let password = Password::parse(password).map_err(|message| AppError::invalid(field, message))?;
    if password.expose() != confirmation {
        return Err(AppError::invalid(
            &format!("{field}_confirmation"),
            "The two passwords are not the same.",
        ));
    }
    Ok(password)
}
