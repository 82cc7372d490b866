//! Email's server functions and the types they exchange: whether email is
//! on, each person's notification choices, and the admins' delivery log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The notification kinds people choose for, with their labels.
pub const NOTIFICATION_KINDS: [(&str, &str); 6] = [
    ("submitted", "An article is submitted for review (editors)"),
    ("changes_requested", "Changes are requested on your article"),
    ("approved", "Your article is approved"),
    ("published", "Your article is published"),
    ("comment", "A comment on an article you wrote or reviewed"),
    ("review_due", "An article you reviewed is due for review"),
];

pub fn kind_label(kind: &str) -> &'static str {
    NOTIFICATION_KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, label)| *label)
        .unwrap_or("Notifications")
}

/// How a person wants one kind of notification by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MailMode {
    #[default]
    Instant,
    Digest,
    Off,
}

impl MailMode {
    pub const ALL: [MailMode; 3] = [Self::Instant, Self::Digest, Self::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Digest => "digest",
            Self::Off => "off",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Instant => "At once",
            Self::Digest => "Daily digest",
            Self::Off => "Off",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == raw)
    }
}

/// One kind and the person's choice for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailChoice {
    pub kind: String,
    pub label: String,
    pub mode: MailMode,
}

/// The profile's email section: whether email is on, and the choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreferences {
    pub email_on: bool,
    pub choices: Vec<MailChoice>,
}

/// A message in the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailLogEntry {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub kind: String,
    /// pending, sent or failed.
    pub state: String,
    pub attempts: i64,
    pub created_at: String,
    /// When it was sent or given up; for pending ones, the next attempt.
    pub when: String,
    pub last_error: Option<String>,
}

/// The delivery log page: whether email is on, from which address, and
/// the newest messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailOverview {
    pub email_on: bool,
    pub from: String,
    pub messages: Vec<MailLogEntry>,
}

/// Whether this server sends email; any signed-in person may ask (the
/// admin shows links to copy when it does not).
#[server]
pub async fn email_is_on() -> Result<bool, AppError> {
    use crate::accounts::{policy::Action, server::require};
    let _user = require(Action::ManageOwnAccount).await?;
    Ok(crate::mail::server::enabled(&crate::state::app_state()?))
}

#[server]
pub async fn my_mail_preferences() -> Result<MailPreferences, AppError> {
    use crate::accounts::{policy::Action, server::require};
    let user = require(Action::ManageOwnAccount).await?;
    super::server::preferences::load(&crate::state::app_state()?, user.id).await
}

/// Saves the choices; `choices` maps each kind to instant, digest or off.
#[server]
pub async fn save_mail_preferences(
    choices: std::collections::HashMap<String, String>,
) -> Result<MailPreferences, AppError> {
    use crate::accounts::{policy::Action, server::require};
    let user = require(Action::ManageOwnAccount).await?;
    super::server::preferences::save(&crate::state::app_state()?, user.id, &choices).await
}

#[server]
pub async fn mail_status() -> Result<MailOverview, AppError> {
    use crate::accounts::{policy::Action, server::require};
    let _admin = require(Action::ManageSettings).await?;
    super::server::preferences::status(&crate::state::app_state()?).await
}
