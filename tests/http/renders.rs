//! Public pages, feeds and the API show a post's stored render (made when
//! its text went live), not a render of their own: a stored render changed
//! behind the store's back is what every reader gets.

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;

use crate::blog::{noon, post_as};
use crate::support::TestDb;
use crate::{create_user, page_html, start_at};

async fn readers_get_the_render_stored_when_the_text_went_live(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    post_as(&server, &ana, "Sleep", "Rest", PostStatus::Published, noon(), None).await;
    // What the renderer would never write for this text, so only the
    // stored render can put it on a page. (Nothing was served yet, so no
    // cached page stands in the way.)
    db.raw_sql(
        "UPDATE post_revisions SET rendered = replace(replace(rendered, \
         '<p>Details.</p>', '<p>Details, as stored.</p>'), '\"reading_time_minutes\":1,', \
         '\"reading_time_minutes\":42,') WHERE rendered IS NOT NULL",
    )
    .await;
    let page = page_html(&server, "/posts/sleep").await;
    assert!(page.contains("<p>Details, as stored.</p>"), "the post page: {page}");
    assert!(page.contains(" · 42 min read"), "its reading time: {page}");
    let home = page_html(&server, "/").await;
    assert!(home.contains(" · 42 min read"), "the card: {home}");
    let feed = page_html(&server, "/feed.xml").await;
    assert!(feed.contains("Details, as stored."), "the feed: {feed}");
    for api in ["/api/v1/posts/sleep", "/api/v1/posts"] {
        let json = page_html(&server, api).await;
        assert!(json.contains("<p>Details, as stored.</p>"), "{api}: {json}");
        assert!(json.contains("\"reading_time_minutes\":42"), "{api}: {json}");
    }
    server.stop().await.expect("stop");
}

crate::on_both_databases!(readers_get_the_render_stored_when_the_text_went_live);
