//! Server-only email: writing messages (`letter`), account notices,
//! routing notifications and digests (`notifications`).

pub mod letter;
pub mod notifications;
pub mod preferences;

use crate::error::AppError;
use crate::state::AppState;

pub use letter::Letter;

pub use crate::state::MailSettings;

/// Whether this server sends email.
pub fn enabled(state: &AppState) -> bool {
    state.config.mail.is_some()
}

/// A plain message about a person's own account (their second factor was
/// reset, their address is changing…), with an optional button into the
/// admin.
pub struct Notice<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// The button's label and the admin path it opens.
    pub action: Option<(&'a str, &'a str)>,
}

/// Queues `notice` when email is on; `Ok(false)` (and nothing queued)
/// when it is off.
pub async fn queue_notice(state: &AppState, notice: &Notice<'_>) -> Result<bool, AppError> {
    if !enabled(state) {
        return Ok(false);
    }
    let settings = state.store.site_settings().await?;
    let mut letter = Letter::new(notice.to, notice.subject, "account_notice")?;
    for paragraph in notice.text.split("\n\n") {
        letter = letter.paragraph(paragraph);
    }
    if let Some((label, path)) = notice.action {
        letter = letter.button(label, &letter::absolute(&settings, path));
    }
    let mail = letter.into_mail(&settings, state.clock.now(), None);
    state.store.queue_mail(&mail).await?;
    Ok(true)
}
