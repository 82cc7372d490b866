//! What a person may be: author, editor (the medical reviewer) or admin.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Author,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Author, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Author => "Author",
            Self::Editor => "Editor (medical reviewer)",
            Self::Admin => "Admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == raw.trim().to_ascii_lowercase())
            .ok_or_else(|| AppError::invalid("role", "Choose author, editor or admin."))
    }
}

impl TryFrom<String> for Role {
    type Error = AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Role::parse(&value)
    }
}
