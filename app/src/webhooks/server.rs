//! Webhooks on the server: what is stored, the address rules, the payload
//! and the retry schedule. The worker that sends deliveries is the
//! server binary's (`server/src/webhooks.rs`).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::api::{DeliveryView, EVENTS, WebhookView};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry, random_token};
use crate::domain::PostKind;
use crate::error::AppError;
pub use crate::input::outbound::{WebhookUrl, is_public};
use crate::state::AppState;
pub use crate::store::model::webhooks::*;
use crate::time::admin_time;

/// A delivery is retried until this long after its event.
pub const RETRY_WINDOW: Duration = Duration::hours(24);
/// The first retry waits this long; each next one twice as long.
const FIRST_RETRY: Duration = Duration::seconds(30);
/// No wait between retries is longer than this.
const LONGEST_WAIT: Duration = Duration::hours(4);
/// How many deliveries the admin page shows per webhook.
const LOG_LENGTH: i64 = 20;

impl DeliveryOutcome {
    /// The outcome of attempt `job.attempts` finishing at `now`: delivered
    /// on a 2xx answer; otherwise retried with a doubling wait while the
    /// 24 hours last, then failed.
    pub fn of(
        job: &DeliveryJob,
        now: DateTime<Utc>,
        status: Option<u16>,
        response_ms: i64,
        error: Option<String>,
    ) -> Self {
        let status_code = status.map(i64::from);
        if status.is_some_and(|code| (200..300).contains(&code)) {
            return Self {
                state: DeliveryState::Delivered,
                status: status_code,
                response_ms: Some(response_ms),
                error: None,
                next_attempt_at: None,
                finished_at: Some(now),
            };
        }
        let error = error.or_else(|| status.map(|code| format!("The receiver answered {code}.")));
        match retry_at(job.created_at, job.attempts, now) {
            Some(at) => Self {
                state: DeliveryState::Pending,
                status: status_code,
                response_ms: Some(response_ms),
                error,
                next_attempt_at: Some(at),
                finished_at: None,
            },
            None => Self {
                state: DeliveryState::Failed,
                status: status_code,
                response_ms: Some(response_ms),
                error,
                next_attempt_at: None,
                finished_at: Some(now),
            },
        }
    }
}

/// When to retry after `attempts` failed attempts: 30 s, 1 min, 2 min, …
/// (at most 4 hours apart), or `None` once that would fall outside the 24
/// hours after the event.
pub fn retry_at(created_at: DateTime<Utc>, attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let wait = FIRST_RETRY
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(LONGEST_WAIT, |wait| wait.min(LONGEST_WAIT));
    let at = now + wait;
    (at <= created_at + RETRY_WINDOW).then_some(at)
}

/// The body of a post or page event: what happened, when, and enough of
/// the post (under `post`) or page (under `page`) to find it (its
/// `api_url` gives the whole of it while it is public).
pub fn event_payload(event: &PostEvent<'_>) -> String {
    let PostEvent {
        id: event_id,
        kind,
        post,
        site_url,
        at,
    } = *event;
    let slug = &post.content.slug;
    let (key, api_path) = match post.kind {
        PostKind::Post => ("post", format!("/posts/{slug}")),
        PostKind::Page => ("page", format!("/pages/{slug}")),
    };
    let mut body = json!({
        "event": kind,
        "event_id": event_id,
        "created_at": at,
    });
    body[key] = json!({
        "id": post.id,
        "slug": slug,
        "title": post.content.title,
        "status": post.status.as_str(),
        "url": format!("{site_url}{}", post.kind.path(slug)),
        "api_url": format!("{site_url}{}{api_path}", crate::content::API_PREFIX),
        "published_at": post.published_at,
        "publish_at": post.publish_at,
        "updated_at": post.updated_at,
    });
    body.to_string()
}

/// The body of a test delivery.
pub fn ping_payload(webhook_id: i64, at: DateTime<Utc>) -> String {
    json!({ "event": "ping", "webhook_id": webhook_id, "created_at": at, "post": null }).to_string()
}

// ---------------------------------------------------------------------------
// Server function bodies (admins only; the callers checked that).

pub async fn list(state: &AppState) -> Result<Vec<WebhookView>, AppError> {
    let settings = state.store.site_settings().await?;
    let mut views = Vec::new();
    for row in state.store.webhooks().await? {
        let deliveries = state.store.webhook_deliveries(row.id, LOG_LENGTH).await?;
        views.push(WebhookView {
            id: row.id,
            url: row.url.clone(),
            events: row.event_list(),
            secret: row.secret.clone(),
            previous_secret_until: row
                .previous_secret_at(state.clock.now())
                .map(|(_, until)| admin_time(until, &settings)),
            created: admin_time(row.created_at, &settings),
            deliveries: deliveries
                .into_iter()
                .map(|delivery| DeliveryView {
                    id: delivery.id,
                    event: delivery.event,
                    state: delivery.state,
                    attempts: delivery.attempts,
                    created: admin_time(delivery.created_at, &settings),
                    status: delivery.last_status,
                    response_ms: delivery.last_response_ms,
                    error: delivery.last_error,
                    next_attempt: (delivery.finished_at.is_none() && delivery.attempts > 0)
                        .then(|| admin_time(delivery.next_attempt_at, &settings)),
                })
                .collect(),
        });
    }
    Ok(views)
}

pub async fn create(state: &AppState, caller: &Caller, url: &str, events: &[String]) -> Result<WebhookView, AppError> {
    let mut problems = crate::error::FieldErrors::new();
    let url = WebhookUrl::resolve(url, state.config.webhooks_allow_private).await;
    let chosen: Vec<&'static str> = EVENTS
        .into_iter()
        .filter(|kind| events.iter().any(|event| event == kind))
        .collect();
    if let Err(message) = &url {
        problems.entry("url".into()).or_default().push(message.clone());
    }
    if chosen.is_empty() || chosen.len() != events.len() {
        problems
            .entry("events".into())
            .or_default()
            .push("Choose at least one event from the list.".into());
    }
    let url = match url {
        Ok(url) if problems.is_empty() => url,
        _ => return Err(AppError::Validation { fields: problems }),
    };
    let audit = NewAuditEntry::new(AuditAction::WebhookAdded, Some(caller.user.id), None)
        .address(&caller.address)
        .detail(url.as_str().to_owned());
    let row = state
        .store
        .create_webhook(
            &NewWebhook {
                url,
                events: chosen,
                secret: format!("whsec_{}", random_token()),
                created_by: caller.user.id,
                created_at: state.clock.now(),
            },
            &audit,
        )
        .await?;
    list(state)
        .await?
        .into_iter()
        .find(|view| view.id == row.id)
        .ok_or(AppError::NotFound)
}

/// How long the previous secret keeps signing after a rotation.
pub const SECRET_OVERLAP_HOURS: i64 = 24;

pub async fn rotate_secret(state: &AppState, caller: &Caller, id: i64) -> Result<WebhookView, AppError> {
    let audit = NewAuditEntry::new(AuditAction::WebhookSecretRotated, Some(caller.user.id), None)
        .address(&caller.address)
        .detail(format!("webhook {id}"));
    let until = state.clock.now() + chrono::Duration::hours(SECRET_OVERLAP_HOURS);
    let secret = format!("whsec_{}", random_token());
    let row = state.store.rotate_webhook_secret(id, &secret, until, &audit).await?;
    list(state)
        .await?
        .into_iter()
        .find(|view| view.id == row.id)
        .ok_or(AppError::NotFound)
}

pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    let audit = NewAuditEntry::new(AuditAction::WebhookDeleted, Some(caller.user.id), None)
        .address(&caller.address)
        .detail(format!("webhook {id}"));
    state.store.delete_webhook(id, &audit).await
}

pub async fn send_test(state: &AppState, id: i64) -> Result<(), AppError> {
    let now = state.clock.now();
    state.store.queue_test_delivery(id, &ping_payload(id, now), now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn retries_double_and_stop_after_a_day() {
        let created = at(0);
        assert_eq!(retry_at(created, 1, at(1)), Some(at(31)));
        assert_eq!(retry_at(created, 2, at(31)), Some(at(91)));
        assert_eq!(retry_at(created, 3, at(91)), Some(at(211)));
        assert_eq!(
            retry_at(created, 30, at(3600)),
            Some(at(3600 + 4 * 3600)),
            "waits are capped"
        );
        assert_eq!(
            retry_at(created, 12, at(23 * 3600)),
            None,
            "a retry past 24 hours is not made"
        );
    }
}
