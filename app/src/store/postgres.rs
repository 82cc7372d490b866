use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::{Backend, Migrated, SETTINGS_COLUMNS, Store};
use crate::error::AppError;
use crate::settings::SiteSettings;
use crate::settings::server::SettingsUpdate;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// PostgreSQL through a connection pool; several Vellum instances may share
/// one database.
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        let existing: Option<String> =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
                .fetch_one(&self.pool)
                .await?;
        MIGRATOR.run(&self.pool).await?;
        Ok(Migrated {
            fresh: existing.is_none(),
        })
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1 FROM site_settings")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    async fn site_settings(&self) -> Result<SiteSettings, AppError> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM site_settings WHERE id = 1");
        Ok(sqlx::query_as(&sql).fetch_one(&self.pool).await?)
    }

    async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
    ) -> Result<SiteSettings, AppError> {
        let sql = format!(
            "UPDATE site_settings SET title = $1, description = $2, site_url = $3, \
             time_zone = $4, date_format = $5, updated_at = now() \
             WHERE id = 1 RETURNING {SETTINGS_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(update.title.as_str())
            .bind(update.description.as_str())
            .bind(update.site_url.as_str())
            .bind(update.time_zone.as_str())
            .bind(update.date_format.as_str())
            .fetch_one(&self.pool)
            .await?)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
