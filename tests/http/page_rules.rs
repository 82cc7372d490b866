//! What sets a page apart from an article beyond its address, over HTTP:
//! an editor publishes it whatever the review setting, its review never
//! falls due, the admin API (for articles) does not know it, its preview
//! in the API has the page's address, and an article a later import makes
//! a page keeps its readers. On both databases.

use app::accounts::Role;
use app::domain::PostKind;
use app::posts::api::{ListPosts, PublishUpdate, ReReview, SetReviewDue};
use app::store::imports::{ForeignPost, ImportMode};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::RunningServer;

use crate::admin_api::{admin, token};
use crate::api::{api, spec};
use crate::posts::{create, json, load, saved, step};
use crate::site_pages::{create_page, imported_site, stepped, the_location};
use crate::support::TestDb;
use crate::{call, change_settings, create_user, page_html, signed_in, start};

/// `EditorData` for `post`, as `client` sees it.
async fn editor(client: &reqwest::Client, server: &RunningServer, post: &Value) -> Value {
    let response = load(client, server, post).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

fn offers(data: &Value, transition: &str) -> bool {
    data["transitions"]
        .as_array()
        .is_some_and(|all| all.iter().any(|offered| offered == transition))
}

/// With review switched off an author publishes their own article, but a
/// page (one of the site's own addresses) waits for an editor; its review
/// is the editor's sign-off, never due again; its preview in the API is at
/// the page's address, without a reviewer.
async fn an_editor_publishes_a_page_whose_review_never_falls_due(db: &TestDb) {
    let server = start(db).await;
    let spec = spec(&server).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    change_settings(&server, |settings| settings.review_required = false).await;

    let article = create(&ana, &server, "Flu season").await;
    let article = saved(&ana, &server, &article, &[("body", "Get your flu shot.")]).await;
    assert!(offers(&editor(&ana, &server, &article).await, "publish_now"));
    let page = create_page(&ana, &server, "Privacy").await;
    let page = saved(
        &ana,
        &server,
        &page,
        &[("slug", "privacy"), ("body", "We keep little.")],
    )
    .await;
    let data = editor(&ana, &server, &page).await;
    assert!(offers(&data, "submit"), "{data}");
    assert!(!offers(&data, "publish_now") && !offers(&data, "schedule"), "{data}");
    for transition in ["publish_now", "schedule"] {
        let extra: &[(&str, &str)] = match transition {
            "schedule" => &[("publish_at", "2099-01-01T09:00")],
            _ => &[],
        };
        let refused = step(&ana, &server, &page, transition, extra).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{transition}");
    }
    assert_eq!(
        step(&ana, &server, &article, "publish_now", &[]).await.status(),
        StatusCode::OK,
        "the article goes out"
    );

    let page = stepped(&ana, &server, &page, "submit").await;
    let page = stepped(&maya, &server, &page, "approve").await;
    assert!(page["review_due"].is_null(), "{page}");
    let link = call(
        &maya,
        &server,
        app::previews::api::CreatePreviewLink::PATH,
        &[("post_id", page["id"].to_string().as_str()), ("days", "1")],
    )
    .await;
    let link: Value = json(link).await;
    let preview_path = link["api_url"]
        .as_str()
        .and_then(|url| url.find("/api/v1/preview/").map(|at| url[at..].to_owned()))
        .expect("a preview address");
    let (status, _, preview) = api(&server, &spec, &preview_path).await;
    assert_eq!(status, StatusCode::OK);
    let at_privacy = |url: &Value| url.as_str().is_some_and(|url| url.ends_with("/privacy"));
    assert!(
        at_privacy(&preview["url"]) && at_privacy(&preview["seo"]["canonical_url"]),
        "{preview}"
    );
    assert!(
        preview["reviewer"].is_null() && preview["review"].is_null(),
        "{preview}"
    );

    let page = stepped(&maya, &server, &page, "publish_now").await;
    assert!(page_html(&server, "/privacy").await.contains("We keep little."));
    let data = editor(&maya, &server, &page).await;
    assert_eq!(
        (
            &data["can_re_review"],
            &data["can_date_review"],
            &data["post"]["review_due"]
        ),
        (&json!(false), &json!(false), &Value::Null),
        "{data}"
    );
    let id = page["id"].to_string();
    let renewed = call(
        &maya,
        &server,
        ReReview::PATH,
        &[("id", id.as_str()), ("outcome", "confirm")],
    )
    .await;
    assert_eq!(renewed.status(), StatusCode::CONFLICT);
    assert!(json(renewed).await.to_string().contains("A page has no medical review"));
    let next_year = (chrono::Utc::now() + chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let dated = call(
        &maya,
        &server,
        SetReviewDue::PATH,
        &[("id", id.as_str()), ("due", next_year.as_str())],
    )
    .await;
    assert_eq!(dated.status(), StatusCode::CONFLICT);
    let update = saved(&maya, &server, &page, &[("body", "We keep very little.")]).await;
    let version = update["version"].to_string();
    let published = call(
        &maya,
        &server,
        PublishUpdate::PATH,
        &[("id", id.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(published.status(), StatusCode::OK);
    let stored = server
        .state
        .store
        .post(page["id"].as_i64().expect("id"))
        .await
        .expect("query")
        .expect("the page");
    assert_eq!(stored.review_due_at, None, "neither approval nor update dates it");
    let listed = json(call(&maya, &server, ListPosts::PATH, &[("kind", "page")]).await).await;
    assert!(listed[0]["review_due"].is_null(), "{listed}");
    server.stop().await.expect("stop");
}

/// A page's id is a 404 in the admin API, which makes and changes
/// articles, whatever the token may do with an article.
async fn the_admin_api_knows_articles_only(db: &TestDb) {
    let server = start(db).await;
    let spec = spec(&server).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let secret = token(&server, &ana, "Script", "write").await;
    let article = create(&ana, &server, "Flu season").await;
    let page = create_page(&ana, &server, "About us").await;
    let path = |post: &Value| format!("/api/v1/admin/posts/{}", post["id"]);
    let (status, _, found) = admin(&server, &spec, "get", &path(&article), Some(&secret), None).await;
    assert_eq!((status, &found["title"]), (StatusCode::OK, &json!("Flu season")));
    for (method, at, body) in [
        ("get", path(&page), None),
        (
            "patch",
            path(&page),
            Some(json!({"version": page["version"], "markdown": "Hello."})),
        ),
        (
            "post",
            format!("{}/submit", path(&page)),
            Some(json!({"version": page["version"]})),
        ),
    ] {
        let (status, ..) = admin(&server, &spec, method, &at, Some(&secret), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {at}");
    }
    let data = editor(&ana, &server, &page).await;
    assert_eq!(
        (&data["post"]["status"], &data["post"]["body"]),
        (&json!("draft"), &json!("")),
        "untouched: {data}"
    );
    server.stop().await.expect("stop");
}

/// The old site turned its article Flu shots into a page: the next import
/// moves it to /flu-shots, and readers' addresses for the article lead
/// there.
async fn an_imported_article_made_a_page_keeps_its_readers(db: &TestDb) {
    let server = start(db).await;
    let store = &server.state.store;
    let mut site = imported_site();
    store
        .import_foreign(&site, crate::blog::noon(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    assert!(
        page_html(&server, "/posts/flu-shots")
            .await
            .contains("All about Flu shots.")
    );
    site.posts[0] = ForeignPost {
        kind: PostKind::Page,
        ..site.posts[0].clone()
    };
    let tally = store
        .import_foreign(&site, crate::blog::noon(), ImportMode::Write, &|| ())
        .await
        .expect("import again");
    assert!(
        tally
            .notes
            .iter()
            .any(|note| note.message.contains("is a page now, at /flu-shots")),
        "{tally:?}"
    );
    assert!(page_html(&server, "/flu-shots").await.contains("All about Flu shots."));
    for old in ["/posts/flu-shots/", "/2019/05/flu-shots/", "/news"] {
        assert_eq!(
            the_location(&server, old).await,
            (StatusCode::MOVED_PERMANENTLY, "/flu-shots".to_owned()),
            "{old}"
        );
    }
    server.stop().await.expect("stop");
}

/// Addresses the blog's fallback sends on to the pages: `/posts/{slug}` of
/// an article that became a page, and a page's address with the slash
/// people and links add.
async fn a_page_answers_its_address_with_a_slash_and_as_an_article(db: &TestDb) {
    let server = start(db).await;
    let store = &server.state.store;
    let mut site = imported_site();
    site.posts[0].kind = PostKind::Page;
    store
        .import_foreign(&imported_site(), crate::blog::noon(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    store
        .import_foreign(&site, crate::blog::noon(), ImportMode::Write, &|| ())
        .await
        .expect("import again");
    for (old, new) in [("/posts/flu-shots", "/flu-shots"), ("/flu-shots/", "/flu-shots")] {
        assert_eq!(
            the_location(&server, old).await,
            (StatusCode::MOVED_PERMANENTLY, new.to_owned()),
            "{old}"
        );
    }
    assert_eq!(crate::status_of(&server, "/nothing-here/").await, StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    an_editor_publishes_a_page_whose_review_never_falls_due,
    the_admin_api_knows_articles_only,
    an_imported_article_made_a_page_keeps_its_readers,
    a_page_answers_its_address_with_a_slash_and_as_an_article,
);
