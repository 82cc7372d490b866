//! Reviews that stay current, over HTTP with a clock the tests move: the
//! next review's due date (by default a year after the review, or the
//! reviewer's own), the due queue and its reminder, re-reviews by editors
//! (never by authors), what readers and the API see once a review lapses,
//! and the messages bad dates and intervals get. On both databases.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter};
use app::clock::ManualClock;
use app::domain::LapsedReviewDisplay;
use app::posts::api::{Dashboard, ListNotifications, ListPosts, ReReview, SetReviewDue};
use app::settings::api::SaveSiteSettings;
use chrono::{DateTime, Months, Utc};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::posts::{create, json, load, saved, step};
use crate::support::TestDb;
use crate::{call, change_settings, create_user, page_html, signed_in, start_at, url};

/// Noon on March 15, 2030 (the site's zone is UTC): eleven months on is
/// Feb 15, 2031, 28 days before the review a year on falls due.
fn reviewed_on() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-03-15T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

fn months_later(months: u32) -> DateTime<Utc> {
    reviewed_on().checked_add_months(Months::new(months)).expect("date")
}

/// The post inside an `EditorData` answer, asserting success.
async fn post_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["post"].clone()
}

/// Written by `author`, approved and published by `reviewer` at the
/// clock's time.
async fn published(server: &RunningServer, author: &reqwest::Client, reviewer: &reqwest::Client, title: &str) -> Value {
    let post = create(author, server, title).await;
    let post = saved(
        author,
        server,
        &post,
        &[("body", "Drink water before you are thirsty.")],
    )
    .await;
    let post = post_of(step(author, server, &post, "submit", &[]).await).await;
    let post = post_of(step(reviewer, server, &post, "approve", &[]).await).await;
    post_of(step(reviewer, server, &post, "publish_now", &[]).await).await
}

async fn re_review(
    client: &reqwest::Client,
    server: &RunningServer,
    post: &Value,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let id = post["id"].to_string();
    let mut fields = vec![("id", id.as_str())];
    fields.extend_from_slice(form);
    call(client, server, ReReview::PATH, &fields).await
}

async fn set_due(client: &reqwest::Client, server: &RunningServer, post: &Value, due: &str) -> reqwest::Response {
    call(
        client,
        server,
        SetReviewDue::PATH,
        &[("id", &post["id"].to_string()), ("due", due)],
    )
    .await
}

async fn api_post(server: &RunningServer, slug: &str) -> Value {
    let response = crate::client()
        .get(url(server, &format!("/api/v1/posts/{slug}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|posts| {
            posts
                .iter()
                .map(|post| post["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn due_queue(client: &reqwest::Client, server: &RunningServer) -> Value {
    json(call(client, server, Dashboard::PATH, &[]).await).await["due_for_review"].clone()
}

async fn review_reminders(client: &reqwest::Client, server: &RunningServer) -> Vec<String> {
    let notes = json(call(client, server, ListNotifications::PATH, &[]).await).await;
    notes
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .filter_map(|note| note["message"].as_str())
                .filter(|message| message.contains("due for its next medical review"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The article's review line on its public page, without the markup.
fn review_line(page: &str) -> String {
    let Some((_, rest)) = page.split_once(r#"data-testid="reviewed-by""#) else {
        return String::new();
    };
    let line = rest.split_once("</p>").map_or("", |(line, _)| line);
    let mut text = String::new();
    let mut in_tag = true;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn a_review_comes_due_lapses_and_is_renewed(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(reviewed_on()));
    let server = start_at(db, &clock).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let omar = signed_in(&server, "omar@clinic.org").await;
    let post = published(&server, &ana, &maya, "Water in the heat").await;

    // Due a year after the review, by default.
    assert_eq!(post["review_due"], "March 15, 2031");
    assert_eq!(post["review_due_on"], "2031-03-15");
    assert_eq!(post["review_overdue"], false);
    let api = api_post(&server, "water-in-the-heat").await;
    assert_eq!(api["reviewer"]["name"], "Maya Patel");
    assert_eq!(api["review"]["due_at"], "2031-03-15T12:00:00Z");
    assert_eq!(api["review"]["overdue"], false);
    let page = page_html(&server, "/posts/water-in-the-heat").await;
    assert_eq!(review_line(&page), "Medically reviewed by Maya Patel on March 15, 2030");
    // The OpenAPI document says so too.
    let spec = json(
        crate::client()
            .get(url(&server, "/api/v1/openapi.json"))
            .send()
            .await
            .expect("GET spec"),
    )
    .await;
    let review = &spec["components"]["schemas"]["ReviewStatus"];
    assert!(review["properties"]["due_at"].is_object(), "{review}");
    assert!(review["properties"]["overdue"]["type"] == "boolean", "{review}");
    let required = review["required"].as_array().expect("required");
    assert!(required.contains(&Value::from("overdue")), "{review}");
    assert!(!required.contains(&Value::from("due_at")), "nullable: {review}");

    // Ten months on, nothing is due within 30 days.
    clock.set(months_later(10));
    assert_eq!(due_queue(&maya, &server).await, Value::Array(Vec::new()));
    assert_eq!(server::remind_due_reviews(&server.state).await.expect("remind"), 0);

    // Eleven months on, 28 days before: in the queue, the list's filter,
    // and one reminder to Maya however often the worker runs.
    clock.set(months_later(11));
    let queue = due_queue(&maya, &server).await;
    assert_eq!(titles(&queue), ["Water in the heat"]);
    assert_eq!(queue[0]["review_due"], "March 15, 2031");
    assert_eq!(queue[0]["review_overdue"], false);
    let filtered = json(call(&maya, &server, ListPosts::PATH, &[("review", "due")]).await).await;
    assert_eq!(titles(&filtered), ["Water in the heat"]);
    let unfiltered = json(call(&maya, &server, ListPosts::PATH, &[]).await).await;
    assert_eq!(titles(&unfiltered), ["Water in the heat"]);
    let bad_filter = call(&maya, &server, ListPosts::PATH, &[("review", "soon")]).await;
    assert_eq!(bad_filter.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server::remind_due_reviews(&server.state).await.expect("remind"), 1);
    assert_eq!(server::remind_due_reviews(&server.state).await.expect("again"), 0);
    let reminders = review_reminders(&maya, &server).await;
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert!(
        reminders[0].contains("\u{201c}Water in the heat\u{201d}"),
        "{reminders:?}"
    );
    assert!(review_reminders(&omar, &server).await.is_empty(), "only the reviewer");
    let page = page_html(&server, "/posts/water-in-the-heat").await;
    assert_eq!(review_line(&page), "Medically reviewed by Maya Patel on March 15, 2030");

    // Thirteen months on it has lapsed: still in the queue, still one
    // reminder, and readers see the review flagged.
    clock.set(months_later(13));
    let queue = due_queue(&maya, &server).await;
    assert_eq!(queue[0]["review_overdue"], true);
    assert_eq!(server::remind_due_reviews(&server.state).await.expect("remind"), 0);
    assert_eq!(review_reminders(&maya, &server).await.len(), 1, "once per due date");
    let page = page_html(&server, "/posts/water-in-the-heat").await;
    assert_eq!(
        review_line(&page),
        "Medically reviewed by Maya Patel on March 15, 2030 · Review due"
    );
    let api = api_post(&server, "water-in-the-heat").await;
    assert_eq!(api["review"]["overdue"], true);
    let loaded = post_of(load(&maya, &server, &post).await).await;
    assert_eq!(loaded["review_overdue"], true);

    // The other display: only the date of the last review.
    change_settings(&server, |settings| {
        settings.lapsed_review_display = LapsedReviewDisplay::DateOnly;
    })
    .await;
    let page = page_html(&server, "/posts/water-in-the-heat").await;
    assert_eq!(review_line(&page), "Last reviewed March 15, 2030");
    assert!(!page.contains("Medically reviewed by"));

    // An author may not re-review, not even their own article.
    let refused = re_review(&ana, &server, &post, &[("outcome", "confirm")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(refused).await["error"], "forbidden");
    let revisions = server
        .state
        .store
        .revisions(post["id"].as_i64().expect("id"))
        .await
        .expect("revisions");

    // Omar confirms the live text: a new review, no new text.
    let renewed = post_of(re_review(&omar, &server, &post, &[("outcome", "confirm")]).await).await;
    assert_eq!(renewed["status"], "published");
    assert_eq!(renewed["reviewed_by"], "Omar Haddad");
    assert_eq!(renewed["review_due"], "April 15, 2032");
    assert_eq!(renewed["review_overdue"], false);
    assert_eq!(renewed["version"], post["version"]);
    let after = server
        .state
        .store
        .revisions(post["id"].as_i64().expect("id"))
        .await
        .expect("revisions");
    assert_eq!(after.len(), revisions.len(), "no new revision");
    let page = page_html(&server, "/posts/water-in-the-heat").await;
    assert_eq!(
        review_line(&page),
        "Medically reviewed by Omar Haddad on April 15, 2031"
    );
    let posting = crate::json_ld_blocks(&page)
        .into_iter()
        .find(|block| block["@type"] == "BlogPosting")
        .expect("the article's JSON-LD");
    assert_eq!(posting["mainEntityOfPage"]["lastReviewed"], "2031-04-15T12:00:00+00:00");
    assert_eq!(posting["mainEntityOfPage"]["reviewedBy"]["name"], "Omar Haddad");
    let api = api_post(&server, "water-in-the-heat").await;
    assert_eq!(api["reviewer"]["name"], "Omar Haddad");
    assert_eq!(api["reviewer"]["reviewed_at"], "2031-04-15T12:00:00Z");
    assert_eq!(api["review"]["due_at"], "2032-04-15T12:00:00Z");
    assert_eq!(api["review"]["overdue"], false);
    assert_eq!(
        due_queue(&maya, &server).await,
        Value::Array(Vec::new()),
        "no longer due"
    );
    let audit = server
        .state
        .store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::PostReReviewed),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].actor.as_deref(), Some("Omar Haddad"));
    assert!(
        audit[0].detail.contains("next review due April 15, 2032"),
        "{}",
        audit[0].detail
    );

    // Sent back: the authors read why; readers keep the article.
    let bare = re_review(&omar, &server, &post, &[("outcome", "send_back")]).await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(bare).await["fields"]["comment"][0]
            .as_str()
            .unwrap_or_default()
            .contains("authors")
    );
    let request = "The heat advice changed this summer; please update the fluid amounts.";
    let kept = post_of(re_review(&omar, &server, &post, &[("outcome", "send_back"), ("comment", request)]).await).await;
    assert_eq!(kept["status"], "published");
    assert_eq!(
        crate::status_of(&server, "/posts/water-in-the-heat").await,
        StatusCode::OK
    );
    let notes = json(call(&ana, &server, ListNotifications::PATH, &[]).await).await;
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Omar Haddad asked for changes")
    );
    let thread = json(load(&ana, &server, &post).await).await["comments"].clone();
    assert!(
        thread
            .as_array()
            .is_some_and(|comments| comments.iter().any(|c| c["body"] == request))
    );

    // A post without a published text has nothing to re-review.
    let draft = create(&ana, &server, "Not out yet").await;
    let conflict = re_review(&omar, &server, &draft, &[("outcome", "confirm")]).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let message = json(conflict).await["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        message.contains("Only a published article can be re-reviewed"),
        "{message}"
    );
    server.stop().await.expect("stop");
}

async fn reviewers_choose_dates_within_reason(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(reviewed_on()));
    let server = start_at(db, &clock).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let post = published(&server, &ana, &maya, "Flu season").await;

    // A date of the reviewer's own: the start of that day, site time.
    let dated = post_of(set_due(&maya, &server, &post, "2030-09-01").await).await;
    assert_eq!(dated["review_due"], "September 1, 2030");
    assert_eq!(
        api_post(&server, "flu-season").await["review"]["due_at"],
        "2030-09-01T00:00:00Z"
    );
    for (due, message) in [
        ("2030-03-01", "in the future"),
        ("2030-03-15", "in the future"),
        ("2036-01-01", "five years"),
        ("soon", "Choose the date"),
    ] {
        let refused = set_due(&maya, &server, &post, due).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{due}");
        let body = json(refused).await;
        assert!(
            body["fields"]["due"][0].as_str().unwrap_or_default().contains(message),
            "{due}: {body}"
        );
    }
    let refused = re_review(&maya, &server, &post, &[("outcome", "confirm"), ("due", "2020-01-01")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        set_due(&ana, &server, &post, "2030-10-01").await.status(),
        StatusCode::FORBIDDEN
    );
    let renewed =
        post_of(re_review(&maya, &server, &post, &[("outcome", "confirm"), ("due", "2030-12-01")]).await).await;
    assert_eq!(renewed["review_due"], "December 1, 2030");
    let draft = create(&ana, &server, "Not reviewed").await;
    assert_eq!(
        set_due(&maya, &server, &draft, "2030-10-01").await.status(),
        StatusCode::CONFLICT
    );

    // The interval: 1 to 60 months, with a message for anything else.
    let settings = server.state.store.site_settings().await.expect("settings");
    for months in ["0", "99", ""] {
        let response = call(
            &admin,
            &server,
            SaveSiteSettings::PATH,
            &[
                ("title", settings.title.as_str()),
                ("description", settings.description.as_str()),
                ("site_url", settings.site_url.as_str()),
                ("time_zone", settings.time_zone.as_str()),
                ("date_format", settings.date_format.as_str()),
                ("review_required", "true"),
                ("review_interval_months", months),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{months:?}");
        let body = json(response).await;
        let message = body["fields"]["review_interval_months"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains("1 to 60 months"), "{months:?}: {body}");
    }
    let saved_settings = call(
        &admin,
        &server,
        SaveSiteSettings::PATH,
        &[
            ("title", settings.title.as_str()),
            ("description", settings.description.as_str()),
            ("site_url", settings.site_url.as_str()),
            ("time_zone", settings.time_zone.as_str()),
            ("date_format", settings.date_format.as_str()),
            ("review_required", "true"),
            ("review_interval_months", "6"),
            ("lapsed_review_display", "date_only"),
        ],
    )
    .await;
    assert_eq!(saved_settings.status(), StatusCode::OK);
    let stored = server.state.store.site_settings().await.expect("settings");
    assert_eq!(stored.review_interval_months, 6);
    assert_eq!(stored.lapsed_review_display, LapsedReviewDisplay::DateOnly);
    let second = published(&server, &ana, &maya, "Sun safety").await;
    assert_eq!(second["review_due"], "September 15, 2030", "six months on");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_review_comes_due_lapses_and_is_renewed,
    reviewers_choose_dates_within_reason,
);
