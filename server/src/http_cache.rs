//! Everything public (pages, feeds, the API) goes through here: answered
//! from the in-process cache (`app::cache`) in the encoding the client
//! asked for, compressed once when stored, with a strong ETag per
//! encoding, 304 Not Modified when the client already has it, and the
//! configured `Cache-Control`. HEAD gets the same headers as GET.
//!
//! After a change, the entries it touched are rendered again in the
//! background (`app::cache::Renewals`), through the same routes, while
//! readers get the previous render for at most `app::cache::STALE_FOR`;
//! the request that made the change (an admin's save) waits for them, so
//! its author sees the change on the next page they open.

use std::borrow::Cow;
use std::io::Write;
use std::time::Instant;

use app::cache::{CachedResponse, Encoding, Lookup, Renewal, Variant};
use app::state::AppState;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

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

pub fn is_conditional_candidate(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && !is_private(path)
        && !path.starts_with("/pkg/")
        && !path.starts_with("/media/")
        && !matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The encoding to answer with: brotli when accepted, then gzip.
pub fn preferred_encoding(headers: &HeaderMap) -> Encoding {
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
                return Encoding::Brotli;
            }
            // x-gzip is gzip's old name (RFC 9110), which the compression
            // layer accepts too.
            gzip |= name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip");
        }
    }
    if gzip { Encoding::Gzip } else { Encoding::Identity }
}

/// Part of the ETag: a strong ETag differs per encoding.
fn etag_suffix(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Identity => "",
        Encoding::Gzip => "-gz",
        Encoding::Brotli => "-br",
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110
/// asks for this header).
pub fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|candidate| candidate.trim().trim_start_matches("W/"))
            .any(|candidate| candidate == etag)
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
/// blog's `page` and `q`, the API list's `PostListParams`, `theme.css`'s
/// `accent`), or one value's answer would be served for another's, a 400
/// included. (`key` is checked before the cache.)
const KEYED_PARAMS: [&str; 7] = ["page", "limit", "tag", "author", "updated_since", "accent", "q"];

/// The path, the known parameters in one order, and for the API (whose
/// CORS answers differ by origin) the Origin. Pages and feeds are the
/// same whoever asks, so their key holds no header. Most keys are the
/// path alone, borrowed.
pub fn cache_key<'a>(uri: &'a Uri, headers: &HeaderMap) -> Cow<'a, str> {
    let path = uri.path();
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        // An Origin is one token; anything else is no origin CORS answers.
        .filter(|origin| is_public_api(path) && !origin.contains(char::is_whitespace));
    if uri.query().is_none() && origin.is_none() {
        return Cow::Borrowed(path);
    }
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
    let mut key = match origin {
        Some(origin) => format!("{origin} {path}"),
        None => path.to_owned(),
    };
    if !params.is_empty() {
        key.push('?');
        key.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish(),
        );
    }
    Cow::Owned(key)
}

/// After a request that may have changed what readers see (anything but
/// a read), waits for the touched pages to be rendered again: whoever
/// saved a post sees it on the next page they open.
pub async fn settle_after_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let read = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let before = state.store.public_version();
    let response = next.run(request).await;
    // Only a request that changed what readers see waits (sign-ins and
    // drafts' autosaves do not).
    if !read && state.store.public_version() != before {
        app::cache::settle(&state).await;
    }
    response
}

pub async fn conditional_get(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !is_conditional_candidate(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let encoding = preferred_encoding(request.headers());
    let renewal = request.extensions().get::<Renewal>().is_some();
    let key = cache_key(request.uri(), request.headers()).into_owned();
    let cache = state.public_cache.clone();
    // Read before rendering: a change during the render makes the result
    // stale at once, and the cache then refuses it.
    let version = if cache.is_on() {
        app::cache::catch_up(&state).await
    } else {
        0
    };
    if cache.is_on() && !renewal {
        match cache.get(&key) {
            Lookup::Hit(hit) => return respond(hit.variant(encoding), "HIT", if_none_match.as_deref()),
            Lookup::Stale(old, renew) => {
                if let Some(key) = renew {
                    cache.renewals.start(vec![key]);
                }
                return respond(old.variant(encoding), "STALE", if_none_match.as_deref());
            }
            Lookup::Miss => {}
        }
    }
    // HEAD is answered from what GET renders, so that it has the same
    // headers; the server leaves the body out.
    *request.method_mut() = Method::GET;
    let started = Instant::now();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    crate::metrics::record_render(crate::metrics::route_class(&path), started.elapsed().as_secs_f64());
    if response.status() != StatusCode::OK {
        if renewal {
            cache.forget(&key);
        }
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
    if !parts.headers.contains_key(header::CACHE_CONTROL)
        && let Ok(value) = HeaderValue::from_str(&state.config.public_cache_control)
    {
        parts.headers.insert(header::CACHE_CONTROL, value);
    }
    if !cache.is_on() || is_private_answer(&parts.headers) {
        if renewal {
            cache.forget(&key);
        }
        // The compression layer compresses it on the way out.
        let variant = uncompressed(parts.headers, bytes, encoding);
        return respond(&variant, "MISS", if_none_match.as_deref());
    }
    // A hit may be answered before the layers that add these
    // (`cache_hits`): they are stored with it.
    crate::security::add_headers(&mut parts.headers, false, state.config.secure_cookies);
    // Compressing a large feed takes a while: not on a runtime worker.
    let headers = parts.headers.clone();
    let compressing = tokio::task::spawn_blocking(move || stored_response(&headers, &bytes));
    let Ok((stored, compressions)) = compressing.await else {
        tracing::error!("compressing a public response failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    cache.count_compressions(compressions);
    let answer = stored.variant(encoding).clone();
    let next_publication = if cache.needs_horizon() {
        state.store.next_public_change_after(state.clock.now()).await.ok()
    } else {
        None
    };
    cache.insert(key, stored, version, next_publication);
    respond(&answer, "MISS", if_none_match.as_deref())
}

/// Whether a body of this type gains from compression (text, not images).
fn is_compressible(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    content_type.starts_with("text/")
        || ["json", "xml", "javascript", "svg"]
            .iter()
            .any(|kind| content_type.contains(kind))
}

fn digest(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))[..32].to_owned()
}

/// The answer as the compression layer will send it: the ETag names the
/// encoding it will use.
fn uncompressed(mut headers: HeaderMap, body: Bytes, encoding: Encoding) -> Variant {
    let compressed_later = body.len() >= MIN_COMPRESSED_BYTES && is_compressible(&headers);
    let suffix = if compressed_later { etag_suffix(encoding) } else { "" };
    set_etag(&mut headers, &digest(&body), suffix);
    Variant { headers, body }
}

fn set_etag(headers: &mut HeaderMap, digest: &str, suffix: &str) {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{digest}{suffix}\"")) {
        headers.insert(header::ETAG, value);
    }
}

/// Every encoding of an answer, with the headers a hit writes; and how
/// many bodies were compressed for it.
fn stored_response(headers: &HeaderMap, body: &Bytes) -> (CachedResponse, u64) {
    let digest = digest(body);
    let compress = body.len() >= MIN_COMPRESSED_BYTES && is_compressible(headers);
    let variant = |encoding: Encoding, encoded: Bytes| {
        let mut headers = headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(encoded.len()));
        if compress {
            headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        let (name, suffix) = match encoding {
            Encoding::Identity => (None, ""),
            Encoding::Gzip => (Some("gzip"), "-gz"),
            Encoding::Brotli => (Some("br"), "-br"),
        };
        if let Some(name) = name.filter(|_| compress) {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        set_etag(&mut headers, &digest, if compress { suffix } else { "" });
        headers.insert(X_CACHE, HeaderValue::from_static("HIT"));
        Variant { headers, body: encoded }
    };
    if !compress {
        let identity = variant(Encoding::Identity, body.clone());
        let response = CachedResponse {
            variants: [identity.clone(), identity.clone(), identity],
        };
        return (response, 0);
    }
    let identity = variant(Encoding::Identity, body.clone());
    // Should an encoder fail, that encoding is answered uncompressed.
    let or_identity = |encoding, encoded: Option<Bytes>| {
        encoded.map_or_else(|| identity.clone(), |encoded| variant(encoding, encoded))
    };
    let response = CachedResponse {
        variants: [
            identity.clone(),
            or_identity(Encoding::Gzip, gzip(body)),
            or_identity(Encoding::Brotli, brotli(body)),
        ],
    };
    (response, 2)
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(6));
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

/// Brotli at quality 9 for pages (done once per stored answer, so the
/// smaller body is worth a few milliseconds more than an on-the-fly
/// level), 5 for the largest answers (sitemaps, long feeds); the window
/// no larger than the body needs.
fn brotli(body: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(body.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: if body.len() <= 1024 * 1024 { 9 } else { 5 },
        lgwin: i32::try_from((usize::BITS - body.len().leading_zeros()).clamp(10, 22)).unwrap_or(22),
        ..Default::default()
    };
    let mut input = body;
    brotli::BrotliCompress(&mut input, &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

/// The variant with `x-cache` saying where it came from, or 304 when the
/// client's copy has the same ETag.
pub fn respond(variant: &Variant, source: &'static str, if_none_match: Option<&str>) -> Response {
    let mut headers = variant.headers.clone();
    headers.insert(X_CACHE, HeaderValue::from_static(source));
    let not_modified = if_none_match.is_some_and(|candidates| {
        headers
            .get(header::ETAG)
            .and_then(|etag| etag.to_str().ok())
            .is_some_and(|etag| matches_etag(candidates, etag))
    });
    let (status, body) = if not_modified {
        headers.remove(header::CONTENT_LENGTH);
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        (StatusCode::OK, Body::from(variant.body.clone()))
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
        assert_eq!(preferred_encoding(&headers), Encoding::Brotli);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, br;q=0"));
        assert_eq!(preferred_encoding(&headers), Encoding::Gzip);
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("x-gzip"));
        assert_eq!(preferred_encoding(&headers), Encoding::Gzip);
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn cache_control_follows_the_max_age() {
        assert_eq!(cache_control(0), "public, no-cache");
        assert_eq!(cache_control(60), "public, max-age=60, stale-while-revalidate=600");
    }
}
