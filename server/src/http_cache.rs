//! Everything public (pages, feeds, the API) goes through here: answered
//! from the in-process cache when nothing changed since it was rendered
//! (`app::cache`), with a strong ETag computed from the body, 304 Not
//! Modified when the client already has it, and the configured
//! `Cache-Control`.

use app::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use app::cache::CachedResponse;

use crate::security::{is_private, is_public_api};

/// Public responses larger than this are passed through without an ETag
/// (the largest public response, a sitemap of 50,000 posts, is smaller).
const MAX_BUFFERED_BYTES: usize = 64 * 1024 * 1024;

/// Says whether the in-process cache answered (HIT) or the page was
/// rendered (MISS), as caching proxies do; operators and tests read it.
const X_CACHE: &str = "x-cache";

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
    // HEAD is answered without a body to hash: no ETag for it.
    request.method() == Method::GET
        && !is_private(path)
        && !path.starts_with("/pkg/")
        && !path.starts_with("/media/")
        && !matches!(path, "/healthz" | "/readyz")
}

/// The encoding the compression layer will pick for this request, which
/// is part of the representation: a strong ETag differs per encoding.
fn encoding_suffix(headers: &HeaderMap) -> &'static str {
    // Called on every public request: no allocation.
    let mut gzip = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|part| {
                part.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
            });
            if refused {
                continue;
            }
            if name.eq_ignore_ascii_case("br") {
                return "-br";
            }
            gzip |= name.eq_ignore_ascii_case("gzip");
        }
    }
    if gzip { "-gz" } else { "" }
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

/// Whether a public request's answer may be kept in the in-process cache.
/// Search results are not: every query is its own page, and few repeat.
fn is_cacheable(request: &Request) -> bool {
    let uri = request.uri();
    let searching = uri.path() == "/search"
        || uri
            .query()
            .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("q=")));
    !searching
}

/// Whether the handler said its answer is for this client only (previews:
/// a revoked link must stop working at once), which no cache may keep.
fn is_private_answer(headers: &HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("private") || value.contains("no-store"))
}

/// The query parameters that change a public answer. Any other is left out
/// of the cache key: `/feed.xml?x=1`, `?x=2`, … are one entry, not one
/// render each. Every parameter a cached handler reads must be here (the
/// blog's `page`, the API list's `PostListParams`, `theme.css`'s
/// `accent`), or one value's answer would be served for another's, a 400
/// included. (`q` is never cached; `key` is checked before the cache.)
const KEYED_PARAMS: [&str; 6] = ["page", "limit", "tag", "author", "updated_since", "accent"];

/// The path, the known parameters in one order, and for the API (whose
/// CORS answers differ by origin) the Origin. Pages and feeds are the
/// same whoever asks, so their key holds no header.
fn cache_key(request: &Request) -> String {
    let uri = request.uri();
    let mut params: Vec<(String, String)> = uri
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| KEYED_PARAMS.contains(&name.as_ref()))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    params.sort();
    let mut key = uri.path().to_owned();
    if !params.is_empty() {
        key.push('?');
        key.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish(),
        );
    }
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok());
    match origin {
        Some(origin) if is_public_api(uri.path()) => format!("{origin} {key}"),
        _ => key,
    }
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
    let cacheable = is_cacheable(&request);
    let key = cache_key(&request);
    let now = state.clock.now();
    // Read before rendering: a change during the render makes the result
    // stale at once, and the cache then refuses it.
    let version = state.store.public_version();
    if cacheable && let Some(hit) = state.public_cache.get(&key, version, now) {
        let mut headers = hit.headers.clone();
        headers.insert(X_CACHE, HeaderValue::from_static("HIT"));
        return respond(headers, hit.body.clone(), &hit.etag, suffix, if_none_match.as_deref());
    }
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
    let etag = hex::encode(Sha256::digest(&bytes))[..32].to_owned();
    if !parts.headers.contains_key(header::CACHE_CONTROL)
        && let Ok(value) = HeaderValue::from_str(&state.config.public_cache_control)
    {
        parts.headers.insert(header::CACHE_CONTROL, value);
    }
    if cacheable && !is_private_answer(&parts.headers) {
        let next_publication = if state.public_cache.needs_horizon() {
            state.store.next_public_change_after(now).await.ok()
        } else {
            None
        };
        let entry = CachedResponse {
            headers: parts.headers.clone(),
            body: bytes.clone(),
            etag: etag.clone(),
        };
        state.public_cache.insert(key, entry, version, now, next_publication);
    }
    parts.headers.insert(X_CACHE, HeaderValue::from_static("MISS"));
    respond(parts.headers, bytes, &etag, suffix, if_none_match.as_deref())
}

/// The response, or 304 when the client's copy has the same ETag. The
/// ETag names the encoding the compression layer will use.
fn respond(
    mut headers: HeaderMap,
    body: axum::body::Bytes,
    digest: &str,
    suffix: &str,
    if_none_match: Option<&str>,
) -> Response {
    let suffix = if body.len() >= MIN_COMPRESSED_BYTES { suffix } else { "" };
    let etag = format!("\"{digest}{suffix}\"");
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    let (status, body) = if if_none_match.is_some_and(|candidates| matches_etag(candidates, &etag)) {
        headers.remove(header::CONTENT_LENGTH);
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        (StatusCode::OK, Body::from(body))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
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
