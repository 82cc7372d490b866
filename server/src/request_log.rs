use std::borrow::Cow;
use std::time::Instant;

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// One log line per request: method, path, status and latency.
pub async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(target: "vellum::http", tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    record(&method, &path, response.status(), started);
    response
}

/// Writes the log line of a request answered now.
pub fn record(method: &Method, path: &str, status: StatusCode, started: Instant) {
    if !tracing::enabled!(target: "vellum::http", tracing::Level::INFO) {
        return;
    }
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "vellum::http",
        %method,
        path = %loggable_path(path),
        status = status.as_u16(),
        latency_ms = format_args!("{latency_ms:.1}"),
        "request"
    );
}

/// The path with its secret, if it carries one, left out: whoever reads
/// the log must not be able to use a set-password or preview link.
fn loggable_path(path: &str) -> Cow<'_, str> {
    for secret_prefix in ["/admin/set-password/", "/preview/", "/api/v1/preview/"] {
        if path.starts_with(secret_prefix) {
            return Cow::Owned(format!("{secret_prefix}…"));
        }
    }
    Cow::Borrowed(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn set_password_tokens_never_reach_the_log() {
        assert_eq!(
            super::loggable_path("/admin/set-password/abc123"),
            "/admin/set-password/…"
        );
        assert_eq!(super::loggable_path("/admin/users"), "/admin/users");
        assert_eq!(super::loggable_path("/preview/abc123"), "/preview/…");
        assert_eq!(super::loggable_path("/api/v1/preview/abc123"), "/api/v1/preview/…");
    }
}
