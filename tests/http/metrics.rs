//! What an operator's Prometheus sees: no `/metrics` unless it is turned
//! on; with a token, only its bearer reads them on the main address; with
//! `VELLUM_METRICS_ADDR`, a listener of their own serves them. And the
//! numbers move with what the server does: requests, cache hits, the
//! database pools and the queues. Plus the JSON log lines of
//! `VELLUM_LOG_FORMAT=json`.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry};
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use app::store::Backend;
use app::store::model::mail::NewMail;
use app::webhooks::server::{NewWebhook, WebhookUrl};
use chrono::Duration;
use reqwest::StatusCode;
use server::RunningServer;
use server::cli::ServeArgs;

use crate::binary::vellum;
use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{client, create_user, serve_args, status_of, url};

const TOKEN: &str = "scrape-me-9f8e7d6c5b4a";

/// A server with `args`, its clock at noon, delivering nothing itself (so
/// that queued work stays queued).
async fn start_with(args: &ServeArgs) -> RunningServer {
    let clock: Arc<dyn app::clock::Clock> = Arc::new(ManualClock::new(noon()));
    server::start_delivering_by_hand(args, Some(clock))
        .await
        .expect("server starts")
}

async fn scrape(server: &RunningServer, token: Option<&str>) -> reqwest::Response {
    let request = client().get(url(server, "/metrics"));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.expect("GET /metrics")
}

async fn metrics_text(server: &RunningServer) -> String {
    let response = scrape(server, Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("body")
}

/// The value of the sample of `name` whose labels include every one of
/// `labels` (`route="post"`), or `None` when there is no such line.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
        (metric == name && labels.iter().all(|label| rest.contains(label))).then(|| value.parse().ok())?
    })
}

async fn metrics_are_off_unless_asked_for(db: &TestDb) {
    let server = start_with(&serve_args(db)).await;
    assert_eq!(status_of(&server, "/metrics").await, StatusCode::NOT_FOUND);
    assert_eq!(scrape(&server, Some(TOKEN)).await.status(), StatusCode::NOT_FOUND);
    server.stop().await.expect("stops");
}

async fn only_the_tokens_bearer_reads_them(db: &TestDb) {
    let args = ServeArgs {
        metrics_token: Some(TOKEN.to_owned()),
        ..serve_args(db)
    };
    let server = start_with(&args).await;
    for token in [None, Some("scrape-me-but-wrong-token"), Some("")] {
        let response = scrape(&server, token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = response.text().await.expect("body");
        assert!(!body.contains("vellum_"), "{body}");
    }
    let response = scrape(&server, Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/plain")
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    server.stop().await.expect("stops");
}

async fn requests_and_cache_hits_are_counted(db: &TestDb) {
    let args = ServeArgs {
        metrics_token: Some(TOKEN.to_owned()),
        ..serve_args(db)
    };
    let server = start_with(&args).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let post = post_as(
        &server,
        &ana,
        "Sleep and the heart",
        "",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    let path = format!("/posts/{}", post.content.slug);

    let before = metrics_text(&server).await;
    let requests = |text: &str| {
        sample(
            text,
            "vellum_http_requests_total",
            &["route=\"post\"", "status=\"2xx\""],
        )
    };
    let hits = |text: &str| sample(text, "vellum_cache_hits_total", &[]).expect("the cache's hits");
    let mut answered_from_cache = 0.0;
    for _ in 0..2 {
        let response = client().get(url(&server, &path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK);
        if response.headers()["x-cache"] == "HIT" {
            answered_from_cache += 1.0;
        }
    }
    assert!(answered_from_cache >= 1.0, "the second read comes from the cache");
    let after = metrics_text(&server).await;

    // Other servers of this test process count requests too (one
    // recorder per process): at least these two.
    let counted = requests(&after).expect("post requests") - requests(&before).unwrap_or(0.0);
    assert!(counted >= 2.0, "{counted}\n{after}");
    assert!(
        sample(
            &after,
            "vellum_http_request_duration_seconds_count",
            &["route=\"post\""]
        )
        .is_some(),
        "{after}"
    );
    // The cache's numbers are this server's alone.
    assert_eq!(hits(&after), hits(&before) + answered_from_cache, "{after}");
    assert!(sample(&after, "vellum_cache_entries", &[]).expect("entries") >= 1.0);
    assert!(sample(&after, "vellum_cache_bytes", &[]).expect("bytes") > 0.0);
    for name in [
        "vellum_cache_misses_total",
        "vellum_cache_evictions_total",
        "vellum_cache_compressions_total",
    ] {
        assert!(sample(&after, name, &[]).is_some(), "{name}\n{after}");
    }
    server.stop().await.expect("stops");
}

async fn pools_and_queues_are_reported(db: &TestDb) {
    let args = ServeArgs {
        metrics_token: Some(TOKEN.to_owned()),
        ..serve_args(db)
    };
    let server = start_with(&args).await;
    let depth = |text: &str, queue: &str| sample(text, "vellum_queue_depth", &[&format!("queue=\"{queue}\"")]);
    let text = metrics_text(&server).await;
    for queue in ["scheduled_posts", "webhook_deliveries", "email"] {
        assert_eq!(depth(&text, queue), Some(0.0), "{queue}\n{text}");
    }

    let store = server.state.store.clone();
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let at = noon() + Duration::hours(1);
    post_as(&server, &ana, "Flu shots", "", PostStatus::Scheduled, noon(), Some(at)).await;
    let hook = NewWebhook {
        url: WebhookUrl::resolve("http://127.0.0.1:9/hook", true)
            .await
            .expect("address"),
        events: vec!["post.published"],
        secret: "whsec_test".to_owned(),
        created_by: ana.id,
        created_at: noon(),
    };
    let audit = NewAuditEntry::new(AuditAction::WebhookAdded, Some(ana.id), None);
    let hook = store.create_webhook(&hook, &audit).await.expect("webhook");
    store.queue_test_delivery(hook.id, "{}", noon()).await.expect("ping");
    store
        .queue_mail(&NewMail {
            to: "ana@clinic.org".into(),
            subject: "Hello".into(),
            text_body: "text".into(),
            html_body: "<p>html</p>".into(),
            kind: "account_notice".into(),
            message_id: "<hello@clinic.example>".into(),
            unsubscribe: None,
            at: noon(),
        })
        .await
        .expect("mail");

    let text = metrics_text(&server).await;
    for queue in ["scheduled_posts", "webhook_deliveries", "email"] {
        assert_eq!(depth(&text, queue), Some(1.0), "{queue}\n{text}");
    }
    let pools: &[&str] = match store.backend() {
        Backend::Sqlite => &["reader", "writer"],
        Backend::Postgres => &["main"],
    };
    for pool in pools {
        let label = format!("pool=\"{pool}\"");
        let open = sample(&text, "vellum_db_pool_connections", &[&label]).expect("open");
        let idle = sample(&text, "vellum_db_pool_idle_connections", &[&label]).expect("idle");
        let max = sample(&text, "vellum_db_pool_max_connections", &[&label]).expect("max");
        assert!(
            open >= 1.0 && idle <= open && open <= max,
            "{pool}: {open} {idle} {max}"
        );
    }
    server.stop().await.expect("stops");
}

async fn a_separate_address_serves_them_without_a_token(db: &TestDb) {
    let args = ServeArgs {
        metrics_addr: Some("127.0.0.1:0".parse().expect("address")),
        ..serve_args(db)
    };
    let server = start_with(&args).await;
    let metrics_addr = server.metrics_addr.expect("the metrics address");
    assert_ne!(metrics_addr, server.addr);
    let response = client()
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    assert!(sample(&text, "vellum_cache_hits_total", &[]).is_some(), "{text}");
    assert!(text.contains("vellum_queue_depth"), "{text}");
    // Not on the main address, which has no token to check.
    assert_eq!(status_of(&server, "/metrics").await, StatusCode::NOT_FOUND);
    let elsewhere = client()
        .get(format!("http://{metrics_addr}/"))
        .send()
        .await
        .expect("GET");
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND, "only /metrics there");
    server.stop().await.expect("stops");
}

async fn a_short_token_stops_the_start(db: &TestDb) {
    let args = ServeArgs {
        metrics_token: Some("short".to_owned()),
        ..serve_args(db)
    };
    let Err(error) = server::start(&args).await else {
        panic!("a five-character token must not start the server");
    };
    assert!(error.to_string().contains("VELLUM_METRICS_TOKEN"), "{error}");
}

crate::on_both_databases!(
    metrics_are_off_unless_asked_for,
    only_the_tokens_bearer_reads_them,
    requests_and_cache_hits_are_counted,
    pools_and_queues_are_reported,
    a_separate_address_serves_them_without_a_token,
    a_short_token_stops_the_start,
);

#[test]
fn json_logs_are_one_object_a_line() {
    let dir = tempfile::TempDir::new().expect("folder");
    let output = vellum()
        .arg("migrate")
        .env("VELLUM_DATA_DIR", dir.path())
        .env("VELLUM_LOG_FORMAT", "json")
        .output()
        .expect("run vellum migrate");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line["message"].is_string(), "{line}");
        assert!(line["level"].is_string(), "{line}");
    }
    assert!(
        lines.iter().any(|line| line["message"] == "database schema created"),
        "{stdout}"
    );

    let refused = vellum()
        .arg("migrate")
        .env("VELLUM_DATA_DIR", dir.path())
        .env("VELLUM_LOG_FORMAT", "xml")
        .output()
        .expect("run vellum migrate");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("xml") && said.contains("json"), "{said}");
}

#[test]
fn help_hides_the_metrics_token() {
    let output = vellum()
        .args(["serve", "--help"])
        .env("VELLUM_METRICS_TOKEN", "do-not-print-this-token")
        .output()
        .expect("serve --help");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("VELLUM_METRICS_TOKEN"), "{help}");
    assert!(help.contains("VELLUM_METRICS_ADDR"), "{help}");
    assert!(!help.contains("do-not-print-this-token"), "{help}");
}
