use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::backend::SqlBackend;
use super::queries::Queries;
use super::{Backend, Migrated, SessionBackend};
use crate::error::AppError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// SQLite in WAL mode. SQLite allows one writer at a time; instead of letting
/// concurrent requests race for the write lock (and fail with "database is
/// locked"), every write goes through a pool of exactly one connection, so
/// writers queue in the application. Reads use their own pool and, thanks to
/// WAL, never wait for the writer.
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    public_version: AtomicU64,
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
        Ok(Self {
            reader,
            writer,
            public_version: AtomicU64::new(0),
        })
    }
}

#[async_trait]
impl SqlBackend for SqliteStore {
    type Db = sqlx::Sqlite;

    fn queries(&self) -> Queries<'_, sqlx::Sqlite> {
        Queries {
            reader: &self.reader,
            writer: &self.writer,
            lock_users: None,
            // One writer at a time: nothing to skip.
            skip_locked: "",
            search: &super::search::SQLITE,
            public_version: &self.public_version,
            // One process owns a SQLite file: nobody else to tell.
            notify_public: None,
            overriding_ids: "",
            reset_id_sequence: None,
        }
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn public_version(&self) -> u64 {
        self.public_version.load(Ordering::SeqCst)
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        let applied: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.writer)
                .await?;
        MIGRATOR.run(&self.writer).await?;
        self.session_backend().migrate().await?;
        Ok(Migrated { fresh: applied == 0 })
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1 FROM site_settings")
            .fetch_one(&self.reader)
            .await?;
        Ok(())
    }

    fn session_backend(&self) -> SessionBackend {
        SessionBackend::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(self.writer.clone()))
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// `VACUUM INTO` reads one snapshot of the database (WAL lets writes go
    /// on meanwhile) and writes it compacted to a new file. It runs on a
    /// reader connection, so the site's single writer is not held up.
    async fn backup_into(&self, path: &std::path::Path) -> Result<(), AppError> {
        let target = path
            .to_str()
            .ok_or_else(|| AppError::invalid("file", "Use a file name that is valid text."))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.reader).await?;
        Ok(())
    }
}
