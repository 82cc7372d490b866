//! Storage: one trait with intent-named methods and one implementation per
//! database. Which one runs is decided by the scheme of the database URL.
//!
//! Every query uses `$1`-style placeholders, which both SQLite and
//! PostgreSQL accept, and runtime `query_as` (no compile-time database).

mod postgres;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::AppError;
use crate::settings::SiteSettings;
use crate::settings::server::SettingsUpdate;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(format!(
                "unsupported database URL \"{url}\": use sqlite://path/to/file.db or postgres://user@host/db"
            )),
        }
    }
}

/// What happened when migrations ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// True when the database had no Vellum schema before.
    pub fresh: bool,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Applies the migrations embedded in the binary that have not run yet.
    async fn migrate(&self) -> Result<Migrated, sqlx::Error>;

    /// Answers when the database does: the readiness probe.
    async fn ping(&self) -> Result<(), AppError>;

    async fn site_settings(&self) -> Result<SiteSettings, AppError>;

    async fn update_site_settings(&self, update: &SettingsUpdate)
    -> Result<SiteSettings, AppError>;

    /// Waits for open connections to finish and closes them.
    async fn close(&self);
}

/// Connects to the database that `url` names.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, ConnectError> {
    match Backend::from_url(url).map_err(ConnectError::Url)? {
        Backend::Sqlite => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Backend::Postgres => Ok(Arc::new(PostgresStore::connect(url).await?)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Url(String),
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The columns of the settings row, in the order `SiteSettings` expects.
const SETTINGS_COLUMNS: &str = "title, description, site_url, time_zone, date_format";
