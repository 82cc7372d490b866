use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// One log line per request: method, path, status and latency.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "vellum::http",
        %method,
        %path,
        status = response.status().as_u16(),
        latency_ms = format_args!("{latency_ms:.1}"),
        "request"
    );
    response
}

/// Paths that carry a secret (set-password links) are logged without it.
fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/admin/set-password/") {
        Some(_) => "/admin/set-password/…".to_owned(),
        None => path.to_owned(),
    }
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
    }
}
