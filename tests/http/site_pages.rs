//! The site's pages (About, Services, Contact…) over HTTP: written and
//! reviewed like articles, published at `/{slug}` without byline, date,
//! tags, feed entry or related articles, listed in the sitemap and the
//! content API (never among the articles), announced by `page.*`
//! webhooks; their addresses keep off the site's own routes and an
//! imported site's old addresses. On both databases. (`pages.rs` is
//! about the admin's pages.)

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::domain::{PostContent, PostKind};
use app::posts::api::{CreatePost, ListPosts, PublishUpdate};
use app::posts::workflow::PostStatus;
use app::previews::api::CreatePreviewLink;
use app::store::imports::{ForeignPost, ForeignSite, ForeignUser, ImportMode};
use app::webhooks::api::CreateWebhook;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::api::{api, spec};
use crate::blog::{noon, post_as};
use crate::posts::{json, load, save, saved, step};
use crate::support::TestDb;
use crate::webhooks::Receiver;
use crate::{
    call, client, create_user, json_ld_blocks, page_html, signed_in, start, start_delivering_by_hand, status_of, url,
};

const ABOUT: &str = "We are a family clinic by the river.\n\n## Our doctors\n\nFour GPs and two nurses.\n";

/// Starts a page as `client` and returns it as the server sent it.
pub(crate) async fn create_page(client: &reqwest::Client, server: &RunningServer, title: &str) -> Value {
    let response = call(client, server, CreatePost::PATH, &[("title", title), ("kind", "page")]).await;
    assert_eq!(response.status(), StatusCode::OK, "create the page {title}");
    json(response).await
}

/// The post inside an `EditorData` answer, after a workflow step.
pub(crate) async fn stepped(client: &reqwest::Client, server: &RunningServer, post: &Value, transition: &str) -> Value {
    let response = step(client, server, post, transition, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "{transition}");
    json(response).await["post"].clone()
}

/// The field messages of a refused save.
async fn refused(client: &reqwest::Client, server: &RunningServer, post: &Value, slug: &str) -> String {
    let response = save(client, server, post, &[("slug", slug)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "the slug {slug}");
    json(response).await["fields"]["slug"].to_string()
}

/// The admin's list of posts of `kind` ('' for both), as `client` sees it.
async fn listed(client: &reqwest::Client, server: &RunningServer, kind: &str, q: &str) -> Value {
    json(call(client, server, ListPosts::PATH, &[("kind", kind), ("q", q)]).await).await
}

pub(crate) async fn the_location(server: &RunningServer, path: &str) -> (StatusCode, String) {
    let response = client().get(url(server, path)).send().await.expect("GET");
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status(), location)
}

async fn a_reviewed_page_lives_at_its_own_address_and_nowhere_among_articles(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_delivering_by_hand(db, &clock).await;
    let spec = spec(&server).await;
    let ana_user = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let receiver = Receiver::default();
    let hook_url = receiver.start().await;
    let hook = call(
        &admin,
        &server,
        CreateWebhook::PATH,
        &[
            ("url", hook_url.as_str()),
            ("events[0]", "page.published"),
            ("events[1]", "post.published"),
        ],
    )
    .await;
    assert_eq!(hook.status(), StatusCode::OK);
    post_as(
        &server,
        &ana_user,
        "Sleep and your heart",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;

    // Ana writes the page; it has no tags.
    let page = create_page(&ana, &server, "About us").await;
    assert_eq!(
        (page["kind"].as_str(), page["slug"].as_str()),
        (Some("page"), Some("about-us"))
    );
    let tagged = save(&ana, &server, &page, &[("tags", "Sleep")]).await;
    assert_eq!(tagged.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(tagged).await["fields"]["tags"].to_string().contains("no tags"));
    let page = saved(&ana, &server, &page, &[("slug", "about"), ("body", ABOUT)]).await;
    assert_eq!(
        status_of(&server, "/about").await,
        StatusCode::NOT_FOUND,
        "a draft page is not public"
    );

    // The admin's list tells pages from articles.
    let pages = listed(&maya, &server, "page", "").await;
    assert_eq!(pages.as_array().map(Vec::len), Some(1), "{pages}");
    assert_eq!(
        (pages[0]["title"].as_str(), pages[0]["kind"].as_str()),
        (Some("About us"), Some("page"))
    );
    let articles = listed(&maya, &server, "post", "").await;
    assert_eq!(articles.as_array().map(Vec::len), Some(1), "{articles}");
    assert_eq!(articles[0]["kind"], "post");
    assert_eq!(listed(&maya, &server, "", "").await.as_array().map(Vec::len), Some(2));
    let bad = call(&maya, &server, ListPosts::PATH, &[("kind", "article")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Submitted, approved and published like an article.
    let page = stepped(&ana, &server, &page, "submit").await;
    let page = stepped(&maya, &server, &page, "approve").await;
    assert_eq!(deliver(&server).await, 1, "the article's publication only, so far");
    let page = stepped(&maya, &server, &page, "publish_now").await;
    assert_eq!(page["public_path"], "/about");

    // Readers find it at /about, without what only articles have.
    let html = page_html(&server, "/about").await;
    assert!(html.contains("<h1>About us</h1>"), "{html}");
    assert!(html.contains("Four GPs and two nurses."));
    for article_only in [
        "class=\"byline\"",
        "post-dates",
        "tag-list",
        "Related articles",
        "min read",
    ] {
        assert!(!html.contains(article_only), "{article_only} on a page: {html}");
    }
    assert!(
        html.contains("rel=\"canonical\"") && html.contains("/about\""),
        "{html}"
    );
    let data = json_ld_blocks(&html);
    assert!(
        data.iter()
            .any(|block| block["@type"] == "WebPage" && block["name"] == "About us"),
        "{data:?}"
    );
    assert!(!data.iter().any(|block| block["@type"] == "BlogPosting"));

    // Never among the articles: not on the home page, the feed, a tag's
    // page or the posts API; in the sitemap and the pages API.
    for path in ["/", "/feed.xml", "/atom.xml", "/tags/sleep"] {
        let text = page_html(&server, path).await;
        assert!(text.contains("Sleep and your heart"), "{path} lists the article");
        assert!(!text.contains("About us"), "{path} lists the page: {text}");
    }
    let (status, _, posts) = api(&server, &spec, "/api/v1/posts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(posts["meta"]["pagination"]["total"], 1, "{posts}");
    assert!(page_html(&server, "/sitemap.xml").await.contains("/about</loc>"));
    let (status, _, list) = api(&server, &spec, "/api/v1/pages").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["meta"]["pagination"]["total"], 1, "{list}");
    assert_eq!(list["pages"][0]["slug"], "about");
    let (status, _, about) = api(&server, &spec, "/api/v1/pages/about").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(about["title"], "About us");
    assert!(
        about["url"].as_str().is_some_and(|url| url.ends_with("/about")),
        "{about}"
    );
    assert!(about["parent"].is_null());
    assert!(about.get("authors").is_none() && about.get("tags").is_none());
    let (status, _, _) = api(&server, &spec, "/api/v1/posts/about").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a page is no post");
    let (status, _, _) = api(&server, &spec, "/api/v1/pages/sleep-and-your-heart").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an article is no page");
    assert_eq!(status_of(&server, "/posts/about").await, StatusCode::NOT_FOUND);

    // The page's publication is a page event.
    assert_eq!(deliver(&server).await, 1);
    let events: Vec<Value> = receiver
        .requests()
        .iter()
        .map(|request| serde_json::from_str(&request.body).expect("JSON"))
        .collect();
    let published = events.last().expect("the page's event");
    assert_eq!(published["event"], "page.published", "{published}");
    assert_eq!(published["page"]["slug"], "about");
    assert!(
        published["page"]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/about"))
    );
    assert!(
        published["page"]["api_url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/api/v1/pages/about"))
    );
    assert!(published.get("post").is_none());

    // A new address: the old one leads there.
    let update = saved(&maya, &server, &page, &[("slug", "about-the-clinic")]).await;
    let (id, version) = (update["id"].to_string(), update["version"].to_string());
    let published = call(
        &maya,
        &server,
        PublishUpdate::PATH,
        &[("id", id.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(published.status(), StatusCode::OK);
    let (status, location) = the_location(&server, "/about").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::MOVED_PERMANENTLY, "/about-the-clinic")
    );
    assert_eq!(status_of(&server, "/nope").await, StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

/// One pass of the webhook worker; how many deliveries it tried.
async fn deliver(server: &RunningServer) -> usize {
    let sender = server::webhooks::Sender::new(true).expect("client");
    server::webhooks::deliver_due(&server.state, &sender)
        .await
        .expect("delivery pass")
}

/// An imported site: an article that lived at /2019/05/flu-shots and
/// /news, and the pages Services (at /services/) and Vaccinations under
/// it (at /services/vaccinations/).
pub(crate) fn imported_site() -> ForeignSite {
    let text = |title: &str, slug: &str| PostContent {
        title: title.to_owned(),
        slug: slug.to_owned(),
        body: format!("All about {title}."),
        ..PostContent::default()
    };
    let at = noon() - chrono::Duration::days(400);
    let post = |key: &str, content: PostContent, kind: PostKind, old_paths: &[&str]| ForeignPost {
        key: key.to_owned(),
        content,
        status: PostStatus::Published,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
        publish_at: None,
        authors: vec!["ana".to_owned()],
        tags: Vec::new(),
        old_paths: old_paths.iter().map(|path| (*path).to_owned()).collect(),
        kind,
        parent: None,
    };
    ForeignSite {
        source: "wordpress:https://old.clinic.example".to_owned(),
        users: vec![ForeignUser {
            key: "ana".to_owned(),
            email: "ana@clinic.org".to_owned(),
            display_name: "Ana".to_owned(),
            slug: "ana".to_owned(),
            bio: String::new(),
        }],
        tags: Vec::new(),
        media: Vec::new(),
        posts: vec![
            post(
                "1",
                text("Flu shots", "flu-shots"),
                PostKind::Post,
                &["/2019/05/flu-shots", "/news"],
            ),
            // The child first: parents are found whatever the order.
            ForeignPost {
                parent: Some("2".to_owned()),
                ..post(
                    "3",
                    text("Vaccinations", "vaccinations"),
                    PostKind::Page,
                    &["/services/vaccinations"],
                )
            },
            post("2", text("Services", "services"), PostKind::Page, &["/services"]),
        ],
    }
}

async fn page_addresses_keep_off_routes_and_old_addresses(db: &TestDb) {
    let server = start(db).await;
    let spec = spec(&server).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    server
        .state
        .store
        .import_foreign(&imported_site(), noon(), ImportMode::Write, &|| ())
        .await
        .expect("import");

    // The imported pages live at their addresses, the child under its
    // parent; old addresses lead to the article and the pages.
    let child = page_html(&server, "/vaccinations").await;
    assert!(child.contains("<h1>Vaccinations</h1>"), "{child}");
    assert!(
        child.contains("aria-label=\"Breadcrumb\"") && child.contains("href=\"/services\""),
        "{child}"
    );
    let crumbs = json_ld_blocks(&child);
    assert!(
        crumbs
            .iter()
            .any(|block| block["breadcrumb"]["@type"] == "BreadcrumbList"),
        "{crumbs:?}"
    );
    let (status, _, vaccinations) = api(&server, &spec, "/api/v1/pages/vaccinations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(vaccinations["parent"]["slug"], "services", "{vaccinations}");
    for (old, new) in [
        ("/2019/05/flu-shots/", "/posts/flu-shots"),
        ("/news", "/posts/flu-shots"),
        ("/services/vaccinations/", "/vaccinations"),
        ("/services/", "/services"),
    ] {
        assert_eq!(
            the_location(&server, old).await,
            (StatusCode::MOVED_PERMANENTLY, new.to_owned()),
            "{old}"
        );
    }

    // A page may not take the site's own addresses, nor an old address
    // that leads elsewhere.
    let page = create_page(&ana, &server, "Contact").await;
    for route in ["search", "admin", "api", "feeds", "media"] {
        let message = refused(&ana, &server, &page, route).await;
        assert!(
            message.contains("Vellum uses itself") || message.contains("used by the site"),
            "{route}: {message}"
        );
    }
    let message = refused(&ana, &server, &page, "news").await;
    assert!(message.contains("old address"), "{message}");
    assert_eq!(
        the_location(&server, "/news").await,
        (StatusCode::MOVED_PERMANENTLY, "/posts/flu-shots".to_owned()),
        "the old address still leads to the article"
    );
    // A page's own old address is its own to keep.
    let services = listed(&maya, &server, "page", "Services").await;
    assert_eq!(services.as_array().map(Vec::len), Some(1), "{services}");
    let services = json(load(&maya, &server, &services[0]).await).await["post"].clone();
    assert_eq!(services["slug"], "services");
    saved(&maya, &server, &services, &[("body", "What we offer.")]).await;
    // A new page keeps off an imported old address; an article need not
    // (it lives under /posts/), and a title that is a route makes
    // another slug.
    let news = create_page(&ana, &server, "News").await;
    assert_eq!(news["slug"], "news-2");
    let article = crate::posts::create(&ana, &server, "News").await;
    assert_eq!(
        (article["kind"].as_str(), article["slug"].as_str()),
        (Some("post"), Some("news"))
    );
    let search = create_page(&ana, &server, "Search").await;
    assert_eq!(search["slug"], "page-search");

    // A draft page is previewed in the page's layout.
    let contact = saved(&ana, &server, &page, &[("slug", "contact"), ("body", "Call us.")]).await;
    let id = contact["id"].to_string();
    let link = call(
        &maya,
        &server,
        CreatePreviewLink::PATH,
        &[("post_id", id.as_str()), ("days", "1")],
    )
    .await;
    assert_eq!(link.status(), StatusCode::OK);
    let link: Value = link.json().await.expect("JSON");
    let preview_path = link["page_url"]
        .as_str()
        .and_then(|url| url.find("/preview/").map(|at| url[at..].to_owned()))
        .expect("a preview address");
    let preview = page_html(&server, &preview_path).await;
    assert!(preview.contains("this page is not published"), "{preview}");
    assert!(
        preview.contains("<h1>Contact</h1>") && !preview.contains("post-dates"),
        "{preview}"
    );
    assert_eq!(status_of(&server, "/contact").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&server, "/nope").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&server, "/apple-touch-icon.png").await, StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_reviewed_page_lives_at_its_own_address_and_nowhere_among_articles,
    page_addresses_keep_off_routes_and_old_addresses
);

/// Every first segment of an address a router of Vellum answers is among
/// the words a page may not take (`Slug::ROUTES`): read from the routes
/// as the source declares them, so that a new route cannot be forgotten.
#[test]
fn every_route_is_kept_from_pages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // The content API's routers are nested under /api/v1.
    let nested = root.join("app/src/content_api");
    let mut files = Vec::new();
    for dir in ["app/src", "server/src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("source folder").flatten() {
                let path = entry.path();
                if path == nested {
                    continue;
                } else if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    files.push(path);
                }
            }
        }
    }
    let mut segments = std::collections::BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source");
        // rustfmt may break a long call after its `(`: the address can
        // follow on the next line.
        for marker in [
            ".route(",
            ".nest(",
            ".nest_service(",
            "path!(",
            "_PATH: &str =",
            "PREFIX: &str =",
        ] {
            for (at, _) in text.match_indices(marker) {
                let Some(rest) = text[at + marker.len()..].trim_start().strip_prefix("\"/") else {
                    continue;
                };
                let segment: String = rest.chars().take_while(|c| !matches!(c, '/' | '"' | '.')).collect();
                if !segment.is_empty() && !segment.starts_with('{') && !segment.starts_with(':') {
                    segments.insert(segment);
                }
            }
        }
    }
    assert!(segments.contains("posts") && segments.contains("admin"), "{segments:?}");
    let missing: Vec<&String> = segments
        .iter()
        .filter(|segment| !app::posts::server::Slug::is_route(segment))
        .collect();
    assert!(missing.is_empty(), "pages could shadow these routes: {missing:?}");
}
