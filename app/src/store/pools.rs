//! The connection pools: what they report for `/metrics`, and the count
//! of connections handed out that tests read.

/// One connection pool's use at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Which pool: SQLite's `reader` and `writer`, PostgreSQL's `main`.
    pub pool: &'static str,
    /// Connections open now, idle or busy.
    pub open: u32,
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

pub(super) fn pool_use<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> PoolUse {
    PoolUse {
        pool: name,
        open: pool.size(),
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        max: pool.options().get_max_connections(),
    }
}

/// Pool options that count every connection handed out into `acquired`:
/// reused ones (`before_acquire`) and new ones (`after_connect`).
pub(super) fn counting_acquisitions<DB: sqlx::Database>(
    options: sqlx::pool::PoolOptions<DB>,
    acquired: &std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> sqlx::pool::PoolOptions<DB> {
    use std::sync::atomic::Ordering;
    let (reused, opened) = (acquired.clone(), acquired.clone());
    let counted = || UNCOUNTED.try_with(|_| ()).is_err();
    options
        .before_acquire(move |_, _| {
            if counted() {
                reused.fetch_add(1, Ordering::Relaxed);
            }
            Box::pin(async { Ok(true) })
        })
        .after_connect(move |_, _| {
            if counted() {
                opened.fetch_add(1, Ordering::Relaxed);
            }
            Box::pin(async { Ok(()) })
        })
}

tokio::task_local! {
    static UNCOUNTED: ();
}

/// Runs `work` without counting the connections it takes: the store's
/// own upkeep (SQLite's watch on the file), which no request causes.
pub(super) async fn uncounted<F: std::future::Future>(work: F) -> F::Output {
    UNCOUNTED.scope((), work).await
}
