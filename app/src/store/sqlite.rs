use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::task::JoinHandle;

use super::backend::SqlBackend;
use super::changes::{ChangeLog, PublicChange};
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
    changes: Arc<ChangeLog>,
    list_marks: super::list_marks::ListMarks,
    /// Connections handed out by both pools (tests check that a cache hit
    /// takes none).
    acquired: Arc<AtomicU64>,
    /// Notices what other processes commit (`follow_other_writers`).
    watcher: JoinHandle<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let acquired = Arc::new(AtomicU64::new(0));
        let writer = super::counting_acquisitions(SqlitePoolOptions::new(), &acquired)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let reader = super::counting_acquisitions(SqlitePoolOptions::new(), &acquired)
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        let changes = Arc::new(ChangeLog::default());
        let watcher = tokio::spawn(follow_other_writers(writer.clone(), changes.clone()));
        Ok(Self {
            reader,
            writer,
            changes,
            list_marks: super::list_marks::ListMarks::default(),
            acquired,
            watcher,
        })
    }
}

/// The command line (`vellum import`, `vellum user add`, …) writes to the
/// file from another process, which the public cache would not hear of.
/// SQLite's `data_version` moves when a connection other than the one
/// asking commits; asked on the writer (this process's only writing
/// connection) once a second, it moves only for other processes' commits.
async fn follow_other_writers(writer: SqlitePool, changes: Arc<ChangeLog>) {
    let mut seen = None;
    loop {
        let asked = super::uncounted(sqlx::query_scalar::<_, i64>("PRAGMA data_version").fetch_one(&writer));
        if let Ok(version) = asked.await {
            if seen.is_some_and(|seen| seen != version) {
                // What another process changed is not known here.
                changes.record(PublicChange::Everything);
            }
            seen = Some(version);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
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
            bytewise: "COLLATE BINARY",
            changes: &self.changes,
            list_marks: &self.list_marks,
            // One process owns a SQLite file: nobody else to tell.
            notify_public: None,
            overriding_ids: "",
            reset_id_sequence: None,
            sessions_table: "tower_sessions",
        }
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn public_changes(&self) -> &ChangeLog {
        &self.changes
    }

    fn connections_acquired(&self) -> u64 {
        self.acquired.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn schema_state(&self) -> Result<super::SchemaState, sqlx::Error> {
        let tables: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.reader)
                .await?;
        if tables == 0 {
            return Ok(super::SchemaState::Empty);
        }
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.reader)
            .await?;
        Ok(super::SchemaState::compare(&applied, &MIGRATOR))
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

    fn pool_use(&self) -> Vec<super::PoolUse> {
        vec![
            super::pool_use("reader", &self.reader),
            super::pool_use("writer", &self.writer),
        ]
    }

    fn session_backend(&self) -> SessionBackend {
        SessionBackend::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(self.writer.clone()))
    }

    async fn close(&self) {
        self.watcher.abort();
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

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}
