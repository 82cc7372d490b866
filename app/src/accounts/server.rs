//! Server-only account logic: who is calling (`caller`), where from
//! (`address`), signing in and a person's own account (`sign_in`), user
//! administration and the audit log (`users`), with input types, password
//! hashing, sessions and throttling. Everything other modules use is
//! re-exported here, at the paths they know.

mod address;
mod caller;
pub mod guard;
mod password;
pub mod recovery;
mod session;
mod sign_in;
pub mod throttle;
pub mod users;

use super::api::UserView;
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::admin_time;

pub use crate::audit::{AuditAction, NewAuditEntry};
pub use crate::crypto::{random_token, token_digest};
pub use crate::input::people::{AvatarUrl, Bio, Credentials, DisplayName, Email, ProfileUpdate};
pub use crate::store::model::accounts::{AuditFilter, AuditRow, NewUser, PasswordLink, User};
pub use address::{client_address, safe_next, throttle_key};
pub use caller::{
    Caller, call_context, request_address, require, require_role, require_user, require_user_for_set_up, session_user,
    user_of_session,
};
pub use password::{Password, hash_password, verify_password};
pub use session::{SESSION_COOKIE, SESSION_IDLE_DAYS, SessionUser};
pub use session::{current_key as current_session_key, from_request as request_session};
// Signing in by other means than a password (a passkey) starts the session here too.
pub use session::sign_in as start_session;
pub use sign_in::{
    SIGN_IN_FAILED, change_password, complete_setup, complete_sign_in, login, logout, set_password_with_token,
    sign_everyone_out, update_profile,
};
pub use users::{
    PASSWORD_LINK_LIFETIME_HOURS, audit_log, change_role, create_user, issue_password_link, list_users, set_user_active,
};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_digests_are_stable_and_differ_from_the_token() {
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert_eq!(token_digest(&token), token_digest(&token));
        assert_ne!(token_digest(&token), token);
    }
}
