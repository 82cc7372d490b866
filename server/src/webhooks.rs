//! The webhook worker: claims due deliveries from the queue, signs and
//! sends them, and records each outcome. Every instance runs one; the
//! queue's claims keep them from sending a delivery twice.

use std::time::{Duration, Instant};

use app::state::AppState;
use app::webhooks::server::{DeliveryJob, DeliveryOutcome};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::task::{JoinHandle, JoinSet};

/// How often each instance looks for due deliveries.
const POLL: Duration = Duration::from_secs(1);
/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim holds: longer than any attempt, so that only a worker
/// that died loses its claims (they are then tried again).
const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// Deliveries sent at once per instance.
const BATCH: i64 = 16;

/// The HTTP client for receivers, under `outbound`'s address rules.
/// Redirects are not followed (a redirect could lead past those rules).
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        let builder = crate::outbound::client_builder(allow_private)
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Vellum-Webhooks/", env!("CARGO_PKG_VERSION")));
        Ok(Self {
            client: builder.build()?,
            allow_private,
        })
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
/// webhook's secret; while a rotation's overlap runs, a second `v1=`
/// keyed with the previous secret follows, so a receiver that still checks
/// with the old secret (or already with the new one) accepts it.
pub fn signature(secrets: &[&str], timestamp: i64, body: &str) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        header.push_str(&format!(",v1={}", hex::encode(mac.finalize().into_bytes())));
    }
    header
}

/// Sends the deliveries that are due now; returns how many were tried.
pub async fn deliver_due(state: &AppState, sender: &Sender) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let jobs = state.store.claim_deliveries(now, now + LEASE, BATCH).await?;
    let tried = jobs.len();
    let mut sending = JoinSet::new();
    for job in jobs {
        let state = state.clone();
        let sender = sender.clone();
        sending.spawn(async move {
            let outcome = attempt(&state, &sender, &job).await;
            match outcome.state {
                app::webhooks::server::DeliveryState::Delivered => {
                    tracing::info!(delivery = job.id, event = %job.event, "webhook delivered");
                }
                _ => tracing::warn!(
                    delivery = job.id,
                    attempt = job.attempts,
                    error = outcome.error.as_deref().unwrap_or_default(),
                    "webhook delivery failed"
                ),
            }
            state.store.finish_delivery(job.id, job.attempts, &outcome).await
        });
    }
    // Every send runs to its end and is recorded, whatever the others did;
    // returning early would cancel sends the receiver may already have.
    let mut failures = 0;
    while let Some(finished) = sending.join_next().await {
        let error = match finished {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => error.to_string(),
            Err(error) => error.to_string(),
        };
        failures += 1;
        tracing::error!(%error, "webhooks: recording a delivery failed");
    }
    if failures > 0 {
        anyhow::bail!("{failures} of {tried} deliveries could not be recorded");
    }
    Ok(tried)
}

async fn attempt(state: &AppState, sender: &Sender, job: &DeliveryJob) -> DeliveryOutcome {
    let sent_at = state.clock.now();
    let started = Instant::now();
    let result = send(sender, job, sent_at.timestamp()).await;
    let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, error) = match result {
        Ok(status) => (Some(status), None),
        Err(error) => (None, Some(error)),
    };
    DeliveryOutcome::of(job, state.clock.now(), status, elapsed, error)
}

/// The receiver's status code, or why there was none.
async fn send(sender: &Sender, job: &DeliveryJob, timestamp: i64) -> Result<u16, String> {
    let url = reqwest::Url::parse(&job.url).map_err(|_| "The address is not valid.".to_owned())?;
    if crate::outbound::refuse_private_literal(&url, sender.allow_private).is_err() {
        return Err("The address is on a private network.".into());
    }
    let response = sender
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("vellum-event", &job.event)
        .header("vellum-delivery", job.id.to_string())
        .header(
            "vellum-signature",
            signature(&[&job.secret, &job.previous_secret], timestamp, &job.payload),
        )
        .body(job.payload.clone())
        .send()
        .await
        .map_err(|error| describe(&error))?;
    Ok(response.status().as_u16())
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("No answer within {} seconds.", TIMEOUT.as_secs())
    } else if error.is_connect() {
        "Could not connect to the receiver.".into()
    } else {
        "The request failed before an answer came.".into()
    }
}

/// Runs `deliver_due` every second until the task is aborted.
pub fn spawn_worker(state: &AppState) -> anyhow::Result<JoinHandle<()>> {
    let sender = Sender::new(state.config.webhooks_allow_private)?;
    let state = state.clone();
    Ok(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = deliver_due(&state, &sender).await {
                tracing::error!(%error, "webhooks: delivering failed; retrying");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_documented_recipe() {
        // Computed independently: printf '1800000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature(&["whsec_test"], 1_800_000_000, r#"{"a":1}"#),
            "t=1800000000,v1=7de5e6bbc99c65ef0ddccacd4308ba03a5a12eb8859a0db070c5ca731c4fdc19"
        );
    }

    #[test]
    fn during_a_rotation_both_secrets_sign() {
        let both = signature(&["whsec_new", "whsec_old"], 1_800_000_000, "{}");
        let new = signature(&["whsec_new"], 1_800_000_000, "{}");
        let old = signature(&["whsec_old"], 1_800_000_000, "{}");
        let (_, old_v1) = old.split_once(',').expect("t and v1");
        assert_eq!(both, format!("{new},{old_v1}"));
        assert_eq!(
            signature(&["whsec_new", ""], 1_800_000_000, "{}"),
            new,
            "no overlap, one signature"
        );
    }
}
