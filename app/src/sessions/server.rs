//! The session list on the server: the server functions' bodies (the
//! callers checked who is asking), the browser's readable name, and the
//! hourly purge.

use chrono::{DateTime, Duration, Utc};

use super::api::{SessionView, UserSessions};
use crate::accounts::server::{
    AuditAction, Caller, NewAuditEntry, SESSION_IDLE_DAYS, current_session_key, request_session,
};
use crate::error::AppError;
use crate::settings::SiteSettings;
use crate::state::AppState;
use crate::store::model::accounts::User;
use crate::store::model::sessions::SessionRow;
use crate::time::admin_time;

/// The longest browser name kept.
const MAX_BROWSER_CHARS: usize = 100;

/// A readable name for the browser of a `User-Agent` header: "Chrome on
/// Linux", "Safari on iPhone", or "Unknown browser".
pub fn browser_label(user_agent: &str) -> String {
    let known = |value: &str| !value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN;
    let Some(parsed) = woothee::parser::Parser::new().parse(user_agent) else {
        return "Unknown browser".to_owned();
    };
    let os = match parsed.os {
        "Mac OSX" => "macOS",
        "Windows UNKNOWN Ver" => "Windows",
        os => os,
    };
    let label = match (known(parsed.name), known(os)) {
        (true, true) => format!("{} on {os}", parsed.name),
        (true, false) => parsed.name.to_owned(),
        (false, true) => format!("A browser on {os}"),
        (false, false) => "Unknown browser".to_owned(),
    };
    label.chars().take(MAX_BROWSER_CHARS).collect()
}

/// Sessions unused since then have expired (as their cookie has).
fn active_since(state: &AppState) -> DateTime<Utc> {
    state.clock.now() - Duration::days(SESSION_IDLE_DAYS)
}

/// The key of the calling session's sign-in.
async fn calling_session_key() -> Result<Option<String>, AppError> {
    current_session_key(&request_session().await?).await
}

fn view(row: SessionRow, current: Option<&str>, settings: &SiteSettings) -> SessionView {
    SessionView {
        id: row.id,
        current: current == Some(row.session_key.as_str()),
        browser: row.browser,
        address: if row.address.is_empty() {
            "unknown".to_owned()
        } else {
            row.address
        },
        started: admin_time(row.started_at, settings),
        last_used: admin_time(row.last_used_at, settings),
    }
}

async fn views(state: &AppState, user_id: i64) -> Result<Vec<SessionView>, AppError> {
    let current = calling_session_key().await?;
    let settings = state.store.site_settings().await?;
    let rows = state.store.sessions_of(user_id, active_since(state)).await?;
    Ok(rows
        .into_iter()
        .map(|row| view(row, current.as_deref(), &settings))
        .collect())
}

async fn existing_user(state: &AppState, user_id: i64) -> Result<User, AppError> {
    state.store.user_by_id(user_id).await?.ok_or(AppError::NotFound)
}

/// An audit entry by the caller about `owner`'s sessions, at the clock's
/// time.
fn audit(state: &AppState, caller: &Caller, action: AuditAction, owner: i64, detail: String) -> NewAuditEntry {
    NewAuditEntry {
        at: state.clock.now(),
        ..NewAuditEntry::new(action, Some(caller.user.id), Some(owner))
            .address(&caller.address)
            .detail(detail)
    }
}

// ---------------------------------------------------------------------------
// Server function bodies.

pub async fn list_own(state: &AppState, caller: &Caller) -> Result<Vec<SessionView>, AppError> {
    views(state, caller.user.id).await
}

pub async fn end_own(state: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    end_one(state, caller, caller.user.id, id).await
}

/// "Sign out everywhere else": every session of the caller but this one.
pub async fn end_others(state: &AppState, caller: &Caller) -> Result<u64, AppError> {
    let current = calling_session_key().await?;
    let owner = caller.user.id;
    let entry = audit(
        state,
        caller,
        AuditAction::SessionsEnded,
        owner,
        "every session but the current one".to_owned(),
    );
    state.store.end_sessions_of(owner, current.as_deref(), &entry).await
}

pub async fn list_of(state: &AppState, _caller: &Caller, user_id: i64) -> Result<UserSessions, AppError> {
    let user = existing_user(state, user_id).await?;
    Ok(UserSessions {
        user_id: user.id,
        name: user.display_name,
        email: user.email,
        sessions: views(state, user_id).await?,
    })
}

/// Ends session `id` of `owner`; `NotFound` unless it is one of theirs
/// that still lets them in.
pub async fn end_one(state: &AppState, caller: &Caller, owner: i64, id: i64) -> Result<(), AppError> {
    let row = state
        .store
        .sessions_of(owner, active_since(state))
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or(AppError::NotFound)?;
    let detail = format!("{} from {}", row.browser, row.address);
    let entry = audit(state, caller, AuditAction::SessionEnded, owner, detail);
    state.store.end_session(owner, id, &entry).await
}

/// Every session of `owner`, the caller's own too if `owner` is the caller.
pub async fn end_all_of(state: &AppState, caller: &Caller, owner: i64) -> Result<u64, AppError> {
    let user = existing_user(state, owner).await?;
    let entry = audit(
        state,
        caller,
        AuditAction::SessionsEnded,
        user.id,
        "every session".to_owned(),
    );
    state.store.end_sessions_of(user.id, None, &entry).await
}

/// Drops the rows of sessions that have expired or that a password, role
/// or activation change has ended; the hourly clean-up calls it.
pub async fn purge_ended(state: &AppState) -> Result<u64, AppError> {
    state.store.purge_ended_sessions(active_since(state)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_readable_names() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 \
                 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows 10",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/17.5 Safari/605.1.15",
                "Safari on macOS",
            ),
            ("", "Unknown browser"),
            ("something odd", "Unknown browser"),
        ];
        for (agent, label) in cases {
            assert_eq!(browser_label(agent), label, "{agent}");
        }
    }

    #[test]
    fn browser_names_stay_short() {
        let long = format!("Mozilla/5.0 (X11; Linux x86_64) Chrome/1.0 {}", "x".repeat(5000));
        assert!(browser_label(&long).chars().count() <= MAX_BROWSER_CHARS);
    }
}
