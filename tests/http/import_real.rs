//! `vellum import` on exports written by the real programs (WordPress
//! 6.1.9 from Debian, Ghost 5.130.6 from npm; tests/fixtures/import/real,
//! whose README lists what each holds), and on an old site that tries to
//! lead the importer elsewhere.

use std::path::{Path, PathBuf};

use axum::response::Redirect;
use reqwest::StatusCode;

use crate::import::{location, stdout, vellum, vellum_as_given};
use crate::start;
use crate::support::TestDb;

fn real() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/real")
}

fn file(name: &str) -> String {
    real().join(name).display().to_string()
}

/// The old sites, still online: WordPress's uploads and Ghost's images.
async fn old_site() -> String {
    use tower_http::services::ServeDir;
    let router = axum::Router::new()
        .nest_service("/wp-content/uploads", ServeDir::new(real().join("uploads")))
        .nest_service("/content/images", ServeDir::new(real().join("content/images")));
    serve(router).await
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}")
}

fn assert_says(report: &str, expected: &[&str]) {
    for line in expected {
        assert!(report.contains(line), "{line:?} in\n{report}");
    }
}

async fn a_real_wordpress_export_moves_in_with_its_images_and_addresses(db: &TestDb) {
    let site = old_site().await;
    let server = start(db).await;
    let json = db.dir().join("report.json");
    let output = vellum(
        db,
        &[
            "import",
            "wordpress",
            &file("wordpress-6.1.9.xml"),
            "--site-url",
            &site,
            "--report",
            &json.display().to_string(),
        ],
    )
    .await;
    let report = stdout(&output);
    assert!(!report.contains("no pages"), "pages come across as pages:\n{report}");
    assert!(
        !report.contains("INFO") && !report.contains("WARN"),
        "logs stay out of the report:\n{report}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report")).expect("JSON");
    assert_eq!(json["posts"]["created"], 12, "{json}");
    assert_eq!(json["images"]["added"], 5, "{json}");
    assert_eq!(json["redirects"], 8, "{json}");
    assert_eq!(json["posts"]["pages"], 5, "{json}");
    assert_says(
        &report,
        &[
            "posts:     12 created",
            "pages:     5 of these are pages",
            "people:    3 created",
            "images:    5 added to the library, 0 already there, 0 kept",
            "redirects: 8 old addresses recorded",
        ],
    );
    // The permalink's month is the site's local one (November), although
    // the post was published on October 31 in UTC.
    let (status, to) = location("/2026/11/new-opening-hours-from-november/", &server).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(to, "/posts/new-opening-hours-from-november");
    the_pages_are_pages_under_their_parents(&server).await;
    server.stop().await.expect("stop");
}

/// WordPress's pages (About, Our team under About, Services, Contact, a
/// draft Privacy Policy) are pages here, published as there, and their
/// permalinks lead to their addresses.
async fn the_pages_are_pages_under_their_parents(server: &server::RunningServer) {
    for (old, new) in [
        ("/about/", "/about"),
        ("/about/our-team/", "/our-team"),
        ("/contact/", "/contact"),
    ] {
        assert_eq!(
            location(old, server).await,
            (StatusCode::MOVED_PERMANENTLY, new.to_owned()),
            "{old}"
        );
    }
    let team = crate::page_html(server, "/our-team").await;
    assert!(team.contains("<h1>Our team</h1>"), "{team}");
    assert!(
        team.contains("aria-label=\"Breadcrumb\"") && team.contains("href=\"/about\""),
        "{team}"
    );
    assert!(!team.contains("class=\"byline\""), "{team}");
    assert_eq!(
        crate::status_of(server, "/privacy-policy").await,
        StatusCode::NOT_FOUND,
        "a draft there"
    );
    let pages: serde_json::Value = crate::client()
        .get(crate::url(server, "/api/v1/pages"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    let slugs: Vec<&str> = pages["pages"]
        .as_array()
        .map(|pages| pages.iter().filter_map(|page| page["slug"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(slugs, ["about", "contact", "our-team", "services"], "{pages}");
    let team = pages["pages"]
        .as_array()
        .and_then(|pages| pages.iter().find(|page| page["slug"] == "our-team"))
        .expect("Our team is listed");
    assert_eq!(team["parent"]["slug"], "about", "{team}");
    let posts: serde_json::Value = crate::client()
        .get(crate::url(server, "/api/v1/posts?limit=100"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert!(
        posts["posts"]
            .as_array()
            .is_some_and(|posts| posts.iter().all(|post| post["slug"] != "about")),
        "{posts}"
    );
}

/// WordPress.com writes the namespace over https; WordPress's own importer
/// takes whatever the file binds to `wp`.
async fn an_https_namespace_is_still_wordpress(db: &TestDb) {
    let text = std::fs::read_to_string(real().join("wordpress-6.1.9.xml")).expect("fixture");
    let https = text.replace(
        "xmlns:wp=\"http://wordpress.org/export/1.2/\"",
        "xmlns:wp=\"https://wordpress.org/export/1.2/\"",
    );
    assert_ne!(text, https, "the fixture binds the http namespace");
    let path = db.dir().join("https.xml");
    std::fs::write(&path, https).expect("write");
    let report = stdout(&vellum(db, &["import", "wordpress", &path.display().to_string(), "--dry-run"]).await);
    assert_says(
        &report,
        &["posts:     12 would be created", "redirects: 8 old addresses"],
    );
}

/// A network's export names the network in base_site_url and the blog in
/// base_blog_url: the blog's addresses and images are the ones recorded.
async fn a_multisite_export_is_read_as_its_own_blog(db: &TestDb) {
    let report = stdout(
        &vellum(
            db,
            &[
                "import",
                "wordpress",
                &file("wordpress-6.1.9-multisite-clinic.xml"),
                "--dry-run",
            ],
        )
        .await,
    );
    assert_says(
        &report,
        &[
            "posts:     6 would be created",
            "images:    1 to fetch",
            "redirects: 5 old addresses recorded",
        ],
    );
    assert!(!report.contains("another site"), "{report}");
}

/// Ghost on SQLite writes times as "2026-10-01 07:30:00" (UTC).
async fn a_real_ghost_export_on_sqlite_moves_in_with_its_dates(db: &TestDb) {
    let site = old_site().await;
    let server = start(db).await;
    let report = stdout(
        &vellum(
            db,
            &["import", "ghost", &file("ghost-5.130.6.json"), "--site-url", &site],
        )
        .await,
    );
    assert_says(
        &report,
        &[
            "posts:     10 created",
            "pages:     3 of these are pages",
            "people:    3 created",
        ],
    );
    // Ghost's pages (About, Our team, Contact) stand side by side at
    // their old addresses.
    assert!(!report.contains("no pages"), "{report}");
    for slug in ["about", "our-team", "contact"] {
        assert_eq!(
            crate::status_of(&server, &format!("/{slug}")).await,
            StatusCode::OK,
            "/{slug}"
        );
        assert_eq!(
            location(&format!("/{slug}/"), &server).await,
            (StatusCode::MOVED_PERMANENTLY, format!("/{slug}")),
            "/{slug}/"
        );
    }
    assert!(!crate::page_html(&server, "/our-team").await.contains("Breadcrumb"));
    let post: serde_json::Value = crate::client()
        .get(crate::url(&server, "/api/v1/posts/flu-vaccination-season-starts"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(post["published_at"], "2026-10-01T07:30:00Z", "{post}");
    server.stop().await.expect("stop");
}

/// The file chooses the addresses an import fetches. Without
/// `--allow-private`, none on this machine or a private network is asked;
/// with it, redirects still stay on the old site's host.
async fn an_export_cannot_send_the_importer_elsewhere(db: &TestDb) {
    let site = old_site().await;
    let wordpress = file("wordpress-6.1.9.xml");
    let refused = stdout(
        &vellum_as_given(
            db,
            &["import", "wordpress", &wordpress, "--site-url", &site, "--create"],
        )
        .await,
    );
    assert_says(
        &refused,
        &[
            "images:    0 added to the library, 0 already there, 7 kept",
            "the address is on a private network (use --allow-private",
        ],
    );

    // An old site whose every upload redirects to another host name for
    // the same server: followed, it would reach any host the site chose.
    let elsewhere = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let target = elsewhere.clone();
    let redirecting = serve(axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let target = target.get().cloned().unwrap_or_default();
        async move { Redirect::temporary(&format!("{target}{uri}")) }
    }))
    .await;
    let port = redirecting.rsplit(':').next().expect("port").to_owned();
    elsewhere.set(format!("http://localhost:{port}")).expect("set once");
    let kept = stdout(
        &vellum(
            db,
            &[
                "import",
                "wordpress",
                &wordpress,
                "--site-url",
                &redirecting,
                "--create",
            ],
        )
        .await,
    );
    assert_says(
        &kept,
        &[
            "0 added to the library, 0 already there, 7 kept",
            "it redirects to another site",
        ],
    );
}

crate::on_both_databases!(
    a_real_wordpress_export_moves_in_with_its_images_and_addresses,
    an_https_namespace_is_still_wordpress,
    a_multisite_export_is_read_as_its_own_blog,
    a_real_ghost_export_on_sqlite_moves_in_with_its_dates,
    an_export_cannot_send_the_importer_elsewhere,
);
