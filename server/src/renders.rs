//! The backfill of stored renders: live texts written before renders were
//! stored (or by an older renderer, `app::content::render::RENDER_VERSION`)
//! get theirs. `vellum migrate` runs it to the end; `vellum serve` runs
//! what is left in the background, since a large site takes minutes and
//! readers meanwhile get a fresh render of any text still without one.

use app::error::AppError;
use app::state::AppState;
use app::store::Store;
use tokio::task::JoinHandle;

/// Texts rendered per step: one short write transaction each.
const BATCH: i64 = 100;

/// Renders every live text that lacks a stored render of this version;
/// returns how many it rendered. Safe to run again, or from several
/// instances at once (a text rendered twice is stored once).
pub async fn backfill(store: &dyn Store) -> Result<usize, AppError> {
    let mut after = 0;
    let mut rendered = 0;
    while let Some((last, count)) = store.render_live_texts(after, BATCH).await? {
        after = last;
        rendered += count;
        if rendered % 10_000 < count {
            tracing::info!(rendered, "storing the renders of live texts");
        }
        // Leaves room for the requests being served meanwhile.
        tokio::task::yield_now().await;
    }
    Ok(rendered)
}

/// Runs `backfill` once in the background (`serve`).
pub fn spawn_backfill(state: &AppState) -> JoinHandle<()> {
    let store = state.store.clone();
    tokio::spawn(async move {
        match backfill(store.as_ref()).await {
            Ok(0) => {}
            Ok(rendered) => tracing::info!(rendered, "stored the renders of live texts"),
            Err(error) => {
                tracing::error!(%error, "storing the renders of live texts failed; pages render them per request")
            }
        }
    })
}
