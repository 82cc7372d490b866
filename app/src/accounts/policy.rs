//! Who may do what, in one place. Server functions ask `server::require`
//! (or `require_role`) before anything else; pages use the same rules only
//! to decide what to show.

use super::api::Role;

/// Everything in the accounts area that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Edit one's own profile and password, sign out.
    ManageOwnAccount,
    /// Create users, change roles, deactivate and reactivate, issue
    /// set-password links.
    ManageUsers,
    /// Read the audit log.
    ViewAuditLog,
}

impl Action {
    /// The least role that may perform the action.
    pub fn minimum_role(self) -> Role {
        match self {
            Self::ManageOwnAccount => Role::Author,
            Self::ManageUsers | Self::ViewAuditLog => Role::Admin,
        }
    }
}

/// Roles are ordered: author < editor < admin, and a higher role may do
/// everything a lower one may.
pub fn allows(role: Role, action: Action) -> bool {
    role >= action.minimum_role()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users_and_read_the_audit_log() {
        for action in [Action::ManageUsers, Action::ViewAuditLog] {
            assert!(!allows(Role::Author, action));
            assert!(!allows(Role::Editor, action));
            assert!(allows(Role::Admin, action));
        }
    }

    #[test]
    fn everyone_manages_their_own_account() {
        for role in Role::ALL {
            assert!(allows(role, Action::ManageOwnAccount));
        }
    }
}
