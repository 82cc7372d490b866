//! Posts over HTTP: saving with a version check, bad input, the preview,
//! revisions, on both databases.

use app::accounts::Role;
use app::posts::api::{
    ChangeStatus, CreatePost, LoadPost, PostHistory, PreviewMarkdown, RestoreRevision, RevisionDiff, SavePost,
};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestDb;
use crate::{call, create_user, signed_in, start, url};

pub async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON expected ({status}): {text}"))
}

/// Starts a draft as `client` and returns the post as the server sent it.
pub async fn create(client: &reqwest::Client, server: &server::RunningServer, title: &str) -> Value {
    let response = call(client, server, CreatePost::PATH, &[("title", title)]).await;
    assert_eq!(response.status(), StatusCode::OK, "create {title}");
    json(response).await
}

/// The post's current state as `client` may see it (an `EditorData`).
pub async fn load(client: &reqwest::Client, server: &server::RunningServer, post: &Value) -> reqwest::Response {
    call(client, server, LoadPost::PATH, &[("id", &post["id"].to_string())]).await
}

/// Every field of the save form, as the editor sends it: the post's own
/// values with `changes` on top.
pub fn edit_form(post: &Value, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = vec![
        ("id".into(), post["id"].to_string()),
        ("version".into(), post["version"].to_string()),
        ("show_review".into(), post["show_review"].to_string()),
        ("manual".into(), "true".into()),
    ];
    for field in [
        "title",
        "slug",
        "body",
        "excerpt",
        "cover_url",
        "cover_alt",
        "seo_title",
        "seo_description",
        "canonical_url",
        "tags",
    ] {
        form.push((field.into(), post[field].as_str().unwrap_or_default().to_owned()));
    }
    if let Some(authors) = post["authors"].as_array() {
        for (index, author) in authors.iter().enumerate() {
            form.push((format!("author_ids[{index}]"), author["id"].to_string()));
        }
    }
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = (*value).to_owned(),
            None => form.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    form
}

pub async fn save(
    client: &reqwest::Client,
    server: &server::RunningServer,
    post: &Value,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let form = edit_form(post, changes);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(client, server, SavePost::PATH, &form).await
}

/// A workflow step on `post` at its version; `extra` adds a comment or a
/// publication time.
pub async fn step(
    client: &reqwest::Client,
    server: &server::RunningServer,
    post: &Value,
    transition: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let id = post["id"].to_string();
    let version = post["version"].to_string();
    let mut form = vec![
        ("id", id.as_str()),
        ("version", version.as_str()),
        ("transition", transition),
    ];
    form.extend_from_slice(extra);
    call(client, server, ChangeStatus::PATH, &form).await
}

/// Saves and returns the saved post, asserting success.
pub async fn saved(
    client: &reqwest::Client,
    server: &server::RunningServer,
    post: &Value,
    changes: &[(&str, &str)],
) -> Value {
    let response = save(client, server, post, changes).await;
    assert_eq!(response.status(), StatusCode::OK, "save {changes:?}");
    json(response).await
}

async fn a_stale_save_is_refused_and_loses_nothing(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;

    let post = create(&ana, &server, "Managing Blood Pressure").await;
    assert_eq!(post["slug"], "managing-blood-pressure");
    assert_eq!(post["status"], "draft");
    assert_eq!(post["version"], 1);

    let ana_text = "## Why it matters\n\nHigh blood pressure rarely hurts.";
    let after_ana = saved(&ana, &server, &post, &[("body", ana_text)]).await;
    assert_eq!(after_ana["version"], 2);

    // Maya opened version 1 too; her save must not overwrite Ana's.
    let stale = save(
        &maya,
        &server,
        &post,
        &[("title", "Other title"), ("body", "A different text.")],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        json(stale).await["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Nothing was overwritten")
    );
    let current = json(load(&maya, &server, &post).await).await;
    assert_eq!(current["post"]["body"], ana_text);
    assert_eq!(current["post"]["version"], 2);

    let fresh = save(&maya, &server, &after_ana, &[("body", "A different text.")]).await;
    assert_eq!(
        fresh.status(),
        StatusCode::OK,
        "with the current version the save goes through"
    );

    // Saving the same text again changes nothing, not even the version.
    let again = json(load(&maya, &server, &post).await).await;
    let same = saved(&maya, &server, &again["post"], &[]).await;
    assert_eq!(same["version"], again["post"]["version"]);
    server.stop().await.expect("stop");
}

async fn bad_input_gets_a_message_on_the_field(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let empty = call(&ana, &server, CreatePost::PATH, &[("title", "   ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(empty).await["fields"]["title"].is_array());

    let first = create(&ana, &server, "Sleep").await;
    let second = create(&ana, &server, "Sleep").await;
    assert_eq!(first["slug"], "sleep");
    assert_eq!(second["slug"], "sleep-2", "a new draft never takes a used address");

    let taken = save(&ana, &server, &second, &[("slug", "sleep")]).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let message = json(taken).await["fields"]["slug"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("Another post"), "{message}");

    for (field, value) in [
        ("slug", "admin"),
        ("slug", "Not A Slug"),
        ("title", ""),
        ("title", &"long ".repeat(50)),
        ("excerpt", &"x".repeat(501)),
        ("cover_url", "javascript:alert(1)"),
        ("canonical_url", "not a url"),
        ("body", "bell\u{7}"),
    ] {
        let response = save(&ana, &server, &second, &[(field, value)]).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value:?}"
        );
        assert!(
            json(response).await["fields"][field].is_array(),
            "{field} has a message"
        );
    }
    let no_alt = save(&ana, &server, &second, &[("cover_url", "https://img.example/a.jpg")]).await;
    assert!(
        json(no_alt).await["fields"]["cover_alt"].is_array(),
        "a cover needs alt text"
    );

    // Nothing of the refused saves was written.
    let unchanged = json(load(&ana, &server, &second).await).await;
    assert_eq!(unchanged["post"]["version"], 1);

    let megabyte = "A sentence about sleep and health.\n\n".repeat(30_000);
    let big = saved(&ana, &server, &second, &[("body", &megabyte)]).await;
    assert_eq!(
        big["body"].as_str().map(str::len),
        Some(megabyte.len()),
        "a 1 MB body saves whole"
    );

    // Bytes that are not UTF-8 are refused with a message, not a 500.
    let raw = format!("id={}&version=2&title=%FF%FE&slug=sleep-2&body=x", second["id"]);
    let response = crate::client()
        .post(url(&server, SavePost::PATH))
        .header("origin", format!("http://{}", server.addr))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(raw)
        .send()
        .await
        .expect("POST");
    assert!(response.status().is_client_error(), "got {}", response.status());
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

async fn revisions_are_kept_compared_and_restored(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let post = create(&ana, &server, "Hydration").await;
    let id = post["id"].to_string();

    // Two autosaves in quick succession are one revision; a manual save
    // is one of its own.
    let v2 = saved(
        &ana,
        &server,
        &post,
        &[("body", "Drink water.\nEat fruit.\n"), ("manual", "false")],
    )
    .await;
    let v3 = saved(
        &ana,
        &server,
        &v2,
        &[("body", "Drink water.\nEat fruit.\nSleep.\n"), ("manual", "false")],
    )
    .await;
    let v4 = saved(
        &ana,
        &server,
        &v3,
        &[("body", "Drink water.\nEat vegetables.\nSleep.\n")],
    )
    .await;
    let history = json(call(&ana, &server, PostHistory::PATH, &[("id", &id)]).await).await;
    let list = history.as_array().expect("revisions");
    let kinds: Vec<&str> = list.iter().map(|r| r["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        kinds,
        ["save", "autosave"],
        "newest first; the autosaves were coalesced"
    );
    assert_eq!(
        list[1]["version"], 3,
        "the coalesced autosave holds the latest autosaved text"
    );

    let (older, newer) = (list[1]["id"].to_string(), list[0]["id"].to_string());
    let diff = json(
        call(
            &ana,
            &server,
            RevisionDiff::PATH,
            &[("id", &id), ("from", &older), ("to", &newer)],
        )
        .await,
    )
    .await;
    let lines: Vec<String> = diff["body"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            format!(
                "{}{}",
                line["sign"].as_str().unwrap_or_default(),
                line["text"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(lines, [" Drink water.", "-Eat fruit.", "+Eat vegetables.", " Sleep."]);

    // Restoring the autosave makes its text current as a new version, and
    // the version it replaced stays in the history.
    let stale = call(
        &ana,
        &server,
        RestoreRevision::PATH,
        &[("id", &id), ("revision", &older), ("version", "2")],
    )
    .await;
    assert_eq!(
        stale.status(),
        StatusCode::CONFLICT,
        "a restore carries the version too"
    );
    let restored = call(
        &ana,
        &server,
        RestoreRevision::PATH,
        &[
            ("id", &id),
            ("revision", &older),
            ("version", &v4["version"].to_string()),
        ],
    )
    .await;
    assert_eq!(restored.status(), StatusCode::OK);
    let restored = json(restored).await;
    assert_eq!(restored["body"], "Drink water.\nEat fruit.\nSleep.\n");
    assert_eq!(restored["version"], 5);
    let history = json(call(&ana, &server, PostHistory::PATH, &[("id", &id)]).await).await;
    let kinds: Vec<&str> = history
        .as_array()
        .expect("revisions")
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["restore", "save", "autosave"], "nothing was destroyed");
    server.stop().await.expect("stop");
}

async fn tags_are_created_inline_and_described_by_editors(db: &TestDb) {
    use app::posts::api::{ListTags, UpdateTag};
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let post = create(&ana, &server, "Migraine").await;
    saved(&ana, &server, &post, &[("tags", "Headache, Neurology")]).await;
    let other = create(&ana, &server, "Tension headache").await;
    saved(&ana, &server, &other, &[("tags", "headache")]).await;

    let tags = json(call(&ana, &server, ListTags::PATH, &[]).await).await;
    let listed: Vec<(String, i64)> = tags
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap_or_default().to_owned(),
                t["posts"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("headache".to_owned(), 2), ("neurology".to_owned(), 1)],
        "one tag per slug"
    );

    let id = tags[0]["id"].to_string();
    let description = "Articles about headaches and migraines.";
    let form = [("id", id.as_str()), ("name", "Headaches"), ("description", description)];
    assert_eq!(
        call(&ana, &server, UpdateTag::PATH, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let updated = json(call(&maya, &server, UpdateTag::PATH, &form).await).await;
    assert_eq!(updated["name"], "Headaches");
    assert_eq!(updated["slug"], "headache", "the address stays");
    assert_eq!(updated["description"], description);
    // Saving a post with the tag's new name keeps it on the same tag.
    let migraine = json(load(&ana, &server, &post).await).await["post"].clone();
    assert_eq!(migraine["tags"], "Headaches, Neurology");
    saved(&ana, &server, &migraine, &[("tags", "headaches, Neurology")]).await;
    let tags = json(call(&ana, &server, ListTags::PATH, &[]).await).await;
    assert_eq!(tags.as_array().map(Vec::len), Some(2), "no new tag: {tags}");
    assert_eq!(tags[0]["posts"], 2);
    let comma = [("id", id.as_str()), ("name", "Head, ache"), ("description", "")];
    assert_eq!(
        call(&maya, &server, UpdateTag::PATH, &comma).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let empty = call(
        &maya,
        &server,
        UpdateTag::PATH,
        &[("id", id.as_str()), ("name", " "), ("description", "")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    the_preview_renders_markdown_without_anything_executable,
    a_stale_save_is_refused_and_loses_nothing,
    bad_input_gets_a_message_on_the_field,
    revisions_are_kept_compared_and_restored,
    tags_are_created_inline_and_described_by_editors
);
