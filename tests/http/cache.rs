//! The in-process cache of public responses: a page is rendered once and
//! then served from memory. A change renews only what it touched (the
//! post, its tags' and authors' pages, the lists), in the background,
//! while the rest stays warm; a post leaving the public is gone at once.

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
use crate::{client, create_user, header, start_at, url};

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
    assert!(
        hit && home.contains("Second post"),
        "a new post shows, rendered before the reader came"
    );

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
    app::cache::settle(&server.state).await;
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
    app::cache::settle(&server.state).await;
    let (page, _) = fetch(&server, "/posts/first-post").await;
    assert!(page.contains("First post, revised") && page.contains("New words."));

    // A tag's description.
    warm(&server, "/tags/heart").await;
    let tag = store.post_tags(first.id).await.expect("tags").remove(0);
    store
        .update_tag(tag.id, "Heart", "All about the heart.")
        .await
        .expect("tag");
    app::cache::settle(&server.state).await;
    assert!(fetch(&server, "/tags/heart").await.0.contains("All about the heart."));

    // An author's profile, shown in every byline.
    warm(&server, "/").await;
    let profile = ProfileUpdate::parse("Dr. Ana Ruiz", "", "", "MD").expect("profile");
    store.update_profile(ana.id, &profile).await.expect("profile");
    app::cache::settle(&server.state).await;
    assert!(fetch(&server, "/").await.0.contains("Dr. Ana Ruiz"));

    // The site's settings.
    warm(&server, "/feed.xml").await;
    let mut settings = store.site_settings().await.expect("settings");
    settings.title = "Riverside Journal".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings).expect("valid"), None)
        .await
        .expect("settings");
    app::cache::settle(&server.state).await;
    assert!(fetch(&server, "/feed.xml").await.0.contains("Riverside Journal"));

    // Unpublishing: gone at once, without waiting for anything.
    warm(&server, "/api/v1/posts").await;
    warm(&server, "/posts/first-post").await;
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
    warm(&server, "/robots.txt").await;
    clock.set(due);
    // No write: the first to look after its time renews what it touched.
    app::cache::settle(&server.state).await;
    let (home, hit) = fetch(&server, "/").await;
    assert!(
        hit && home.contains("Third post"),
        "public at its time, rendered before the reader came"
    );
    assert!(fetch(&server, "/robots.txt").await.1, "the rest of the cache stayed");
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

/// A new post renews the lists, its tag's and its author's pages; another
/// tag's page, another post's API answer and robots.txt stay as they were,
/// never rendered again.
async fn a_publish_renews_what_it_touched_and_keeps_the_rest_warm(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let bo = create_user(&server, "bo@clinic.org", "Bo Chen", Role::Editor).await;
    post_as(
        &server,
        &ana,
        "Heart health",
        "Heart",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    post_as(
        &server,
        &bo,
        "Healthy sleep",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    let untouched = [
        "/tags/heart",
        "/authors/ana-ruiz",
        "/api/v1/posts/heart-health",
        "/robots.txt",
    ];
    let mut before = Vec::new();
    for path in untouched.iter().chain(&["/", "/tags/sleep", "/feed.xml"]) {
        before.push(warm(&server, path).await);
    }
    let misses = server.state.public_cache.stats().misses;

    post_as(
        &server,
        &bo,
        "Sleep and shifts",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    for (path, old) in untouched.iter().zip(&before) {
        let (now, hit) = fetch(&server, path).await;
        assert!(hit, "{path} stayed in the cache");
        assert_eq!(&now, old, "{path} was not rendered again");
    }
    for path in ["/", "/tags/sleep", "/feed.xml", "/authors/bo-chen"] {
        let (page, _) = fetch(&server, path).await;
        assert!(page.contains("Sleep and shifts"), "{path} shows the new post");
    }
    assert_eq!(
        server.state.public_cache.stats().misses,
        misses + 1,
        "only the author page nobody had asked for was rendered for a reader"
    );
    server.stop().await.expect("stop");
}

/// The headers of an answer, lower-cased names.
/// A hit is written as it was stored: no query, no compression, in the
/// encoding the browser asked for; HEAD gets GET's headers.
async fn a_hit_takes_no_query_and_no_compression(db: &TestDb) {
    let server = server::start_quiet(&crate::serve_args(db))
        .await
        .expect("server starts");
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    post_as(
        &server,
        &ana,
        "Heart health",
        "Heart",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("client");
    for path in ["/", "/posts/heart-health", "/feed.xml", "/api/v1/posts"] {
        warm(&server, path).await;
        let queries = server.state.store.connections_acquired();
        let compressions = server.state.public_cache.stats().compressions;
        let identity = fetch(&server, path).await.0;
        let mut etags = Vec::new();
        for (accept, encoding) in [("br, gzip", "br"), ("gzip", "gzip"), ("identity", "")] {
            let get = raw
                .get(url(&server, path))
                .header("accept-encoding", accept)
                .send()
                .await
                .expect("GET");
            assert_eq!(header(&get, "x-cache"), "HIT", "{path} {accept}");
            assert_eq!(header(&get, "content-encoding"), encoding, "{path} {accept}");
            let head = raw
                .head(url(&server, path))
                .header("accept-encoding", accept)
                .send()
                .await
                .expect("HEAD");
            for name in [
                "etag",
                "cache-control",
                "content-type",
                "content-length",
                "content-encoding",
            ] {
                assert_eq!(header(&head, name), header(&get, name), "HEAD {path}: {name}");
            }
            assert_eq!(header(&head, "x-cache"), "HIT", "HEAD {path} comes from the cache");
            etags.push(header(&get, "etag"));
            let length: usize = header(&get, "content-length").parse().expect("length");
            let body = get.bytes().await.expect("body");
            assert_eq!(body.len(), length);
            assert!(head.bytes().await.expect("HEAD body").is_empty());
            let decoded = match encoding {
                "br" => {
                    let mut out = Vec::new();
                    brotli_decompress(&body, &mut out);
                    out
                }
                "gzip" => {
                    let mut out = Vec::new();
                    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut out).expect("gzip");
                    out
                }
                _ => body.to_vec(),
            };
            assert_eq!(String::from_utf8(decoded).expect("text"), identity, "{path} {accept}");
        }
        etags.dedup();
        assert_eq!(etags.len(), 3, "each encoding has its own ETag: {etags:?}");
        assert_eq!(
            server.state.store.connections_acquired(),
            queries,
            "{path}: no query for a hit"
        );
        assert_eq!(
            server.state.public_cache.stats().compressions,
            compressions,
            "{path}: nothing compressed for a hit"
        );
    }
    server.stop().await.expect("stop");
}

fn brotli_decompress(body: &[u8], out: &mut Vec<u8>) {
    let mut reader = brotli::Decompressor::new(body, 4096);
    std::io::Read::read_to_end(&mut reader, out).expect("brotli");
}

/// Waits for `server` to hear of a change that empties its cache, made
/// elsewhere (on PostgreSQL a NOTIFY, on SQLite its watch on the file),
/// for up to 30 seconds: until its store has recorded one.
async fn hears_of_a_removal(server: &RunningServer, before: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let now = server.state.store.public_version();
        let heard = server
            .state
            .store
            .public_changes_since(before, now)
            .is_none_or(|changes| changes.contains(&app::store::changes::PublicChange::Everything));
        if heard {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the change never reached the other instance"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Two instances on one database: a post unpublished on one is never
/// served from the other's cache once it has heard; a post updated on
/// one is renewed on the other, which meanwhile serves what it had.
async fn another_instance_purges_an_unpublished_post(db: &TestDb) {
    let first = crate::start(db).await;
    let second = crate::start(db).await;
    let ana = create_user(&first, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let post = post_as(
        &first,
        &ana,
        "Heart health",
        "Heart",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    post_as(
        &first,
        &ana,
        "Healthy sleep",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    // The second instance may still be hearing of the first's writes.
    for path in ["/posts/heart-health", "/", "/tags/sleep"] {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !fetch(&second, path).await.1 {
            assert!(std::time::Instant::now() < deadline, "{path} never came from the cache");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let before = second.state.store.public_version();
    crate::blog::unpublish(&first, &post, ana.id).await;
    hears_of_a_removal(&second, before).await;
    assert_eq!(
        crate::status_of(&second, "/posts/heart-health").await,
        reqwest::StatusCode::NOT_FOUND,
        "not served from the cache"
    );
    let (home, _) = fetch(&second, "/").await;
    assert!(!home.contains("Heart health"), "not in the list either");
    first.stop().await.expect("stop");
    second.stop().await.expect("stop");
}

crate::on_both_databases!(
    every_kind_of_change_reaches_the_next_reader,
    unknown_parameters_and_origins_share_one_entry,
    a_publish_renews_what_it_touched_and_keeps_the_rest_warm,
    a_hit_takes_no_query_and_no_compression,
    another_instance_purges_an_unpublished_post,
);
