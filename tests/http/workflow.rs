//! The editorial workflow over HTTP, as the people in it see it: submit,
//! request changes with a comment, resubmit, approve, publish, pending
//! updates of live posts, old addresses, the trash and the setting that
//! lets authors publish their own posts. On both databases.

use app::accounts::Role;
use app::accounts::api::UpdateProfile;
use app::accounts::server::AuditFilter;
use app::posts::api::{
    AddComment, Dashboard, EmptyTrash, ListNotifications, PublishUpdate, ReviewQueue, UnreadNotifications,
};
use app::settings::api::SaveSiteSettings;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::posts::{create, json, load, save, saved, step};
use crate::support::TestDb;
use crate::{call, client, create_user, page_html, signed_in, start, status_of, url};

const BODY: &str = "## Why sleep matters\n\nSleep repairs the body.\n\n- Go to bed on time\n- Keep the room dark\n\n\
    | Hours | Effect |\n|---|---|\n| 7 | rested |\n\nSee [the NHS](https://www.nhs.uk/).\n";

/// The post inside an `EditorData` answer.
async fn post_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await["post"].clone()
}

async fn unread(client: &reqwest::Client, server: &server::RunningServer) -> i64 {
    json(call(client, server, UnreadNotifications::PATH, &[]).await)
        .await
        .as_i64()
        .unwrap_or(-1)
}

async fn the_golden_flow_from_draft_to_published(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "ben@clinic.org", "Ben Other", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let ben = signed_in(&server, "ben@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let profile = [
        ("display_name", "Dr. Maya Patel"),
        ("bio", ""),
        ("avatar_url", ""),
        ("credentials", "MD"),
    ];
    assert_eq!(
        call(&maya, &server, UpdateProfile::PATH, &profile).await.status(),
        StatusCode::OK
    );

    // Ana writes and submits.
    let post = create(&ana, &server, "Sleep and your heart").await;
    let post = saved(&ana, &server, &post, &[("body", BODY), ("tags", "Sleep, Heart health")]).await;
    assert_eq!(post["tags"], "Sleep, Heart health");
    assert_eq!(
        load(&ben, &server, &post).await.status(),
        StatusCode::NOT_FOUND,
        "not Ben's post"
    );
    let submitted = post_of(step(&ana, &server, &post, "submit", &[]).await).await;
    assert_eq!(submitted["status"], "in_review");
    let locked = save(&ana, &server, &submitted, &[("body", "Changed while in review")]).await;
    assert_eq!(
        locked.status(),
        StatusCode::CONFLICT,
        "authors wait while the post is reviewed"
    );

    // Maya sees it in her queue and her notifications.
    assert_eq!(unread(&maya, &server).await, 1);
    assert_eq!(unread(&client(), &server).await, 0, "a visitor has none");
    let queue = json(call(&maya, &server, ReviewQueue::PATH, &[]).await).await;
    assert_eq!(queue[0]["title"], "Sleep and your heart");
    assert_eq!(
        call(&ana, &server, ReviewQueue::PATH, &[]).await.status(),
        StatusCode::FORBIDDEN
    );

    // Sending it back needs a comment.
    let bare = step(&maya, &server, &submitted, "request_changes", &[]).await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(bare).await["fields"]["comment"].is_array());
    let request = "Please cite a source for the 7 hours.";
    let sent_back = post_of(step(&maya, &server, &submitted, "request_changes", &[("comment", request)]).await).await;
    assert_eq!(sent_back["status"], "changes_requested");

    // Ana sees the request on her dashboard and in her notifications.
    let board = json(call(&ana, &server, Dashboard::PATH, &[]).await).await;
    assert_eq!(board["changes_requested"][0]["latest_request"], request);
    assert_eq!(unread(&ana, &server).await, 1);
    let notes = json(call(&ana, &server, ListNotifications::PATH, &[]).await).await;
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Dr. Maya Patel asked for changes")
    );

    // Ana answers in the thread, edits and resubmits.
    let reply = call(
        &ana,
        &server,
        AddComment::PATH,
        &[("id", &post["id"].to_string()), ("body", "Added the AHA.")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let edited = saved(
        &ana,
        &server,
        &sent_back,
        &[("body", &format!("{BODY}\nSource: AHA, 2024.\n"))],
    )
    .await;
    let resubmitted = post_of(step(&ana, &server, &edited, "submit", &[]).await).await;
    assert_eq!(resubmitted["status"], "in_review");
    assert_eq!(
        step(&ana, &server, &resubmitted, "approve", &[]).await.status(),
        StatusCode::FORBIDDEN
    );

    // Approval names the version Maya read: a stale one is refused.
    let mut stale = resubmitted.clone();
    stale["version"] = Value::from(resubmitted["version"].as_i64().unwrap_or(0) - 1);
    assert_eq!(
        step(&maya, &server, &stale, "approve", &[]).await.status(),
        StatusCode::CONFLICT
    );
    let approved = post_of(step(&maya, &server, &resubmitted, "approve", &[]).await).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["reviewed_by"], "Dr. Maya Patel");
    assert_eq!(
        step(&ana, &server, &approved, "publish_now", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let editor_view = json(load(&maya, &server, &approved).await).await;
    let comments: Vec<&str> = editor_view["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["body"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(comments, [request, "Added the AHA."]);

    // Published: the public page shows who wrote and who reviewed it.
    let published = post_of(step(&maya, &server, &approved, "publish_now", &[]).await).await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["public_path"], "/posts/sleep-and-your-heart");
    let html = page_html(&server, "/posts/sleep-and-your-heart").await;
    let byline = html
        .split(r#"class="byline">"#)
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default();
    assert!(byline.starts_with("By "), "{byline}");
    assert!(
        byline.contains(r#"<a rel="author" href="/authors/ana-ruiz">Ana Ruiz</a>"#),
        "{byline}"
    );
    assert!(html.contains("Medically reviewed by Dr. Maya Patel, MD on"), "{html}");
    assert!(html.contains(r#"<h2 id="why-sleep-matters">"#) && html.contains("<td>rested</td>"));
    assert!(
        !crate::without_json_ld(&html).contains("<script"),
        "public pages carry no script"
    );
    assert!(
        html.contains(r#"<link rel="canonical" href="http://127.0.0.1:3000/posts/sleep-and-your-heart">"#),
        "{html}"
    );
    for tag in [
        r#"<meta content="article" property="og:type">"#,
        r#"<meta content="Sleep and your heart · Vellum" property="og:title">"#,
        r#"<meta name="twitter:card" content="summary">"#,
    ] {
        assert!(html.contains(tag), "{tag} missing: {html}");
    }
    assert!(
        json(call(&ana, &server, ListNotifications::PATH, &[]).await).await[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("published")
    );

    // Editing the live post makes a pending update; readers see the
    // approved text until an editor publishes the update.
    let pending = saved(
        &maya,
        &server,
        &published,
        &[("body", "A rewritten text."), ("slug", "sleep-and-the-heart")],
    )
    .await;
    assert_eq!(pending["status"], "published");
    assert_eq!(pending["pending_update"], true);
    assert!(
        page_html(&server, "/posts/sleep-and-your-heart")
            .await
            .contains("Sleep repairs the body.")
    );
    assert_eq!(
        save(&ana, &server, &pending, &[("body", "Author edit")]).await.status(),
        StatusCode::CONFLICT,
        "authors do not edit live posts"
    );
    assert_eq!(
        call(
            &ana,
            &server,
            PublishUpdate::PATH,
            &[
                ("id", &post["id"].to_string()),
                ("version", &pending["version"].to_string())
            ]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let update = call(
        &maya,
        &server,
        PublishUpdate::PATH,
        &[
            ("id", &post["id"].to_string()),
            ("version", &pending["version"].to_string()),
        ],
    )
    .await;
    let updated = post_of(update).await;
    assert_eq!(updated["pending_update"], false);
    let html = page_html(&server, "/posts/sleep-and-the-heart").await;
    assert!(html.contains("A rewritten text."), "{html}");
    let old = client()
        .get(url(&server, "/posts/sleep-and-your-heart"))
        .send()
        .await
        .expect("GET");
    assert_eq!(old.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.headers()["location"], "/posts/sleep-and-the-heart");

    // Unpublished: gone from the public site; trashed and restored as a
    // draft; only admins empty the trash.
    let unpublished = post_of(step(&maya, &server, &updated, "unpublish", &[]).await).await;
    assert_eq!(unpublished["status"], "draft");
    assert_eq!(
        status_of(&server, "/posts/sleep-and-the-heart").await,
        StatusCode::NOT_FOUND
    );
    let trashed = post_of(step(&ana, &server, &unpublished, "trash", &[]).await).await;
    assert_eq!(trashed["status"], "trashed");
    let restored = post_of(step(&ana, &server, &trashed, "restore", &[]).await).await;
    assert_eq!(restored["status"], "draft");
    let trashed = post_of(step(&ana, &server, &restored, "trash", &[]).await).await;
    assert_eq!(
        call(&maya, &server, EmptyTrash::PATH, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(json(call(&admin, &server, EmptyTrash::PATH, &[]).await).await, 1);
    assert_eq!(load(&maya, &server, &trashed).await.status(), StatusCode::NOT_FOUND);

    // Every step is in the audit log.
    let audit = server
        .state
        .store
        .list_audit(&AuditFilter {
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|row| row.action.as_str()).collect();
    for action in [
        "post_submitted",
        "changes_requested",
        "post_approved",
        "post_published",
        "update_published",
        "post_unpublished",
        "post_trashed",
        "post_restored",
        "trash_emptied",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    server.stop().await.expect("stop");
}

async fn without_required_review_authors_publish_their_own_posts(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let post = create(&ana, &server, "Flu season").await;
    let post = saved(&ana, &server, &post, &[("body", "Get your flu shot.")]).await;
    assert_eq!(
        step(&ana, &server, &post, "publish_now", &[]).await.status(),
        StatusCode::FORBIDDEN
    );

    let settings = [
        ("title", "Clinic"),
        ("description", ""),
        ("site_url", "http://127.0.0.1:3000"),
        ("time_zone", "America/Chicago"),
        ("date_format", "%B %-d, %Y"),
        ("review_required", "false"),
    ];
    assert_eq!(
        call(&admin, &server, SaveSiteSettings::PATH, &settings).await.status(),
        StatusCode::OK
    );
    let published = post_of(step(&ana, &server, &post, "publish_now", &[]).await).await;
    assert_eq!(published["status"], "published");
    let html = page_html(&server, "/posts/flu-season").await;
    assert!(html.contains("Get your flu shot."));
    assert!(!html.contains("Medically reviewed"), "nobody reviewed it");

    // Scheduling reads the time in the site's zone; the DST gap is refused.
    let other = saved(
        &ana,
        &server,
        &create(&ana, &server, "Allergies").await,
        &[("body", "Pollen.")],
    )
    .await;
    // A submission can be taken back; the log says so.
    let submitted = post_of(step(&ana, &server, &other, "submit", &[]).await).await;
    let other = post_of(step(&ana, &server, &submitted, "withdraw", &[]).await).await;
    assert_eq!(other["status"], "draft");
    let withdrawn = server
        .state
        .store
        .list_audit(&AuditFilter {
            action: Some(app::accounts::server::AuditAction::PostWithdrawn),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(withdrawn.len(), 1);
    assert!(withdrawn[0].detail.contains("Allergies"));
    let gap = step(&ana, &server, &other, "schedule", &[("publish_at", "2030-03-10T02:30")]).await;
    assert_eq!(gap.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(gap).await["fields"]["publish_at"][0]
            .as_str()
            .unwrap_or_default()
            .contains("does not exist")
    );
    let scheduled = post_of(step(&ana, &server, &other, "schedule", &[("publish_at", "2030-03-11T09:30")]).await).await;
    assert_eq!(scheduled["status"], "scheduled");
    assert!(
        scheduled["publish_at"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Mar 11, 2030, 09:30 CDT")
    );
    assert_eq!(
        status_of(&server, "/posts/allergies").await,
        StatusCode::NOT_FOUND,
        "not before its time"
    );
    server.stop().await.expect("stop");
}

async fn a_published_post_renders_without_anything_executable(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let post = create(&maya, &server, "Safe text").await;
    let body = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) \
                <a href=\"javascript:alert(4)\" onclick=\"alert(5)\">link</a>";
    let post = saved(&maya, &server, &post, &[("body", body)]).await;
    let post = post_of(step(&maya, &server, &post, "submit", &[]).await).await;
    let post = post_of(step(&maya, &server, &post, "approve", &[]).await).await;
    post_of(step(&maya, &server, &post, "publish_now", &[]).await).await;
    let html = crate::without_json_ld(&page_html(&server, "/posts/safe-text").await);
    assert!(html.contains("Hello"), "{html}");
    for forbidden in ["<script", "onerror", "onclick", "javascript:"] {
        assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
    }
    server.stop().await.expect("stop");
}

async fn lists_filter_and_bylines_name_every_author(db: &TestDb) {
    use app::posts::api::ListPosts;
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ben = create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let ben_client = signed_in(&server, "ben@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;

    let (ana_id, ben_id) = (ana.id.to_string(), ben.id.to_string());
    let shared = create(&ana_client, &server, "Managing asthma").await;
    let refused = save(&ana_client, &server, &shared, &[("author_ids[0]", &ben_id)]).await;
    assert!(
        json(refused).await["fields"]["authors"].is_array(),
        "an author keeps themselves on the post"
    );
    let shared = saved(
        &ana_client,
        &server,
        &shared,
        &[
            ("author_ids[0]", &ana_id),
            ("author_ids[1]", &ben_id),
            ("tags", "Asthma"),
        ],
    )
    .await;
    let names: Vec<&str> = shared["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Ana Ruiz", "Ben Okafor"], "ordered, primary first");
    assert_eq!(
        load(&ben_client, &server, &shared).await.status(),
        StatusCode::OK,
        "co-authors see it"
    );
    let solo = create(&ben_client, &server, "Hay fever at night").await;
    let solo = post_of(step(&ben_client, &server, &solo, "submit", &[]).await).await;

    let list = |client: reqwest::Client, form: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = json(call(&client, server, ListPosts::PATH, &form).await).await;
            let titles: Vec<String> = answer
                .as_array()
                .expect("posts")
                .iter()
                .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
                .collect();
            titles
        }
    };
    assert_eq!(
        list(ana_client.clone(), vec![]).await,
        ["Managing asthma"],
        "authors see their own"
    );
    assert_eq!(list(maya.clone(), vec![]).await.len(), 2, "editors see all");
    assert_eq!(
        list(maya.clone(), vec![("status", "in_review".into())]).await,
        ["Hay fever at night"]
    );
    assert_eq!(
        list(maya.clone(), vec![("tag", "asthma".into())]).await,
        ["Managing asthma"]
    );
    assert_eq!(
        list(maya.clone(), vec![("q", "FEVER".into())]).await,
        ["Hay fever at night"]
    );
    assert_eq!(
        list(maya.clone(), vec![("q", "%".into())]).await,
        Vec::<String>::new(),
        "% is a letter"
    );
    assert_eq!(
        list(maya.clone(), vec![("author", ana_id.clone())]).await,
        ["Managing asthma"]
    );
    let bad = call(&maya, &server, ListPosts::PATH, &[("status", "lost")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Published with the review hidden: both authors in the byline, no
    // reviewer line.
    let shared = saved(
        &maya,
        &server,
        &shared,
        &[("show_review", "false"), ("body", "Use your inhaler.")],
    )
    .await;
    let shared = post_of(step(&maya, &server, &shared, "submit", &[]).await).await;
    let shared = post_of(step(&maya, &server, &shared, "approve", &[]).await).await;
    post_of(step(&maya, &server, &shared, "publish_now", &[]).await).await;
    let html = page_html(&server, "/posts/managing-asthma").await;
    assert!(
        html.contains(">Ana Ruiz</a>") && html.contains(" and ") && html.contains(">Ben Okafor</a>"),
        "{html}"
    );
    assert!(!html.contains("Medically reviewed"), "the post hides its review");
    assert_eq!(solo["status"], "in_review");
    server.stop().await.expect("stop");
}

async fn an_edit_after_approval_drops_the_review_claim(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let omar = signed_in(&server, "omar@clinic.org").await;
    let post = create(&maya, &server, "Iron and fatigue").await;
    let post = saved(&maya, &server, &post, &[("body", "Reviewed text.")]).await;
    let post = post_of(step(&maya, &server, &post, "submit", &[]).await).await;
    let approved = post_of(step(&maya, &server, &post, "approve", &[]).await).await;

    // Omar changes the approved text and publishes it: Maya never saw it.
    let changed = saved(&omar, &server, &approved, &[("body", "Text nobody reviewed.")]).await;
    post_of(step(&omar, &server, &changed, "publish_now", &[]).await).await;
    let html = page_html(&server, "/posts/iron-and-fatigue").await;
    assert!(html.contains("Text nobody reviewed."));
    assert!(
        !html.contains("Medically reviewed"),
        "no claim for unreviewed text: {html}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    the_golden_flow_from_draft_to_published,
    without_required_review_authors_publish_their_own_posts,
    a_published_post_renders_without_anything_executable,
    lists_filter_and_bylines_name_every_author,
    an_edit_after_approval_drops_the_review_claim
);
