//! Passkeys on the server: the relying party (this site, as the
//! authenticators know it), the two ceremonies (adding a passkey, signing
//! in with one) and a person's list. webauthn-rs checks every answer; the
//! ceremony's state waits in the store between its two requests, works
//! once and expires.

use chrono::Duration;
use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url,
    Uuid, Webauthn, WebauthnBuilder,
};

use super::api::{Challenge, PasskeyList, PasskeyView};
use crate::accounts::server::{
    AuditAction, Caller, NewAuditEntry, User, random_token, request_address, safe_next, throttle, throttle_key,
    token_digest,
};
use crate::domain::SiteSettings;
use crate::error::AppError;
pub use crate::input::passkeys::PasskeyName;
use crate::state::{AppState, app_state};
pub use crate::store::model::passkeys::*;
use crate::time::admin_time;

/// How long the browser has to answer a challenge.
pub const CEREMONY_MINUTES: i64 = 5;

/// Ceremonies one address may have under way at once: enough for a
/// clinic's staff behind one address, too few to fill the database.
pub const LIVE_CEREMONIES_PER_ADDRESS: i64 = 30;

/// The one message for every failed passkey sign-in, whatever went wrong:
/// an unknown or removed passkey, one from another site, a used or expired
/// challenge, a deactivated account.
pub const PASSKEY_SIGN_IN_FAILED: &str = "That passkey did not sign you in. Try again, or use your email and password.";

/// The one message for a passkey that could not be added.
pub const PASSKEY_NOT_ADDED: &str = "The passkey was not added. Try again.";

/// Passkeys need a domain name: browsers refuse an IP address as the
/// relying party, so a site at `http://127.0.0.1:3000` has none.
pub const NEEDS_A_DOMAIN: &str =
    "Passkeys need the site to have a domain name (VELLUM_SITE_URL, such as https://blog.clinic.example).";

/// This site as authenticators know it: the host of the site URL (the
/// relying party ID, which passkeys are bound to) and its origin, the one
/// the browser's answers must come from. `None` when the site URL's host
/// is no domain name.
pub fn relying_party(state: &AppState, settings: &SiteSettings) -> Option<Webauthn> {
    let origin = Url::parse(&state.config.site_origin).ok()?;
    let rp_id = origin.domain()?.to_owned();
    WebauthnBuilder::new(&rp_id, &origin)
        .ok()?
        .rp_name(&settings.title)
        .timeout(std::time::Duration::from_secs(60 * CEREMONY_MINUTES as u64))
        .build()
        .ok()
}

/// Whether people can add and use passkeys on this site.
pub async fn enabled(state: &AppState) -> Result<bool, AppError> {
    Ok(relying_party(state, &state.store.site_settings().await?).is_some())
}

/// The key the store knows a credential by: its id, in hex.
pub fn credential_key(credential_id: &[u8]) -> String {
    hex::encode(credential_id)
}

// ---------------------------------------------------------------------------
// A person's own passkeys (the callers checked who is asking).

pub async fn list(state: &AppState, caller: &Caller) -> Result<PasskeyList, AppError> {
    let settings = state.store.site_settings().await?;
    let rows = state.store.passkeys(caller.user.id).await?;
    Ok(PasskeyList {
        enabled: relying_party(state, &settings).is_some(),
        passkeys: rows.iter().map(|row| view(row, &settings)).collect(),
    })
}

/// The options for the browser's "create a passkey" and the ceremony's
/// token. The name is checked now, before the browser asks anything.
pub async fn start_registration(state: &AppState, caller: &Caller, name: &str) -> Result<Challenge, AppError> {
    PasskeyName::parse(name).map_err(|message| AppError::invalid("name", message))?;
    let settings = state.store.site_settings().await?;
    let rp = relying_party(state, &settings).ok_or_else(needs_a_domain)?;
    let user = &caller.user;
    let handle = user_handle(state, user.id).await?;
    // Passkeys the person has already are excluded: their authenticator
    // says so instead of making a second one.
    let existing = state.store.passkeys(user.id).await?;
    let exclude = existing
        .iter()
        .map(|row| parse::<Passkey>(&row.credential).map(|passkey| passkey.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let (options, registration) = rp
        .start_passkey_registration(handle, &user.email, &user.display_name, Some(exclude))
        .map_err(AppError::internal)?;
    let options = discoverable(serde_json::to_value(&options.public_key).map_err(AppError::internal)?);
    let ceremony = start_ceremony(state, CeremonyPurpose::Register, Some(user.id), &registration).await?;
    Ok(Challenge {
        ceremony,
        options: options.to_string(),
    })
}

/// Checks the browser's answer to a registration and keeps the passkey.
pub async fn finish_registration(
    state: &AppState,
    caller: &Caller,
    answer: &super::api::FinishPasskeyRegistration,
) -> Result<PasskeyView, AppError> {
    let name = PasskeyName::parse(&answer.name).map_err(|message| AppError::invalid("name", message))?;
    let now = state.clock.now();
    let refused = || AppError::invalid("passkey", PASSKEY_NOT_ADDED);
    let ceremony = state
        .store
        .take_passkey_ceremony(&token_digest(&answer.ceremony), CeremonyPurpose::Register, now)
        .await?
        .filter(|ceremony| ceremony.user_id == Some(caller.user.id))
        .ok_or_else(refused)?;
    let settings = state.store.site_settings().await?;
    let rp = relying_party(state, &settings).ok_or_else(refused)?;
    let registration: PasskeyRegistration = parse(&ceremony.state)?;
    let credential: RegisterPublicKeyCredential = serde_json::from_str(&answer.credential).map_err(|_| refused())?;
    let passkey = rp
        .finish_passkey_registration(&credential, &registration)
        .map_err(|error| {
            tracing::info!(%error, user = caller.user.id, "a passkey's registration was refused");
            refused()
        })?;
    let new = NewPasskey {
        user_id: caller.user.id,
        credential_id: credential_key(passkey.cred_id()),
        credential: serde_json::to_string(&passkey).map_err(AppError::internal)?,
        created_at: now,
        name,
    };
    let entry = NewAuditEntry::new(AuditAction::PasskeyAdded, Some(caller.user.id), Some(caller.user.id))
        .address(&caller.address)
        .detail(format!("\"{}\"", new.name.as_str()));
    let row = state.store.add_passkey(&new, &entry).await?;
    let text = format!(
        "A passkey called \u{201c}{}\u{201d} was added to your account; it signs you in without your password. \
         If this was not you, remove it on your profile and change your password.",
        row.name
    );
    tell(state, &caller.user.email, "A passkey was added to your account", &text).await;
    Ok(view(&row, &settings))
}

/// Emails the person about a change to their passkeys (when email is on).
/// The change is made whatever happens to the message.
async fn tell(state: &AppState, to: &str, subject: &str, text: &str) {
    let notice = crate::mail::Notice {
        to,
        subject,
        text,
        action: Some(("Open your profile", "/admin/profile")),
    };
    if let Err(error) = crate::mail::queue_notice(state, &notice).await {
        tracing::error!(%error, "a passkey notice could not be queued");
    }
}

pub async fn remove(state: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    let name = state
        .store
        .passkeys(caller.user.id)
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .map(|row| row.name)
        .ok_or(AppError::NotFound)?;
    let entry = NewAuditEntry::new(AuditAction::PasskeyRemoved, Some(caller.user.id), Some(caller.user.id))
        .address(&caller.address)
        .detail(format!("\"{name}\""));
    state.store.remove_passkey(caller.user.id, id, &entry).await?;
    let text = format!("The passkey called \u{201c}{name}\u{201d} was removed from your account.");
    tell(
        state,
        &caller.user.email,
        "A passkey was removed from your account",
        &text,
    )
    .await;
    Ok(())
}

// ---------------------------------------------------------------------------
// Signing in (anyone may call these: the passkey is the credential).

/// The options for the browser's "use a passkey": no account is named,
/// the authenticator offers the passkeys it keeps for this site.
pub async fn start_sign_in() -> Result<Challenge, AppError> {
    let state = app_state()?;
    let settings = state.store.site_settings().await?;
    let rp = relying_party(&state, &settings).ok_or_else(needs_a_domain)?;
    let (options, authentication) = rp.start_discoverable_authentication().map_err(AppError::internal)?;
    let options = serde_json::to_string(&options.public_key).map_err(AppError::internal)?;
    let ceremony = start_ceremony(&state, CeremonyPurpose::SignIn, None, &authentication).await?;
    Ok(Challenge { ceremony, options })
}

/// Checks the browser's answer and signs its passkey's owner in. A
/// passkey is both factors (something held, unlocked by the person), so
/// no second step follows. Every failure counts against the address, as
/// a wrong password does, and gets the one plain message.
pub async fn finish_sign_in(ceremony: String, credential: String, next: Option<String>) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state);
    let address_key = throttle_key(&address);
    let failures = throttle::FailureKey {
        email: "",
        address: &address_key,
    };
    let attempt = throttle::begin_attempt(&state, &failures).await?;
    let Some((user, passkey_id)) = verify_sign_in(&state, &ceremony, &credential).await? else {
        if attempt.starts_a_wait() {
            let entry = NewAuditEntry::new(AuditAction::SignInFailed, None, None)
                .address(&address)
                .detail(format!(
                    "{} failed sign-ins from this address (the last with a passkey): it waits up to {} minutes",
                    attempt.counts.address,
                    throttle::WINDOW_MINUTES
                ));
            state.store.append_audit(&entry).await?;
        }
        return Err(AppError::invalid("passkey", PASSKEY_SIGN_IN_FAILED));
    };
    attempt.succeeded(&state).await?;
    let session = crate::accounts::server::request_session().await?;
    crate::accounts::server::start_session(&session, &user).await?;
    let entry = NewAuditEntry::new(AuditAction::PasskeySignIn, Some(user.id), Some(user.id))
        .address(&address)
        .detail(format!("passkey #{passkey_id}"));
    // As after a password: this person's failures from here are forgiven.
    let person = throttle::FailureKey {
        email: &user.email,
        address: &address_key,
    };
    state.store.record_sign_in(user.id, &person, &entry).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// The active account whose passkey signed this ceremony's challenge, and
/// the passkey's id; `None` for anything else. The ceremony is used up
/// either way.
async fn verify_sign_in(state: &AppState, ceremony: &str, credential: &str) -> Result<Option<(User, i64)>, AppError> {
    let now = state.clock.now();
    let Some(ceremony) = state
        .store
        .take_passkey_ceremony(&token_digest(ceremony), CeremonyPurpose::SignIn, now)
        .await?
    else {
        return Ok(None);
    };
    let settings = state.store.site_settings().await?;
    let Some(rp) = relying_party(state, &settings) else {
        return Ok(None);
    };
    let authentication: DiscoverableAuthentication = parse(&ceremony.state)?;
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(credential) else {
        return Ok(None);
    };
    let Ok((handle, credential_id)) = rp.identify_discoverable_authentication(&answer) else {
        return Ok(None);
    };
    let Some(row) = state
        .store
        .passkey_for_sign_in(&credential_key(credential_id), &handle.to_string())
        .await?
    else {
        return Ok(None);
    };
    let mut passkey: Passkey = parse(&row.credential)?;
    let result = match rp.finish_discoverable_authentication_v2(&answer, authentication, &passkey) {
        Ok(result) => result,
        Err(error) => {
            tracing::info!(%error, passkey = row.id, "a passkey sign-in was refused");
            return Ok(None);
        }
    };
    let Some(user) = state.store.user_by_id(row.user_id).await?.filter(|user| user.active) else {
        return Ok(None);
    };
    let changed = passkey.update_credential(&result) == Some(true);
    let credential = if changed {
        Some(serde_json::to_string(&passkey).map_err(AppError::internal)?)
    } else {
        None
    };
    let used = PasskeyUse {
        id: row.id,
        credential: credential.as_deref(),
        at: now,
    };
    state.store.record_passkey_use(&used).await?;
    Ok(Some((user, row.id)))
}

// ---------------------------------------------------------------------------

/// Keeps a ceremony's state under a new token and hands the token back;
/// 429 when the caller's address has too many under way.
async fn start_ceremony(
    state: &AppState,
    purpose: CeremonyPurpose,
    user_id: Option<i64>,
    ceremony_state: &impl Serialize,
) -> Result<String, AppError> {
    let token = random_token();
    let token_hash = token_digest(&token);
    let address = throttle_key(&request_address(state));
    let state_json = serde_json::to_string(ceremony_state).map_err(AppError::internal)?;
    let now = state.clock.now();
    let ceremony = NewCeremony {
        token_hash: &token_hash,
        purpose,
        user_id,
        address: &address,
        state: &state_json,
        now,
        expires_at: now + Duration::minutes(CEREMONY_MINUTES),
    };
    if !state
        .store
        .start_passkey_ceremony(&ceremony, LIVE_CEREMONIES_PER_ADDRESS)
        .await?
    {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(CEREMONY_MINUTES * 60).unwrap_or(300),
        });
    }
    Ok(token)
}

/// The person's user handle as the authenticators get it.
async fn user_handle(state: &AppState, user_id: i64) -> Result<Uuid, AppError> {
    let handle = state.store.passkey_handle(user_id, &Uuid::new_v4().to_string()).await?;
    Uuid::parse_str(&handle).map_err(AppError::internal)
}

/// Asks the authenticator to keep the passkey itself (a discoverable
/// credential), so that signing in needs no email address first;
/// webauthn-rs leaves that to the authenticator.
fn discoverable(mut options: serde_json::Value) -> serde_json::Value {
    if let Some(selection) = options
        .get_mut("authenticatorSelection")
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert("residentKey".into(), "required".into());
        selection.insert("requireResidentKey".into(), true.into());
    }
    options
}

fn needs_a_domain() -> AppError {
    AppError::Conflict {
        message: NEEDS_A_DOMAIN.into(),
    }
}

/// Reads what the server itself stored; failing is the server's fault.
fn parse<T: DeserializeOwned>(stored: &str) -> Result<T, AppError> {
    serde_json::from_str(stored).map_err(AppError::internal)
}

fn view(row: &PasskeyRow, settings: &SiteSettings) -> PasskeyView {
    PasskeyView {
        id: row.id,
        name: row.name.clone(),
        created: admin_time(row.created_at, settings),
        last_used: row.last_used_at.map(|at| admin_time(at, settings)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_asks_for_a_discoverable_passkey() {
        let options = serde_json::json!({
            "authenticatorSelection": {"requireResidentKey": false, "userVerification": "required"}
        });
        let options = discoverable(options);
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(options["authenticatorSelection"]["requireResidentKey"], true);
        assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    }

    #[test]
    fn credential_keys_are_hex() {
        assert_eq!(credential_key(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
