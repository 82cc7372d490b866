//! The storage layer against real databases: every scenario runs on SQLite
//! and on PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod mail;
mod media;
mod page_imports;
mod pages;
mod passkeys;
mod posts;
mod public_lists;
mod renders;
mod reviews;
mod sessions;
mod tokens;
mod transfer;
mod two_factor;
mod webhooks;

use std::sync::Arc;

use app::settings::server::SettingsUpdate;
use app::store::{self, Store};
use support::TestDb;

async fn open(db: &TestDb) -> Arc<dyn Store> {
    let store = store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn update_titled(current: &app::settings::SiteSettings, title: &str) -> SettingsUpdate {
    let mut raw = current.clone();
    raw.title = title.to_owned();
    SettingsUpdate::parse(&raw).expect("valid settings")
}

async fn migrations_create_default_settings_once(db: &TestDb) {
    let store = store::connect(db.url()).await.expect("connect");
    assert!(store.migrate().await.expect("first migration").fresh);
    assert!(
        !store.migrate().await.expect("second migration").fresh,
        "migrating twice changes nothing"
    );
    let settings = store.site_settings().await.expect("settings");
    assert_eq!(settings.title, "Vellum");
    assert_eq!(settings.time_zone, "UTC");
    assert_eq!(settings.date_format, "%B %-d, %Y");
    store.close().await;
}

async fn settings_updates_are_stored(db: &TestDb) {
    let store = open(db).await;
    let current = store.site_settings().await.expect("settings");
    let mut raw = current.clone();
    raw.title = "Riverside Clinic Journal".into();
    raw.time_zone = "America/Chicago".into();
    raw.site_url = "https://journal.example.org/".into();
    let returned = store
        .update_site_settings(&SettingsUpdate::parse(&raw).expect("valid"), None)
        .await
        .expect("update");
    assert_eq!(returned.site_url, "https://journal.example.org");
    store.close().await;

    // A new connection sees what was committed.
    let reopened = open(db).await;
    let stored = reopened.site_settings().await.expect("settings");
    assert_eq!(stored, returned);
    assert_eq!(stored.title, "Riverside Clinic Journal");
    assert_eq!(stored.time_zone, "America/Chicago");
    reopened.close().await;
}

/// Many requests writing and reading at once: none may fail, in particular
/// not with SQLite's "database is locked".
async fn concurrent_writes_and_reads_all_succeed(db: &TestDb) {
    let store = open(db).await;
    let current = store.site_settings().await.expect("settings");
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = store.clone();
        let update = update_titled(&current, &format!("Title {i}"));
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                store.update_site_settings(&update, None).await.map(drop)
            } else {
                store.site_settings().await.map(drop)
            }
        }));
    }
    for task in tasks {
        task.await.expect("task finished").expect("no request failed");
    }
    let title = store.site_settings().await.expect("settings").title;
    assert!(title.starts_with("Title "), "the last write won: {title}");
    store.close().await;
}

async fn ping_fails_once_the_database_is_gone(db: &TestDb) {
    let store = open(db).await;
    store.ping().await.expect("database answers");
    store.close().await;
    assert!(store.ping().await.is_err(), "a closed store is not ready");
}

on_both_databases!(
    migrations_create_default_settings_once,
    settings_updates_are_stored,
    concurrent_writes_and_reads_all_succeed,
    ping_fails_once_the_database_is_gone,
);

#[test]
fn unknown_database_schemes_are_refused_with_a_clear_message() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Err(error) = runtime.block_on(store::connect("mysql://localhost/vellum")) else {
        panic!("mysql is not supported");
    };
    assert!(error.to_string().contains("use sqlite://"), "{error}");
}
