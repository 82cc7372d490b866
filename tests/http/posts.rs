//! Drafts over HTTP: creating, saving with a version check, refusing bad
//! input, on both databases.

use app::accounts::Role;
use app::posts::api::{CreatePost, LoadPost, PreviewMarkdown, SavePost};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestDb;
use crate::{call, create_user, signed_in, start};

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON")
}

fn save_form<'a>(post: &'a Value, version: &'a str, title: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", post["id"].as_str().unwrap_or_default()),
        ("version", version),
        ("title", title),
        ("slug", post["slug"].as_str().unwrap_or_default()),
        ("body", body),
        ("excerpt", ""),
    ]
}

async fn a_stale_save_is_refused_and_loses_nothing(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;

    let created = call(&ana, &server, CreatePost::PATH, &[("title", "Managing Blood Pressure")]).await;
    assert_eq!(created.status(), StatusCode::OK);
    let mut post = json(created).await;
    assert_eq!(post["slug"], "managing-blood-pressure");
    assert_eq!(post["status"], "draft");
    assert_eq!(post["version"], 1);
    post["id"] = Value::String(post["id"].to_string());

    let ana_text = "## Why it matters\n\nHigh blood pressure rarely hurts.";
    let saved = call(
        &ana,
        &server,
        SavePost::PATH,
        &save_form(&post, "1", "Managing Blood Pressure", ana_text),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(json(saved).await["version"], 2);

    // Maya opened version 1 too; her save must not overwrite Ana's.
    let maya_text = "A different text.";
    let stale = call(
        &maya,
        &server,
        SavePost::PATH,
        &save_form(&post, "1", "Other title", maya_text),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        json(stale).await["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Nothing was overwritten")
    );

    let id = post["id"].as_str().unwrap_or_default();
    let current = json(call(&maya, &server, LoadPost::PATH, &[("id", id)]).await).await;
    assert_eq!(current["body"], ana_text);
    assert_eq!(current["version"], 2);

    let fresh = call(
        &maya,
        &server,
        SavePost::PATH,
        &save_form(&post, "2", "Managing Blood Pressure", maya_text),
    )
    .await;
    assert_eq!(
        fresh.status(),
        StatusCode::OK,
        "with the current version the save goes through"
    );
    server.stop().await.expect("stop");
}

/// Saves post `id` at `version` with the given slug and body.
async fn save(
    client: &reqwest::Client,
    server: &server::RunningServer,
    id: &str,
    version: &str,
    slug: &str,
    body: &str,
) -> reqwest::Response {
    let form = [
        ("id", id),
        ("version", version),
        ("title", "Sleep"),
        ("slug", slug),
        ("body", body),
        ("excerpt", ""),
    ];
    call(client, server, SavePost::PATH, &form).await
}

async fn bad_input_gets_a_message_on_the_field(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let empty = call(&ana, &server, CreatePost::PATH, &[("title", "   ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(empty).await["fields"]["title"].is_array());

    let first = json(call(&ana, &server, CreatePost::PATH, &[("title", "Sleep")]).await).await;
    let second = json(call(&ana, &server, CreatePost::PATH, &[("title", "Sleep")]).await).await;
    assert_eq!(first["slug"], "sleep");
    assert_eq!(second["slug"], "sleep-2", "a new draft never takes a used address");

    let id = second["id"].to_string();
    let taken = save(&ana, &server, &id, "1", "sleep", "").await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(taken).await["fields"]["slug"][0]
            .as_str()
            .unwrap_or_default()
            .contains("Another post")
    );

    let reserved = save(&ana, &server, &id, "1", "admin", "").await;
    assert_eq!(reserved.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let megabyte = "A sentence about sleep and health.\n\n".repeat(30_000);
    let big = save(&ana, &server, &id, "1", "sleep-2", &megabyte).await;
    assert_eq!(big.status(), StatusCode::OK, "a 1 MB body saves");
    let control = save(&ana, &server, &id, "2", "sleep-2", "bell\u{7}").await;
    assert_eq!(control.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await.expect("stop");
}

async fn the_preview_renders_markdown_without_anything_executable(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let markdown = "## Symptoms\n\n- fever\n- cough\n\n| Day | Dose |\n|---|---|\n| 1 | 5 mg |\n\n\
        [NHS](https://www.nhs.uk/) [bad](javascript:alert(1))\n\n<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>";
    let response = call(&ana, &server, PreviewMarkdown::PATH, &[("markdown", markdown)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview = json(response).await;
    let html = preview["html"].as_str().unwrap_or_default();
    assert!(html.contains(r#"<h2 id="symptoms">Symptoms</h2>"#), "{html}");
    assert!(
        html.contains("<li>fever</li>") && html.contains("<td>5 mg</td>"),
        "{html}"
    );
    assert!(html.contains(r#"rel="noopener""#), "{html}");
    for forbidden in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
    }
    assert_eq!(preview["reading_time_minutes"], 1);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    the_preview_renders_markdown_without_anything_executable,
    a_stale_save_is_refused_and_loses_nothing,
    bad_input_gets_a_message_on_the_field
);
