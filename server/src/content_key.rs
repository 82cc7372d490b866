//! The optional content key of the public API: when an admin sets one,
//! API reads must carry it (`?key=…` or `X-Content-Key`), or get 401.
//! The OpenAPI document stays readable, so front ends can learn how.

use std::sync::{Arc, Mutex, PoisonError};

use app::content_api::problem::Problem;
use app::domain::ContentKeys;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The keys as last read from the settings, with the store's public
/// version at that time: a settings change moves the version, so the keys
/// are read again only after a change.
#[derive(Default)]
pub struct KnownKey(Mutex<Option<(u64, ContentKeys)>>);

impl KnownKey {
    /// The keys, when they were read at the store's `version`.
    pub fn known_at(&self, version: u64) -> Option<ContentKeys> {
        let known = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        known
            .as_ref()
            .filter(|(known_at, _)| *known_at == version)
            .map(|(_, keys)| keys.clone())
    }

    async fn current(&self, state: &AppState) -> Result<ContentKeys, app::error::AppError> {
        let version = state.store.public_version();
        if let Some(keys) = self.known_at(version) {
            return Ok(keys);
        }
        let keys = state.store.content_keys().await?;
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((version, keys.clone()));
        Ok(keys)
    }
}

/// Whether a request may read the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No key is needed for it.
    Open,
    /// It carries an accepted key (a shared cache must keep the answer
    /// apart from the one given without it).
    OpenedByKey,
    Refused,
}

/// Whether the key is needed at all: only API reads, not the OpenAPI
/// document (front ends learn from it how to send the key), nor CORS's
/// preflight.
pub fn needs_key(method: &Method, path: &str) -> bool {
    crate::security::is_public_api(path)
        && method != Method::OPTIONS
        && path.strip_prefix(app::content_api::PREFIX) != Some("/openapi.json")
}

/// The verdict on a request that needs the key, given the keys.
pub fn verdict(keys: &ContentKeys, now: chrono::DateTime<chrono::Utc>, parts: &Parts) -> Verdict {
    let accepted = keys.accepted_at(now);
    if accepted.is_empty() {
        return Verdict::Open;
    }
    // After a change the previous key works too, for the overlap.
    let opens = |presented: &str| accepted.iter().any(|key| same_key(presented, key));
    if presented(parts).is_some_and(|presented| opens(&presented)) {
        Verdict::OpenedByKey
    } else {
        Verdict::Refused
    }
}

/// The key a request carries, from the query or the header.
fn presented(parts: &Parts) -> Option<String> {
    let from_query = parts.uri.query().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned())
    });
    from_query.or_else(|| {
        parts
            .headers
            .get("x-content-key")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    })
}

/// Digests are compared, so the time taken says nothing about how much
/// of a guess was right.
fn same_key(presented: &str, key: &str) -> bool {
    Sha256::digest(presented.as_bytes()) == Sha256::digest(key.as_bytes())
}

/// Says that an answer depends on the key header.
pub fn vary_on_key(response: &mut Response) {
    response.headers_mut().append(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("X-Content-Key"),
    );
}

pub async fn require(State(state): State<AppState>, known: Arc<KnownKey>, request: Request, next: Next) -> Response {
    if !needs_key(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let keys = match known.current(&state).await {
        Ok(keys) => keys,
        Err(error) => return Problem::from(error).into_response(),
    };
    let (parts, body) = request.into_parts();
    match verdict(&keys, state.clock.now(), &parts) {
        Verdict::Open => next.run(Request::from_parts(parts, body)).await,
        Verdict::OpenedByKey => {
            let mut response = next.run(Request::from_parts(parts, body)).await;
            vary_on_key(&mut response);
            response
        }
        Verdict::Refused => Problem::content_key_required().into_response(),
    }
}
