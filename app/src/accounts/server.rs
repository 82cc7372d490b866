//! Server-only account logic: input types, password hashing, sessions,
//! throttling, and the bodies of the accounts' server functions.

pub mod guard;

mod password;
mod session;
pub mod throttle;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use chrono::{Duration, Utc};

use super::api::{AuditEntryView, CreatedUser, Role, UserView};
use super::policy::{self, Action};
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::state::{AppState, app_state};
use crate::time::admin_time;

pub use crate::audit::{AuditAction, NewAuditEntry};
pub use crate::crypto::{random_token, token_digest};
use crate::input;
pub use crate::input::people::{AvatarUrl, Bio, Credentials, DisplayName, Email, ProfileUpdate};
pub use crate::store::model::accounts::{AuditFilter, AuditRow, NewUser, PasswordLink, User};
pub use password::{Password, hash_password, verify_password};
pub use session::{SESSION_COOKIE, SessionUser};

/// How long a set-password link works.
pub const PASSWORD_LINK_LIFETIME_HOURS: i64 = 72;

impl User {
    pub fn view(&self, settings: &SiteSettings) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            slug: self.slug.clone(),
            bio: self.bio.clone(),
            avatar_url: self.avatar_url.clone(),
            credentials: self.credentials.clone(),
            role: self.role,
            active: self.active,
            created_at: admin_time(self.created_at, settings),
            last_sign_in_at: self.last_sign_in_at.map(|at| admin_time(at, settings)),
        }
    }
}

/// The user as the admin shows them, with times in the site's zone.
pub async fn view_of(state: &AppState, user: &User) -> Result<UserView, AppError> {
    Ok(user.view(&state.store.site_settings().await?))
}

impl PasswordLink {
    /// A new link; the token itself goes to the admin, only its digest is kept.
    pub fn new() -> (String, Self) {
        let token = random_token();
        let link = Self {
            token_digest: token_digest(&token),
            expires_at: Utc::now() + Duration::hours(PASSWORD_LINK_LIFETIME_HOURS),
        };
        (token, link)
    }
}

// ---------------------------------------------------------------------------
// Who is calling

/// The user of the current request's session, if it is still valid: the
/// account exists, is active, and its session epoch has not moved on
/// (a password, role or activation change ends every older session).
pub async fn session_user() -> Result<Option<User>, AppError> {
    let state = app_state()?;
    let session = session::from_request().await?;
    session::load_user(&state, &session).await
}

/// `session_user` for plain axum handlers, which hold the session itself.
pub async fn user_of_session(state: &AppState, session: &tower_sessions::Session) -> Result<Option<User>, AppError> {
    session::load_user(state, session).await
}

pub async fn require_user() -> Result<User, AppError> {
    session_user().await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_role(role: Role) -> Result<User, AppError> {
    let user = require_user().await?;
    if user.role >= role {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn require(action: Action) -> Result<User, AppError> {
    let user = require_user().await?;
    if policy::allows(user.role, action) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address: the peer, or, behind a trusted reverse proxy, the
/// last address the proxy appended to X-Forwarded-For.
pub fn client_address(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(str::trim)
            .filter(|value| value.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default()
}

/// The address of the client of the current server function call.
pub async fn request_address(state: &AppState) -> String {
    leptos::prelude::use_context::<Parts>()
        .map(|parts| client_address(&parts, state.config.trust_proxy))
        .unwrap_or_default()
}

/// Only local paths are followed after sign-in: "/admin/x" yes,
/// "//evil.example" or "https://evil.example" no.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

// ---------------------------------------------------------------------------
// Server function bodies

/// The one message for every failed sign-in, whatever went wrong.
pub const SIGN_IN_FAILED: &str = "That email and password do not match an active account.";

pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state).await;
    // Malformed input is a failed attempt like any other: same message,
    // same counting, same (dummy) hashing time.
    let email_key: String = email.trim().to_lowercase().chars().take(254).collect();
    throttle::begin_attempt(&state, &email_key, &address).await?;
    let user = match Email::parse(&email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().and_then(|user| user.password_hash.clone());
    let password_ok = verify_password(password, hash).await?;
    let user = match user {
        Some(user) if password_ok && user.active => user,
        other => {
            let entry = NewAuditEntry::new(AuditAction::SignInFailed, None, other.map(|u| u.id))
                .address(&address)
                .detail(email_key.clone());
            state.store.append_audit(&entry).await?;
            return Err(AppError::invalid("password", SIGN_IN_FAILED));
        }
    };
    let session = session::from_request().await?;
    session::sign_in(&session, &user).await?;
    let entry = NewAuditEntry::new(AuditAction::SignIn, Some(user.id), Some(user.id)).address(&address);
    state.store.record_sign_in(user.id, &email_key, &entry).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

pub async fn logout(user: User) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state).await;
    let session = session::from_request().await?;
    session.flush().await.map_err(AppError::internal)?;
    let entry = NewAuditEntry::new(AuditAction::SignOut, Some(user.id), Some(user.id)).address(&address);
    state.store.append_audit(&entry).await?;
    leptos_axum::redirect("/admin/login");
    Ok(())
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
    let address = request_address(&state).await;
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
    // The password is checked before the link is used up, so a typo does
    // not cost the user their link.
    let password = parse_new_password(&password, &password_confirmation, "password")?;
    let hash = hash_password(password).await?;
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, None, None)
        .address(&address)
        .detail("through a set-password link");
    let Some(user) = state
        .store
        .set_password_with_token(&token_digest(&token), &hash, Utc::now(), &entry)
        .await?
    else {
        return Err(AppError::invalid(
            "token",
            "This link has expired or was already used. Ask an admin for a new one.",
        ));
    };
    let session = session::from_request().await?;
    session::sign_in(&session, &user).await?;
    leptos_axum::redirect("/admin");
    Ok(())
}

pub async fn update_profile(
    user: User,
    display_name: String,
    bio: String,
    avatar_url: String,
    credentials: String,
) -> Result<UserView, AppError> {
    let state = app_state()?;
    let update = ProfileUpdate::parse(&display_name, &bio, &avatar_url, &credentials)?;
    view_of(&state, &state.store.update_profile(user.id, &update).await?).await
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
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::PasswordChanged, Some(user.id), Some(user.id)).address(&address);
    let user = state.store.set_password(user.id, &hash, &entry).await?;
    // Every other session of this user ended with the epoch change; this
    // one continues under the new epoch, with a fresh id.
    let session = session::from_request().await?;
    session::sign_in(&session, &user).await
}

pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let state = app_state()?;
    let settings = state.store.site_settings().await?;
    Ok(state
        .store
        .list_users()
        .await?
        .iter()
        .map(|user| user.view(&settings))
        .collect())
}

pub async fn create_user(
    admin: User,
    email: String,
    display_name: String,
    role: String,
) -> Result<CreatedUser, AppError> {
    let state = app_state()?;
    let mut problems = crate::error::FieldErrors::new();
    let email = input::collect(&mut problems, "email", Email::parse(&email));
    let display_name = input::collect(&mut problems, "display_name", DisplayName::parse(&display_name));
    let role = match Role::parse(&role) {
        Ok(role) => Some(role),
        Err(error) => {
            for message in error.field_messages("role") {
                problems.entry("role".into()).or_default().push(message.clone());
            }
            None
        }
    };
    let (Some(email), Some(display_name), Some(role)) = (email, display_name, role) else {
        return Err(AppError::Validation { fields: problems });
    };
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::UserCreated, Some(admin.id), None)
        .address(&address)
        .detail(format!("role {}", role.as_str()));
    let (token, link) = PasswordLink::new();
    let new_user = NewUser {
        email,
        display_name,
        role,
        password_hash: None,
        password_link: Some(link),
    };
    let user = state.store.create_user(&new_user, &entry).await?;
    Ok(CreatedUser {
        user: view_of(&state, &user).await?,
        set_password_url: set_password_url(&state, &token).await?,
    })
}

pub async fn issue_password_link(admin: User, user_id: i64) -> Result<String, AppError> {
    let state = app_state()?;
    let (token, link) = PasswordLink::new();
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, Some(admin.id), Some(user_id)).address(&address);
    state
        .store
        .create_password_token(user_id, &link.token_digest, link.expires_at, &entry)
        .await?;
    set_password_url(&state, &token).await
}

async fn set_password_url(state: &AppState, token: &str) -> Result<String, AppError> {
    let site_url = state.store.site_settings().await?.site_url;
    Ok(format!("{site_url}/admin/set-password/{token}"))
}

pub async fn change_role(admin: User, user_id: i64, role: String) -> Result<UserView, AppError> {
    let state = app_state()?;
    let role = Role::parse(&role)?;
    if user_id == admin.id {
        return Err(AppError::Conflict {
            message: "You cannot change your own role; ask another admin.".into(),
        });
    }
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(AuditAction::RoleChanged, Some(admin.id), Some(user_id))
        .address(&address)
        .detail(format!("to {}", role.as_str()));
    view_of(&state, &state.store.set_role(user_id, role, &entry).await?).await
}

pub async fn set_user_active(admin: User, user_id: i64, active: bool) -> Result<UserView, AppError> {
    let state = app_state()?;
    if user_id == admin.id {
        return Err(AppError::Conflict {
            message: "You cannot deactivate your own account; ask another admin.".into(),
        });
    }
    let action = if active {
        AuditAction::Reactivated
    } else {
        AuditAction::Deactivated
    };
    let address = request_address(&state).await;
    let entry = NewAuditEntry::new(action, Some(admin.id), Some(user_id)).address(&address);
    view_of(&state, &state.store.set_active(user_id, active, &entry).await?).await
}

pub async fn audit_log(user_id: Option<i64>, action: Option<String>) -> Result<Vec<AuditEntryView>, AppError> {
    let state = app_state()?;
    let action = match action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(raw) => Some(
            AuditAction::ALL
                .into_iter()
                .find(|action| action.as_str() == raw)
                .ok_or_else(|| AppError::invalid("action", "Choose an action from the list."))?,
        ),
    };
    let filter = AuditFilter {
        user_id,
        action,
        limit: 500,
    };
    let rows = state.store.list_audit(&filter).await?;
    let settings = state.store.site_settings().await?;
    Ok(rows
        .into_iter()
        .map(|row| AuditEntryView {
            id: row.id,
            at: admin_time(row.at, &settings),
            actor: row.actor,
            action: row.action,
            target: row.target,
            address: row.address,
            detail: row.detail,
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/admin/users?x=1")), "/admin/users?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/admin");
        assert_eq!(safe_next(Some("/\\evil.example")), "/admin");
        assert_eq!(safe_next(Some("https://evil.example")), "/admin");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/admin");
        assert_eq!(safe_next(None), "/admin");
        assert_eq!(safe_next(Some("/admin\r\nSet-Cookie: x=1")), "/admin");
        assert_eq!(safe_next(Some("/admin\u{7f}")), "/admin");
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .body(())
            .expect("request");
        let (mut parts, ()) = request.into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 4000))));
        assert_eq!(client_address(&parts, false), "127.0.0.1");
        assert_eq!(client_address(&parts, true), "198.51.100.7");
    }

    #[test]
    fn token_digests_are_stable_and_differ_from_the_token() {
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert_eq!(token_digest(&token), token_digest(&token));
        assert_ne!(token_digest(&token), token);
    }
}
