//! Feeds and the sitemap read by real parsers, as feed readers and search
//! engines read them, and no script on any public page.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use chrono::Duration;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{create_user, page_html, start_at};

async fn feeds_and_the_sitemap_parse_and_list_what_is_public(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ben = create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    for n in 1..=3 {
        let at = noon() - Duration::days(10 - n);
        post_as(
            &server,
            &ana,
            &format!("Heart article {n}"),
            "Heart",
            PostStatus::Published,
            at,
            None,
        )
        .await;
    }
    post_as(
        &server,
        &ben,
        "Sleep article",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    post_as(&server, &ben, "A draft", "Sleep", PostStatus::Draft, noon(), None).await;

    for (path, kind) in [
        ("/feed.xml", feed_rs::model::FeedType::RSS2),
        ("/atom.xml", feed_rs::model::FeedType::Atom),
    ] {
        let xml = page_html(&server, path).await;
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|error| panic!("{path}: {error}\n{xml}"));
        assert_eq!(feed.feed_type, kind, "{path}");
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|entry| entry.title.as_ref().map(|t| t.content.clone()).unwrap_or_default())
            .collect();
        assert_eq!(
            titles,
            ["Sleep article", "Heart article 3", "Heart article 2", "Heart article 1"],
            "{path}"
        );
        let newest = &feed.entries[0];
        assert_eq!(
            newest.links[0].href, "http://127.0.0.1:3000/posts/sleep-article",
            "{path}"
        );
        assert_eq!(
            newest.published.map(|at| at.to_rfc3339()),
            Some("2030-01-15T12:00:00+00:00".into()),
            "{path}"
        );
        assert!(
            newest.authors.iter().any(|person| person.name == "Ben Okafor"),
            "{path}: {:?}",
            newest.authors
        );
        let body = newest
            .content
            .as_ref()
            .and_then(|content| content.body.clone())
            .or_else(|| newest.summary.as_ref().map(|summary| summary.content.clone()))
            .unwrap_or_default();
        assert!(
            body.contains("Sleep article explained in plain words."),
            "{path}: {body}"
        );
    }
    // Each RSS feed names itself (atom:link rel="self"), as validators ask.
    for path in ["/feed.xml", "/tags/heart/feed.xml", "/authors/ben-okafor/feed.xml"] {
        let xml = page_html(&server, path).await;
        let document = roxmltree::Document::parse(&xml).unwrap_or_else(|error| panic!("{path}: {error}"));
        let own = document
            .descendants()
            .find(|node| {
                node.has_tag_name(("http://www.w3.org/2005/Atom", "link")) && node.attribute("rel") == Some("self")
            })
            .and_then(|node| node.attribute("href"))
            .map(str::to_owned);
        assert_eq!(own, Some(format!("http://127.0.0.1:3000{path}")), "{path}");
    }
    let tag_feed = page_html(&server, "/tags/heart/feed.xml").await;
    let tag_feed = feed_rs::parser::parse(tag_feed.as_bytes()).expect("tag feed parses");
    assert_eq!(tag_feed.entries.len(), 3);
    let author_feed = page_html(&server, "/authors/ben-okafor/feed.xml").await;
    let author_feed = feed_rs::parser::parse(author_feed.as_bytes()).expect("author feed parses");
    assert_eq!(author_feed.entries.len(), 1, "drafts stay out");

    let xml = page_html(&server, "/sitemap.xml").await;
    let sitemap = roxmltree::Document::parse(&xml).unwrap_or_else(|error| panic!("sitemap: {error}\n{xml}"));
    let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9";
    assert_eq!(sitemap.root_element().tag_name().namespace(), Some(namespace));
    let urls: Vec<(String, Option<String>)> = sitemap
        .descendants()
        .filter(|node| node.has_tag_name((namespace, "url")))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|node| node.has_tag_name((namespace, name)))
                    .and_then(|node| node.text())
                    .map(str::to_owned)
            };
            (child("loc").unwrap_or_default(), child("lastmod"))
        })
        .collect();
    let post = urls
        .iter()
        .find(|(loc, _)| loc == "http://127.0.0.1:3000/posts/sleep-article")
        .expect("the post is in the sitemap");
    assert_eq!(post.1.as_deref(), Some("2030-01-15T12:00:00Z"), "lastmod");
    assert!(urls.iter().any(|(loc, _)| loc == "http://127.0.0.1:3000/tags/heart"));
    assert!(
        urls.iter()
            .any(|(loc, _)| loc == "http://127.0.0.1:3000/authors/ben-okafor")
    );
    assert!(!urls.iter().any(|(loc, _)| loc.contains("a-draft")));
    assert_eq!(urls.len(), 1 + 4 + 2 + 2, "home, posts, authors, tags: {urls:?}");
    server.stop().await.expect("stop");
}

async fn no_public_page_carries_a_script(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    post_as(
        &server,
        &ana,
        "Heart article",
        "Heart",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    for path in [
        "/",
        "/?page=1",
        "/posts/heart-article",
        "/authors/ana-ruiz",
        "/tags/heart",
        "/search?q=heart",
        "/search",
        "/no-such-page",
    ] {
        let html = page_html(&server, path).await;
        let without_data = crate::without_json_ld(&html);
        assert!(!without_data.contains("<script"), "{path} carries a script: {html}");
        assert!(
            !without_data.contains(".wasm") && !without_data.contains(".js\""),
            "{path}"
        );
        for handler in ["onclick=", "onload=", "onerror="] {
            assert!(!html.contains(handler), "{path}: no inline event handlers");
        }
    }
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    feeds_and_the_sitemap_parse_and_list_what_is_public,
    no_public_page_carries_a_script
);
