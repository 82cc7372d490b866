//! `vellum export`: the whole site in open formats.

use std::process::Command;

use app::accounts::Role;
use app::posts::api::AddComment;
use image::ImageFormat;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::media::{picture, upload};
use crate::posts::{create, saved};
use crate::support::TestDb;
use crate::{call, create_user, signed_in, start};

async fn an_export_holds_every_post_revision_comment_user_and_image(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let (status, image) = upload(&server, &ana, "chart.png", picture(900, 600, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::CREATED);
    let post = create(&ana, &server, "Sleep: \"the basics\"").await;
    let body = format!("## Why\n\nRest.\n\n![A chart]({})", image["url"].as_str().expect("url"));
    let first = saved(&ana, &server, &post, &[("body", "A first try."), ("tags", "Sleep")]).await;
    let post = saved(&ana, &server, &first, &[("body", &body)]).await;
    let id = post["id"].to_string();
    let commented = call(
        &ana,
        &server,
        AddComment::PATH,
        &[("id", &id), ("body", "Ready for a look.")],
    )
    .await;
    assert_eq!(commented.status(), StatusCode::OK);

    let folder = tempfile::TempDir::new().expect("folder");
    let out = folder.path().join("export");
    let run = |dir: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_vellum"))
            .env_remove("VELLUM_MEDIA_STORE")
            .args(["export", &dir.display().to_string(), "--database-url", db.url()])
            .args(["--data-dir", &db.dir().display().to_string()])
            .output()
            .expect("run vellum export")
    };
    let done = run(&out);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(!run(&out).status.success(), "an export never writes over another");

    let text = std::fs::read_to_string(out.join("site.json")).expect("site.json");
    let site: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(site["format"], "vellum-export/1");
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "no password hashes"
    );
    assert_eq!(site["users"][0]["email"], "ana@clinic.org");
    let exported = &site["posts"][0];
    assert_eq!(exported["title"], "Sleep: \"the basics\"");
    assert_eq!(exported["markdown"], body.as_str());
    assert_eq!(exported["tags"][0], "Sleep");
    assert!(
        exported["revisions"]
            .as_array()
            .is_some_and(|revisions| revisions.len() >= 2),
        "{exported}"
    );
    assert_eq!(exported["comments"][0]["body"], "Ready for a look.");
    assert_eq!(site["tags"][0]["name"], "Sleep");

    let markdown = std::fs::read_to_string(out.join("posts").join("sleep-the-basics.md")).expect("post file");
    assert!(
        markdown.starts_with("---\ntitle: \"Sleep: \\\"the basics\\\"\"\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("tags: [\"Sleep\"]") && markdown.ends_with(&format!("{body}\n")),
        "{markdown}"
    );

    let media = site["media"].as_array().expect("media");
    assert_eq!(media.len(), 1);
    let keys: Vec<String> = std::iter::once(media[0]["original_key"].as_str().expect("key").to_owned())
        .chain(
            media[0]["variants"]
                .as_array()
                .expect("variants")
                .iter()
                .map(|variant| variant["key"].as_str().expect("key").to_owned()),
        )
        .collect();
    assert!(keys.len() > 1);
    for key in keys {
        let bytes = std::fs::read(out.join("media").join(&key)).expect("media file");
        let hash = hex::encode(Sha256::digest(&bytes));
        assert!(key.starts_with(&hash), "{key} holds the bytes it names");
    }

    // Admins download the same export from Settings; nobody else may.
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let path = crate::url(&server, app::admin::EXPORT_PATH);
    assert_eq!(
        crate::client().post(&path).send().await.expect("POST").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ana.post(&path).send().await.expect("POST").status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.get(&path).send().await.expect("GET").status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "a link or an image elsewhere cannot start an export"
    );
    let download = admin
        .post(&path)
        .header("origin", format!("http://{}", server.addr))
        .send()
        .await
        .expect("POST");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/gzip");
    assert_eq!(download.headers()["cache-control"], "private, no-store");
    let bytes = download.bytes().await.expect("body");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let names: Vec<String> = archive
        .entries()
        .expect("a tar archive")
        .filter_map(Result::ok)
        .filter_map(|entry| entry.path().ok().map(|path| path.display().to_string()))
        .collect();
    for expected in ["vellum-export/site.json", "vellum-export/posts/sleep-the-basics.md"] {
        assert!(names.iter().any(|name| name == expected), "{expected} in {names:?}");
    }
    assert!(
        names.iter().any(|name| name.starts_with("vellum-export/media/")),
        "{names:?}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(an_export_holds_every_post_revision_comment_user_and_image);
