use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Backend, Migrated, SETTINGS_COLUMNS, Store};
use crate::error::AppError;
use crate::settings::SiteSettings;
use crate::settings::server::SettingsUpdate;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// SQLite in WAL mode. SQLite allows one writer at a time; instead of letting
/// concurrent requests race for the write lock (and fail with "database is
/// locked"), every write goes through a pool of exactly one connection, so
/// writers queue in the application. Reads use their own pool and, thanks to
/// WAL, never wait for the writer.
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { reader, writer })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        let applied: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.writer)
        .await?;
        MIGRATOR.run(&self.writer).await?;
        Ok(Migrated {
            fresh: applied == 0,
        })
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1 FROM site_settings")
            .fetch_one(&self.reader)
            .await?;
        Ok(())
    }

    async fn site_settings(&self) -> Result<SiteSettings, AppError> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM site_settings WHERE id = 1");
        Ok(sqlx::query_as(&sql).fetch_one(&self.reader).await?)
    }

    async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
    ) -> Result<SiteSettings, AppError> {
        let sql = format!(
            "UPDATE site_settings SET title = $1, description = $2, site_url = $3, \
             time_zone = $4, date_format = $5, updated_at = CURRENT_TIMESTAMP \
             WHERE id = 1 RETURNING {SETTINGS_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(update.title.as_str())
            .bind(update.description.as_str())
            .bind(update.site_url.as_str())
            .bind(update.time_zone.as_str())
            .bind(update.date_format.as_str())
            .fetch_one(&self.writer)
            .await?)
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
