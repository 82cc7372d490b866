//! `vellum serve --demo` on a fresh database: what a reader sees of the
//! demo clinic's journal, its covers, and that a restart adds nothing.

use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::support::TestDb;
use crate::{client, header, page_html, serve_args, status_of, url};

/// Published demo posts: fourteen written, one scheduled, one in review,
/// one draft.
const PUBLISHED: i64 = 11;

async fn api_total(server: &RunningServer) -> Value {
    let body: Value = client()
        .get(url(server, "/api/v1/posts?limit=100"))
        .send()
        .await
        .expect("GET the API")
        .json()
        .await
        .expect("JSON");
    body["meta"]["pagination"]["total"].clone()
}

async fn the_demo_fills_a_fresh_database_with_a_journal(db: &TestDb) {
    let mut args = serve_args(db);
    args.demo = true;
    let server = server::start(&args).await.expect("start with --demo");

    // Ten cards on the home page, each with its cover, and an older page.
    let home = page_html(&server, "/").await;
    assert!(home.contains("Riverside Family Clinic"), "{home}");
    assert_eq!(home.matches("class=\"post-card\"").count(), 10, "{home}");
    assert_eq!(home.matches(" src=\"/demo/covers/").count(), 10, "{home}");
    assert!(home.contains("href=\"/?page=2\""), "a second page: {home}");
    let older = page_html(&server, "/?page=2").await;
    assert_eq!(older.matches("class=\"post-card\"").count(), 1, "{older}");
    assert!(
        older.contains("Getting the most from your yearly check-up"),
        "the oldest comes last: {older}"
    );
    assert!(
        home.find("Staying hydrated").expect("the newest post") < home.find("Seasonal allergies").expect("the next"),
        "newest first"
    );

    // A post with two authors, reviewed by the physician.
    let heart = page_html(&server, "/posts/five-habits-for-a-healthier-heart").await;
    let byline = heart.split("data-testid=\"byline\"").nth(1).expect("a byline");
    let byline = &byline[..byline.find("</p>").expect("end of the byline")];
    assert!(byline.contains(">By "), "{byline}");
    assert!(
        byline.contains(">Sam Rivera</a> and <a") && byline.contains(">Nora Lindqvist</a>"),
        "{byline}"
    );
    assert!(
        heart.contains("Medically reviewed by Dr. Maya Patel, MD, family physician on"),
        "{heart}"
    );
    assert!(
        heart.contains("Questions about your health?") && heart.contains(">Book a visit</a>"),
        "the demo's call to action closes every article"
    );
    assert!(heart.contains("<h2"), "Markdown sections: {heart}");
    assert!(heart.contains("<table"), "a table: {heart}");
    assert!(
        heart.contains("src=\"/demo/covers/heart.svg\" alt=\"A coral heart"),
        "{heart}"
    );

    // The flu article's review, due two months after it, has lapsed: the
    // line stays, flagged.
    let flu = page_html(&server, "/posts/flu-season-why-the-yearly-vaccine-matters").await;
    assert!(flu.contains("Medically reviewed by Dr. Maya Patel"), "{flu}");
    assert!(flu.contains(">Review due</strong>"), "{flu}");
    assert!(
        !heart.contains(">Review due</strong>"),
        "the heart article is reviewed for a year"
    );

    // The physician's own article does not claim a review.
    let back = page_html(&server, "/posts/back-pain-why-moving-helps-you-heal").await;
    assert!(back.contains(">Dr. Maya Patel</a>"), "{back}");
    assert!(!back.contains("Medically reviewed by"), "{back}");

    // Not public yet: scheduled, in review, draft.
    for path in [
        "/posts/sun-safety-for-the-whole-family",
        "/posts/walking-for-health-how-to-start-and-keep-going",
        "/posts/antibiotics-when-they-help-and-when-they-don-t",
    ] {
        assert_eq!(status_of(&server, path).await, StatusCode::NOT_FOUND, "{path}");
    }

    // The covers are served by Vellum itself.
    let response = client()
        .get(url(&server, "/demo/covers/heart.svg"))
        .send()
        .await
        .expect("GET a cover");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "image/svg+xml");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let svg = response.text().await.expect("body");
    assert!(
        svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 1200 630\""),
        "{svg}"
    );
    for missing in ["/demo/covers/nope.svg", "/demo/covers/heart", "/demo/covers/heart.png"] {
        assert_eq!(status_of(&server, missing).await, StatusCode::NOT_FOUND, "{missing}");
    }

    // The demo clinic in every footer, its menus, and its disclaimer
    // under the articles instead of a closing line in each text.
    assert!(home.contains(r#"href="tel:+15550102030""#), "{home}");
    assert!(
        home.contains(r#"class="site-nav""#) && home.contains(r#"href="/tags/heart-health""#),
        "{home}"
    );
    let heart = page_html(&server, "/posts/five-habits-for-a-healthier-heart").await;
    let disclaimer = heart.split(r#"class="disclaimer">"#).nth(1).expect("the disclaimer");
    assert!(
        disclaimer.starts_with("<p>This article is general information"),
        "{disclaimer}"
    );
    assert_eq!(
        heart.matches("This article is general information").count(),
        1,
        "once, not in the text too"
    );
    // The clinic's pages, which the header menu leads to.
    let about = page_html(&server, "/about-us").await;
    assert!(about.contains("<h1>About us</h1>"), "{about}");
    assert!(home.contains(r#"href="/about-us">About us</a>"#), "{home}");
    assert!(home.contains(r#"href="/contact">Contact</a>"#), "{home}");
    // Several articles cite their sources.
    assert!(
        heart.contains(r#"href="https://doi.org/10.1161/HYP.0000000000000065""#),
        "{heart}"
    );
    let sleep = page_html(&server, "/posts/better-sleep-starts-in-the-daytime").await;
    assert!(
        sleep.contains(r#"href="https://pubmed.ncbi.nlm.nih.gov/31534436/""#),
        "{sleep}"
    );

    // The API counts the published posts only.
    assert_eq!(api_total(&server).await, Value::from(PUBLISHED));
    let maya = server
        .state
        .store
        .user_by_slug("dr-maya-patel")
        .await
        .expect("look up")
        .expect("the reviewer");
    let unread = server.state.store.unread_notifications(maya.id).await.expect("count");
    assert_eq!(unread, 1, "the article waiting for her review");
    let users = server.state.store.count_users().await.expect("count users");
    assert_eq!(users, 4);
    server.stop().await.expect("stop");

    // A second start on the same database adds nothing.
    let again = server::start(&args).await.expect("restart with --demo");
    assert_eq!(api_total(&again).await, Value::from(PUBLISHED));
    assert_eq!(again.state.store.count_users().await.expect("count users"), users);
    let home = page_html(&again, "/").await;
    assert_eq!(home.matches("class=\"post-card\"").count(), 10, "{home}");
    again.stop().await.expect("stop");
}

crate::on_both_databases!(the_demo_fills_a_fresh_database_with_a_journal);
