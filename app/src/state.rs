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
}

impl RuntimeConfig {
    /// Compares digests, so the comparison takes the same time whatever
    /// prefix of the token a guess gets right.
    pub fn setup_token_matches(&self, candidate: &str) -> bool {
        use crate::crypto::token_digest;
        !self.setup_token.is_empty() && token_digest(candidate) == token_digest(&self.setup_token)
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
