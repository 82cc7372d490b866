use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::backend::SqlBackend;
use super::queries::Queries;
use super::{Backend, Migrated, SessionBackend};
use crate::error::AppError;

const LOCK_USERS: &str = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE";

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
impl SqlBackend for PostgresStore {
    type Db = sqlx::Postgres;

    fn queries(&self) -> Queries<'_, sqlx::Postgres> {
        Queries {
            reader: &self.pool,
            writer: &self.pool,
            lock_users: Some(LOCK_USERS),
            skip_locked: "FOR UPDATE SKIP LOCKED",
            search: &super::search::POSTGRES,
        }
    }

    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        let existing: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
            .fetch_one(&self.pool)
            .await?;
        MIGRATOR.run(&self.pool).await?;
        self.session_backend().migrate().await?;
        Ok(Migrated {
            fresh: existing.is_none(),
        })
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1 FROM site_settings").fetch_one(&self.pool).await?;
        Ok(())
    }

    fn session_backend(&self) -> SessionBackend {
        SessionBackend::Postgres(tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone()))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
