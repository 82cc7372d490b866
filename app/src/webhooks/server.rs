//! Webhooks on the server: what is stored, the address rules, the payload
//! and the retry schedule. The worker that sends deliveries is the
//! server binary's (`server/src/webhooks.rs`).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::api::{DeliveryView, EVENTS, WebhookView};
use crate::accounts::server::{AuditAction, NewAuditEntry, User, random_token, request_address};
use crate::error::AppError;
use crate::posts::server::{Post, admin_time, public_path};
use crate::state::app_state;

/// A delivery is retried until this long after its event.
pub const RETRY_WINDOW: Duration = Duration::hours(24);
/// The first retry waits this long; each next one twice as long.
const FIRST_RETRY: Duration = Duration::seconds(30);
/// No wait between retries is longer than this.
const LONGEST_WAIT: Duration = Duration::hours(4);
/// How many deliveries the admin page shows per webhook.
const LOG_LENGTH: i64 = 20;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    /// The chosen kinds between commas.
    pub events: String,
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl WebhookRow {
    pub fn event_list(&self) -> Vec<String> {
        self.events
            .split(',')
            .filter(|kind| !kind.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A webhook to store, its address already checked.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub events: Vec<&'static str>,
    pub secret: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl NewWebhook {
    /// ",post.published,post.updated," for the subscribers' LIKE.
    pub fn events_column(&self) -> String {
        format!(",{},", self.events.join(","))
    }
}

/// One delivery as the log shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub event: String,
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i64>,
    pub last_response_ms: Option<i64>,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A claimed delivery, with what sending it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryJob {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    /// Including the one about to be made.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// What one attempt came to, as the queue records it.
#[derive(Debug, Clone)]
pub struct DeliveryOutcome {
    pub state: DeliveryState,
    pub status: Option<i64>,
    pub response_ms: Option<i64>,
    pub error: Option<String>,
    /// When to try again (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Set once the delivery is delivered or given up.
    pub finished_at: Option<DateTime<Utc>>,
}

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

/// The body of a post event: what happened, when, and enough of the post
/// to find it (its `api_url` gives the whole post while it is public).
pub fn event_payload(event_id: i64, kind: &str, post: &Post, site_url: &str, at: DateTime<Utc>) -> String {
    let path = public_path(&post.slug);
    json!({
        "event": kind,
        "event_id": event_id,
        "created_at": at,
        "post": {
            "id": post.id,
            "slug": post.slug,
            "title": post.title,
            "status": post.status.as_str(),
            "url": format!("{site_url}{path}"),
            "api_url": format!("{site_url}{}/posts/{}", crate::content_api::PREFIX, post.slug),
            "published_at": post.published_at,
            "publish_at": post.publish_at,
            "updated_at": post.updated_at,
        },
    })
    .to_string()
}

/// The body of a test delivery.
pub fn ping_payload(webhook_id: i64, at: DateTime<Utc>) -> String {
    json!({ "event": "ping", "webhook_id": webhook_id, "created_at": at, "post": null }).to_string()
}

/// A webhook address: http or https, no credentials, and (unless the
/// server allows private networks) a host whose every address is public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks the form of the address; `resolve` checks where it leads.
    pub fn parse(raw: &str) -> Result<url::Url, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("Enter the address that should receive the events.".into());
        }
        if raw.len() > 2000 {
            return Err("Use an address of at most 2,000 characters.".into());
        }
        let url =
            url::Url::parse(raw).map_err(|_| "Enter a full address, such as https://example.org/hooks.".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("Use an http or https address.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "Leave the user name and password out of the address; sign requests with the secret instead.".into(),
            );
        }
        if url.host().is_none() {
            return Err("Enter an address with a host name.".into());
        }
        Ok(url)
    }

    /// Parses and looks the host up: refused when any address it resolves
    /// to is on loopback or a private network, unless `allow_private`.
    pub async fn resolve(raw: &str, allow_private: bool) -> Result<Self, String> {
        let url = Self::parse(raw)?;
        if !allow_private {
            let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_owned();
            let port = url.port_or_known_default().unwrap_or(443);
            let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => tokio::net::lookup_host((host.as_str(), port))
                    .await
                    .map_err(|_| format!("The host {host} could not be found."))?
                    .map(|address| address.ip())
                    .collect(),
            };
            if addresses.is_empty() || addresses.iter().any(|ip| !is_public(*ip)) {
                return Err(
                    "This address leads to this server or a private network, which webhooks may not reach.".into(),
                );
            }
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// True for addresses on the public internet: not loopback, private,
/// link-local, shared, multicast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
            // 6to4 2002:aabb:ccdd::) is judged by the IPv4 address.
            if let Some(v4) = v6.to_ipv4() {
                return !v6.is_loopback() && is_public(IpAddr::V4(v4));
            }
            if segments[0] == 0x2002 {
                let [a, b] = segments[1].to_be_bytes();
                let [c, d] = segments[2].to_be_bytes();
                return is_public(IpAddr::from([a, b, c, d]));
            }
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || first == 0x2001 && segments[1] == 0x0db8
                || first == 0x0064 && segments[1] == 0xff9b)
        }
    }
}

// ---------------------------------------------------------------------------
// Server function bodies (admins only; the callers checked that).

pub async fn list() -> Result<Vec<WebhookView>, AppError> {
    let state = app_state()?;
    let settings = state.store.site_settings().await?;
    let mut views = Vec::new();
    for row in state.store.webhooks().await? {
        let deliveries = state.store.webhook_deliveries(row.id, LOG_LENGTH).await?;
        views.push(WebhookView {
            id: row.id,
            url: row.url.clone(),
            events: row.event_list(),
            secret: row.secret.clone(),
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

pub async fn create(admin: User, url: &str, events: &[String]) -> Result<WebhookView, AppError> {
    let state = app_state()?;
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
    let address = request_address(&state).await;
    let audit = NewAuditEntry::new(AuditAction::WebhookAdded, Some(admin.id), None)
        .address(&address)
        .detail(url.as_str().to_owned());
    let row = state
        .store
        .create_webhook(
            &NewWebhook {
                url,
                events: chosen,
                secret: format!("whsec_{}", random_token()),
                created_by: admin.id,
                created_at: state.clock.now(),
            },
            &audit,
        )
        .await?;
    list()
        .await?
        .into_iter()
        .find(|view| view.id == row.id)
        .ok_or(AppError::NotFound)
}

pub async fn delete(admin: User, id: i64) -> Result<(), AppError> {
    let state = app_state()?;
    let address = request_address(&state).await;
    let audit = NewAuditEntry::new(AuditAction::WebhookDeleted, Some(admin.id), None)
        .address(&address)
        .detail(format!("webhook {id}"));
    state.store.delete_webhook(id, &audit).await
}

pub async fn send_test(id: i64) -> Result<(), AppError> {
    let state = app_state()?;
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

    #[test]
    fn only_public_addresses_are_public() {
        let ip = |text: &str| {
            text.parse::<IpAddr>()
                .unwrap_or_else(|_| panic!("{text} is an address"))
        };
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::ffff:10.0.0.1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "::",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:4700::1111",
            "8.8.8.8",
            "192.0.43.10",
            "2002:5db8:d822::1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[tokio::test]
    async fn addresses_must_be_web_and_public() {
        assert!(WebhookUrl::parse("ftp://example.org/x").is_err());
        assert!(WebhookUrl::parse("https://user:pw@example.org/x").is_err());
        assert!(WebhookUrl::parse("example.org").is_err());
        assert!(WebhookUrl::resolve("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://[::1]/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://localhost/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://10.0.0.5/hook", false).await.is_err());
        assert!(WebhookUrl::resolve("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(WebhookUrl::resolve("https://93.184.216.34/hook", false).await.is_ok());
    }
}
