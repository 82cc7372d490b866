//! Outgoing email over real SMTP (aiosmtpd, see `smtp`): notifications at
//! once with their one-click unsubscribe, the daily digest on a clock the
//! test moves, the outbox through an SMTP outage and a restart, the
//! delivery log, and a bad SMTP URL stopping the start. On both databases.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::api::CreateUser;
use app::clock::ManualClock;
use app::mail::api::{MailStatus, SaveMailPreferences};
use app::posts::api::AddComment;
use chrono::{DateTime, Duration, Utc};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::posts::{create, json, saved, step};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use crate::{call, change_settings, client, create_user, serve_args, signed_in};

/// A server with email on, sending through `sink` only when the test says.
pub struct MailServer {
    pub server: RunningServer,
    pub sink: SmtpSink,
    pub clock: Arc<ManualClock>,
}

/// Monday, December 7, 2026, 10:00 UTC (the site's zone is UTC).
pub fn monday_ten() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

pub async fn start_with_mail(db: &TestDb) -> MailServer {
    let sink = SmtpSink::start();
    let clock = Arc::new(ManualClock::new(monday_ten()));
    let server = start_on(db, &sink, &clock).await;
    change_settings(&server, |settings| {
        settings.title = "Riverside Clinic".into();
        settings.site_url = "https://clinic.example".into();
    })
    .await;
    MailServer { server, sink, clock }
}

async fn start_on(db: &TestDb, sink: &SmtpSink, clock: &Arc<ManualClock>) -> RunningServer {
    let args = server::cli::ServeArgs {
        smtp_url: Some(sink.url()),
        mail_from: Some("news@clinic.example".into()),
        ..serve_args(db)
    };
    let clock: Arc<dyn app::clock::Clock> = clock.clone();
    server::start_delivering_by_hand(&args, Some(clock))
        .await
        .expect("server starts")
}

impl MailServer {
    /// One pass of the email worker, once the "Forgot password?" requests
    /// answered so far have queued what they queue; how many messages it
    /// tried.
    pub async fn deliver(&self) -> usize {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while app::accounts::server::recovery::resets_in_flight() > 0 {
            assert!(std::time::Instant::now() < deadline, "reset requests never finished");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let settings = self.server.state.config.mail.as_ref().expect("email is on");
        let mailer = server::mail::Mailer::new(settings).expect("mailer");
        server::mail::deliver_mail(&self.server.state, &mailer)
            .await
            .expect("a delivery pass")
    }
}

async fn submitted(server: &RunningServer, author: &reqwest::Client, title: &str) -> Value {
    let post = create(author, server, title).await;
    let post = saved(author, server, &post, &[("body", "Text that stays in the admin.")]).await;
    let response = step(author, server, &post, "submit", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await["post"].clone()
}

async fn a_notification_arrives_with_its_headers_and_one_click_unsubscribe(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let ana = signed_in(server, "ana@clinic.org").await;
    submitted(server, &ana, "Sleep and mood").await;
    assert_eq!(mail.deliver().await, 1, "one message: to the one editor");

    let received = mail.sink.messages_to("maya@clinic.org");
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(
        message.header("From").as_deref(),
        Some("\"Riverside Clinic\" <news@clinic.example>")
    );
    assert_eq!(
        message.header("Date").as_deref(),
        Some("Mon, 07 Dec 2026 10:00:00 +0000"),
        "the server's clock"
    );
    let id = message.header("Message-ID").expect("Message-ID");
    assert!(id.starts_with('<') && id.ends_with("@clinic.example>"), "{id}");
    let unsubscribe = message.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(
        unsubscribe.starts_with("<https://clinic.example/mail/unsubscribe/"),
        "{unsubscribe}"
    );
    assert_eq!(
        message.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(message.subject(), "Ana Ruiz submitted “Sleep and mood” for review.");
    assert!(message.text().contains("https://clinic.example/admin/posts/"));
    assert!(message.html().contains("Sleep and mood"));
    assert!(
        !message.raw.contains("Text that stays in the admin"),
        "no article text beyond the title"
    );

    // The one-click POST a mail program sends: no cookies, and from a
    // webmail page another origin.
    let link = unsubscribe
        .trim_matches(|c| c == '<' || c == '>')
        .replace("https://clinic.example", "");
    let local = format!("http://{}{link}", server.addr);
    let page = client().get(&local).send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK, "the link shows a button first");
    let answer = client()
        .post(&local)
        .header("origin", "https://webmail.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST");
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.text().await.expect("body").contains("no more emails"));
    // Unsubscribed from this kind: the next submission reaches the admin
    // only, not the inbox.
    submitted(server, &ana, "Heart health").await;
    mail.deliver().await;
    assert_eq!(mail.sink.messages_to("maya@clinic.org").len(), 1);
    let unknown = client()
        .post(format!("http://{}/mail/unsubscribe/{}", server.addr, "0".repeat(64)))
        .send()
        .await
        .expect("POST");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    mail.server.stop().await.expect("stop");
}

async fn the_daily_digest_gathers_what_waited(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let ana = signed_in(server, "ana@clinic.org").await;
    let maya = signed_in(server, "maya@clinic.org").await;
    let chose = call(
        &ana,
        server,
        SaveMailPreferences::PATH,
        &[("choices[comment]", "digest"), ("choices[changes_requested]", "digest")],
    )
    .await;
    assert_eq!(chose.status(), StatusCode::OK);
    let bad = call(
        &ana,
        server,
        SaveMailPreferences::PATH,
        &[("choices[comment]", "hourly")],
    )
    .await;
    assert_eq!(
        bad.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown mode is refused"
    );

    let first = submitted(server, &ana, "Sleep and mood").await;
    let second = submitted(server, &ana, "Heart health").await;
    let commented = call(
        &maya,
        server,
        AddComment::PATH,
        &[("id", &first["id"].to_string()), ("body", "Cite the 2024 guideline.")],
    )
    .await;
    assert_eq!(commented.status(), StatusCode::OK);
    let asked = step(
        &maya,
        server,
        &second,
        "request_changes",
        &[("comment", "Add sources.")],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::OK);
    mail.deliver().await;
    assert!(
        mail.sink.messages_to("ana@clinic.org").is_empty(),
        "both wait for the digest"
    );

    // The next morning at 08:00 the digest goes, once.
    mail.clock.set(monday_ten() + Duration::hours(22));
    mail.deliver().await;
    let digests = mail.sink.messages_to("ana@clinic.org");
    assert_eq!(digests.len(), 1);
    let text = digests[0].text();
    assert!(text.contains("Dr. Maya Patel commented on “Sleep and mood”."), "{text}");
    assert!(
        text.contains("Dr. Maya Patel asked for changes to “Heart health”."),
        "{text}"
    );
    assert!(!text.contains("Cite the 2024 guideline"), "no comment text");
    assert!(digests[0].header("List-Unsubscribe").is_some());
    mail.clock.advance(Duration::hours(1));
    mail.deliver().await;
    assert_eq!(mail.sink.messages_to("ana@clinic.org").len(), 1, "no second digest");
    mail.server.stop().await.expect("stop");
}

async fn the_outbox_keeps_messages_through_an_outage_and_a_restart(db: &TestDb) {
    let mut mail = start_with_mail(db).await;
    create_user(&mail.server, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&mail.server, "admin@clinic.org").await;
    mail.sink.stop();
    let created = call(
        &admin,
        &mail.server,
        CreateUser::PATH,
        &[
            ("email", "new@clinic.org"),
            ("display_name", "New Nurse"),
            ("role", "author"),
        ],
    )
    .await;
    let created = json(created).await;
    assert_eq!(created["emailed"], true, "{created}");
    assert_eq!(mail.deliver().await, 1);
    let log = json(call(&admin, &mail.server, MailStatus::PATH, &[]).await).await;
    let entry = &log["messages"][0];
    assert_eq!(entry["state"], "pending", "{log}");
    assert_eq!(entry["attempts"], 1);
    assert_eq!(entry["last_error"], "Could not reach the mail server.");

    // Vellum restarts while the mail server is still down; nothing is lost.
    let old = mail.server;
    old.stop().await.expect("stop");
    mail.server = start_on(db, &mail.sink, &mail.clock).await;
    mail.clock.advance(Duration::minutes(1));
    assert_eq!(mail.deliver().await, 1, "tried again after a minute");
    assert!(mail.sink.messages().is_empty());
    mail.sink.resume();
    assert_eq!(mail.deliver().await, 0, "waits for its back-off");
    mail.clock.advance(Duration::minutes(2));
    assert_eq!(mail.deliver().await, 1);
    mail.deliver().await;
    let received = mail.sink.messages_to("new@clinic.org");
    assert_eq!(received.len(), 1, "sent exactly once");
    assert_eq!(received[0].subject(), "Admin invited you to Riverside Clinic");

    // A message that never gets through ends as failed in the log.
    mail.sink.stop();
    let again = call(
        &admin,
        &mail.server,
        app::accounts::api::SendPasswordLink::PATH,
        &[("user_id", &created["user"]["id"].to_string())],
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    for _ in 0..server::mail::MAX_ATTEMPTS {
        mail.deliver().await;
        mail.clock.advance(Duration::hours(7));
    }
    let log = json(call(&admin, &mail.server, MailStatus::PATH, &[]).await).await;
    assert_eq!(log["messages"][0]["state"], "failed", "{log}");
    assert_eq!(log["messages"][0]["attempts"], server::mail::MAX_ATTEMPTS);
    assert_eq!(log["messages"][1]["state"], "sent");
    mail.server.stop().await.expect("stop");
}

async fn a_bad_smtp_url_stops_the_start_with_a_clear_message(db: &TestDb) {
    let args = server::cli::ServeArgs {
        smtp_url: Some("smtps//nurse:hunter2@mail.clinic.example".into()),
        ..serve_args(db)
    };
    let Err(error) = server::start(&args).await else {
        panic!("a server started with a bad SMTP URL");
    };
    let message = format!("{error:#}");
    assert!(message.contains("VELLUM_SMTP_URL"), "{message}");
    assert!(!message.contains("hunter2"), "the password is not repeated: {message}");
}

crate::on_both_databases!(
    a_notification_arrives_with_its_headers_and_one_click_unsubscribe,
    the_daily_digest_gathers_what_waited,
    the_outbox_keeps_messages_through_an_outage_and_a_restart,
    a_bad_smtp_url_stops_the_start_with_a_clear_message,
);
