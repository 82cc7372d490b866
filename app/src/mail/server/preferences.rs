//! People's notification choices and the admins' view of the outbox.

use std::collections::HashMap;

use crate::error::{AppError, FieldErrors};
use crate::mail::api::{MailChoice, MailLogEntry, MailMode, MailOverview, MailPreferences, NOTIFICATION_KINDS};
use crate::state::AppState;
use crate::time::admin_time;

/// Messages the delivery log shows.
const LOG_LENGTH: i64 = 100;

pub async fn load(state: &AppState, user_id: i64) -> Result<MailPreferences, AppError> {
    let stored = state.store.mail_preferences(user_id).await?;
    let choices = NOTIFICATION_KINDS
        .iter()
        .map(|(kind, label)| MailChoice {
            kind: (*kind).to_owned(),
            label: (*label).to_owned(),
            mode: stored
                .iter()
                .find(|(stored_kind, _)| stored_kind == kind)
                .and_then(|(_, mode)| MailMode::parse(mode))
                .unwrap_or_default(),
        })
        .collect();
    Ok(MailPreferences {
        email_on: super::enabled(state),
        choices,
    })
}

/// Saves a choice for every kind named; an unknown kind or mode is
/// refused on its field and nothing is saved.
pub async fn save(
    state: &AppState,
    user_id: i64,
    choices: &HashMap<String, String>,
) -> Result<MailPreferences, AppError> {
    let mut problems = FieldErrors::new();
    let mut parsed = Vec::new();
    for (kind, mode) in choices {
        let known = NOTIFICATION_KINDS.iter().find(|(name, _)| name == kind);
        match (known, MailMode::parse(mode)) {
            (Some((kind, _)), Some(mode)) => parsed.push((*kind, mode.as_str())),
            _ => {
                problems.insert(
                    format!("choices[{kind}]"),
                    vec!["Choose at once, daily digest or off.".into()],
                );
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation { fields: problems });
    }
    state.store.set_mail_preferences(user_id, &parsed).await?;
    load(state, user_id).await
}

pub async fn status(state: &AppState) -> Result<MailOverview, AppError> {
    let settings = state.store.site_settings().await?;
    let rows = state.store.mail_log(LOG_LENGTH).await?;
    let messages = rows
        .into_iter()
        .map(|row| MailLogEntry {
            id: row.id,
            to: row.to_address,
            subject: row.subject,
            kind: row.kind,
            when: admin_time(row.finished_at.unwrap_or(row.next_attempt_at), &settings),
            state: row.state,
            attempts: row.attempts,
            created_at: admin_time(row.created_at, &settings),
            last_error: row.last_error,
        })
        .collect();
    Ok(MailOverview {
        email_on: super::enabled(state),
        from: state
            .config
            .mail
            .as_ref()
            .map(|mail| mail.from.clone())
            .unwrap_or_default(),
        messages,
    })
}
