//! Demo content for a first look at Vellum (`vellum serve --demo`). It is
//! written only into a brand-new database, never over real content.

use app::settings::server::SettingsUpdate;
use app::store::Store;

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let mut settings = store.site_settings().await?;
    settings.title = "Riverside Family Clinic · Health Journal".into();
    settings.description = "Plain-language health articles from our clinicians, each one medically reviewed.".into();
    settings.time_zone = "America/Chicago".into();
    store.update_site_settings(&SettingsUpdate::parse(&settings)?).await?;
    tracing::info!("demo content added");
    Ok(())
}
