//! Whom the site asks for a second factor at sign-in.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::error::AppError;

/// The site's two-factor policy, chosen by an admin in Settings. People it
/// applies to who have no second factor must set one up before they can
/// do anything else in the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoFactorPolicy {
    /// Two-factor sign-in is each person's choice.
    #[default]
    Nobody,
    /// Editors (who approve what patients read) and admins must use it.
    EditorsAndAdmins,
    Everyone,
}

impl TwoFactorPolicy {
    pub const ALL: [TwoFactorPolicy; 3] = [Self::Nobody, Self::EditorsAndAdmins, Self::Everyone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nobody => "nobody",
            Self::EditorsAndAdmins => "editors_and_admins",
            Self::Everyone => "everyone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Nobody => "Nobody: each person chooses",
            Self::EditorsAndAdmins => "Editors and admins",
            Self::Everyone => "Everyone",
        }
    }

    /// Whether people with `role` must have a second factor.
    pub fn applies_to(self, role: Role) -> bool {
        match self {
            Self::Nobody => false,
            Self::EditorsAndAdmins => role >= Role::Editor,
            Self::Everyone => true,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|policy| policy.as_str() == raw.trim())
            .ok_or_else(|| AppError::invalid("policy", "Choose nobody, editors and admins, or everyone."))
    }
}

impl TryFrom<String> for TwoFactorPolicy {
    type Error = AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_policy_covers_the_roles_it_names() {
        for role in Role::ALL {
            assert!(!TwoFactorPolicy::Nobody.applies_to(role));
            assert!(TwoFactorPolicy::Everyone.applies_to(role));
        }
        assert!(!TwoFactorPolicy::EditorsAndAdmins.applies_to(Role::Author));
        assert!(TwoFactorPolicy::EditorsAndAdmins.applies_to(Role::Editor));
        assert!(TwoFactorPolicy::EditorsAndAdmins.applies_to(Role::Admin));
    }

    #[test]
    fn policies_read_back_from_their_names() {
        for policy in TwoFactorPolicy::ALL {
            assert_eq!(TwoFactorPolicy::parse(policy.as_str()), Ok(policy));
        }
        assert!(TwoFactorPolicy::parse("admins").is_err());
    }
}
