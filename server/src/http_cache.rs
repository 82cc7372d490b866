//! Conditional GETs for everything public (pages, feeds, the API): a
//! strong ETag computed from the response body, 304 Not Modified when the
//! client already has it, and the configured `Cache-Control`.

use app::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::security::is_private;

/// Public responses larger than this are passed through without an ETag
/// (the largest public response, a sitemap of 50,000 posts, is smaller).
const MAX_BUFFERED_BYTES: usize = 64 * 1024 * 1024;

/// The compression layer only compresses bodies at least this long.
const MIN_COMPRESSED_BYTES: usize = 32;

/// The `Cache-Control` for public responses given a max-age in seconds.
/// Past the max-age, a cache may serve the old copy for a while longer
/// while it fetches the new one (stale-while-revalidate).
pub fn cache_control(max_age: u32) -> String {
    if max_age == 0 {
        "public, no-cache".to_owned()
    } else {
        format!(
            "public, max-age={max_age}, stale-while-revalidate={}",
            max_age.saturating_mul(10)
        )
    }
}

fn is_conditional_candidate(request: &Request) -> bool {
    let path = request.uri().path();
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !is_private(path)
        && !path.starts_with("/pkg/")
        && !matches!(path, "/healthz" | "/readyz")
}

/// The encoding the compression layer will pick for this request, which
/// is part of the representation: a strong ETag differs per encoding.
fn encoding_suffix(headers: &HeaderMap) -> &'static str {
    let accepted: Vec<String> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter(|item| !item.contains("q=0") || item.contains("q=0."))
        .map(|item| item.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .collect();
    if accepted.iter().any(|encoding| encoding == "br") {
        "-br"
    } else if accepted.iter().any(|encoding| encoding == "gzip") {
        "-gz"
    } else {
        ""
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110
/// asks for this header).
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|candidate| candidate.trim().trim_start_matches("W/"))
            .any(|candidate| candidate == etag)
}

pub async fn conditional_get(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_conditional_candidate(&request) {
        return next.run(request).await;
    }
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let suffix = encoding_suffix(request.headers());
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_BUFFERED_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "public response could not be buffered");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    let suffix = if bytes.len() >= MIN_COMPRESSED_BYTES {
        suffix
    } else {
        ""
    };
    let etag = format!("\"{}{suffix}\"", &digest[..32]);
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    if !parts.headers.contains_key(header::CACHE_CONTROL)
        && let Ok(value) = HeaderValue::from_str(&state.config.public_cache_control)
    {
        parts.headers.insert(header::CACHE_CONTROL, value);
    }
    if if_none_match.is_some_and(|candidates| matches_etag(&candidates, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_forms_match() {
        assert!(matches_etag("\"abc\"", "\"abc\""));
        assert!(matches_etag("\"x\", W/\"abc\"", "\"abc\""));
        assert!(matches_etag("*", "\"abc\""));
        assert!(!matches_etag("\"abcd\"", "\"abc\""));
    }

    #[test]
    fn the_etag_names_the_encoding_the_client_will_get() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0.9"),
        );
        assert_eq!(encoding_suffix(&headers), "-br");
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br;q=0"));
        assert_eq!(encoding_suffix(&headers), "-gz");
        assert_eq!(encoding_suffix(&HeaderMap::new()), "");
    }

    #[test]
    fn cache_control_follows_the_max_age() {
        assert_eq!(cache_control(0), "public, no-cache");
        assert_eq!(cache_control(60), "public, max-age=60, stale-while-revalidate=600");
    }
}
