//! The audit vocabulary of every feature, and the entry each change
//! writes in its own transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened, for the audit log. Written in the same transaction as
/// the change it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    UserCreated,
    RoleChanged,
    Deactivated,
    Reactivated,
    PasswordChanged,
    PasswordLinkIssued,
    SettingsChanged,
    PostSubmitted,
    PostWithdrawn,
    ChangesRequested,
    PostApproved,
    PostPublished,
    PostScheduled,
    PostUnscheduled,
    PostUnpublished,
    PostTrashed,
    PostRestored,
    UpdatePublished,
    RevisionRestored,
    TrashEmptied,
    ApiTokenCreated,
    ApiTokenRevoked,
    WebhookAdded,
    WebhookDeleted,
    WebhookSecretRotated,
    AllSessionsEnded,
    /// One of a person's sessions was ended, by them or by an admin.
    SessionEnded,
    /// Several of a person's sessions were ended at once: "sign out
    /// everywhere else", or an admin ending all of them.
    SessionsEnded,
    MediaUploaded,
    MediaDeleted,
    ContentImported,
    /// A reviewer confirmed that a published post's live text is still
    /// correct (a new review without a new text).
    PostReReviewed,
    /// A reviewer chose when a post's next review is due.
    ReviewDueChanged,
    /// Someone added a passkey to their account.
    PasskeyAdded,
    /// Someone removed one of their passkeys.
    PasskeyRemoved,
    /// A passkey signed someone in (it counts as both factors).
    PasskeySignIn,
    /// Someone set up two-factor sign-in (their first code confirmed it).
    TwoFactorEnabled,
    /// Someone turned their own two-factor sign-in off.
    TwoFactorDisabled,
    /// An admin (or the command line) removed someone's second factor.
    TwoFactorReset,
    /// A wrong, reused or expired code at the sign-in's second step.
    TwoFactorFailed,
    /// A recovery code signed someone in (each works once).
    RecoveryCodeUsed,
    /// Someone replaced their recovery codes with new ones.
    RecoveryCodesRenewed,
    /// A person's sign-in address changed (confirmed from the new one).
    EmailChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 46] = [
        Self::SignIn,
        Self::SignInFailed,
        Self::SignOut,
        Self::UserCreated,
        Self::RoleChanged,
        Self::Deactivated,
        Self::Reactivated,
        Self::PasswordChanged,
        Self::PasswordLinkIssued,
        Self::SettingsChanged,
        Self::PostSubmitted,
        Self::PostWithdrawn,
        Self::ChangesRequested,
        Self::PostApproved,
        Self::PostPublished,
        Self::PostScheduled,
        Self::PostUnscheduled,
        Self::PostUnpublished,
        Self::PostTrashed,
        Self::PostRestored,
        Self::UpdatePublished,
        Self::RevisionRestored,
        Self::TrashEmptied,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::WebhookAdded,
        Self::WebhookDeleted,
        Self::WebhookSecretRotated,
        Self::AllSessionsEnded,
        Self::SessionEnded,
        Self::SessionsEnded,
        Self::MediaUploaded,
        Self::MediaDeleted,
        Self::ContentImported,
        Self::PostReReviewed,
        Self::ReviewDueChanged,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::PasskeySignIn,
        Self::TwoFactorEnabled,
        Self::TwoFactorDisabled,
        Self::TwoFactorReset,
        Self::TwoFactorFailed,
        Self::RecoveryCodeUsed,
        Self::RecoveryCodesRenewed,
        Self::EmailChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOut => "sign_out",
            Self::UserCreated => "user_created",
            Self::RoleChanged => "role_changed",
            Self::Deactivated => "deactivated",
            Self::Reactivated => "reactivated",
            Self::PasswordChanged => "password_changed",
            Self::PasswordLinkIssued => "password_link_issued",
            Self::SettingsChanged => "settings_changed",
            Self::PostSubmitted => "post_submitted",
            Self::PostWithdrawn => "post_withdrawn",
            Self::ChangesRequested => "changes_requested",
            Self::PostApproved => "post_approved",
            Self::PostPublished => "post_published",
            Self::PostScheduled => "post_scheduled",
            Self::PostUnscheduled => "post_unscheduled",
            Self::PostUnpublished => "post_unpublished",
            Self::PostTrashed => "post_trashed",
            Self::PostRestored => "post_restored",
            Self::UpdatePublished => "update_published",
            Self::RevisionRestored => "revision_restored",
            Self::TrashEmptied => "trash_emptied",
            Self::ApiTokenCreated => "api_token_created",
            Self::ApiTokenRevoked => "api_token_revoked",
            Self::WebhookAdded => "webhook_added",
            Self::WebhookDeleted => "webhook_deleted",
            Self::WebhookSecretRotated => "webhook_secret_rotated",
            Self::AllSessionsEnded => "all_sessions_ended",
            Self::SessionEnded => "session_ended",
            Self::SessionsEnded => "sessions_ended",
            Self::MediaUploaded => "media_uploaded",
            Self::MediaDeleted => "media_deleted",
            Self::ContentImported => "content_imported",
            Self::PostReReviewed => "post_re_reviewed",
            Self::ReviewDueChanged => "review_due_changed",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::PasskeySignIn => "passkey_sign_in",
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::TwoFactorReset => "two_factor_reset",
            Self::TwoFactorFailed => "two_factor_failed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RecoveryCodesRenewed => "recovery_codes_renewed",
            Self::EmailChanged => "email_changed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: AuditAction,
    pub target_user_id: Option<i64>,
    pub address: String,
    pub detail: String,
}

impl NewAuditEntry {
    pub fn new(action: AuditAction, actor_id: Option<i64>, target_user_id: Option<i64>) -> Self {
        Self {
            at: Utc::now(),
            actor_id,
            action,
            target_user_id,
            address: String::new(),
            detail: String::new(),
        }
    }

    pub fn address(mut self, address: &str) -> Self {
        address.clone_into(&mut self.address);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}
