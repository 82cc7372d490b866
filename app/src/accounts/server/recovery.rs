//! Links by email: invitations, "Forgot password?" and changes of email
//! address. A set-password link from "Forgot password?" lasts an hour and
//! works once; only its digest is kept, and using it ends every session
//! and API token of the account (`set_password_with_token`).

use chrono::Duration;

use super::sign_in::begin_anonymous_attempt;
use super::users::set_password_url;
use super::{AuditAction, Email, NewAuditEntry, PasswordLink, User, request_address, token_digest, verify_password};
use crate::error::AppError;
use crate::mail::server::{Letter, enabled, letter::absolute};
use crate::state::AppState;
use crate::store::model::mail::EmailChangeRequest;

/// How long a "Forgot password?" link works.
pub const RESET_LINK_MINUTES: i64 = 60;
/// Reset messages one account gets per hour, however many are asked for
/// (from however many addresses): more would let strangers fill an inbox.
pub const RESETS_PER_HOUR: i64 = 3;
/// How long a link confirming a new email address works.
pub const EMAIL_CHANGE_HOURS: i64 = 24;

const RESET_KIND: &str = "password_reset";

/// Emails `user` their set-password link from `inviter`; false when
/// email is off (the admin copies the link instead).
pub async fn email_invitation(state: &AppState, inviter: &User, user: &User, url: &str) -> Result<bool, AppError> {
    if !enabled(state) {
        return Ok(false);
    }
    let settings = state.store.site_settings().await?;
    let days = super::PASSWORD_LINK_LIFETIME_HOURS / 24;
    // Someone who has signed in before gets a new password, not a welcome.
    let (subject, text, kind) = if user.password_hash.is_some() {
        (
            format!("Set a new password for {}", settings.title),
            format!(
                "{} sent you a link to set a new password; it works once, for {days} days.",
                inviter.display_name
            ),
            "password_link",
        )
    } else {
        (
            format!("{} invited you to {}", inviter.display_name, settings.title),
            format!(
                "{} added you to {}'s writing and review tool. Choose your password to sign in; the link works for {days} days.",
                inviter.display_name, settings.title
            ),
            "invitation",
        )
    };
    let mail = Letter::new(&user.email, &subject, kind)?
        .paragraph(&format!("Hello {},", user.display_name))
        .paragraph(&text)
        .button("Choose your password", url)
        .footer("If you did not expect this, you can ignore this message.")
        .into_mail(&settings, state.clock.now(), None);
    state.store.queue_mail(&mail).await?;
    Ok(true)
}

/// "Forgot password?": the same answer whether the address has an
/// account or not. Requests are throttled per client address (with
/// sign-in's limits; every request counts) and per account (at most
/// `RESETS_PER_HOUR` messages).
pub async fn request_password_reset(state: &AppState, email: &str) -> Result<(), AppError> {
    let address = request_address(state);
    // Counted and never taken back: a request is not a success to forgive.
    let _attempt = begin_anonymous_attempt(state, &address, "forgot-password").await?;
    let email = Email::parse(email).map_err(|message| AppError::invalid("email", message))?;
    // The answer goes before the lookup, so that its timing cannot tell
    // whether the address has an account.
    let state = state.clone();
    let in_flight = InFlight::start();
    tokio::spawn(async move {
        // One at a time, so that the per-account count and the queuing
        // that follows it cannot interleave (within this instance).
        let _turn = ONE_AT_A_TIME.lock().await;
        if let Err(error) = send_reset_link(&state, &email, &address).await {
            tracing::error!(%error, "a password reset link could not be queued");
        }
        drop(in_flight);
    });
    Ok(())
}

static ONE_AT_A_TIME: std::sync::LazyLock<tokio::sync::Mutex<()>> =
    std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));
static IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts a reset request from its answer to the end of its work.
struct InFlight;

impl InFlight {
    fn start() -> Self {
        IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Reset requests answered whose work (lookup, link, message) has not
/// finished: tests wait for 0 before they look at the outbox.
pub fn resets_in_flight() -> usize {
    IN_FLIGHT.load(std::sync::atomic::Ordering::SeqCst)
}

async fn send_reset_link(state: &AppState, email: &Email, address: &str) -> Result<(), AppError> {
    let Some(user) = state.store.user_by_email(email).await? else {
        return Ok(());
    };
    let now = state.clock.now();
    if !user.active || !enabled(state) {
        return Ok(());
    }
    let sent = state
        .store
        .mail_sent_count(&user.email, RESET_KIND, now - Duration::hours(1))
        .await?;
    if sent >= RESETS_PER_HOUR {
        tracing::warn!(user = user.id, "password reset asked for too often; no message sent");
        return Ok(());
    }
    let (token, link) = PasswordLink::new(now, Duration::minutes(RESET_LINK_MINUTES));
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, None, Some(user.id))
        .address(address)
        .detail("asked for with \"Forgot password?\", sent by email");
    state
        .store
        .create_password_token(user.id, &link.token_digest, link.expires_at, &entry)
        .await?;
    let settings = state.store.site_settings().await?;
    let url = set_password_url(state, &token).await?;
    let mail = Letter::new(&user.email, &format!("Reset your password for {}", settings.title), RESET_KIND)?
        .paragraph(&format!("Hello {},", user.display_name))
        .paragraph(&format!(
            "Someone (we hope you) asked to reset your password. The link works once, for {RESET_LINK_MINUTES} minutes, and signs you out everywhere else."
        ))
        .button("Choose a new password", &url)
        .footer("If you did not ask for this, ignore this message: your password stays as it is.")
        .into_mail(&settings, now, None);
    state.store.queue_mail(&mail).await
}

/// Starts a change of the caller's address: with email on, a link to the
/// new address confirms it and the old address hears of it; with email
/// off, the change is made at once. Either way the password is asked for
/// first. Answers whether a confirmation was sent.
pub async fn change_email(state: &AppState, user: &User, new_email: &str, password: String) -> Result<bool, AppError> {
    let new_email = Email::parse(new_email).map_err(|message| AppError::invalid("new_email", message))?;
    if !verify_password(password, user.password_hash.clone()).await? {
        return Err(AppError::invalid("password", "Your password is not correct."));
    }
    if new_email.as_str() == user.email {
        return Err(AppError::invalid("new_email", "This is your address already."));
    }
    if state.store.user_by_email(&new_email).await?.is_some() {
        return Err(AppError::invalid("new_email", "Another account uses this address."));
    }
    let address = request_address(state);
    let entry = NewAuditEntry::new(AuditAction::EmailChanged, Some(user.id), Some(user.id))
        .address(&address)
        .detail(format!("from {} to {}", user.email, new_email.as_str()));
    let now = state.clock.now();
    let token = crate::crypto::random_token();
    let change = EmailChangeRequest {
        user_id: user.id,
        new_email: new_email.as_str().to_owned(),
        token_digest: token_digest(&token),
        expires_at: now + Duration::hours(EMAIL_CHANGE_HOURS),
    };
    if !enabled(state) {
        state.store.begin_email_change(&change, &[]).await?;
        return match state
            .store
            .confirm_email_change(&change.token_digest, now, &entry)
            .await?
        {
            Some(_) => Ok(false),
            None => Err(AppError::NotFound),
        };
    }
    let settings = state.store.site_settings().await?;
    let confirm_url = absolute(&settings, &format!("/admin/confirm-email/{token}"));
    let confirmation = Letter::new(
        new_email.as_str(),
        &format!("Confirm your new address for {}", settings.title),
        "email_change",
    )?
    .paragraph(&format!("Hello {},", user.display_name))
    .paragraph(&format!(
        "Confirm that you want to sign in to {} with this address. The link works for {EMAIL_CHANGE_HOURS} hours.",
        settings.title
    ))
    .button("Confirm this address", &confirm_url)
    .footer("If you did not ask for this, ignore this message.")
    .into_mail(&settings, now, None);
    let notice = Letter::new(
        &user.email,
        &format!("Your address for {} is changing", settings.title),
        "email_change_notice",
    )?
    .paragraph(&format!("Hello {},", user.display_name))
    .paragraph(&format!(
        "Someone signed in as you asked to change your address to {}. It changes when the link sent there is opened.",
        new_email.as_str()
    ))
    .paragraph("If this was not you, change your password now and tell an admin.")
    .button("Open your profile", &absolute(&settings, "/admin/profile"))
    .into_mail(&settings, now, None);
    state.store.begin_email_change(&change, &[confirmation, notice]).await?;
    Ok(true)
}

/// The plain message for every link that does not work, whatever the
/// reason.
pub const LINK_NOT_VALID: &str = "This link has expired, was already used or is not valid.";

/// Uses a confirmation link (anyone holding it may, as with set-password
/// links; attempts are throttled per client address).
pub async fn confirm_email(state: &AppState, token: &str) -> Result<User, AppError> {
    let address = request_address(state);
    let attempt = begin_anonymous_attempt(state, &address, "confirm-email").await?;
    let entry = NewAuditEntry::new(AuditAction::EmailChanged, None, None)
        .address(&address)
        .detail("confirmed from the new address");
    match state
        .store
        .confirm_email_change(&token_digest(token), state.clock.now(), &entry)
        .await?
    {
        Some(user) => {
            attempt.succeeded(state).await?;
            Ok(user)
        }
        None => Err(AppError::invalid("token", LINK_NOT_VALID)),
    }
}
