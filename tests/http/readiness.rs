//! The editor's readiness checks over HTTP: the reading level against the
//! target the admin set, and links to posts readers cannot see.

use app::accounts::Role;
use app::posts::api::CheckReadiness;
use app::posts::workflow::PostStatus;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{call, create_user, signed_in, start};

const PLAIN: &str = "Sleep helps you feel good. Go to bed at the same time each night. Keep your room \
                     dark and cool. Put your phone away an hour before bed. If you still can't sleep, get \
                     up and read for a while.";

pub(crate) async fn check(server: &server::RunningServer, client: &reqwest::Client, body: &str) -> (StatusCode, Value) {
    let form = [
        ("title", "Sleep"),
        ("slug", "sleep"),
        ("body", body),
        ("excerpt", "Why sleep matters."),
        ("cover_url", ""),
        ("cover_alt", ""),
        ("seo_title", ""),
        ("seo_description", "Why sleep matters."),
        ("canonical_url", ""),
        ("tags", ""),
        ("show_review", "true"),
        ("author_ids[0]", "1"),
    ];
    let response = call(client, server, CheckReadiness::PATH, &form).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn readiness_reads_the_grade_against_the_target_and_checks_post_links(db: &TestDb) {
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let (status, _) = check(&server, &crate::client(), PLAIN).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "staff only");

    let (status, plain) = check(&server, &ana_client, PLAIN).await;
    assert_eq!(status, StatusCode::OK, "{plain}");
    assert_eq!(plain["target"], 8, "grade 8 unless the settings say otherwise");
    assert!(plain["grade"].as_f64().is_some_and(|grade| grade <= 6.0), "{plain}");
    assert_eq!(plain["items"], serde_json::json!([]), "{plain}");

    // The admin's target is the one the panel reads.
    let mut settings = server.state.store.site_settings().await.expect("settings");
    settings.reading_grade_target = 5;
    let update = app::settings::server::SettingsUpdate::parse(&settings).expect("valid");
    server
        .state
        .store
        .update_site_settings(&update, None)
        .await
        .expect("save");
    let (_, stricter) = check(&server, &ana_client, PLAIN).await;
    assert_eq!(stricter["target"], 5);
    settings.reading_grade_target = 40;
    assert!(
        app::settings::server::SettingsUpdate::parse(&settings).is_err(),
        "a grade beyond school is refused"
    );

    // A link to a draft is named; one to a published post is not.
    post_as(&server, &ana, "Naps", "Sleep", PostStatus::Published, noon(), None).await;
    crate::posts::create(&ana_client, &server, "Night shifts").await;
    let body = format!("{PLAIN}\n\nSee [naps](/posts/naps) and [shifts](/posts/night-shifts).");
    let (_, linked) = check(&server, &ana_client, &body).await;
    let messages: Vec<&str> = linked["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        ["The link to /posts/night-shifts leads to a post readers cannot see (yet)."],
        "{linked}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(readiness_reads_the_grade_against_the_target_and_checks_post_links);
