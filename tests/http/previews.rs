//! Preview links: an editor shares a draft with a person (a page) or a
//! front end (the API) until the link expires or is revoked.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::domain::{PostContent, PostFields};
use app::posts::server::{PostEdit, PostTitle, RevisionKind, SaveRequest, Slug};
use app::posts::workflow::PostStatus;
use app::previews::api::{CreatePreviewLink, ListPreviewLinks, RevokePreviewLink};
use chrono::Duration;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::api::{api, spec};
use crate::blog::noon;
use crate::support::TestDb;
use crate::{call, client, create_user, page_html, signed_in, start_at, status_of, url};

async fn save_body(
    server: &RunningServer,
    post: &app::posts::server::Post,
    author: i64,
    body: &str,
) -> app::posts::server::Post {
    let edit = PostEdit::parse(&PostFields {
        content: PostContent {
            title: post.content.title.clone(),
            slug: post.content.slug.clone(),
            body: body.to_owned(),
            ..PostContent::default()
        },
        author_ids: vec![author],
        ..PostFields::default()
    })
    .expect("edit");
    server
        .state
        .store
        .save_post(&SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &[PostStatus::Draft],
            edit: &edit,
            saved_by: author,
            kind: RevisionKind::Save,
            at: noon(),
        })
        .await
        .expect("save")
}

/// Creates a link as `editor`; returns the page and API paths.
pub(crate) async fn share(
    server: &RunningServer,
    editor: &reqwest::Client,
    post_id: i64,
    days: &str,
    pin: bool,
) -> (String, String) {
    let id = post_id.to_string();
    let mut form = vec![("post_id", id.as_str()), ("days", days)];
    if pin {
        form.push(("pin", "true"));
    }
    let response = call(editor, server, CreatePreviewLink::PATH, &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: Value = response.json().await.expect("JSON");
    let path = |field: &str| {
        created[field]
            .as_str()
            .expect("a URL")
            .trim_start_matches("http://127.0.0.1:3000")
            .to_owned()
    };
    assert_eq!(created["link"]["state"], "active");
    (path("page_url"), path("api_url"))
}

async fn a_preview_link_shows_a_draft_until_it_expires_or_is_revoked(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let spec = spec(&server).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let title = PostTitle::parse("Coming soon").expect("title");
    let draft = server
        .state
        .store
        .create_draft(&title, &Slug::from_title(&title), ana.id, noon())
        .await
        .expect("draft");
    let draft = save_body(&server, &draft, ana.id, "First words of the draft.").await;

    let (page, api_path) = share(&server, &maya, draft.id, "7", false).await;
    let (pinned_page, pinned_api) = share(&server, &maya, draft.id, "30", true).await;
    assert!(page.starts_with("/preview/") && api_path.starts_with("/api/v1/preview/"));

    let html = page_html(&server, &page).await;
    assert!(html.contains("First words of the draft."), "{html}");
    assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(html.contains("Preview: this article is not published."));
    assert!(!html.contains("application/ld+json"), "nothing for search engines");
    let response = client().get(url(&server, &page)).send().await.expect("GET preview");
    assert_eq!(response.headers()["x-robots-tag"], "noindex");
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    assert_eq!(
        status_of(&server, "/posts/coming-soon").await,
        StatusCode::NOT_FOUND,
        "still not public"
    );
    let (status, headers, post) = api(&server, &spec, &api_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(post["title"], "Coming soon");
    assert_eq!(headers["cache-control"], "private, no-store");

    // A later edit: the plain link follows it, the pinned one does not.
    save_body(&server, &draft, ana.id, "Second, better words.").await;
    assert!(page_html(&server, &page).await.contains("Second, better words."));
    let (_, _, pinned) = api(&server, &spec, &pinned_api).await;
    assert!(
        pinned["markdown"]
            .as_str()
            .expect("text")
            .contains("First words of the draft."),
        "{pinned}"
    );
    assert!(
        page_html(&server, &pinned_page)
            .await
            .contains("First words of the draft.")
    );

    // Revoked: gone at once, page and API.
    let id = draft.id.to_string();
    let links: Value = call(&maya, &server, ListPreviewLinks::PATH, &[("post_id", id.as_str())])
        .await
        .json()
        .await
        .expect("links");
    let plain = links
        .as_array()
        .expect("list")
        .iter()
        .find(|link| link["pinned_version"].is_null())
        .expect("the plain link");
    let plain_id = plain["id"].to_string();
    let revoked = call(
        &maya,
        &server,
        RevokePreviewLink::PATH,
        &[("post_id", id.as_str()), ("id", plain_id.as_str())],
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(status_of(&server, &page).await, StatusCode::NOT_FOUND);
    let (status, headers, _) = api(&server, &spec, &api_path).await;
    assert_eq!(
        (status, headers["content-type"].to_str().expect("type")),
        (StatusCode::NOT_FOUND, "application/problem+json")
    );

    // Expired: the pinned link lived 30 days.
    clock.set(noon() + Duration::days(30) - Duration::seconds(1));
    assert_eq!(status_of(&server, &pinned_page).await, StatusCode::OK);
    clock.set(noon() + Duration::days(30));
    assert_eq!(status_of(&server, &pinned_page).await, StatusCode::NOT_FOUND);
    let states: Vec<String> = call(&maya, &server, ListPreviewLinks::PATH, &[("post_id", id.as_str())])
        .await
        .json::<Value>()
        .await
        .expect("links")
        .as_array()
        .expect("list")
        .iter()
        .map(|link| link["state"].as_str().expect("state").to_owned())
        .collect();
    assert_eq!(states, ["expired", "revoked"], "newest first");

    for days in ["0", "91"] {
        let refused = call(
            &maya,
            &server,
            CreatePreviewLink::PATH,
            &[("post_id", id.as_str()), ("days", days)],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{days} days");
    }
    assert_eq!(status_of(&server, "/preview/not-a-token").await, StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(a_preview_link_shows_a_draft_until_it_expires_or_is_revoked);
