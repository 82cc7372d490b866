//! The Vellum server: opens the store, builds the axum router around the
//! `app` crate's pages and server functions, and serves until told to stop.

pub mod cli;
mod demo;
mod health;
mod request_log;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use app::admin::{AdminApp, shell};
use app::settings::SiteSettings;
use app::settings::server::{SettingsUpdate, SiteUrl};
use app::state::AppState;
use app::store::{self, Migrated, Store};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;

use crate::cli::{DatabaseArgs, ServeArgs};

/// The name cargo-leptos gives the wasm, JS and CSS files (`output-name`).
const OUTPUT_NAME: &str = "vellum";

/// Connects to the configured database and brings its schema up to date.
pub async fn open_store(args: &DatabaseArgs) -> anyhow::Result<(Arc<dyn Store>, Migrated)> {
    if args.database_url.is_none() {
        std::fs::create_dir_all(&args.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                args.data_dir.display()
            )
        })?;
    }
    let url = args.resolved_url();
    let store = store::connect(&url).await?;
    let migrated = store
        .migrate()
        .await
        .context("cannot apply the database migrations")?;
    Ok((store, migrated))
}

/// Everything `serve` needs before it binds: the store, settings synced with
/// the command line, demo content when asked for.
pub async fn prepare(args: &ServeArgs) -> anyhow::Result<AppState> {
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
    Ok(AppState {
        leptos_options,
        store,
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
    store.update_site_settings(&update).await?;
    Ok(())
}

/// The whole HTTP surface of Vellum.
pub fn router(state: AppState) -> Router {
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root).join("pkg");
    let admin_routes = generate_route_list(AdminApp);
    let context_state = state.clone();
    Router::new()
        .merge(app::blog::routes())
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .leptos_routes_with_context(
            &state,
            admin_routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback(app::blog::not_found)
        .layer(axum::middleware::from_fn(request_log::log_request))
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server running in the background, as the integration tests use it.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting connections, waits for in-flight requests and closes
    /// the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        self.state.store.close().await;
        Ok(())
    }
}

/// Prepares, binds `args.addr` (port 0 picks one) and serves in the background.
pub async fn start(args: &ServeArgs) -> anyhow::Result<RunningServer> {
    let state = prepare(args).await?;
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state.clone());
    let task = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        addr,
        state,
        stop,
        task,
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
