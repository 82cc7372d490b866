//! The Vellum server: opens the store, builds the axum router around the
//! `app` crate's pages and server functions, and serves until told to stop.

pub mod backup;
mod cache_hits;
pub mod cli;
mod content_key;
pub mod database;
mod demo;
pub mod export;
mod http_cache;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod outbound;
mod rate_limit;
pub mod renders;
mod request_log;
mod security;
pub mod users;
pub mod webhooks;

pub use database::{open_existing, open_store};

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};

use anyhow::Context;
use app::accounts::server::{SESSION_COOKIE, SESSION_IDLE_DAYS, guard, random_token};
use app::admin::{AdminApp, shell};
use app::clock::{Clock, SystemClock};
use app::settings::SiteSettings;
use app::settings::server::{SettingsUpdate, SiteUrl};
use app::state::{AppState, RuntimeConfig};
use app::store::{SessionBackend, Store};
use axum::Router;
use axum::http::{HeaderValue, Method, header};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::cli::ServeArgs;

/// The largest request body the admin's forms may send: a 2 MB post body,
/// URL-encoded, with room to spare.
const MAX_FORM_BYTES: usize = 8 * 1024 * 1024;

/// The name of the wasm, JS and CSS files in the site folder's pkg/
/// (.ci/build-site, and cargo-leptos's `output-name`).
const OUTPUT_NAME: &str = "vellum";

/// Everything `serve` needs before it binds: the store, settings synced with
/// the command line, demo content when asked for.
pub async fn prepare(args: &ServeArgs, clock: Option<Arc<dyn Clock>>) -> anyhow::Result<AppState> {
    let (metrics_on, metrics_token_digest) = metrics::configure(args)?;
    let site_url = args
        .site_url
        .as_deref()
        .map(SiteUrl::parse)
        .transpose()
        .map_err(|message| anyhow::anyhow!("VELLUM_SITE_URL: {message}"))?;
    let (store, migrated) = open_store(&args.database).await?;
    if args.demo && migrated.fresh {
        demo::seed(store.as_ref()).await?;
    }
    if let Some(site_url) = site_url {
        sync_site_url(store.as_ref(), &site_url).await?;
    }
    let leptos_options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let settings = store.site_settings().await?;
    let site_url = SiteUrl::parse(&settings.site_url).ok();
    let secure_cookies = site_url.as_ref().is_some_and(SiteUrl::is_https);
    let site_origin = site_url.map(|url| url.origin()).unwrap_or_default();
    let setup_token = if store.count_users().await? == 0 {
        let token = random_token();
        tracing::warn!(
            "No users yet. Create the first admin at {}/admin/setup?token={token} \
             (or with `vellum user add --role admin`)",
            settings.site_url
        );
        token
    } else {
        String::new()
    };
    let mail = mail::settings_from(args.smtp_url.as_deref(), args.mail_from.as_deref(), &settings.site_url)?;
    match &mail {
        Some(mail) => tracing::info!(from = %mail.from, "email is on"),
        None => tracing::info!("email is off (no VELLUM_SMTP_URL): the admin shows links to copy"),
    }
    let config = Arc::new(RuntimeConfig {
        trust_proxy: args.trust_proxy,
        secure_cookies,
        site_origin,
        setup_token,
        public_cache_control: http_cache::cache_control(args.cache_max_age),
        api_cors_origins: args.api_cors_origins.clone(),
        api_rate_limit: args.api_rate_limit,
        api_token_rate_limit: args.api_token_rate_limit,
        webhooks_allow_private: args.webhooks_allow_private,
        media_max_bytes: args.media.media_max_mb.saturating_mul(1024 * 1024),
        media_max_pixels: args.media.media_max_megapixels.saturating_mul(1_000_000),
        mail,
        metrics_on,
        metrics_token_digest,
        stylesheet: app::state::Stylesheet::read(&args.site_root),
    });
    let media = app::store::files::MediaStorage::from_setting(&args.media.media_store, &args.database.data_dir)
        .map_err(|message| anyhow::anyhow!("VELLUM_MEDIA_STORE: {message}"))?;
    tracing::info!("media files are kept in {}", media.description);
    let clock: Arc<dyn Clock> = match clock {
        Some(clock) => clock,
        None => Arc::new(SystemClock {
            offset: chrono::Duration::seconds(args.clock_offset_secs),
        }),
    };
    let state = AppState {
        leptos_options,
        store,
        config,
        clock,
        public_cache: Arc::new(app::cache::PublicCache::new(
            args.public_cache_mb.saturating_mul(1024 * 1024),
        )),
        media,
    };
    // Posts that fell due while the server was down are published (and
    // their side effects run) before the first request is served.
    publish_due(&state).await?;
    Ok(state)
}

/// Publishes the scheduled posts that are due; returns how many. Safe to
/// run from several processes at once: each post is claimed once.
pub async fn publish_due(state: &AppState) -> anyhow::Result<usize> {
    let published = state
        .store
        .publish_due(state.clock.now(), app::webhooks::server::event_payload)
        .await?;
    for post in &published {
        tracing::info!(post = post.id, title = %post.content.title, "published at its scheduled time");
    }
    if !published.is_empty() && state.public_cache.is_on() {
        // Renews the pages they touched before readers ask for them.
        app::cache::catch_up(state).await;
    }
    Ok(published.len())
}

/// How often the scheduler looks for due posts. Readers never wait for it:
/// public pages compare with the clock themselves.
const SCHEDULER_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `publish_due` every few seconds until the task is aborted.
pub fn spawn_scheduler(state: &AppState) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SCHEDULER_PERIOD);
        loop {
            ticks.tick().await;
            if let Err(error) = publish_due(&state).await {
                tracing::error!(%error, "scheduler: publishing due posts failed; retrying");
            }
        }
    })
}

/// The site URL given at start wins over the stored one, and is stored so
/// that background jobs and exports see the same address.
async fn sync_site_url(store: &dyn Store, site_url: &SiteUrl) -> anyhow::Result<()> {
    let current = store.site_settings().await?;
    if current.site_url == site_url.as_str() {
        return Ok(());
    }
    let update = SettingsUpdate::parse(&SiteSettings {
        site_url: site_url.as_str().to_owned(),
        ..current
    })?;
    store.update_site_settings(&update, None).await?;
    Ok(())
}

/// The whole HTTP surface of Vellum. Each feature says which routes it
/// has (`routes()` needs no session, `session_routes()` reads the
/// signed-in user); this function says which layers wrap them: the session
/// and body limits, CORS for the public API, the admin's guards, and the
/// middleware every request passes through.
pub fn router(state: AppState) -> Router {
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root).join("pkg");
    let api_limits = rate_limit::ApiRateLimit::new(
        state.config.api_rate_limit,
        state.config.api_token_rate_limit,
        state.config.trust_proxy,
    );
    let known_key = Arc::new(content_key::KnownKey::default());
    let routes = Router::new()
        .merge(app::blog::routes())
        .merge(demo::routes())
        .merge(app::media::routes())
        .merge(app::mail::routes::routes())
        .merge(session_router(&state))
        .nest(app::content_api::PREFIX, content_api_router(&state))
        .nest(app::content_api::admin::ADMIN_PREFIX, app::content_api::admin::routes())
        .merge(app::health::routes())
        .merge(admin_router(&state))
        .nest_service("/pkg", site_files(pkg_dir))
        .fallback(app::blog::fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_cache::conditional_get,
        ))
        .with_state(state.clone());
    // The cache renders touched pages again through these routes.
    state.public_cache.renewals.serve_through(routes.clone());
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_cache::settle_after_writes,
        ))
        // Outside the cache: a cached answer needs the key too.
        .layer(axum::middleware::from_fn_with_state(state.clone(), {
            let known = known_key.clone();
            move |state, request, next| content_key::require(state, known.clone(), request, next)
        }))
        // Outside the cache: a cached answer counts against the limit too.
        .layer(axum::middleware::from_fn({
            let limits = api_limits.clone();
            move |request, next| rate_limit::limit(limits.clone(), request, next)
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::csrf))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(compression())
        .layer(axum::middleware::from_fn(request_log::log_request))
        // Times what readers wait for, cache hits included.
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        // Outermost: a fresh cached answer needs none of the layers above
        // (it was stored with their headers) but the key and the limit.
        .layer(cache_hits::CacheHits {
            state,
            limits: api_limits,
            known_key,
        })
}

/// gzip or brotli for text, at a level that costs about a millisecond for a
/// long article (the highest brotli levels take tens). The wasm bundle is
/// left alone: compressing megabytes on every request would delay the
/// admin's start by seconds.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")))
}

/// The site folder's files: the admin's wasm, scripts and style sheet.
/// `make release` writes a brotli and a gzip copy beside each, which go to
/// browsers that accept them. ServeDir does not say that its answer
/// depends on Accept-Encoding, and a shared cache that is not told could
/// hand brotli to a client without it.
fn site_files(dir: std::path::PathBuf) -> Router {
    async fn vary_on_accept_encoding(mut response: axum::response::Response) -> axum::response::Response {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response(vary_on_accept_encoding))
}

/// The public API, readable from browsers on the allowed origins.
fn content_api_router(state: &AppState) -> Router<AppState> {
    let cors_origins = &state.config.api_cors_origins;
    let origins = if cors_origins.iter().any(|origin| origin.trim() == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cors_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin.trim().trim_end_matches('/')).ok()),
        )
    };
    let cors = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            header::IF_NONE_MATCH,
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-content-key"),
        ])
        .expose_headers([header::ETAG, header::LINK, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(3600));
    app::content_api::routes().layer(cors)
}

/// The admin's routes, generated once per process. Generating them sets a
/// process-wide Leptos flag under which every resource that starts loading
/// waits forever (leptos-rs/leptos#4773), so a page rendered meanwhile, by
/// any server in the process, would never end. Every server builds its
/// router before it serves, so this first and only generation cannot
/// overlap a render.
static ADMIN_ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(AdminApp));

/// The admin pages and the server functions: the only routes with a
/// session. Public pages never touch the session store.
fn admin_router(state: &AppState) -> Router<AppState> {
    let admin_routes = ADMIN_ROUTES.clone();
    let context_state = state.clone();
    // leptos_routes registers every server function (at /api/…) as well as
    // the admin pages, all with the state in their Leptos context.
    Router::new()
        .leptos_routes_with_context(state, admin_routes, move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::admin_pages))
        .layer(axum::middleware::from_fn(guard::server_fn_status))
        .layer(session_layer(state))
        // Server functions read their whole body into memory: bound it.
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BYTES))
}

/// The features' plain axum routes that read the session (the media
/// upload, the export download): the session like the admin, and a body
/// limit sized for uploads (the largest image allowed, plus the form
/// around it).
fn session_router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(app::media::session_routes())
        .merge(app::export::session_routes())
        // The endpoint refuses files over the configured size itself, with
        // a message; this hard cap (four times that) only bounds what it
        // reads and drops to deliver the message.
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.media_max_bytes.saturating_mul(4).saturating_add(64 * 1024),
        ))
        .layer(session_layer(state))
}

fn session_layer(state: &AppState) -> SessionManagerLayer<SessionBackend> {
    SessionManagerLayer::new(state.store.session_backend())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_path("/")
        // Saving on every admin request moves the expiry forward, so the 14
        // days count from the last use, not from sign-in.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(CookieDuration::days(SESSION_IDLE_DAYS)))
}

/// Every hour: deletes expired sessions (and their rows in the session
/// list, with those a password change ended), posts that have been in the
/// trash for longer than the 30 days they stay restorable, and sign-in
/// failures too old to count; and reminds reviewers of reviews coming due.
pub fn spawn_session_cleanup(state: &AppState) -> JoinHandle<()> {
    let backend = state.store.session_backend();
    let state = state.clone();
    tokio::spawn(async move {
        let sessions = backend.continuously_delete_expired(std::time::Duration::from_secs(3600));
        let trash = async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                hourly_cleanup(&state).await;
                if let Err(error) = remind_due_reviews(&state).await {
                    tracing::error!(%error, "review reminders failed; trying again in an hour");
                }
            }
        };
        tokio::select! {
            result = sessions => if let Err(error) = result {
                tracing::error!(%error, "expired-session cleanup stopped");
            },
            () = trash => {}
        }
    })
}

/// The hourly clean-up's work, apart so that tests can run it at once.
pub async fn hourly_cleanup(state: &AppState) {
    let cutoff = state.clock.now() - chrono::Duration::days(app::posts::server::review::TRASH_DAYS);
    match state.store.empty_trash(Some(cutoff), None).await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "deleted posts trashed over 30 days ago"),
        Err(error) => tracing::error!(%error, "trash purge failed"),
    }
    if let Err(error) = app::accounts::server::throttle::purge_old_failures(state).await {
        tracing::error!(%error, "purge of old sign-in failures failed");
    }
    if let Err(error) = app::sessions::server::purge_ended(state).await {
        tracing::error!(%error, "purge of ended sessions from the session list failed");
    }
    mail::hourly(state).await;
}

/// Notifies reviewers of their published posts due for review within 30
/// days (or overdue): once per due date, so the hourly run (and other
/// processes sharing the database) repeat nothing. Returns how many posts
/// were newly due.
pub async fn remind_due_reviews(state: &AppState) -> anyhow::Result<u64> {
    let due = app::posts::server::cadence::remind_due(state).await?;
    if due > 0 {
        tracing::info!(due, "reminded reviewers of posts due for review");
    }
    Ok(due)
}

/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish, for up to `SHUTDOWN_GRACE` (a client that
/// stops reading must not keep the process alive).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches handlers as ConnectInfo (sign-in throttling
    // and the audit log need it).
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let (signalled, grace_starts) = oneshot::channel::<()>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = signalled.send(());
    });
    tokio::select! {
        result = server.into_future() => result,
        () = async {
            if grace_starts.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
            Ok(())
        }
    }
}

/// A server running in the background, as the integration tests use it.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where `VELLUM_METRICS_ADDR` was bound, when it was given.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    scheduler: JoinHandle<()>,
    /// `None` when the caller sends deliveries itself.
    webhooks: Option<JoinHandle<()>>,
    /// `None` when email is off or the caller sends it itself.
    mail: Option<JoinHandle<()>>,
    metrics: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// Stops accepting connections, waits for in-flight requests and closes
    /// the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.scheduler.abort();
        for worker in [&self.webhooks, &self.mail].into_iter().flatten() {
            worker.abort();
        }
        if let Some(metrics) = &self.metrics {
            metrics.abort();
        }
        let _ = self.stop.send(());
        self.task.await??;
        self.state.store.close().await;
        Ok(())
    }
}

/// Prepares, binds `args.addr` (port 0 picks one) and serves in the
/// background, with the scheduler running.
pub async fn start(args: &ServeArgs) -> anyhow::Result<RunningServer> {
    start_with_clock(args, None).await
}

/// `start`, with the server's clock given (tests move it).
pub async fn start_with_clock(args: &ServeArgs, clock: Option<Arc<dyn Clock>>) -> anyhow::Result<RunningServer> {
    start_serving(args, clock, true).await
}

/// `start_with_clock` without the webhook and email workers: the caller
/// sends due deliveries itself with [`webhooks::deliver_due`] and
/// [`mail::deliver_mail`], and so knows that nothing is on its way once a
/// pass has returned.
pub async fn start_delivering_by_hand(
    args: &ServeArgs,
    clock: Option<Arc<dyn Clock>>,
) -> anyhow::Result<RunningServer> {
    start_serving(args, clock, false).await
}

/// `start_delivering_by_hand` without the scheduler either: nothing
/// touches the database unless a request does (tests count queries).
pub async fn start_quiet(args: &ServeArgs) -> anyhow::Result<RunningServer> {
    let mut server = start_serving(args, None, false).await?;
    server.scheduler.abort();
    // Until it has stopped, its first pass may still be running.
    let _ = (&mut server.scheduler).await;
    Ok(server)
}

async fn start_serving(
    args: &ServeArgs,
    clock: Option<Arc<dyn Clock>>,
    workers: bool,
) -> anyhow::Result<RunningServer> {
    let state = prepare(args, clock).await?;
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // Stopped with `abort` in `stop`: a scrape has nothing to finish.
    let (metrics_addr, metrics) = match args.metrics_addr {
        Some(at) => {
            let (bound, task) = metrics::spawn_listener(at, &state, std::future::pending()).await?;
            (Some(bound), Some(task))
        }
        None => (None, None),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state.clone());
    let task = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));
    let scheduler = spawn_scheduler(&state);
    let (webhooks, mail) = if workers {
        (Some(webhooks::spawn_worker(&state)?), mail::spawn_if_on(&state)?)
    } else {
        (None, None)
    };
    Ok(RunningServer {
        addr,
        metrics_addr,
        state,
        stop,
        task,
        scheduler,
        webhooks,
        mail,
        metrics,
    })
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
