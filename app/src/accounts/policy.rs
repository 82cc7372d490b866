//! Who may do what by role: the account area's actions and which admin
//! pages a role may open. Server functions ask `server::require` (or
//! `require_role`) before anything else; pages use the same rules only to
//! decide what to show.
//!
//! Rules about one object are decided where that object is loaded, and
//! also in the SQL `WHERE` that changes it: a post's authors and the
//! workflow (`posts::workflow::may_edit`, `posts::server::post_for`, used
//! by previews too; `posts::workflow::apply` keeps publishing a page to
//! editors and admins), a media item's uploader (`media::server::library`),
//! a token's owner (`api_tokens::server`). Webhooks and settings are for
//! admins (`require_role(Role::Admin)`, `Action::ManageSettings`).

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
    /// Change the site settings.
    ManageSettings,
    /// Re-review a published article (confirm its live text is still
    /// correct, or send it back to its authors) and set when a reviewed
    /// article's next review is due: the reviewers' (clinicians') work.
    ReReview,
}

impl Action {
    /// The least role that may perform the action.
    pub fn minimum_role(self) -> Role {
        match self {
            Self::ManageOwnAccount => Role::Author,
            Self::ReReview => Role::Editor,
            Self::ManageUsers | Self::ViewAuditLog | Self::ManageSettings => Role::Admin,
        }
    }
}

/// The permission an admin page needs, by its path; `None` for pages any
/// signed-in user may open.
pub fn page_action(path: &str) -> Option<Action> {
    [
        ("/admin/users", Action::ManageUsers),
        ("/admin/audit", Action::ViewAuditLog),
        ("/admin/settings", Action::ManageSettings),
        ("/admin/email", Action::ManageSettings),
    ]
    .into_iter()
    .find(|(prefix, _)| path.starts_with(prefix))
    .map(|(_, action)| action)
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
        for action in [Action::ManageUsers, Action::ViewAuditLog, Action::ManageSettings] {
            assert!(!allows(Role::Author, action));
            assert!(!allows(Role::Editor, action));
            assert!(allows(Role::Admin, action));
        }
    }

    #[test]
    fn reviewers_re_review_and_authors_do_not() {
        assert!(!allows(Role::Author, Action::ReReview));
        assert!(allows(Role::Editor, Action::ReReview));
        assert!(allows(Role::Admin, Action::ReReview));
    }

    #[test]
    fn admin_pages_map_to_their_permission() {
        assert_eq!(page_action("/admin/users"), Some(Action::ManageUsers));
        assert_eq!(page_action("/admin/audit?user=2"), Some(Action::ViewAuditLog));
        assert_eq!(page_action("/admin/settings"), Some(Action::ManageSettings));
        assert_eq!(page_action("/admin/profile"), None);
    }

    #[test]
    fn everyone_manages_their_own_account() {
        for role in Role::ALL {
            assert!(allows(role, Action::ManageOwnAccount));
        }
    }
}
