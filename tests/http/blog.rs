//! The public blog's lists, feed and sitemap: what is public, in order,
//! page by page, and a scheduled post exactly at its time.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry, User};
use app::clock::ManualClock;
use app::domain::{PostContent, PostFields};
use app::posts::server::{LiveText, Notify, Post, PostEdit, PostTitle, RevisionKind, SaveRequest, Slug, StatusChange};
use app::posts::workflow::PostStatus;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use server::RunningServer;

use crate::support::TestDb;
use crate::{client, create_user, page_html, start_at, status_of, url};

pub(crate) fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-15T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

/// A post with `body` and `tags`, moved straight to `to` at `at` (the
/// workflow's rules are the HTTP tests' business; these test the lists).
pub(crate) async fn post_as(
    server: &RunningServer,
    author: &User,
    title: &str,
    tags: &str,
    to: PostStatus,
    at: DateTime<Utc>,
    publish_at: Option<DateTime<Utc>>,
) -> Post {
    let body = format!("{title} explained in plain words.\n\n## More\n\nDetails.");
    post_with(
        server,
        author,
        TestPost {
            title,
            body: &body,
            tags,
            to,
            at,
            publish_at,
            reviewed: false,
        },
    )
    .await
}

/// A post for `post_with`: its text, and where it is moved at `at`.
pub(crate) struct TestPost<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a str,
    pub to: PostStatus,
    pub at: DateTime<Utc>,
    pub publish_at: Option<DateTime<Utc>>,
    /// Records the author as the post's medical reviewer in the same step.
    pub reviewed: bool,
}

/// `post_as`, with the whole post given.
pub(crate) async fn post_with(server: &RunningServer, author: &User, post: TestPost<'_>) -> Post {
    let TestPost {
        title,
        body,
        tags,
        to,
        at,
        publish_at,
        reviewed,
    } = post;
    let store = &server.state.store;
    let title = PostTitle::parse(title).expect("title");
    let post = store
        .create_draft(&title, &Slug::from_title(&title), author.id, at)
        .await
        .expect("draft");
    let edit = PostEdit::parse(&PostFields {
        content: PostContent {
            title: post.content.title.clone(),
            slug: post.content.slug.clone(),
            body: body.to_owned(),
            ..PostContent::default()
        },
        tags: tags.to_owned(),
        show_review: true,
        author_ids: vec![author.id],
    })
    .expect("edit");
    let post = store
        .save_post(&SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &[PostStatus::Draft],
            edit: &edit,
            saved_by: author.id,
            kind: RevisionKind::Save,
            at,
        })
        .await
        .expect("save");
    let post = store
        .change_status(&StatusChange {
            payload: app::webhooks::server::event_payload,
            id: post.id,
            expected_version: post.version,
            from: PostStatus::Draft,
            to,
            actor_id: author.id,
            at,
            live: LiveText::FromCurrent,
            reviewed,
            review_due_at: None,
            publish_at,
            comment: None,
            notify: Notify::Nobody,
            audit: NewAuditEntry::new(AuditAction::PostPublished, Some(author.id), None),
        })
        .await
        .expect("publish");
    // As a publish through the admin does: the pages it touched are
    // rendered again before the next reader comes.
    app::cache::settle(&server.state).await;
    post
}

/// Takes a published post back to draft, as `actor_id`, straight in the
/// store (the workflow's rules are the HTTP tests' business).
pub(crate) async fn unpublish(server: &RunningServer, post: &Post, actor_id: i64) -> Post {
    server
        .state
        .store
        .change_status(&StatusChange {
            payload: app::webhooks::server::event_payload,
            id: post.id,
            expected_version: post.version,
            from: PostStatus::Published,
            to: PostStatus::Draft,
            actor_id,
            at: noon(),
            live: LiveText::Withdraw,
            reviewed: false,
            review_due_at: None,
            publish_at: None,
            comment: None,
            notify: Notify::Nobody,
            audit: NewAuditEntry::new(AuditAction::PostPublished, Some(actor_id), None),
        })
        .await
        .expect("unpublish")
}

/// The titles of the cards on a list page, in order.
pub(crate) fn card_titles(html: &str) -> Vec<String> {
    html.split("<article class=\"post-card\">")
        .skip(1)
        .filter_map(|card| card.split("<h2><a href=").nth(1))
        .filter_map(|rest| rest.split('>').nth(1))
        .map(|title| title.trim_end_matches("</a").to_owned())
        .collect()
}

async fn lists_show_public_posts_newest_first_page_by_page(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ben = create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    for n in 1..=12 {
        let at = noon() - Duration::days(30 - n);
        let tags = if n % 2 == 0 { "Sleep" } else { "Heart" };
        post_as(
            &server,
            &ana,
            &format!("Article {n}"),
            tags,
            PostStatus::Published,
            at,
            None,
        )
        .await;
    }
    post_as(&server, &ben, "Ben's draft", "Sleep", PostStatus::Draft, noon(), None).await;

    let first = page_html(&server, "/").await;
    let titles = card_titles(&first);
    assert_eq!(titles.len(), 10, "{titles:?}");
    assert_eq!(titles[0], "Article 12", "newest first");
    assert!(
        first.contains("href=\"/authors/ana-ruiz\">Ana Ruiz</a>"),
        "bylines link the author"
    );
    assert!(first.contains("December 28, 2029"), "dates in the site's format");
    assert!(first.contains("Article 12 explained in plain words."), "the excerpt");
    assert!(first.contains("href=\"/?page=2\""));
    assert!(
        first.contains(r#"<link rel="canonical" href="http://127.0.0.1:3000/">"#),
        "{first}"
    );
    assert!(first.contains(r#"<meta content="website" property="og:type">"#));
    assert!(
        !first.contains("Ben&#x27;s draft") && !first.contains("Ben's draft"),
        "drafts are not listed"
    );
    let second = page_html(&server, "/?page=2").await;
    assert_eq!(card_titles(&second), ["Article 2", "Article 1"]);
    assert!(!second.contains("?page=3"), "the last page links no older one");
    assert_eq!(status_of(&server, "/?page=3").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&server, "/?page=abc").await, StatusCode::NOT_FOUND);

    let sleep = page_html(&server, "/tags/sleep").await;
    assert_eq!(card_titles(&sleep).len(), 6, "only published posts with the tag");
    assert!(!sleep.contains("?page=2"), "one page holds them all");
    assert_eq!(status_of(&server, "/tags/no-such-tag").await, StatusCode::NOT_FOUND);
    let author = page_html(&server, "/authors/ana-ruiz").await;
    assert!(author.contains("<h1>Ana Ruiz</h1>"));
    assert_eq!(card_titles(&author).len(), 10);
    assert!(
        author.contains("href=\"/authors/ana-ruiz?page=2\""),
        "two more wait on page 2"
    );
    assert_eq!(
        status_of(&server, "/authors/ben-okafor").await,
        StatusCode::NOT_FOUND,
        "a colleague who never published has no public page, as in the API"
    );
    assert_eq!(status_of(&server, "/authors/nobody").await, StatusCode::NOT_FOUND);

    let feed = client().get(url(&server, "/feed.xml")).send().await.expect("GET feed");
    assert_eq!(feed.headers()["content-type"], "application/rss+xml; charset=utf-8");
    let feed = feed.text().await.expect("feed");
    assert!(feed.starts_with("<?xml") && feed.contains("<rss"), "{feed}");
    assert_eq!(feed.matches("<item>").count(), 12);
    assert!(feed.contains("<dc:creator>Ana Ruiz</dc:creator>"), "{feed}");
    let atom = client().get(url(&server, "/atom.xml")).send().await.expect("GET atom");
    assert_eq!(atom.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let atom = atom.text().await.expect("atom");
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{atom}");
    assert_eq!(atom.matches("<entry>").count(), 12);
    assert!(atom.contains("<name>Ana Ruiz</name>"));
    let sleep_feed = page_html(&server, "/tags/sleep/feed.xml").await;
    assert_eq!(sleep_feed.matches("<item>").count(), 6, "the tag's posts only");
    assert!(sleep_feed.contains("<title>Sleep · Vellum</title>"), "{sleep_feed}");
    assert_eq!(
        status_of(&server, "/authors/ben-okafor/feed.xml").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&server, "/authors/nobody/feed.xml").await,
        StatusCode::NOT_FOUND
    );
    assert!(
        first.contains(r#"<link rel="alternate" type="application/rss+xml""#) && first.contains(r#"href="/atom.xml""#)
    );
    assert!(
        author.contains(r#"href="/authors/ana-ruiz/feed.xml""#),
        "author pages name their feed"
    );
    let sitemap = page_html(&server, "/sitemap.xml").await;
    assert!(
        sitemap.contains("<loc>http://127.0.0.1:3000/posts/article-1</loc><lastmod>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("/tags/sleep</loc>") && sitemap.contains("/authors/ana-ruiz</loc>"));
    assert!(!sitemap.contains("bens-draft"));
    let robots = page_html(&server, "/robots.txt").await;
    assert!(robots.contains("Disallow: /admin") && robots.contains("Sitemap: http://127.0.0.1:3000/sitemap.xml"));
    server.stop().await.expect("stop");
}

async fn a_scheduled_post_joins_every_list_exactly_at_its_time(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let due = noon() + Duration::hours(1);
    post_as(
        &server,
        &ana,
        "Due at one",
        "Timing",
        PostStatus::Scheduled,
        noon(),
        Some(due),
    )
    .await;
    let places = [
        "/",
        "/feed.xml",
        "/atom.xml",
        "/sitemap.xml",
        "/tags/timing",
        "/tags/timing/feed.xml",
        "/authors/ana-ruiz",
        "/search?q=due",
        "/api/v1/posts",
        "/api/v1/posts?q=due",
        "/api/v1/tags",
    ];

    clock.set(due - Duration::seconds(1));
    for place in places {
        let body = page_html(&server, place).await;
        assert!(
            !body.contains("Due at one") && !body.contains("due-at-one") && !body.contains("\"slug\":\"timing\""),
            "{place} before its time"
        );
    }
    assert_eq!(
        status_of(&server, "/api/v1/posts/due-at-one").await,
        StatusCode::NOT_FOUND
    );
    clock.set(due);
    for place in places {
        let body = page_html(&server, place).await;
        assert!(
            body.contains("Due at one") || body.contains("due-at-one") || body.contains("\"slug\":\"timing\""),
            "{place} at its time: {body}"
        );
    }
    assert_eq!(status_of(&server, "/api/v1/posts/due-at-one").await, StatusCode::OK);
    server.stop().await.expect("stop");
}

/// Saves site settings the way the settings page does, as `admin`.
async fn save_settings(server: &RunningServer, admin: &reqwest::Client, changes: &[(&str, &str)]) -> reqwest::Response {
    use app::settings::api::SaveSiteSettings;
    use leptos::server_fn::ServerFn;
    let current = server.state.store.site_settings().await.expect("settings");
    let mut form: Vec<(&str, String)> = vec![
        ("title", current.title),
        ("description", current.description),
        ("site_url", current.site_url),
        ("time_zone", current.time_zone),
        ("date_format", current.date_format),
        ("review_required", "true".to_owned()),
    ];
    for (name, value) in changes {
        form.retain(|(field, _)| field != name);
        form.push((name, (*value).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(name, value)| (*name, value.as_str())).collect();
    crate::call(admin, server, SaveSiteSettings::PATH, &form).await
}

async fn a_post_page_shows_everything_readers_check(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Site Admin", Role::Admin).await;
    let profile = app::accounts::server::ProfileUpdate::parse("Ana Ruiz", "Cardiac nurse of 20 years.", "", "RN")
        .expect("profile");
    server
        .state
        .store
        .update_profile(ana.id, &profile)
        .await
        .expect("profile");
    let long_body = "Why sleep matters.\n\n## Sleep and blood pressure\n\nText.\n\n\
                     ## How much sleep\n\nText.\n\n### Children\n\nText.\n\n## When to call us\n\nText.";
    let day = Duration::days(1);
    post_as(
        &server,
        &ana,
        "Older heart news",
        "Heart",
        PostStatus::Published,
        noon() - day * 3,
        None,
    )
    .await;
    post_with(
        &server,
        &ana,
        TestPost {
            title: "Sleep and the heart",
            body: long_body,
            tags: "Sleep, Heart",
            to: PostStatus::Published,
            at: noon() - day * 2,
            publish_at: None,
            reviewed: true,
        },
    )
    .await;
    post_as(
        &server,
        &ana,
        "Newer sleep tips",
        "Sleep",
        PostStatus::Published,
        noon() - day,
        None,
    )
    .await;
    post_as(&server, &ana, "Unrelated", "Feet", PostStatus::Published, noon(), None).await;

    let page = page_html(&server, "/posts/sleep-and-the-heart").await;
    // The table of contents names the sections, in order, as links.
    let contents = page
        .split("class=\"toc\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a table of contents: {page}"))
        .split("</nav>")
        .next()
        .unwrap_or("");
    for (id, text) in [
        ("sleep-and-blood-pressure", "Sleep and blood pressure"),
        ("how-much-sleep", "How much sleep"),
        ("children", "Children"),
        ("when-to-call-us", "When to call us"),
    ] {
        assert!(
            contents.contains(&format!("href=\"#{id}\">{text}</a>")),
            "{id}: {contents}"
        );
        assert!(
            page.contains(&format!("<h{} id=\"{id}\">", if id == "children" { 3 } else { 2 })),
            "anchor {id}"
        );
    }
    assert!(
        !page_html(&server, "/posts/older-heart-news")
            .await
            .contains("class=\"toc\""),
        "short posts have none"
    );
    assert!(page.contains(r#"<a rel="tag" href="/tags/sleep">Sleep</a>"#), "tags");
    assert!(
        page.contains("About the author")
            && page.contains("Ana Ruiz, RN")
            && page.contains("Cardiac nurse of 20 years.")
    );
    let related = page.split("class=\"related\"").nth(1).expect("related articles");
    assert!(
        related.contains("Newer sleep tips") && related.contains("Older heart news"),
        "{related}"
    );
    assert!(!related.contains("Unrelated"), "no shared tag, not related");
    assert!(
        page.contains(r#"rel="prev" href="/posts/older-heart-news""#),
        "previous"
    );
    assert!(page.contains(r#"rel="next" href="/posts/newer-sleep-tips""#), "next");
    assert!(!page.contains("class=\"cta\""), "no call to action until one is set");

    // JSON-LD: a data block naming the authors and the review.
    let blocks = crate::json_ld_blocks(&page);
    let posting = blocks
        .iter()
        .find(|block| block["@type"] == "BlogPosting")
        .expect("the article's JSON-LD block")
        .clone();
    assert_eq!(posting["headline"], "Sleep and the heart");
    assert_eq!(posting["author"][0]["name"], "Ana Ruiz");
    assert_eq!(posting["author"][0]["honorificSuffix"], "RN");
    assert_eq!(posting["mainEntityOfPage"]["reviewedBy"]["name"], "Ana Ruiz");
    assert_eq!(posting["datePublished"], "2030-01-13T12:00:00+00:00");
    assert_eq!(
        posting["publisher"]["name"], "Vellum",
        "the site's title until the clinic is named"
    );
    assert_eq!(
        posting["publisher"]["@id"], blocks[0]["@graph"][0]["@id"],
        "the publisher is the organisation every page describes"
    );
    assert!(posting["mainEntityOfPage"].get("lastReviewed").is_some());
    assert_eq!(
        posting["mainEntityOfPage"]["@type"], "MedicalWebPage",
        "the review belongs to the page"
    );

    let admin = crate::signed_in(&server, "admin@clinic.org").await;
    let refused = save_settings(
        &server,
        &admin,
        &[("accent_color", "#ffcc00"), ("cta_heading", "Questions?")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.expect("body");
    assert!(refused.contains("4.5:1") && refused.contains("cta_label"), "{refused}");
    let saved = save_settings(
        &server,
        &admin,
        &[
            ("accent_color", "#7a1f5c"),
            ("logo_url", "/media/logo.svg"),
            ("cta_heading", "Questions about your heart?"),
            ("cta_text", "Our nurses call you back the same day."),
            ("cta_label", "Book a visit"),
            ("cta_url", "https://clinic.example/book"),
        ],
    )
    .await;
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap_or_default()
    );
    let page = page_html(&server, "/posts/sleep-and-the-heart").await;
    assert!(
        page.contains("<h2 id=\"cta-heading\">Questions about your heart?</h2>"),
        "{page}"
    );
    assert!(page.contains(r#"href="https://clinic.example/book" class="button">Book a visit</a>"#));
    assert!(page.contains(r#"<link rel="stylesheet" href="/theme.css?accent=7a1f5c">"#));
    assert!(page.contains(r#"<img src="/media/logo.svg" alt="" height="40" class="site-logo">"#));
    let theme = client()
        .get(url(&server, "/theme.css?accent=7a1f5c"))
        .send()
        .await
        .expect("GET theme");
    assert_eq!(theme.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(theme.text().await.expect("css").contains("--accent: #7a1f5c"));
    assert_eq!(
        status_of(&server, "/theme.css?accent=url(x)").await,
        StatusCode::NOT_FOUND
    );

    // Author and tag pages describe themselves for sharing too.
    let author = page_html(&server, "/authors/ana-ruiz").await;
    assert!(author.contains(r#"<link rel="canonical" href="http://127.0.0.1:3000/authors/ana-ruiz">"#));
    assert!(
        author.contains(r#"<meta content="profile" property="og:type">"#),
        "{author}"
    );
    let tag = page_html(&server, "/tags/sleep").await;
    assert!(tag.contains(r#"<link rel="canonical" href="http://127.0.0.1:3000/tags/sleep">"#));
    server.stop().await.expect("stop");
}

/// A titled image alone in its paragraph reaches readers as a figure with
/// its caption, in the page and in the API's HTML.
async fn a_captioned_image_is_a_figure_on_the_public_page(db: &TestDb) {
    let server = crate::start(db).await;
    let ana = crate::create_user(&server, "ana@clinic.org", "Ana Ruiz", app::accounts::Role::Author).await;
    post_with(
        &server,
        &ana,
        TestPost {
            title: "Blood pressure at home",
            body: "Sit still first.\n\n![A cuff on an arm](/demo/covers/heart.svg \"Rest your arm at heart height\")\n",
            tags: "",
            to: PostStatus::Published,
            at: noon(),
            publish_at: None,
            reviewed: false,
        },
    )
    .await;
    let page = reqwest::get(crate::url(&server, "/posts/blood-pressure-at-home"))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains("<figcaption>Rest your arm at heart height</figcaption></figure>"),
        "{page}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_post_page_shows_everything_readers_check,
    a_captioned_image_is_a_figure_on_the_public_page,
    lists_show_public_posts_newest_first_page_by_page,
    a_scheduled_post_joins_every_list_exactly_at_its_time
);
