//! The optional content key of the public API: when an admin sets one,
//! API reads must carry it (`?key=…` or `X-Content-Key`), or get 401.
//! The OpenAPI document stays readable, so front ends can learn how.

use std::sync::{Arc, Mutex, PoisonError};

use app::content_api::problem::Problem;
use app::domain::ContentKeys;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The keys as last read from the settings, with the store's public
/// version at that time: a settings change moves the version, so the keys
/// are read again only after a change.
#[derive(Default)]
pub struct KnownKey(Mutex<Option<(u64, ContentKeys)>>);

impl KnownKey {
    async fn current(&self, state: &AppState) -> Result<ContentKeys, app::error::AppError> {
        let version = state.store.public_version();
        if let Some((known_at, keys)) = self.0.lock().unwrap_or_else(PoisonError::into_inner).as_ref()
            && *known_at == version
        {
            return Ok(keys.clone());
        }
        let keys = state.store.content_keys().await?;
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((version, keys.clone()));
        Ok(keys)
    }
}

/// The key a request carries, from the query or the header.
fn presented(request: &Request) -> Option<String> {
    let from_query = request.uri().query().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "key")
            .map(|(_, value)| value.into_owned())
    });
    from_query.or_else(|| {
        request
            .headers()
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

pub async fn require(State(state): State<AppState>, known: Arc<KnownKey>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let exempt = !crate::security::is_public_api(path)
        || request.method() == Method::OPTIONS
        || path == format!("{}/openapi.json", app::content_api::PREFIX);
    if exempt {
        return next.run(request).await;
    }
    let keys = match known.current(&state).await {
        Ok(keys) => keys,
        Err(error) => return Problem::from(error).into_response(),
    };
    let accepted = keys.accepted_at(state.clock.now());
    if accepted.is_empty() {
        return next.run(request).await;
    }
    // After a change the previous key works too, for the overlap.
    let opens = |presented: &str| accepted.iter().any(|key| same_key(presented, key));
    if presented(&request).is_some_and(|presented| opens(&presented)) {
        let mut response = next.run(request).await;
        // A shared cache must not hand an answer fetched with the header
        // to a client without it.
        response.headers_mut().append(
            axum::http::header::VARY,
            axum::http::HeaderValue::from_static("X-Content-Key"),
        );
        return response;
    }
    Problem::content_key_required().into_response()
}
