//! Security middleware for every response: CSRF protection for every
//! write, and the security headers.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of pages that set none of their own (all public pages): no
/// script at all, and no framing (nothing of Vellum's is meant to be shown
/// inside another page).
const PUBLIC_CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; img-src 'self' https: data:";

/// What no page of Vellum's uses; a page that is made to misbehave still
/// cannot ask for it.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
     microphone=(), payment=(), usb=(), browsing-topics=()";

/// A state-changing request must come from this site: its Origin (or,
/// failing that, Sec-Fetch-Site) must say so. That holds with or without a
/// session cookie: a cross-site form could otherwise sign a visitor in to
/// an attacker's account (login CSRF), or use a set-up or set-password
/// link. "This site" is the public site URL, or the host the request was
/// sent to (a reverse proxy may rewrite one or the other). A request with
/// neither header (not a browser) has no ambient authority to abuse.
pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let headers = request.headers();
    // The admin API never reads the session cookie (only bearer tokens,
    // which a cross-site page cannot attach), so there is nothing to forge.
    // One-click unsubscribes come from mail programs, webmail pages
    // included; their token is the credential, not a cookie.
    let path = request.uri().path();
    let exempt = is_admin_api(path) || path.starts_with("/mail/unsubscribe/");
    if !safe_method && !exempt && is_cross_origin(headers, &state.config.site_origin) {
        tracing::warn!(path = %request.uri().path(), "cross-origin write refused");
        return AppError::Forbidden.into_response();
    }
    next.run(request).await
}

fn is_cross_origin(headers: &HeaderMap, site_origin: &str) -> bool {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null").trim_end_matches('/');
        if !site_origin.is_empty() && origin.eq_ignore_ascii_case(site_origin) {
            return false;
        }
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        return origin_host.is_none() || origin_host != host;
    }
    match headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()) {
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => false,
    }
}

/// The admin and its server functions: per user, never cached. The
/// public API under `/api/v1/` is not among them.
pub fn is_private(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || (path.starts_with("/api/") && !is_public_api(path))
}

pub fn is_public_api(path: &str) -> bool {
    path.strip_prefix(app::content_api::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        && !is_admin_api(path)
}

/// The admin API (`/api/v1/admin/…`): bearer tokens only, private answers.
pub fn is_admin_api(path: &str) -> bool {
    path.strip_prefix(app::content_api::admin::ADMIN_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Headers for every response (`add_headers`).
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let private = is_private(request.uri().path());
    let mut response = next.run(request).await;
    add_headers(response.headers_mut(), private, state.config.secure_cookies);
    response
}

/// No page may be framed; admin responses are never cached. The public
/// cache stores these with each answer, so that a hit has them already.
pub fn add_headers(headers: &mut HeaderMap, private: bool, https: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PUBLIC_CSP));
    }
    // Older scanners and browsers read X-Frame-Options, not frame-ancestors.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("permissions-policy", HeaderValue::from_static(PERMISSIONS_POLICY));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origins_are_compared_with_the_host_and_the_site() {
        let site = "https://blog.example.org";
        assert!(!is_cross_origin(
            &headers(&[("host", "blog.example.org"), ("origin", site)]),
            ""
        ));
        assert!(
            !is_cross_origin(&headers(&[("host", "127.0.0.1:3000"), ("origin", site)]), site),
            "behind a proxy"
        );
        assert!(is_cross_origin(
            &headers(&[("host", "blog.example.org"), ("origin", "https://evil.example")]),
            site
        ));
        assert!(is_cross_origin(
            &headers(&[("host", "blog.example.org"), ("origin", "null")]),
            site
        ));
        assert!(is_cross_origin(
            &headers(&[("host", "blog.example.org"), ("sec-fetch-site", "cross-site")]),
            site
        ));
        assert!(!is_cross_origin(
            &headers(&[("host", "blog.example.org"), ("sec-fetch-site", "same-origin")]),
            site
        ));
    }
}
