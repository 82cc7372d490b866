use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::task::JoinHandle;

use super::backend::SqlBackend;
use super::changes::{ChangeLog, PublicChange, read_notification};
use super::queries::Queries;
use super::{Backend, Migrated, SessionBackend};
use crate::error::AppError;

const RESET_ID_SEQUENCE: &str = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
     COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)";

const LOCK_USERS: &str = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// PostgreSQL through a connection pool; several Vellum instances may share
/// one database.
pub struct PostgresStore {
    pool: PgPool,
    changes: Arc<ChangeLog>,
    list_marks: super::list_marks::ListMarks,
    /// Connections handed out by the pool (tests check that a cache hit
    /// takes none).
    acquired: Arc<AtomicU64>,
    /// Names this process in its change notifications, so that it skips
    /// its own (it counted them when they committed).
    instance: String,
    /// Hears other instances' changes (`follow_public_changes`).
    listener: JoinHandle<()>,
}

/// The channel on which instances announce changes readers can see; the
/// payload is the announcing instance.
const PUBLIC_CHANNEL: &str = "vellum_public_changed";
const NOTIFY_PUBLIC: &str = "SELECT pg_notify('vellum_public_changed', $1)";

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let acquired = Arc::new(AtomicU64::new(0));
        let pool = super::counting_acquisitions(PgPoolOptions::new(), &acquired)
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        // Listening before the first request is served: nothing rendered
        // here can miss a change made elsewhere.
        let listener = listen(&pool).await?;
        let changes = Arc::new(ChangeLog::default());
        let instance = crate::crypto::random_token();
        let listener = tokio::spawn(follow_public_changes(
            pool.clone(),
            listener,
            changes.clone(),
            instance.clone(),
        ));
        Ok(Self {
            pool,
            changes,
            list_marks: super::list_marks::ListMarks::default(),
            acquired,
            instance,
            listener,
        })
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(PUBLIC_CHANNEL).await?;
    Ok(listener)
}

/// Counts every change another instance announces, so this instance's
/// public cache drops what it rendered before. When the connection is
/// lost, notifications may have been missed: the count goes up then too.
async fn follow_public_changes(pool: PgPool, mut listener: PgListener, changes: Arc<ChangeLog>, instance: String) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let (from, change) = read_notification(notification.payload());
                if from != instance {
                    changes.record(change);
                }
            }
            // The connection dropped (`Ok(None)`) or failed: listen again
            // on a fresh one before counting, so that nothing rendered
            // after the count can miss a change made meanwhile.
            Ok(None) | Err(_) => {
                tracing::warn!("lost the change notifications; listening again");
                loop {
                    match listen(&pool).await {
                        Ok(fresh) => {
                            listener = fresh;
                            break;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot listen for change notifications yet");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
                changes.record(PublicChange::Everything);
            }
        }
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
            bytewise: "COLLATE \"C\"",
            changes: &self.changes,
            list_marks: &self.list_marks,
            notify_public: Some((NOTIFY_PUBLIC, &self.instance)),
            overriding_ids: "OVERRIDING SYSTEM VALUE",
            reset_id_sequence: Some(RESET_ID_SEQUENCE),
            sessions_table: "tower_sessions.session",
        }
    }

    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn public_changes(&self) -> &ChangeLog {
        &self.changes
    }

    fn connections_acquired(&self) -> u64 {
        self.acquired.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn schema_state(&self) -> Result<super::SchemaState, sqlx::Error> {
        let existing: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
            .fetch_one(&self.pool)
            .await?;
        if existing.is_none() {
            return Ok(super::SchemaState::Empty);
        }
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await?;
        Ok(super::SchemaState::compare(&applied, &MIGRATOR))
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

    fn pool_use(&self) -> Vec<super::PoolUse> {
        vec![super::pool_use("main", &self.pool)]
    }

    fn session_backend(&self) -> SessionBackend {
        SessionBackend::Postgres(tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone()))
    }

    async fn backup_into(&self, _path: &std::path::Path) -> Result<(), AppError> {
        Err(AppError::invalid(
            "file",
            "On PostgreSQL, back up with pg_dump (see docs/deployment.md); `vellum backup` copies SQLite databases.",
        ))
    }

    async fn close(&self) {
        // The listener holds a connection; the pool waits for it to close.
        self.listener.abort();
        self.pool.close().await;
    }
}
