//! User administration: the bodies of the server functions that list,
//! create, change and deactivate users, issue set-password links and read
//! the audit log (the callers checked who is asking).

use chrono::{Duration, Utc};

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
        user: view_of(state, &user).await?,
        set_password_url: set_password_url(state, &token).await?,
    })
}

pub async fn issue_password_link(state: &AppState, caller: &Caller, user_id: i64) -> Result<String, AppError> {
    let (token, link) = PasswordLink::new();
    let entry = NewAuditEntry::new(AuditAction::PasswordLinkIssued, Some(caller.user.id), Some(user_id))
        .address(&caller.address);
    state
        .store
        .create_password_token(user_id, &link.token_digest, link.expires_at, &entry)
        .await?;
    set_password_url(state, &token).await
}

async fn set_password_url(state: &AppState, token: &str) -> Result<String, AppError> {
    let site_url = state.store.site_settings().await?.site_url;
    Ok(format!("{site_url}/admin/set-password/{token}"))
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
