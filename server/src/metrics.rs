//! `/metrics` in Prometheus's text format, off unless the operator turns
//! it on: on a separate address (`VELLUM_METRICS_ADDR`, no
//! authentication) or on the main one for a bearer token
//! (`VELLUM_METRICS_TOKEN`).
//!
//! Two kinds of numbers make up a scrape:
//!
//! - What happens over time (requests, latency, render time) is recorded
//!   with the `metrics` macros into one process-wide Prometheus recorder,
//!   installed once (`install`); the macros have no server to name, and a
//!   production process runs one server anyway.
//! - What a server holds right now (its public cache's counters and size,
//!   its database pools, its queues) is read from that server's `AppState`
//!   at scrape time and written out here (`write_state`), not set as
//!   global gauges: tests run many servers in one process, and one server
//!   must never report another's cache.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::cli::ServeArgs;

const REQUESTS: &str = "vellum_http_requests_total";
const REQUEST_SECONDS: &str = "vellum_http_request_duration_seconds";
const RENDER_SECONDS: &str = "vellum_render_seconds";

/// Latency buckets, in seconds: a cache hit takes well under a
/// millisecond, a cold render of a long list tens of milliseconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// How often recorded latencies are folded into their histograms between
/// scrapes, so that memory stays bounded when nobody scrapes.
const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

/// The process-wide recorder's handle; `None` when another recorder was
/// installed first (then only the state-derived lines are served).
static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder, once however many servers start.
pub fn install() -> Option<&'static PrometheusHandle> {
    RECORDER.get_or_init(build).as_ref()
}

fn build() -> Option<PrometheusHandle> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &BUCKETS)
        .map(PrometheusBuilder::build_recorder);
    let recorder = match recorder {
        Ok(recorder) => recorder,
        Err(error) => {
            tracing::error!(%error, "metrics: cannot build the recorder");
            return None;
        }
    };
    let handle = recorder.handle();
    if let Err(error) = metrics::set_global_recorder(recorder) {
        tracing::error!(%error, "metrics: another recorder is installed; requests are not counted");
        return None;
    }
    metrics::describe_counter!(REQUESTS, "HTTP requests answered, by route class and status class.");
    metrics::describe_histogram!(
        REQUEST_SECONDS,
        metrics::Unit::Seconds,
        "Time to answer an HTTP request (until its headers), by route class and status class."
    );
    metrics::describe_histogram!(
        RENDER_SECONDS,
        metrics::Unit::Seconds,
        "Time to render a public answer the cache did not have, by route class."
    );
    // A thread, not a task: the first server's runtime may end (tests)
    // while the recorder lives on.
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_PERIOD);
                upkeep.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "metrics: no upkeep thread; latencies are folded in at scrapes only");
    }
    Some(handle)
}

/// The shortest metrics token accepted: a guessable one would publish the
/// site's traffic.
const MIN_TOKEN_CHARS: usize = 16;

/// Whether metrics are on, and the digest of the metrics token if there is
/// one, from `vellum serve`'s settings; installs the recorder when they
/// are on. A token too short to be safe stops the start.
pub fn configure(args: &ServeArgs) -> anyhow::Result<(bool, Option<String>)> {
    let token = args
        .metrics_token
        .as_deref()
        .map(str::trim)
        .filter(|token| !token.is_empty());
    if token.is_some_and(|token| token.chars().count() < MIN_TOKEN_CHARS) {
        anyhow::bail!("VELLUM_METRICS_TOKEN: use at least {MIN_TOKEN_CHARS} characters (e.g. `openssl rand -hex 32`)");
    }
    let on = token.is_some() || args.metrics_addr.is_some();
    if on {
        install();
    }
    Ok((on, token.map(app::crypto::token_digest)))
}

/// Records how long a public answer took to render (a cache miss), by
/// its `route_class`. Cheap when metrics are off (no recorder: a no-op).
pub fn record_render(class: &'static str, seconds: f64) {
    metrics::histogram!(RENDER_SECONDS, "route" => class).record(seconds);
}

/// The kind of page a path asks for, as a label: a handful of values,
/// never the path itself (every slug would be a new time series).
pub fn route_class(path: &str) -> &'static str {
    // Called on every request: no allocation.
    let mut parts = path.trim_start_matches('/').splitn(3, '/');
    let segments = [parts.next(), parts.next(), parts.next()];
    let count = segments.iter().flatten().count();
    let segments: [&str; 3] = segments.map(Option::unwrap_or_default);
    match &segments[..count] {
        [""] => "home",
        ["metrics"] => "metrics",
        ["feed.xml" | "atom.xml"] => "feed",
        ["sitemap.xml" | "robots.txt"] => "sitemap",
        ["search"] => "search",
        ["healthz" | "readyz"] => "health",
        ["posts", _] => "post",
        ["tags", _] => "tag",
        ["authors", _] => "author",
        ["tags" | "authors", _, "feed.xml"] => "feed",
        ["preview", ..] => "preview",
        ["api", "v1", ..] => "api",
        ["api", ..] => "server_fn",
        ["admin", ..] => "admin",
        ["media", ..] | ["demo", "covers", ..] => "media",
        ["pkg" | "assets", ..] => "pkg",
        // Pages live at `/{slug}`; a slug has no dot (`/favicon.ico`,
        // `/wp-login.php` are something else).
        [slug] if !slug.contains('.') => "page",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The middleware around every request of the main address: counts and
/// times it by route class and status class, and answers `GET /metrics`
/// for the bearer of the metrics token (when there is one; otherwise
/// `/metrics` goes on to the 404 page). Outermost, so that it times what
/// a reader waits for, cache hits included.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.config.metrics_on {
        return next.run(request).await;
    }
    let route = route_class(request.uri().path());
    let started = Instant::now();
    let scrape = route == "metrics" && request.method() == Method::GET;
    let response = if scrape && state.config.metrics_token_digest.is_some() {
        if bearer(request.headers()).is_some_and(|token| state.config.metrics_token_matches(token)) {
            render(&state).await
        } else {
            unauthorized()
        }
    } else {
        next.run(request).await
    };
    record_request(route, response.status(), started);
    response
}

/// Counts and times a request answered now (`track`, and the cache hits
/// answered before it).
pub fn record_request(route: &'static str, status: StatusCode, started: Instant) {
    let labels = [("route", route), ("status", status_class(status))];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(REQUEST_SECONDS, &labels).record(started.elapsed().as_secs_f64());
}

/// The token of an `Authorization: Bearer …` header (scheme in any case).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "The metrics need the metrics token as a bearer token.\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The separate metrics address's whole surface: `GET /metrics`.
pub fn listener_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { render(&state).await }),
        )
        .with_state(state)
}

/// Binds `addr` and serves `listener_router` there until `shutdown`;
/// returns the address bound (port 0 picks one).
pub async fn spawn_listener(
    addr: SocketAddr,
    state: &AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("VELLUM_METRICS_ADDR: cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    tracing::info!("metrics at http://{bound}/metrics");
    let task = tokio::spawn(crate::serve(listener, listener_router(state.clone()), shutdown));
    Ok((bound, task))
}

/// One scrape: the recorder's lines, then this server's own.
async fn render(state: &AppState) -> Response {
    let mut text = install().map(PrometheusHandle::render).unwrap_or_default();
    write_state(&mut text, state).await;
    (
        [
            (header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
            // Never kept by a cache, ours included.
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// One metric family: its HELP and TYPE lines and its samples, each a
/// label set (`pool="reader"`, or empty) and a value.
fn family<'a>(
    text: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: impl IntoIterator<Item = (&'a str, u64)>,
) {
    let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(text, "{name} {value}");
        } else {
            let _ = writeln!(text, "{name}{{{labels}}} {value}");
        }
    }
    text.push('\n');
}

/// What this server holds now: its public cache, its database pools and
/// the work waiting in its queues.
async fn write_state(text: &mut String, state: &AppState) {
    let cache = state.public_cache.stats();
    let counters = [
        (
            "vellum_cache_hits_total",
            cache.hits,
            "Public requests the cache answered.",
        ),
        (
            "vellum_cache_misses_total",
            cache.misses,
            "Public requests the cache could not answer (rendered).",
        ),
        (
            "vellum_cache_evictions_total",
            cache.evictions,
            "Entries dropped from the cache to make room.",
        ),
        (
            "vellum_cache_compressions_total",
            cache.compressions,
            "Bodies compressed for the cache (one per encoding).",
        ),
    ];
    for (name, value, help) in counters {
        family(text, name, "counter", help, [("", value)]);
    }
    family(
        text,
        "vellum_cache_entries",
        "gauge",
        "Answers in the cache now.",
        [("", cache.entries)],
    );
    family(
        text,
        "vellum_cache_bytes",
        "gauge",
        "Bytes the cache holds now.",
        [("", cache.bytes)],
    );

    let pools = state.store.pool_use();
    let labels: Vec<String> = pools.iter().map(|pool| format!("pool=\"{}\"", pool.pool)).collect();
    let samples = |value: fn(&app::store::PoolUse) -> u32| {
        labels
            .iter()
            .zip(&pools)
            .map(move |(label, pool)| (label.as_str(), u64::from(value(pool))))
    };
    let help = "Database connections open (busy or idle), by pool.";
    family(
        text,
        "vellum_db_pool_connections",
        "gauge",
        help,
        samples(|pool| pool.open),
    );
    let help = "Database connections open and idle, by pool.";
    family(
        text,
        "vellum_db_pool_idle_connections",
        "gauge",
        help,
        samples(|pool| pool.idle),
    );
    let help = "The most connections a pool opens.";
    family(
        text,
        "vellum_db_pool_max_connections",
        "gauge",
        help,
        samples(|pool| pool.max),
    );

    let (scheduled, webhooks, email) = tokio::join!(
        state.store.scheduled_posts_waiting(),
        state.store.pending_deliveries(),
        state.store.pending_mail(),
    );
    let mut queues = Vec::new();
    for (queue, depth) in [
        ("queue=\"scheduled_posts\"", scheduled),
        ("queue=\"webhook_deliveries\"", webhooks),
        ("queue=\"email\"", email),
    ] {
        match depth {
            Ok(depth) => queues.push((queue, u64::try_from(depth).unwrap_or_default())),
            // The other lines still help while the database is away.
            Err(error) => tracing::warn!(%error, queue, "metrics: cannot count a queue"),
        }
    }
    let help = "Work waiting: posts scheduled, webhook deliveries and email not yet sent.";
    family(text, "vellum_queue_depth", "gauge", help, queues);
}

#[cfg(test)]
mod tests {
    use super::route_class;

    #[test]
    fn every_path_falls_in_a_small_class_never_its_own() {
        for (path, class) in [
            ("/", "home"),
            ("/posts/sleep-and-blood-pressure", "post"),
            ("/about", "page"),
            ("/tags/heart", "tag"),
            ("/tags/heart/feed.xml", "feed"),
            ("/authors/maya-patel", "author"),
            ("/authors/maya-patel/feed.xml", "feed"),
            ("/feed.xml", "feed"),
            ("/atom.xml", "feed"),
            ("/search", "search"),
            ("/sitemap.xml", "sitemap"),
            ("/robots.txt", "sitemap"),
            ("/api/v1/posts", "api"),
            ("/api/v1/admin/posts/3", "api"),
            ("/api/save_post12345", "server_fn"),
            ("/admin", "admin"),
            ("/admin/posts/3/edit", "admin"),
            ("/media/abc.webp", "media"),
            ("/pkg/vellum.wasm", "pkg"),
            ("/healthz", "health"),
            ("/readyz", "health"),
            ("/preview/secret-token", "preview"),
            ("/metrics", "metrics"),
            ("/favicon.ico", "other"),
            ("/wp-login.php", "other"),
            ("/2019/05/old-permalink/", "other"),
            ("/posts/a/b", "other"),
        ] {
            assert_eq!(route_class(path), class, "{path}");
        }
    }
}
