//! Probes for load balancers and orchestrators. Server-only.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::state::AppState;

/// The probes' routes. They need no session; the server adds the layers
/// every route shares.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Liveness: 200 for as long as the process can answer at all.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 when the database answers within two seconds, else 503,
/// so a load balancer stops sending traffic to an instance that cannot serve.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(_)) | Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
