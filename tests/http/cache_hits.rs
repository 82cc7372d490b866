//! Cache hits are answered before the server's other layers: they must
//! still look exactly like the render they repeat (security headers
//! included), and the API's content key and rate limit still apply.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{create_user, url};

/// A client that asks for no compression, so that a render and a hit are
/// the same bytes.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("client")
}

/// The headers apart from those that say when and from where.
fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-cache"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_owned()))
        .collect();
    pairs.sort();
    pairs
}

async fn a_hit_has_every_header_of_the_render_it_repeats(db: &TestDb) {
    let args = server::cli::ServeArgs {
        site_url: Some("https://clinic.example".to_owned()),
        ..crate::serve_args(db)
    };
    let clock: Arc<dyn app::clock::Clock> = Arc::new(ManualClock::new(noon()));
    let server = server::start_with_clock(&args, Some(clock))
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
    // The first read of each renders in that encoding, the second is a hit.
    for (path, accept) in [
        ("/", None),
        ("/posts/heart-health", Some("br, gzip")),
        ("/tags/heart", Some("gzip")),
        ("/feed.xml", Some("br")),
        ("/api/v1/posts", None),
    ] {
        let get = || {
            let request = raw_client().get(url(&server, path));
            match accept {
                Some(accept) => request.header("accept-encoding", accept),
                None => request,
            }
            .send()
        };
        let rendered = get().await.expect("GET");
        let early_hits = server.state.public_cache.stats().early_hits;
        let hit = get().await.expect("GET again");
        assert_eq!(rendered.headers()["x-cache"], "MISS", "{path}");
        assert_eq!(hit.headers()["x-cache"], "HIT", "{path}");
        assert_eq!(
            server.state.public_cache.stats().early_hits,
            early_hits + 1,
            "{path}: answered before the router"
        );
        assert_eq!(
            comparable(hit.headers()),
            comparable(rendered.headers()),
            "{path} {accept:?}: the hit has the render's headers"
        );
        for name in [
            "content-security-policy",
            "x-frame-options",
            "x-content-type-options",
            "strict-transport-security",
        ] {
            assert!(hit.headers().contains_key(name), "{path}: {name}");
        }
        let etag = hit.headers()["etag"].clone();
        assert_eq!(
            hit.bytes().await.expect("hit"),
            rendered.bytes().await.expect("render"),
            "{path}"
        );
        let again = raw_client()
            .get(url(&server, path))
            .header("if-none-match", etag)
            .header("accept-encoding", accept.unwrap_or("identity"))
            .send()
            .await
            .expect("conditional GET");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.headers().contains_key("content-security-policy"), "{path}");
    }
    server.stop().await.expect("stop");
}

async fn a_cached_api_answer_still_needs_the_key_and_counts_against_the_limit(db: &TestDb) {
    let args = server::cli::ServeArgs {
        api_rate_limit: 4,
        ..crate::serve_args(db)
    };
    let clock: Arc<dyn app::clock::Clock> = Arc::new(ManualClock::new(noon()));
    let server = server::start_with_clock(&args, Some(clock))
        .await
        .expect("server starts");
    let key = "clinic-frontend-key_2026";
    crate::change_settings(&server, |settings| settings.content_key = key.to_owned()).await;
    let read = |key: Option<&'static str>| {
        let request = raw_client().get(url(&server, "/api/v1/posts"));
        match key {
            Some(key) => request.header("x-content-key", key),
            None => request,
        }
        .send()
    };
    let first = read(Some(key)).await.expect("GET");
    assert_eq!(first.status(), StatusCode::OK);
    let hit = read(Some(key)).await.expect("GET");
    assert_eq!(hit.status(), StatusCode::OK);
    assert_eq!(hit.headers()["x-cache"], "HIT");
    assert!(
        hit.headers()
            .get_all("vary")
            .iter()
            .any(|vary| vary.to_str().is_ok_and(|vary| vary.contains("X-Content-Key"))),
        "shared caches keep keyed answers apart"
    );
    for refused in [None, Some("a-guess-at-the-key-2026")] {
        let response = read(refused).await.expect("GET");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{refused:?}");
        assert!(response.headers().get("x-cache").is_none(), "{refused:?}");
    }
    // Four reads so far from this address: the limit is four a minute.
    let early_hits = server.state.public_cache.stats().early_hits;
    let over = raw_client()
        .get(url(&server, "/api/v1/posts"))
        .header("x-content-key", key)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET");
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        server.state.public_cache.stats().early_hits,
        early_hits,
        "a refused read is no hit"
    );
    assert!(over.headers().contains_key("retry-after"));
    assert_eq!(over.headers()["x-content-type-options"], "nosniff");
    // Answered by the same layers as any refusal: compressed like them.
    assert_eq!(over.headers()["content-encoding"], "gzip");
    assert!(
        over.headers()
            .get_all("vary")
            .iter()
            .any(|vary| vary.to_str().is_ok_and(|vary| vary.contains("accept-encoding"))),
        "{:?}",
        over.headers()
    );
    server.stop().await.expect("stop");
}

/// When a scheduled post's time comes, with no write at all, the next
/// reader of a cached list gets it, not the entry from before.
async fn a_scheduled_post_is_on_the_cached_home_page_at_its_time(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = crate::start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let due = noon() + chrono::Duration::hours(1);
    post_as(
        &server,
        &ana,
        "Flu season",
        "",
        PostStatus::Scheduled,
        noon(),
        Some(due),
    )
    .await;
    let home = || async { raw_client().get(url(&server, "/")).send().await.expect("GET") };
    home().await;
    let before = home().await;
    assert_eq!(before.headers()["x-cache"], "HIT");
    assert!(!before.text().await.expect("home").contains("Flu season"));
    clock.set(due);
    assert!(home().await.text().await.expect("home").contains("Flu season"));
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_scheduled_post_is_on_the_cached_home_page_at_its_time,
    a_hit_has_every_header_of_the_render_it_repeats,
    a_cached_api_answer_still_needs_the_key_and_counts_against_the_limit,
);
