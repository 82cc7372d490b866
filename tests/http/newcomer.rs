//! The API tried as a newcomer would: `tests/newcomer/try_api.py`, which
//! knows only the OpenAPI document and docs/api.md, lists posts page by
//! page, fetches one, opens a draft by its preview token and checks a
//! webhook's signature, against a real server.

use std::process::Stdio;

use app::accounts::Role;
use app::posts::workflow::PostStatus;
use app::previews::api::CreatePreviewLink;
use app::webhooks::api::CreateWebhook;
use chrono::{Duration, Utc};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::blog::post_as;
use crate::support::TestDb;
use crate::{call, create_user, signed_in, start};

async fn a_newcomer_script_lists_pages_previews_and_checks_a_webhook(db: &TestDb) {
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let now = Utc::now();
    for n in 1..=5 {
        let at = now - Duration::days(10 - n);
        post_as(
            &server,
            &ana,
            &format!("Article {n}"),
            "Sleep",
            PostStatus::Published,
            at,
            None,
        )
        .await;
    }
    let draft = post_as(&server, &ana, "Coming soon", "Sleep", PostStatus::Draft, now, None).await;

    let maya = signed_in(&server, "maya@clinic.org").await;
    let id = draft.id.to_string();
    let link = call(
        &maya,
        &server,
        CreatePreviewLink::PATH,
        &[("post_id", &id), ("days", "7")],
    )
    .await;
    assert_eq!(link.status(), StatusCode::OK);
    let link: Value = link.json().await.expect("JSON");
    let token = link["api_url"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("token")
        .to_owned();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let admin = signed_in(&server, "admin@clinic.org").await;
    let hook = call(
        &admin,
        &server,
        CreateWebhook::PATH,
        &[
            ("url", &format!("http://127.0.0.1:{port}/vellum")),
            ("events[0]", "post.published"),
        ],
    )
    .await;
    assert_eq!(hook.status(), StatusCode::OK);
    let hook: Value = hook.json().await.expect("JSON");
    let secret = hook["secret"].as_str().expect("secret");

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/newcomer/try_api.py");
    let mut child = tokio::process::Command::new("python3")
        .arg(script)
        .arg(format!("http://{}", server.addr))
        .arg(&token)
        .arg(secret)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut output = Vec::new();
    let conversation = async {
        while let Some(line) = lines.next_line().await.expect("read") {
            let listening = line.starts_with("listening");
            output.push(line);
            if listening {
                let now = Utc::now();
                post_as(
                    &server,
                    &ana,
                    "Fresh article",
                    "Sleep",
                    PostStatus::Published,
                    now,
                    None,
                )
                .await;
            }
        }
        child.wait().await.expect("exit status")
    };
    // A stuck script fails the test instead of hanging the run.
    let status = tokio::time::timeout(std::time::Duration::from_secs(90), conversation)
        .await
        .expect("the script finishes within 90 s");
    let output = output.join("\n");
    assert!(status.success(), "the script failed:\n{output}");
    assert!(output.contains("listed 5 posts over 3 pages"), "{output}");
    assert!(output.contains("previewed draft \"Coming soon\""), "{output}");
    assert!(
        output.contains("webhook post.published for \"Fresh article\", signature valid"),
        "{output}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(a_newcomer_script_lists_pages_previews_and_checks_a_webhook);
