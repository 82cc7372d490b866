//! What a browser fetches beside a public page, and what checkers read in
//! it: the favicon, the style sheet under its hashed name (kept for a
//! year), covers with their size, and markup without Leptos's hydration
//! marks.

use app::accounts::Role;
use image::ImageFormat;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::media::{picture, upload};
use crate::posts::{create, saved, step};
use crate::support::TestDb;
use crate::{change_settings, client, create_user, page_html, serve_args, signed_in, start, status_of, url};

/// The `<img>` tag with this class on a page.
fn img_with_class<'a>(html: &'a str, class: &str) -> &'a str {
    let marker = format!("class=\"{class}\"");
    html.split("<img ")
        .skip(1)
        .map(|tag| &tag[..tag.find('>').unwrap_or(tag.len())])
        .find(|tag| tag.contains(&marker))
        .unwrap_or_else(|| panic!("no <img class=\"{class}\"> in {html}"))
}

/// The `href` of the page's first `<link rel="{rel}">`.
fn link_href(html: &str, rel: &str) -> Option<String> {
    let needle = format!("<link rel=\"{rel}\" href=\"");
    let rest = &html[html.find(&needle)? + needle.len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

async fn get(server: &RunningServer, path: &str) -> reqwest::Response {
    client().get(url(server, path)).send().await.expect("GET")
}

/// A published article with this cover, by an author who may publish.
async fn article_with_cover(ana: &reqwest::Client, server: &RunningServer, title: &str, cover: &str) -> Value {
    let post = create(ana, server, title).await;
    let post = saved(
        ana,
        server,
        &post,
        &[
            ("body", "Plain words about it."),
            ("cover_url", cover),
            ("cover_alt", "A calm picture"),
        ],
    )
    .await;
    let published = step(ana, server, &post, "publish_now", &[]).await;
    assert_eq!(published.status(), StatusCode::OK, "publish {title}");
    post
}

/// Browsers ask every site for `/favicon.ico`: without a logo they get
/// Vellum's icon, with one the logo; public pages name the logo as their
/// icon themselves.
async fn the_favicon_is_the_logo_or_vellums_icon(db: &TestDb) {
    let server = start(db).await;
    let icon = get(&server, "/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    assert_eq!(icon.headers()["cache-control"], "public, max-age=86400");
    let bytes = icon.bytes().await.expect("icon");
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    assert_eq!(link_href(&page_html(&server, "/").await, "icon"), None);

    change_settings(&server, |settings| settings.logo_url = "/media/logo.png".to_owned()).await;
    let icon = get(&server, "/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::FOUND);
    assert_eq!(icon.headers()["location"], "/media/logo.png");
    assert_eq!(icon.headers()["cache-control"], "public, max-age=86400");
    assert_eq!(
        link_href(&page_html(&server, "/").await, "icon").as_deref(),
        Some("/media/logo.png")
    );
    assert_eq!(
        link_href(&page_html(&server, "/nowhere").await, "icon").as_deref(),
        Some("/media/logo.png"),
        "the 404 page too"
    );

    // An address with letters beyond ASCII is sent as browsers write it.
    change_settings(&server, |settings| {
        settings.logo_url = "https://cdn.clinic.example/logos/café.png".to_owned();
    })
    .await;
    let icon = get(&server, "/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::FOUND);
    assert_eq!(
        icon.headers()["location"],
        "https://cdn.clinic.example/logos/caf%C3%A9.png"
    );
    server.stop().await.expect("stop");
}

/// A cover from the media library has its size on the cards and the
/// article, so the page does not jump while it loads; a cover elsewhere,
/// whose size Vellum does not know, goes without.
async fn library_covers_have_their_size(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    change_settings(&server, |settings| settings.review_required = false).await;
    let (status, image) = upload(&server, &ana, "cover.jpg", picture(1200, 630, ImageFormat::Jpeg)).await;
    assert_eq!(status, StatusCode::CREATED, "{image}");
    let library = image["url"].as_str().expect("url").to_owned();
    article_with_cover(&ana, &server, "Sleep well", &library).await;
    article_with_cover(&ana, &server, "Walk more", "https://images.example.org/walk.jpg").await;

    let home = page_html(&server, "/").await;
    let card = |src: &str| {
        home.split("<img ")
            .map(|tag| &tag[..tag.find('>').unwrap_or(tag.len())])
            .find(|tag| tag.contains("class=\"card-cover\"") && tag.contains(&format!("src=\"{src}\"")))
            .unwrap_or_else(|| panic!("no card with the cover {src}: {home}"))
            .to_owned()
    };
    let sized = card(&library);
    assert!(sized.contains("width=\"1200\" height=\"630\""), "{sized}");
    let elsewhere = card("https://images.example.org/walk.jpg");
    assert!(
        !elsewhere.contains("width=") && !elsewhere.contains("height="),
        "{elsewhere}"
    );
    let article = page_html(&server, "/posts/sleep-well").await;
    let cover = img_with_class(&article, "post-cover");
    assert!(
        cover.contains(&format!("src=\"{library}\"")) && cover.contains("width=\"1200\" height=\"630\""),
        "{cover}"
    );
    server.stop().await.expect("stop");
}

/// Every kind of public page of the demo, as a checker fetches it: the
/// style sheet under a name made from its content, kept for a year, and
/// no `<!>` (Leptos's hydration mark, a "bogus comment" to the Nu HTML
/// checker) anywhere.
async fn public_pages_link_a_hashed_style_sheet_and_carry_no_marks(db: &TestDb) {
    let site = db.dir().join("site");
    std::fs::create_dir_all(site.join("pkg")).expect("pkg folder");
    let css = b":root { --accent: #0b6e69; }\nbody { margin: 0; }\n".to_vec();
    std::fs::write(site.join("pkg").join("vellum.css"), &css).expect("style sheet");
    let mut args = serve_args(db);
    args.demo = true;
    args.site_root = site;
    let server = server::start(&args).await.expect("start with --demo");

    let mut sheets = std::collections::BTreeSet::new();
    for path in [
        "/",
        "/?page=2",
        "/posts/five-habits-for-a-healthier-heart",
        "/authors/dr-maya-patel",
        "/tags/prevention",
        "/search?q=sleep",
        "/about-us",
        "/nowhere",
    ] {
        let response = get(&server, path).await;
        let status = response.status();
        let html = response.text().await.expect("page");
        let expected = if path == "/nowhere" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{path}");
        assert!(!html.contains("<!>") && !html.contains("<!--"), "{path}: {html}");
        sheets.insert(link_href(&html, "stylesheet").unwrap_or_else(|| panic!("{path} links no style sheet")));
    }
    let sheets: Vec<String> = sheets.into_iter().collect();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    let sheet = &sheets[0];
    let hash = sheet
        .strip_prefix("/assets/vellum-")
        .and_then(|rest| rest.strip_suffix(".css"))
        .unwrap_or_else(|| panic!("not a hashed name: {sheet}"));
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{sheet}"
    );

    // The admin's document links it too.
    let login = page_html(&server, "/admin/login").await;
    assert!(
        login.contains(&format!("<link rel=\"stylesheet\" id=\"leptos\" href=\"{sheet}\">")),
        "{login}"
    );

    let served = get(&server, sheet).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(served.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(served.bytes().await.expect("css").as_ref(), css.as_slice());
    // Another release's sheet is not this one.
    assert_eq!(
        status_of(&server, "/assets/vellum-0123456789abcdef.css").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status_of(&server, "/assets/vellum.css").await, StatusCode::NOT_FOUND);
    // The demo's covers never change under their names: a year too.
    let cover = get(&server, "/demo/covers/heart.svg").await;
    assert_eq!(cover.headers()["cache-control"], "public, max-age=31536000, immutable");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    the_favicon_is_the_logo_or_vellums_icon,
    library_covers_have_their_size,
    public_pages_link_a_hashed_style_sheet_and_carry_no_marks
);
