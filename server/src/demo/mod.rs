//! Demo content for a first look at Vellum (`vellum serve --demo`). It is
//! written only into a brand-new database, never over real content: a
//! clinic's staff, fourteen articles at every stage of the workflow (most
//! published over the past three months and medically reviewed, several
//! citing their sources, the flu article's review already past due; one
//! scheduled, one in review, one draft), a cover for each, served by
//! `routes`, and the clinic itself (`site.rs`): its details, the About
//! us, Services and Contact pages, and the header and footer menus.
//!
//! The demo stays in the server crate: it is seed content of `vellum serve
//! --demo`, not a feature of the site, and its covers are served by the
//! routes it exposes here, beside the content that names them.
//!
//! Every post goes through the same workflow the admin uses (draft, save,
//! submit, approve, publish or schedule), with each step dated in the past.

mod covers;
mod history;
mod posts;
mod site;
mod staff;

use app::domain::PostKind;
use app::settings::server::SettingsUpdate;
use app::store::Store;
use chrono::Utc;

pub use self::covers::routes;
use self::history::seed_post;
use self::posts::{DemoPost, POSTS, Plan, TAGS};
use self::staff::{accounts_message, create_staff};

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut settings = store.site_settings().await?;
    settings.title = "Riverside Family Clinic · Health Journal".into();
    settings.description =
        "Plain-language health articles, written and checked by the clinicians who care for you.".into();
    settings.time_zone = "America/Chicago".into();
    settings.cta_heading = "Questions about your health?".into();
    settings.cta_text = "Our nurses call you back the same day, and new patients are always welcome.".into();
    settings.cta_label = "Book a visit".into();
    settings.cta_url = "https://riverside-clinic.example/book".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings)?, None)
        .await?;

    let (cast, passwords) = create_staff(store).await?;
    // The staff have read their notifications about everything but the
    // article still waiting for review, which is the editors' next task.
    let (waiting, settled): (Vec<&DemoPost>, Vec<&DemoPost>) = POSTS
        .iter()
        .partition(|post| matches!(post.plan, Plan::InReview { .. }));
    for post in settled {
        seed_post(store, &cast, post, PostKind::Post, now).await?;
    }
    for page in &site::PAGES {
        seed_post(store, &cast, page, PostKind::Page, now).await?;
    }
    for user in [&cast.admin, &cast.physician, &cast.nurse, &cast.dietitian] {
        store.mark_notifications_read(user.id, now).await?;
    }
    for post in waiting {
        seed_post(store, &cast, post, PostKind::Post, now).await?;
    }
    for tag in store.list_tags().await? {
        if let Some((name, description)) = TAGS.iter().find(|(name, _)| *name == tag.name) {
            store.update_tag(tag.id, name, description).await?;
        }
    }
    site::seed_site(store).await?;
    tracing::warn!("{}", accounts_message(&passwords));
    Ok(())
}
