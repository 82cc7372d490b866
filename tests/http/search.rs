//! Search as readers use it: `/search?q=…` finds public posts by their
//! words, best match first, with the matches highlighted, page by page.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use chrono::Duration;
use reqwest::StatusCode;

use crate::blog::{TestPost, card_titles, noon, post_as, post_with};
use crate::support::TestDb;
use crate::{create_user, page_html, start_at, status_of};

async fn readers_find_public_posts_by_their_words(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    // Bodies say "<title> explained in plain words."; only one title is
    // about vaccines, two more mention them in their title's words.
    post_as(
        &server,
        &ana,
        "Vaccines for travellers",
        "",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;
    post_as(&server, &ana, "Sleep hygiene", "", PostStatus::Published, noon(), None).await;
    post_as(&server, &ana, "Vaccines draft", "", PostStatus::Draft, noon(), None).await;
    for n in 1..=11 {
        let at = noon() - Duration::days(n);
        post_as(
            &server,
            &ana,
            &format!("Healthy heart {n}"),
            "",
            PostStatus::Published,
            at,
            None,
        )
        .await;
    }

    let found = page_html(&server, "/search?q=vaccine").await;
    assert_eq!(
        card_titles(&found),
        ["Vaccines for travellers"],
        "stemmed, drafts never"
    );
    assert!(found.contains("<mark>"), "matches are highlighted: {found}");
    assert!(found.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(found.contains("One article matches"));
    assert!(found.contains(r#"value="vaccine""#), "the box keeps the words");

    let hearts = page_html(&server, "/search?q=healthy+heart").await;
    assert_eq!(card_titles(&hearts).len(), 10, "ten a page");
    assert!(hearts.contains("11 articles match"));
    assert!(
        hearts.contains("href=\"/search?q=healthy+heart&amp;page=2\""),
        "{hearts}"
    );
    assert_eq!(
        card_titles(&page_html(&server, "/search?q=healthy+heart&page=2").await).len(),
        1
    );
    assert_eq!(
        status_of(&server, "/search?q=healthy+heart&page=3").await,
        StatusCode::NOT_FOUND
    );

    let nothing = page_html(&server, "/search?q=zebra").await;
    assert!(nothing.contains("No articles match “zebra”"), "{nothing}");
    for odd in ["%22NEAR(", "*", "a%20OR%20", "%3Cscript%3E", "-"] {
        let path = format!("/search?q={odd}");
        assert_eq!(status_of(&server, &path).await, StatusCode::OK, "{path}");
    }
    let escaped = page_html(&server, "/search?q=%3Cscript%3Ealert(1)").await;
    assert!(!escaped.contains("<script>alert"), "what was typed is escaped");
    assert_eq!(status_of(&server, "/search").await, StatusCode::OK);
    server.stop().await.expect("stop");
}

async fn a_match_in_the_title_ranks_above_one_in_the_body(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    // The body-only match is the newer post, so date order alone would
    // put it first.
    let body = "Rest matters. Some readers ask about insomnia; see our other article.";
    post_with(
        &server,
        &ana,
        TestPost {
            title: "Notes on rest",
            body,
            tags: "",
            to: PostStatus::Published,
            at: noon(),
            publish_at: None,
            reviewed: false,
        },
    )
    .await;
    let older = noon() - Duration::days(30);
    let body = "Trouble sleeping for weeks has causes and treatments.";
    post_with(
        &server,
        &ana,
        TestPost {
            title: "Insomnia explained",
            body,
            tags: "",
            to: PostStatus::Published,
            at: older,
            publish_at: None,
            reviewed: false,
        },
    )
    .await;
    let found = page_html(&server, "/search?q=insomnia").await;
    assert_eq!(card_titles(&found), ["Insomnia explained", "Notes on rest"]);
    server.stop().await.expect("stop");
}

async fn unpublished_posts_leave_the_results(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let post = post_as(&server, &ana, "Allergy season", "", PostStatus::Published, noon(), None).await;
    assert_eq!(
        card_titles(&page_html(&server, "/search?q=allergy").await),
        ["Allergy season"]
    );
    crate::blog::unpublish(&server, &post, ana.id).await;
    assert!(card_titles(&page_html(&server, "/search?q=allergy").await).is_empty());
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    readers_find_public_posts_by_their_words,
    a_match_in_the_title_ranks_above_one_in_the_body,
    unpublished_posts_leave_the_results
);
