//! The state every request can reach: through axum's `State` in handlers
//! and through Leptos context in server functions. There is no global pool.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;

use crate::clock::Clock;
use crate::error::AppError;
use crate::store::Store;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub config: Arc<RuntimeConfig>,
    /// Every "now" of the server comes from here.
    pub clock: Arc<dyn Clock>,
    /// Rendered public responses (see `cache`).
    pub public_cache: Arc<crate::cache::PublicCache>,
    /// Where media files are kept.
    pub media: crate::store::files::MediaStorage,
}

/// Settings fixed for the life of the process.
#[derive(Debug, Clone, Default)]
pub struct RuntimeConfig {
    /// Take the client address from X-Forwarded-For (only behind a reverse
    /// proxy that sets it).
    pub trust_proxy: bool,
    /// Session cookies get the Secure flag (the site URL is https).
    pub secure_cookies: bool,
    /// The site URL's origin (scheme, host, port), for the CSRF check.
    pub site_origin: String,
    /// The one-time token of `/admin/setup`, printed to the log at start.
    pub setup_token: String,
    /// The `Cache-Control` of public pages, feeds and API responses.
    pub public_cache_control: String,
    /// Origins whose scripts may read the public API; `*` for any.
    pub api_cors_origins: Vec<String>,
    /// Public API requests per minute per client address; 0 for no limit.
    pub api_rate_limit: u32,
    /// Admin API requests per minute per token; 0 for no limit.
    pub api_token_rate_limit: u32,
    /// Webhooks may reach loopback and private networks.
    pub webhooks_allow_private: bool,
    /// The largest upload accepted, in bytes.
    pub media_max_bytes: usize,
    /// The most pixels (width × height) an uploaded image may have.
    pub media_max_pixels: u64,
    /// Outgoing email; `None` when it is off (no `VELLUM_SMTP_URL`).
    pub mail: Option<MailSettings>,
    /// `/metrics` is served (`VELLUM_METRICS_ADDR` or `_TOKEN`), so
    /// requests are counted; off, the server does no metrics work.
    pub metrics_on: bool,
    /// The digest of `VELLUM_METRICS_TOKEN`: `/metrics` on the main
    /// address answers its bearer only.
    pub metrics_token_digest: Option<String>,
    /// The site's style sheet as read at start, under its hashed name.
    pub stylesheet: Stylesheet,
}

impl RuntimeConfig {
    /// Compares digests, so the comparison takes the same time whatever
    /// prefix of the token a guess gets right.
    pub fn setup_token_matches(&self, candidate: &str) -> bool {
        use crate::crypto::token_digest;
        !self.setup_token.is_empty() && token_digest(candidate) == token_digest(&self.setup_token)
    }

    /// Whether `candidate` is the metrics token, compared as digests too.
    pub fn metrics_token_matches(&self, candidate: &str) -> bool {
        self.metrics_token_digest
            .as_deref()
            .is_some_and(|digest| crate::crypto::token_digest(candidate) == digest)
    }
}

/// The state inside a server function or a Leptos-rendered page.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from Leptos context"))
}

/// Where Vellum sends from, and through which server; `None` in the
/// runtime config when email is off.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://` or `smtps://` with the credentials; never logged.
    pub smtp_url: String,
    /// `VELLUM_MAIL_FROM`: an address, or `Name <address>`.
    pub from: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The site's style sheet (`pkg/vellum.css`), read once at start and served
/// at an address made from its content's hash (`/assets/vellum-<hash>.css`),
/// so browsers may keep it for a year: a new sheet is a new address. Empty
/// when the site folder has none (a server without a built front end):
/// pages then link `/pkg/vellum.css`.
#[derive(Clone, Default)]
pub struct Stylesheet {
    /// `/assets/vellum-<hash>.css`, or empty.
    pub path: String,
    /// Exactly the bytes whose hash `path` names.
    pub css: axum::body::Bytes,
}

impl Stylesheet {
    /// The sheet's own address, which always serves the current file.
    pub const UNHASHED: &str = "/pkg/vellum.css";

    /// The sheet with these bytes, at the address their hash names.
    pub fn new(css: Vec<u8>) -> Self {
        use sha2::{Digest, Sha256};
        // 64 bits of the digest: no two builds of one site collide.
        let hash = hex::encode(&Sha256::digest(&css)[..8]);
        Self {
            path: format!("/assets/vellum-{hash}.css"),
            css: css.into(),
        }
    }

    /// Reads `pkg/vellum.css` in the site folder. A server without a built
    /// front end (the HTTP tests) has none: its pages link the unhashed
    /// address, which answers 404 there too.
    pub fn read(site_root: &std::path::Path) -> Self {
        let file = site_root.join("pkg").join("vellum.css");
        match std::fs::read(&file) {
            Ok(css) => Self::new(css),
            Err(error) => {
                tracing::warn!(%error, "no style sheet at {}: pages link {}", file.display(), Self::UNHASHED);
                Self::default()
            }
        }
    }

    /// What pages link: the hashed address when there is one.
    pub fn href(&self) -> &str {
        if self.path.is_empty() {
            Self::UNHASHED
        } else {
            &self.path
        }
    }
}

impl std::fmt::Debug for Stylesheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stylesheet")
            .field("path", &self.path)
            .field("bytes", &self.css.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Stylesheet;

    #[test]
    fn a_new_style_sheet_is_a_new_address() {
        let sheet = Stylesheet::new(b"body { margin: 0 }".to_vec());
        assert!(sheet.href().starts_with("/assets/vellum-") && sheet.href().ends_with(".css"));
        assert_eq!(sheet.href(), Stylesheet::new(b"body { margin: 0 }".to_vec()).href());
        assert_ne!(sheet.href(), Stylesheet::new(b"body { margin: 1px }".to_vec()).href());
        assert_eq!(Stylesheet::default().href(), "/pkg/vellum.css");
        assert_eq!(
            Stylesheet::read(std::path::Path::new("/nonexistent")).href(),
            "/pkg/vellum.css"
        );
    }
}
