//! Shared by the integration suites: a fresh database per test, on SQLite
//! (a file in a temporary folder) or PostgreSQL (a new database on the
//! server at `VELLUM_TEST_POSTGRES_URL`, dropped afterwards).
#![allow(dead_code)] // each suite uses its own part of this module

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use tempfile::TempDir;

const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    url: String,
    dir: TempDir,
    postgres: Option<PostgresDb>,
}

struct PostgresDb {
    admin_url: String,
    name: String,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = TempDir::new().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("vellum.db").display());
        Self {
            url,
            dir,
            postgres: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a loud SKIPPED line)
    /// when no server answers. Under `CI=true` a missing server fails.
    pub async fn postgres() -> Option<Self> {
        let admin_url =
            std::env::var("VELLUM_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN_URL.to_owned());
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(connection) => connection,
            Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL is required when CI=true, but {admin_url} did not answer: {error}")
            }
            Err(error) => {
                eprintln!("\n*** SKIPPED: PostgreSQL test, no server at {admin_url}: {error} ***\n");
                return None;
            }
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "vellum_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        );
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').expect("the admin URL names a database");
        Some(Self {
            url: format!("{base}/{name}"),
            dir: TempDir::new().expect("temporary folder"),
            postgres: Some(PostgresDb { admin_url, name }),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A `count(*)` read outside the store.
    pub async fn count(&self, query: &str) -> i64 {
        if self.is_postgres() {
            let mut connection = PgConnection::connect(&self.url).await.expect("connect");
            sqlx::query_scalar(query)
                .fetch_one(&mut connection)
                .await
                .expect("count")
        } else {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.expect("connect");
            sqlx::query_scalar(query)
                .fetch_one(&mut connection)
                .await
                .expect("count")
        }
    }

    /// Runs SQL outside the store, as an operator or a migration would.
    pub async fn raw_sql(&self, statement: &str) {
        if self.is_postgres() {
            let mut connection = PgConnection::connect(&self.url).await.expect("connect");
            sqlx::raw_sql(statement).execute(&mut connection).await.expect("run");
        } else {
            let mut connection = sqlx::SqliteConnection::connect(&self.url).await.expect("connect");
            sqlx::raw_sql(statement).execute(&mut connection).await.expect("run");
        }
    }

    /// A folder for the server's data directory.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Drops the PostgreSQL database, even while clients are connected
    /// (which is also how tests take the database away from a server).
    pub async fn drop_database(&self) {
        if let Some(postgres) = &self.postgres {
            let mut admin = PgConnection::connect(&postgres.admin_url)
                .await
                .expect("admin connection");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", postgres.name))
                .execute(&mut admin)
                .await
                .expect("drop the test database");
            let _ = admin.close().await;
        }
    }

    pub async fn cleanup(self) {
        self.drop_database().await;
    }
}

/// Generates one test per backend for each named scenario. A scenario is an
/// `async fn(&TestDb)` defined next to the macro call.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let db = $crate::support::TestDb::sqlite().await;
                    super::$scenario(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let Some(db) = $crate::support::TestDb::postgres().await else { return };
                    super::$scenario(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}
