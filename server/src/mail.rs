//! The email worker: routes new notifications and due digests into the
//! outbox (`app::mail::server::notifications`), claims due messages and
//! hands them to the SMTP server with lettre, and records each outcome.
//! Every instance runs one; claims keep them from sending a message twice.

use std::time::{Duration, SystemTime};

use anyhow::Context;
use app::mail::server::MailSettings;
use app::state::AppState;
use app::store::model::mail::{MailJob, MailOutcome};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;

/// How often each instance looks for due messages.
const POLL: Duration = Duration::from_secs(1);
/// How long the SMTP server may take for one message.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Longer than any one send (lettre's timeout is per SMTP command, and a
/// send takes several): only a worker that died loses its claim. Each
/// message is claimed just before it is sent, so a slow mail server never
/// lets a claim run out while the message waits its turn.
const LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// Messages sent per pass, one claim each.
const BATCH: usize = 16;
/// Sent and failed messages stay in the delivery log this long.
const LOG_DAYS: i64 = 30;
/// Attempts before a message is given up: with the back-off below the
/// last one comes about a day after the first.
pub const MAX_ATTEMPTS: i64 = 12;

/// The SMTP connection and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Checks the settings as `vellum serve` starts, so that a mistyped
    /// URL stops it with a message rather than failing every message.
    /// The URL's password never appears in the message.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let (transport, from) = checked(settings)?;
        Ok(Self {
            transport: transport.timeout(Some(TIMEOUT)).build(),
            from,
        })
    }
}

/// The transport's builder and the sender, or what is wrong with them.
/// (Building the transport starts its connection pool, which needs the
/// runtime; checking does not.)
fn checked(settings: &MailSettings) -> anyhow::Result<(AsyncSmtpTransportBuilder, Mailbox)> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url).map_err(|error| {
        anyhow::anyhow!(
            "VELLUM_SMTP_URL is not an SMTP server address ({}). Use smtp://host:25, \
             smtp://user:password@host:587?tls=required or smtps://user:password@host:465.",
            describe_url_error(&error)
        )
    })?;
    let from: Mailbox = settings.from.parse().map_err(|_| {
        anyhow::anyhow!(
            "VELLUM_MAIL_FROM is not an email address: use news@clinic.example or \"Riverside Clinic <news@clinic.example>\"."
        )
    })?;
    Ok((transport, from))
}

/// lettre's words for what is wrong with the URL, without the URL.
fn describe_url_error(error: &lettre::transport::smtp::Error) -> String {
    let words = error.to_string();
    if words.contains('@') || words.contains("://") {
        "it does not parse".to_owned()
    } else {
        words
    }
}

/// The mail settings from the environment: `None` when no SMTP URL is set.
pub fn settings_from(
    smtp_url: Option<&str>,
    from: Option<&str>,
    site_url: &str,
) -> anyhow::Result<Option<MailSettings>> {
    let Some(smtp_url) = smtp_url.map(str::trim).filter(|url| !url.is_empty()) else {
        return Ok(None);
    };
    let from = match from.map(str::trim).filter(|from| !from.is_empty()) {
        Some(from) => from.to_owned(),
        None => {
            let host = url::Url::parse(site_url)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .filter(|host| host.contains('.'))
                .context("VELLUM_MAIL_FROM is needed with VELLUM_SMTP_URL when the site URL has no domain name")?;
            format!("vellum@{host}")
        }
    };
    let settings = MailSettings {
        smtp_url: smtp_url.to_owned(),
        from,
    };
    checked(&settings)?;
    Ok(Some(settings))
}

/// One pass: routes new notifications, queues due digests, sends what is
/// due. Returns how many messages were tried. Routing trouble is logged
/// and does not hold up the sending: a reset link still goes out.
pub async fn deliver_mail(state: &AppState, mailer: &Mailer) -> anyhow::Result<usize> {
    if let Err(error) = app::mail::server::notifications::route_new(state).await {
        tracing::error!(%error, "email: routing notifications failed");
    }
    if let Err(error) = app::mail::server::notifications::send_digests(state).await {
        tracing::error!(%error, "email: sending digests failed");
    }
    let mut tried = 0;
    let mut site_title = None;
    while tried < BATCH {
        let now = state.clock.now();
        let Some(job) = state.store.claim_mail(now, now + LEASE, 1).await?.pop() else {
            break;
        };
        tried += 1;
        if site_title.is_none() {
            site_title = Some(state.store.site_settings().await?.title);
        }
        let result = send(mailer, site_title.as_deref().unwrap_or_default(), &job, now).await;
        let outcome = outcome(&job, state.clock.now(), result);
        match &outcome.error {
            None => tracing::info!(message = job.id, kind = %job.kind, "email sent"),
            Some(error) => tracing::warn!(message = job.id, attempt = job.attempts, %error, "email not sent"),
        }
        state.store.finish_mail(job.id, job.attempts, &outcome).await?;
    }
    Ok(tried)
}

/// The hourly clean-up's part: forgets old log entries and expired
/// address changes, and without a worker (email off) marks new
/// notifications done.
pub async fn hourly(state: &AppState) {
    let before = state.clock.now() - chrono::Duration::days(LOG_DAYS);
    if let Err(error) = state.store.purge_mail(before).await {
        tracing::error!(%error, "purge of the email log failed");
    }
    if state.config.mail.is_none() {
        loop {
            match app::mail::server::notifications::route_new(state).await {
                Ok(0) => break,
                Ok(_) => continue,
                Err(error) => {
                    tracing::error!(%error, "marking notifications done failed");
                    break;
                }
            }
        }
    }
}

/// Builds the message (multipart plain text and HTML, in the site's name
/// unless `VELLUM_MAIL_FROM` names someone) and sends it.
async fn send(
    mailer: &Mailer,
    site_title: &str,
    job: &MailJob,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let from = if mailer.from.name.is_some() || site_title.trim().is_empty() {
        mailer.from.clone()
    } else {
        Mailbox::new(Some(site_title.to_owned()), mailer.from.email.clone())
    };
    let to: Mailbox = job.to_address.parse().map_err(|_| REFUSED_ADDRESS.to_owned())?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(job.subject.clone())
        .date(SystemTime::from(now))
        .message_id(Some(job.message_id.clone()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    if !job.unsubscribe_url.is_empty() {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{}>", job.unsubscribe_url),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            job.text_body.clone(),
            job.html_body.clone(),
        ))
        .map_err(|_| "The message could not be written.".to_owned())?;
    mailer
        .transport
        .send(message)
        .await
        .map(drop)
        .map_err(|error| describe_send_error(&error))
}

/// The start of the errors that end a message's tries at once.
const REFUSED: &str = "The mail server refused the message";
const REFUSED_ADDRESS: &str = "The address is not valid.";

fn describe_send_error(error: &lettre::transport::smtp::Error) -> String {
    // Only a refusal of this message or its recipient (5.5.x: 550 no such
    // mailbox, 552, 553, 554) is final; other permanent answers, such as
    // 535 for wrong credentials, are the server's setup, which an admin
    // fixes, and the message waits for that.
    let about_the_message = error.status().is_some_and(|code| code.to_string().starts_with("55"));
    if error.is_permanent() && about_the_message {
        format!("{REFUSED}: {error}")
    } else if error.is_permanent() {
        format!("The mail server refused to take mail: {error}")
    } else if error.is_timeout() {
        format!("No answer from the mail server within {} seconds.", TIMEOUT.as_secs())
    } else {
        "Could not reach the mail server.".to_owned()
    }
}

/// Sent, tried again after a back-off (1, 2, 4 … minutes, at most 6
/// hours), or given up after `MAX_ATTEMPTS` or a permanent refusal.
fn outcome(job: &MailJob, now: chrono::DateTime<chrono::Utc>, result: Result<(), String>) -> MailOutcome {
    match result {
        Ok(()) => MailOutcome {
            state: "sent",
            error: None,
            next_attempt_at: None,
            finished_at: Some(now),
        },
        Err(error) if job.attempts >= MAX_ATTEMPTS || error.starts_with(REFUSED) || error == REFUSED_ADDRESS => {
            MailOutcome {
                state: "failed",
                error: Some(error),
                next_attempt_at: None,
                finished_at: Some(now),
            }
        }
        Err(error) => {
            let minutes = 1i64 << (job.attempts - 1).clamp(0, 9);
            MailOutcome {
                state: "pending",
                error: Some(error),
                next_attempt_at: Some(now + chrono::Duration::minutes(minutes.min(360))),
                finished_at: None,
            }
        }
    }
}

/// The worker, when email is on.
pub fn spawn_if_on(state: &AppState) -> anyhow::Result<Option<JoinHandle<()>>> {
    match &state.config.mail {
        Some(settings) => Ok(Some(spawn_worker(state, Mailer::new(settings)?))),
        None => Ok(None),
    }
}

/// Runs `deliver_mail` every second until the task is aborted.
pub fn spawn_worker(state: &AppState, mailer: Mailer) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = deliver_mail(&state, &mailer).await {
                tracing::error!(%error, "email: a pass failed; retrying");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_smtp_url_stops_with_a_message_that_hides_the_password() {
        let error =
            settings_from(Some("smtps//user:secret@mail.example"), Some("a@b.example"), "").expect_err("refused");
        let message = error.to_string();
        assert!(message.contains("VELLUM_SMTP_URL"), "{message}");
        assert!(!message.contains("secret"), "{message}");
        assert!(settings_from(Some("smtp://127.0.0.1:2525"), Some("not an address"), "").is_err());
        assert!(settings_from(None, None, "").expect("off").is_none());
        let on = settings_from(Some("smtp://127.0.0.1:2525"), None, "https://clinic.example").expect("on");
        assert_eq!(on.map(|mail| mail.from), Some("vellum@clinic.example".to_owned()));
    }

    #[test]
    fn failures_back_off_and_give_up() {
        let job = |attempts| MailJob {
            id: 1,
            to_address: "a@b.example".into(),
            subject: String::new(),
            text_body: String::new(),
            html_body: String::new(),
            kind: "k".into(),
            message_id: String::new(),
            unsubscribe_url: String::new(),
            attempts,
            created_at: chrono::Utc::now(),
        };
        let now = chrono::Utc::now();
        let third = outcome(&job(3), now, Err("Could not reach the mail server.".into()));
        assert_eq!(third.state, "pending");
        assert_eq!(third.next_attempt_at, Some(now + chrono::Duration::minutes(4)));
        assert_eq!(outcome(&job(MAX_ATTEMPTS), now, Err("x".into())).state, "failed");
        assert_eq!(
            outcome(&job(1), now, Err(format!("{REFUSED}: 550 no such mailbox"))).state,
            "failed"
        );
        assert_eq!(outcome(&job(1), now, Err(REFUSED_ADDRESS.into())).state, "failed");
        let credentials = outcome(&job(1), now, Err("The mail server refused to take mail: 535".into()));
        assert_eq!(
            credentials.state, "pending",
            "wrong credentials are fixed by an admin; the message waits"
        );
    }
}
