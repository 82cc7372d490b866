//! Webhooks against a real receiver on 127.0.0.1: signed deliveries,
//! retries after a failing receiver, a restart in the middle of retries,
//! the delivery log and test events, the address rules, and exactly-once
//! delivery with two instances on one PostgreSQL database.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use app::webhooks::api::{CreateWebhook, ListWebhooks, SendTestWebhook};
use axum::http::HeaderMap;
use chrono::Duration;
use hmac::{Hmac, Mac};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;
use sha2::Sha256;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{call, create_user, serve_args, signed_in, start_at, start_delivering_by_hand};

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

/// A webhook receiver: records every request, and answers 500 to the
/// next `failures` of them.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub received: Arc<Mutex<Vec<Received>>>,
    pub failures: Arc<AtomicUsize>,
    pub delay_ms: u64,
}

impl Receiver {
    /// Starts listening; returns the URL to register.
    pub(crate) async fn start(&self) -> String {
        let receiver = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let receiver = receiver.clone();
                async move {
                    tokio::time::sleep(StdDuration::from_millis(receiver.delay_ms)).await;
                    receiver.received.lock().expect("lock").push(Received { headers, body });
                    let failing = receiver
                        .failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if failing {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/hook")
    }

    pub(crate) fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits (up to 15 s) until `n` requests arrived.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..150 {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        }
        panic!("expected {n} deliveries, got {}", self.requests().len());
    }
}

/// Checks a `Vellum-Signature` the way a receiver's documentation says:
/// HMAC-SHA256 over "<t>.<body>" with the secret, hex-encoded in `v1`.
pub(crate) fn signature_is_valid(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let Some(header) = headers.get("vellum-signature").and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let parts: Vec<(&str, &str)> = header.split(',').filter_map(|part| part.split_once('=')).collect();
    let Some(timestamp) = parts.iter().find(|(key, _)| *key == "t").map(|(_, value)| *value) else {
        return false;
    };
    // Any `v1` may match: during a rotation both secrets sign.
    parts.iter().filter(|(key, _)| *key == "v1").any(|(_, signature)| {
        let Ok(expected) = hex::decode(signature) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{timestamp}.{body}").as_bytes());
        mac.verify_slice(&expected).is_ok()
    })
}

/// Registers a webhook as `admin`; returns its JSON (with the secret).
async fn register(server: &RunningServer, admin: &reqwest::Client, url: &str, events: &[&str]) -> reqwest::Response {
    let mut form = vec![("url".to_owned(), url.to_owned())];
    for (index, event) in events.iter().enumerate() {
        form.push((format!("events[{index}]"), (*event).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(admin, server, CreateWebhook::PATH, &form).await
}

async fn log(server: &RunningServer, admin: &reqwest::Client) -> Value {
    let response = call(admin, server, ListWebhooks::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// Waits until `check` holds for the delivery log (up to 15 s).
async fn wait_for_log(server: &RunningServer, admin: &reqwest::Client, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..150 {
        let hooks = log(server, admin).await;
        if check(&hooks) {
            return hooks;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the delivery log never got there: {}", log(server, admin).await);
}

/// One pass of the webhook worker, as the server would run it: sends what
/// is due by the server's clock and records each outcome; returns how many
/// deliveries it tried. Once it returns, nothing it sent is on its way.
async fn deliver(server: &RunningServer) -> usize {
    let sender = server::webhooks::Sender::new(true).expect("client");
    server::webhooks::deliver_due(&server.state, &sender)
        .await
        .expect("delivery pass")
}

async fn deliveries_are_signed_logged_and_retried_until_the_receiver_answers(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_delivering_by_hand(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let editor = signed_in(&server, "maya@clinic.org").await;
    let receiver = Receiver {
        failures: Arc::new(AtomicUsize::new(1)),
        ..Receiver::default()
    };
    let hook_url = receiver.start().await;

    // Only admins manage webhooks; bad input is named per field.
    let refused = register(&server, &editor, &hook_url, &["post.published"]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = register(&server, &admin, "ftp://example.org/hook", &["post.exploded"]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problems = bad.text().await.expect("body");
    assert!(problems.contains("http or https"), "{problems}");
    assert!(problems.contains("Choose at least one event"), "{problems}");

    let created = register(&server, &admin, &hook_url, &["post.published", "post.trashed"]).await;
    assert_eq!(created.status(), StatusCode::OK);
    let hook: Value = created.json().await.expect("JSON");
    let secret = hook["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));

    // A draft is nobody's business; publishing is.
    post_as(&server, &ana, "Quiet draft", "Sleep", PostStatus::Draft, noon(), None).await;
    assert_eq!(deliver(&server).await, 0, "a draft sends nothing");
    assert!(receiver.requests().is_empty(), "nothing arrived for the draft");
    let post = post_as(
        &server,
        &ana,
        "Sleep and screens",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    assert_eq!(deliver(&server).await, 1, "the publication's event");
    let first = receiver.requests();
    assert_eq!(first.len(), 1, "one request for one event");
    let hooks = log(&server, &admin).await;
    let delivery = &hooks[0]["deliveries"][0];
    assert_eq!(delivery["status"], 500, "{delivery}");
    assert_eq!(delivery["state"], "pending");
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["next_attempt"].is_string(), "{delivery}");

    // Not before its time: 30 seconds later, the retry succeeds.
    clock.advance(Duration::seconds(20));
    assert_eq!(deliver(&server).await, 0, "no retry before the back-off");
    assert_eq!(receiver.requests().len(), 1, "nothing more arrived");
    clock.advance(Duration::seconds(11));
    assert_eq!(deliver(&server).await, 1, "the retry is due");
    let both = receiver.requests();
    assert_eq!(both.len(), 2);
    let hooks = log(&server, &admin).await;
    let delivery = &hooks[0]["deliveries"][0];
    assert_eq!(delivery["state"], "delivered", "{delivery}");
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(delivery["status"], 204);
    assert!(delivery["response_ms"].is_i64(), "{delivery}");
    clock.advance(Duration::hours(1));
    assert_eq!(deliver(&server).await, 0, "a delivered event is not sent again");
    assert_eq!(receiver.requests().len(), 2);

    for request in [&first[0], &both[1]] {
        assert!(signature_is_valid(&secret, &request.headers, &request.body), "signed");
        assert!(
            !signature_is_valid("whsec_wrong", &request.headers, &request.body),
            "the check can fail"
        );
        assert_eq!(request.headers["vellum-event"], "post.published");
        assert_eq!(request.headers["content-type"], "application/json");
        let payload: Value = serde_json::from_str(&request.body).expect("JSON");
        assert_eq!(payload["event"], "post.published");
        assert_eq!(payload["post"]["id"], post.id);
        assert_eq!(payload["post"]["slug"], "sleep-and-screens");
        assert!(
            payload["post"]["url"]
                .as_str()
                .expect("url")
                .ends_with("/posts/sleep-and-screens")
        );
    }
    assert_eq!(first[0].body, both[1].body, "a retry sends the same event");
    assert_eq!(first[0].headers["vellum-delivery"], both[1].headers["vellum-delivery"]);

    // The test button: a signed ping, logged like the rest.
    let id = hook["id"].to_string();
    let sent = call(&admin, &server, SendTestWebhook::PATH, &[("id", &id)]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert_eq!(deliver(&server).await, 1, "the ping");
    let all = receiver.requests();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].headers["vellum-event"], "ping");
    assert!(signature_is_valid(&secret, &all[2].headers, &all[2].body));
    let hooks = log(&server, &admin).await;
    assert_eq!(hooks[0]["deliveries"][0]["event"], "ping");
    assert_eq!(hooks[0]["deliveries"][0]["state"], "delivered");
    server.stop().await.expect("stop");
}

async fn a_restart_in_the_middle_of_retries_loses_no_delivery(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let first = start_at(db, &clock).await;
    let ana = create_user(&first, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&first, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&first, "admin@clinic.org").await;
    let receiver = Receiver {
        failures: Arc::new(AtomicUsize::new(usize::MAX)),
        ..Receiver::default()
    };
    let hook_url = receiver.start().await;
    assert_eq!(
        register(&first, &admin, &hook_url, &["post.published"]).await.status(),
        StatusCode::OK
    );
    post_as(
        &first,
        &ana,
        "Sleep and screens",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    receiver.wait_for(1).await;
    clock.advance(Duration::seconds(31));
    receiver.wait_for(2).await;
    // The second failure is recorded (not merely claimed): its retry is
    // due in 60 s, well before the two-minute claim would have run out.
    wait_for_log(&first, &admin, |hooks| {
        let delivery = &hooks[0]["deliveries"][0];
        delivery["attempts"] == 2 && delivery["status"] == 500 && delivery["state"] == "pending"
    })
    .await;
    first.stop().await.expect("stop");

    // The receiver recovers while Vellum is down; the next instance on the
    // same database finishes the job.
    receiver.failures.store(0, Ordering::SeqCst);
    clock.advance(Duration::seconds(61));
    let second = start_at(db, &clock).await;
    let admin = signed_in(&second, "admin@clinic.org").await;
    let hooks = wait_for_log(&second, &admin, |hooks| {
        hooks[0]["deliveries"][0]["state"] == "delivered"
    })
    .await;
    assert_eq!(hooks[0]["deliveries"][0]["attempts"], 3);
    assert_eq!(
        receiver.requests().len(),
        3,
        "one request per attempt, none lost or repeated"
    );
    second.stop().await.expect("stop");
}

async fn private_addresses_are_refused_unless_allowed(db: &TestDb) {
    let args = server::cli::ServeArgs {
        webhooks_allow_private: false,
        ..serve_args(db)
    };
    let server = server::start(&args).await.expect("server starts");
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
    ] {
        let refused = register(&server, &admin, url, &["post.published"]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let body = refused.text().await.expect("body");
        assert!(body.contains("private network"), "{url}: {body}");
    }
    assert_eq!(
        log(&server, &admin).await,
        Value::Array(Vec::new()),
        "nothing was stored"
    );
    server.stop().await.expect("stop");
}

/// Rotating a secret: the new secret signs at once, the previous one
/// beside it for a day, then only the new one.
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day(db: &TestDb) {
    use app::webhooks::api::RotateWebhookSecret;
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_delivering_by_hand(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let editor = signed_in(&server, "maya@clinic.org").await;
    let receiver = Receiver::default();
    let hook_url = receiver.start().await;
    let hook: Value = register(&server, &admin, &hook_url, &["post.published"])
        .await
        .json()
        .await
        .expect("JSON");
    let (id, old) = (
        hook["id"].to_string(),
        hook["secret"].as_str().expect("secret").to_owned(),
    );

    let refused = call(&editor, &server, RotateWebhookSecret::PATH, &[("id", &id)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "admins only");
    let rotated = call(&admin, &server, RotateWebhookSecret::PATH, &[("id", &id)]).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: Value = rotated.json().await.expect("JSON");
    let new = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_until"].is_string(), "{rotated}");

    post_as(
        &server,
        &ana,
        "Sleep and screens",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    assert_eq!(deliver(&server).await, 1);
    let during = receiver.requests().pop().expect("a delivery");
    assert!(
        signature_is_valid(&new, &during.headers, &during.body),
        "the new secret signs"
    );
    assert!(
        signature_is_valid(&old, &during.headers, &during.body),
        "the old one too, for now"
    );

    clock.advance(Duration::hours(25));
    post_as(
        &server,
        &ana,
        "Naps",
        "Sleep",
        PostStatus::Published,
        app::clock::Clock::now(clock.as_ref()),
        None,
    )
    .await;
    assert_eq!(deliver(&server).await, 1);
    let after = receiver.requests().pop().expect("a delivery");
    assert!(signature_is_valid(&new, &after.headers, &after.body));
    assert!(
        !signature_is_valid(&old, &after.headers, &after.body),
        "a day later only the new one"
    );
    let hooks = log(&server, &admin).await;
    assert!(hooks[0]["previous_secret_until"].is_null(), "{hooks}");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    deliveries_are_signed_logged_and_retried_until_the_receiver_answers,
    a_rotated_secret_signs_beside_the_new_one_for_a_day,
    a_restart_in_the_middle_of_retries_loses_no_delivery,
    private_addresses_are_refused_unless_allowed
);

/// Two Vellum instances, each with its own pool, on one PostgreSQL
/// database, each draining the queue twice at the same moments: every
/// delivery reaches the receiver exactly once. No worker runs beside the
/// passes, so once they have returned nothing more is on its way.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_deliver_each_event_once() {
    let Some(db) = TestDb::postgres().await else { return };
    let clock = Arc::new(ManualClock::new(noon()));
    let one = start_delivering_by_hand(&db, &clock).await;
    let two = start_delivering_by_hand(&db, &clock).await;
    let ana = create_user(&one, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&one, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&one, "admin@clinic.org").await;
    let receiver = Receiver {
        delay_ms: 20,
        ..Receiver::default()
    };
    let hook_url = receiver.start().await;
    assert_eq!(
        register(&one, &admin, &hook_url, &["post.published"]).await.status(),
        StatusCode::OK
    );
    for n in 0..40 {
        post_as(
            &one,
            &ana,
            &format!("Article {n}"),
            "Sleep",
            PostStatus::Published,
            noon(),
            None,
        )
        .await;
    }
    let mut tried = 0;
    for _ in 0..5 {
        let (a, b, c, d) = tokio::join!(deliver(&one), deliver(&two), deliver(&one), deliver(&two));
        tried += a + b + c + d;
    }
    assert_eq!(tried, 40, "each delivery was claimed by one pass");
    let got = receiver.requests();
    let mut ids: Vec<String> = got
        .iter()
        .map(|request| request.headers["vellum-delivery"].to_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "40 distinct deliveries, each received once");
    assert_eq!(got.len(), 40);
    let (a, b) = tokio::join!(deliver(&one), deliver(&two));
    assert_eq!(a + b, 0, "nothing is left to send");
    assert_eq!(receiver.requests().len(), 40, "nothing arrives twice");
    two.stop().await.expect("stop");
    one.stop().await.expect("stop");
    db.cleanup().await;
}
