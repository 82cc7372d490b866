//! User administration: the bodies of the server functions that list,
//! create, change and deactivate users, issue set-password links and read
//! the audit log (the callers checked who is asking).

use chrono::{DateTime, Duration, Utc};

use super::{
    AuditAction, AuditFilter, Caller, DisplayName, Email, NewAuditEntry, NewUser, PasswordLink, random_token,
    token_digest, view_of,
};
use crate::accounts::api::{AuditEntryView, CreatedUser, Role, UserView};
use crate::error::AppError;
use crate::input;
use crate::state::AppState;
use crate::time::admin_time;

/// How long a set-password link works.
pub const PASSWORD_LINK_LIFETIME_HOURS: i64 = 72;

impl PasswordLink {
    /// A new link that works from `now` for `lifetime`; the token itself
    /// goes to the person (by email, or through an admin), only its digest
    /// is kept.
    pub fn new(now: DateTime<Utc>, lifetime: Duration) -> (String, Self) {
        let token = random_token();
        let link = Self {
            token_digest: token_digest(&token),
            expires_at: now + lifetime,
        };
        (token, link)
    }
}

fn invitation_lifetime() -> Duration {
    Duration::hours(PASSWORD_LINK_LIFETIME_HOURS)
}

pub async fn list_users(state: &AppState) -> Result<Vec<UserView>, AppError> {
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
    state: &AppState,
    caller: &Caller,
    email: String,
    display_name: String,
    role: String,
) -> Result<CreatedUser, AppError> {
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
    let entry = NewAuditEntry::new(AuditAction::UserCreated, Some(caller.user.id), None)
        .address(&caller.address)
        .detail(format!("role {}", role.as_str()));
    let (token, link) = PasswordLink::new(state.clock.now(), invitation_lifetime());
    let new_user = NewUser {
        email,
        display_name,
        role,
        password_hash: None,
        password_link: Some(link),
    };
    let user = state.store.create_user(&new_user, &entry).await?;
    let set_password_url = set_password_url(state, &token).await?;
    let emailed = super::recovery::email_invitation(state, &caller.user, &user, &set_password_url).await?;
    Ok(CreatedUser {
        user: view_of(state, &user).await?,
        set_password_url,
        emailed,
    })
}

pub async fn issue_password_link(state: &AppState, caller: &Caller, user_id: i64) -> Result<String, AppError> {
    let (token, link) = PasswordLink::new(state.clock.now(), invitation_lifetime());
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, Some(caller.user.id), Some(user_id))
        .address(&caller.address);
    state
        .store
        .create_password_token(user_id, &link.token_digest, link.expires_at, &entry)
        .await?;
    set_password_url(state, &token).await
}

/// Emails a person a fresh set-password link (an invitation sent again,
/// or a reset an admin starts); refused when email is off.
pub async fn send_password_link(state: &AppState, caller: &Caller, user_id: i64) -> Result<(), AppError> {
    if !crate::mail::server::enabled(state) {
        return Err(AppError::Conflict {
            message: "Email is off, so the link cannot be sent. Make a link to copy instead.".into(),
        });
    }
    let user = state.store.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    if !user.active {
        return Err(AppError::Conflict {
            message: "This account is deactivated; reactivate it first.".into(),
        });
    }
    let url = issue_password_link(state, caller, user_id).await?;
    super::recovery::email_invitation(state, &caller.user, &user, &url).await?;
    Ok(())
}

pub(super) async fn set_password_url(state: &AppState, token: &str) -> Result<String, AppError> {
    let site_url = state.store.site_settings().await?.site_url;
    Ok(format!("{}/admin/set-password/{token}", site_url.trim_end_matches('/')))
}

pub async fn change_role(state: &AppState, caller: &Caller, user_id: i64, role: String) -> Result<UserView, AppError> {
    let admin = &caller.user;
    let role = Role::parse(&role)?;
    if user_id == admin.id {
        return Err(AppError::Conflict {
            message: "You cannot change your own role; ask another admin.".into(),
        });
    }
    let entry = NewAuditEntry::new(AuditAction::RoleChanged, Some(admin.id), Some(user_id))
        .address(&caller.address)
        .detail(format!("to {}", role.as_str()));
    view_of(state, &state.store.set_role(user_id, role, &entry).await?).await
}

pub async fn set_user_active(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    active: bool,
) -> Result<UserView, AppError> {
    let admin = &caller.user;
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
    let entry = NewAuditEntry::new(action, Some(admin.id), Some(user_id)).address(&caller.address);
    view_of(state, &state.store.set_active(user_id, active, &entry).await?).await
}

pub async fn audit_log(
    state: &AppState,
    user_id: Option<i64>,
    action: Option<String>,
) -> Result<Vec<AuditEntryView>, AppError> {
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
