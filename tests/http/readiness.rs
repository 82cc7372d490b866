//! The editor's readiness checks over HTTP: the reading level against the
//! target the admin set, links to posts readers cannot see, and sources.

use app::accounts::Role;
use app::posts::api::{CheckReadiness, FindLinkTargets};
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

/// `text` citing a source, which the readiness panel asks for.
fn cited(text: &str) -> String {
    format!("{text}[^1]\n\n[^1]: NHS. Insomnia. https://www.nhs.uk/conditions/insomnia/\n")
}

pub(crate) async fn check(server: &server::RunningServer, client: &reqwest::Client, body: &str) -> (StatusCode, Value) {
    check_as(server, client, body, None).await
}

/// `check`, naming the post's kind (`post` or `page`) as the editor does.
async fn check_as(
    server: &server::RunningServer,
    client: &reqwest::Client,
    body: &str,
    kind: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
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
    form.extend(kind.map(|kind| ("kind", kind)));
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
    assert_eq!(
        plain["items"],
        serde_json::json!([{ "field": "body", "message": app::posts::server::readiness::NO_SOURCES }]),
        "plain words citing nothing: only the sources are missing: {plain}"
    );
    let (_, sourced) = check(&server, &ana_client, &cited(PLAIN)).await;
    assert_eq!(sourced["items"], serde_json::json!([]), "{sourced}");
    // A page (About, Contact) cites nothing and is not asked to; an
    // article named as one still is.
    let (status, page) = check_as(&server, &ana_client, PLAIN, Some("page")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"], serde_json::json!([]), "{page}");
    let (_, article) = check_as(&server, &ana_client, PLAIN, Some("post")).await;
    assert_eq!(article["items"], plain["items"], "{article}");
    assert_eq!(sourced["grade"], plain["grade"], "a citation is not graded as prose");

    // The admin's target is the one the panel reads.
    crate::change_settings(&server, |settings| settings.reading_grade_target = 5).await;
    let (_, stricter) = check(&server, &ana_client, PLAIN).await;
    assert_eq!(stricter["target"], 5);
    let mut settings = server.state.store.site_settings().await.expect("settings");
    settings.reading_grade_target = 40;
    assert!(
        app::settings::server::SettingsUpdate::parse(&settings).is_err(),
        "a grade beyond school is refused"
    );

    // A link to a draft is named; one to a published post is not.
    // A link to a post's old slug answers 301: it is not named either.
    let naps = post_as(&server, &ana, "Naps", "Sleep", PostStatus::Published, noon(), None).await;
    db.raw_sql(&format!(
        "INSERT INTO post_slug_history (slug, post_id) VALUES ('napping', {})",
        naps.id
    ))
    .await;
    crate::posts::create(&ana_client, &server, "Night shifts").await;
    let body = cited(&format!(
        "{PLAIN}\n\nSee [naps](/posts/naps), [napping](/posts/napping) and [shifts](/posts/night-shifts)."
    ));
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

async fn titles(server: &server::RunningServer, client: &reqwest::Client, q: &str) -> Vec<(String, String, String)> {
    let response = call(client, server, FindLinkTargets::PATH, &[("q", q)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let found: Value = response.json().await.expect("JSON");
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|target| {
            let text = |key: &str| target[key].as_str().unwrap_or_default().to_owned();
            (text("title"), text("path"), text("status"))
        })
        .collect()
}

/// The link dialog finds published posts for everyone, and drafts only
/// for those who may see them.
async fn the_link_dialog_finds_what_the_caller_may_see(db: &TestDb) {
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ben = create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let published = post_as(
        &server,
        &ben,
        "Sleep and blood pressure",
        "Sleep",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    // Ben's pending update renames it: readers, and so authors, still see
    // (and find) the old title.
    db.raw_sql(&format!(
        "UPDATE posts SET title = 'Rest and hypertension: new trial data' WHERE id = {}",
        published.id
    ))
    .await;
    for (author, title, tag, status) in [
        (&ben, "Sleep apnoea (draft)", "Sleep", PostStatus::Draft),
        (&ana, "Sleep for shift workers", "Sleep", PostStatus::Draft),
        (&ana, "Hay fever", "Allergy", PostStatus::Published),
    ] {
        post_as(&server, author, title, tag, status, noon(), None).await;
    }

    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let mut found = titles(&server, &ana_client, "  SLEEP ").await;
    found.sort();
    assert_eq!(
        found,
        [
            (
                "Sleep and blood pressure".into(),
                "/posts/sleep-and-blood-pressure".into(),
                "published".into()
            ),
            (
                "Sleep for shift workers".into(),
                "/posts/sleep-for-shift-workers".into(),
                "draft".into()
            ),
        ],
        "an author finds published posts and her own drafts, not a colleague's"
    );
    assert!(
        titles(&server, &ana_client, "trial").await.is_empty(),
        "a pending title is not searched"
    );
    assert!(
        titles(&server, &ana_client, "\0").await.is_empty(),
        "NUL finds nothing, on both databases"
    );
    let maya_client = signed_in(&server, "maya@clinic.org").await;
    assert_eq!(
        titles(&server, &maya_client, "sleep").await.len(),
        2,
        "editors find every post, by its working title"
    );
    assert_eq!(titles(&server, &maya_client, "hypertension").await.len(), 1);
    assert!(
        titles(&server, &maya_client, "%").await.is_empty(),
        "LIKE patterns are text"
    );
    let long = "x".repeat(201);
    let response = call(&ana_client, &server, FindLinkTargets::PATH, &[("q", long.as_str())]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await.expect("stop");
}

/// The site's language: public pages and feeds declare it, the API says
/// it, and the reading level is left out where the formula does not fit.
async fn the_site_language_reaches_pages_feeds_the_api_and_the_grade(db: &TestDb) {
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    post_as(
        &server,
        &ana,
        "Dormir bien",
        "Sueño",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    let home = crate::page_html(&server, "/").await;
    assert!(home.contains("<html lang=\"en\""), "English by default");

    crate::change_settings(&server, |settings| settings.language = "es".into()).await;

    let page = crate::page_html(&server, "/posts/dormir-bien").await;
    assert!(page.contains("<html lang=\"es\""), "{}", &page[..page.len().min(200)]);
    let feed = crate::page_html(&server, "/feed.xml").await;
    assert!(feed.contains("<language>es</language>"), "{feed}");
    let site: Value = serde_json::from_str(&crate::page_html(&server, "/api/v1/site").await).expect("JSON");
    assert_eq!(site["locale"], "es");

    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let (_, checked) = check(&server, &ana_client, PLAIN).await;
    assert_eq!(checked["grade"], Value::Null, "{checked}");
    assert_eq!(checked["ungraded_language"], "es", "{checked}");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    readiness_reads_the_grade_against_the_target_and_checks_post_links,
    the_link_dialog_finds_what_the_caller_may_see,
    the_site_language_reaches_pages_feeds_the_api_and_the_grade,
);
