//! The in-process cache of public responses: a page is rendered once and
//! then served from memory, until anything readers see changes — then
//! the next reader gets the new page at once.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry, ProfileUpdate};
use app::clock::ManualClock;
use app::domain::{PostContent, PostFields};
use app::posts::server::{LiveText, Notify, PostEdit, RevisionKind, SaveRequest, StatusChange};
use app::posts::workflow::PostStatus;
use app::settings::server::SettingsUpdate;
use chrono::Duration;
use server::RunningServer;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{client, create_user, start_at, url};

/// The page's HTML and whether the cache answered.
async fn fetch(server: &RunningServer, path: &str) -> (String, bool) {
    let response = client().get(url(server, path)).send().await.expect("GET");
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    let hit = response.headers()["x-cache"] == "HIT";
    (response.text().await.expect("body"), hit)
}

/// Renders `path` into the cache and checks the next read is served from it.
async fn warm(server: &RunningServer, path: &str) -> String {
    fetch(server, path).await;
    let (html, hit) = fetch(server, path).await;
    assert!(hit, "{path} is served from the cache the second time");
    html
}

async fn every_kind_of_change_reaches_the_next_reader(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let store = server.state.store.clone();
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let first = post_as(
        &server,
        &ana,
        "First post",
        "Heart",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;

    // Publishing a post.
    assert!(!warm(&server, "/").await.contains("Second post"));
    let second = post_as(&server, &ana, "Second post", "", PostStatus::Published, noon(), None).await;
    let (home, hit) = fetch(&server, "/").await;
    assert!(!hit && home.contains("Second post"), "a new post shows at once");

    // A live post's tags, saved without publishing its text again.
    assert!(!warm(&server, "/").await.contains("Lungs"));
    let retagged = PostEdit::parse(&PostFields {
        content: PostContent {
            title: "Second post".into(),
            slug: second.content.slug.clone(),
            body: second.content.body.clone(),
            ..PostContent::default()
        },
        tags: "Lungs".into(),
        author_ids: vec![ana.id],
        ..PostFields::default()
    })
    .expect("edit");
    store
        .save_post(&SaveRequest {
            id: second.id,
            expected_version: second.version,
            editable: &[PostStatus::Published],
            edit: &retagged,
            saved_by: ana.id,
            kind: RevisionKind::Save,
            at: noon(),
        })
        .await
        .expect("save tags");
    assert!(fetch(&server, "/").await.0.contains("Lungs"), "new tags show at once");

    // Updating a published post's text.
    assert!(warm(&server, "/posts/first-post").await.contains("First post"));
    let edit = PostEdit::parse(&PostFields {
        content: PostContent {
            title: "First post, revised".into(),
            slug: "first-post".into(),
            body: "New words.".into(),
            ..PostContent::default()
        },
        tags: "Heart".into(),
        author_ids: vec![ana.id],
        ..PostFields::default()
    })
    .expect("edit");
    let first = store
        .save_post(&SaveRequest {
            id: first.id,
            expected_version: first.version,
            editable: &[PostStatus::Published],
            edit: &edit,
            saved_by: ana.id,
            kind: RevisionKind::Save,
            at: noon(),
        })
        .await
        .expect("save");
    let change = |post: &app::posts::server::Post, to, live| StatusChange {
        payload: app::webhooks::server::event_payload,
        id: post.id,
        expected_version: post.version,
        from: post.status,
        to,
        actor_id: ana.id,
        at: noon(),
        live,
        reviewed: false,
        review_due_at: None,
        publish_at: None,
        comment: None,
        notify: Notify::Nobody,
        audit: NewAuditEntry::new(AuditAction::PostPublished, Some(ana.id), None),
    };
    let first = store
        .change_status(&change(&first, PostStatus::Published, LiveText::FromCurrent))
        .await
        .expect("publish the update");
    let (page, hit) = fetch(&server, "/posts/first-post").await;
    assert!(!hit && page.contains("First post, revised") && page.contains("New words."));

    // A tag's description.
    warm(&server, "/tags/heart").await;
    let tag = store.post_tags(first.id).await.expect("tags").remove(0);
    store
        .update_tag(tag.id, "Heart", "All about the heart.")
        .await
        .expect("tag");
    assert!(fetch(&server, "/tags/heart").await.0.contains("All about the heart."));

    // An author's profile, shown in every byline.
    warm(&server, "/").await;
    let profile = ProfileUpdate::parse("Dr. Ana Ruiz", "", "", "MD").expect("profile");
    store.update_profile(ana.id, &profile).await.expect("profile");
    assert!(fetch(&server, "/").await.0.contains("Dr. Ana Ruiz"));

    // The site's settings.
    warm(&server, "/feed.xml").await;
    let mut settings = store.site_settings().await.expect("settings");
    settings.title = "Riverside Journal".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings).expect("valid"), None)
        .await
        .expect("settings");
    assert!(fetch(&server, "/feed.xml").await.0.contains("Riverside Journal"));

    // Unpublishing.
    warm(&server, "/api/v1/posts").await;
    store
        .change_status(&change(&first, PostStatus::Draft, LiveText::Withdraw))
        .await
        .expect("unpublish");
    assert!(!fetch(&server, "/api/v1/posts").await.0.contains("first-post"));
    assert_eq!(
        crate::status_of(&server, "/posts/first-post").await,
        reqwest::StatusCode::NOT_FOUND
    );

    // A scheduled post's time, with no write at all in between.
    let due = noon() + Duration::hours(1);
    post_as(
        &server,
        &ana,
        "Third post",
        "",
        PostStatus::Scheduled,
        noon(),
        Some(due),
    )
    .await;
    clock.set(due - Duration::seconds(1));
    assert!(!warm(&server, "/").await.contains("Third post"));
    clock.set(due);
    let (home, hit) = fetch(&server, "/").await;
    assert!(!hit && home.contains("Third post"), "public at its time");
    server.stop().await.expect("stop");
}

/// Parameters no page reads, and the Origin a page does not depend on,
/// make no new entries: each `?x=…` used to render the page anew.
async fn unknown_parameters_and_origins_share_one_entry(db: &TestDb) {
    let server = crate::start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    post_as(&server, &ana, "Only post", "Heart", PostStatus::Published, noon(), None).await;
    for path in ["/feed.xml", "/", "/api/v1/posts"] {
        let (first, _) = fetch(&server, path).await;
        for n in 1..=3 {
            let (again, hit) = fetch(&server, &format!("{path}?x={n}&utm_source=mail")).await;
            assert!(hit, "{path}?x={n} is the same entry");
            assert_eq!(again, first, "{path}");
        }
    }
    let with_origin = client()
        .get(url(&server, "/"))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        with_origin.headers()["x-cache"],
        "HIT",
        "a page is the same for every origin"
    );
    // Parameters that change the answer still do, in any order, and a bad
    // value is answered as such, not from the entry of another.
    let bad = client()
        .get(url(&server, "/api/v1/posts?updated_since="))
        .send()
        .await
        .expect("GET");
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
    let (_, hit) = fetch(&server, "/api/v1/posts?limit=1&page=1").await;
    assert!(!hit, "a new page of the list is its own entry");
    let (_, hit) = fetch(&server, "/api/v1/posts?page=1&limit=1").await;
    assert!(hit, "the same parameters in another order are the same entry");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    every_kind_of_change_reaches_the_next_reader,
    unknown_parameters_and_origins_share_one_entry,
);
