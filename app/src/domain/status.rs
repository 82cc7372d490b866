//! Where a post stands in the editorial workflow.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    InReview,
    ChangesRequested,
    Approved,
    Scheduled,
    Published,
    Trashed,
}

impl PostStatus {
    pub const ALL: [PostStatus; 7] = [
        Self::Draft,
        Self::InReview,
        Self::ChangesRequested,
        Self::Approved,
        Self::Scheduled,
        Self::Published,
        Self::Trashed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Trashed => "trashed",
        }
    }
}

impl TryFrom<String> for PostStatus {
    type Error = AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        PostStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| AppError::internal(format_args!("unknown post status {value:?}")))
    }
}
