//! Stored renders: a text is rendered when it goes live (publish, publish
//! an update, import) and readers' reads return that render; rows from
//! before renders were stored, or from an older renderer, are filled by
//! the backfill. On SQLite and on PostgreSQL.

use app::accounts::Role;
use app::content::render::{RENDER_VERSION, render_markdown};
use app::posts::server::{LiveText, Post, RevisionKind, SaveRequest};
use app::posts::workflow::PostStatus;
use app::store::Store;
use app::store::imports::ImportMode;
use app::store::model::pages::PageQuery;
use chrono::Utc;

use super::open;
use super::posts::{change, draft, edit, live_text, save, user};
use crate::support::TestDb;

const FIRST: &str = "Sleep well.\n\n## Why it matters\n\nRest lowers blood pressure.[^1]\n\n\
                     [^1]: Smith J et al. Sleep and blood pressure. NEJM 2021. doi:10.1056/NEJMoa2034577\n";
const SECOND: &str = "Sleep better.\n\n## What to do\n\n| Hours | Effect |\n|---|---|\n| 7 | good |\n";

/// A post of `body`, approved and published by an editor.
async fn published(store: &dyn Store, title: &str, body: &str) -> Post {
    let email = format!("{}@clinic.org", title.to_lowercase());
    let maya = user(store, &email, "Maya Patel", Role::Editor).await;
    let post = draft(store, title, &maya).await;
    let post = save(store, &post, &edit(&post, body, &[maya.id]), &maya, RevisionKind::Save)
        .await
        .expect("save");
    let approved = store
        .change_status(&change(&post, PostStatus::Approved, &maya, LiveText::Keep))
        .await
        .expect("approve");
    store
        .change_status(&change(&approved, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish")
}

async fn a_text_is_rendered_when_it_goes_live(db: &TestDb) {
    let store = open(db).await;
    let post = published(&*store, "Sleep", FIRST).await;
    let live = live_text(&*store, "sleep").await.expect("live");
    assert_eq!(
        live.rendered,
        Some(render_markdown(FIRST)),
        "publishing stored the text's render"
    );
    assert!(
        live.rendered
            .as_ref()
            .is_some_and(|r| r.html.contains("<h2 id=\"why-it-matters\">"))
    );

    // A pending update (the working copy) leaves the live render alone…
    let maya = store.post_authors(post.id).await.expect("authors").remove(0);
    let edited = store
        .save_post(&SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &PostStatus::ALL,
            edit: &edit(&post, SECOND, &[maya.id]),
            saved_by: maya.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await
        .expect("save the live post");
    let live = live_text(&*store, "sleep").await.expect("still live");
    assert_eq!(live.rendered, Some(render_markdown(FIRST)));

    // …and publishing it renders the new text.
    store
        .change_status(&change(&edited, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish the update");
    let live = live_text(&*store, "sleep").await.expect("live");
    assert_eq!(live.content.body, SECOND);
    assert_eq!(live.rendered, Some(render_markdown(SECOND)), "the new text's render");
    assert!(live.render().html.contains("table-scroll"));
    store.close().await;
}

async fn an_import_stores_the_renders(db: &TestDb) {
    let store = open(db).await;
    store
        .import_foreign(&super::pages::imported(), Utc::now(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    let article = live_text(&*store, "flu-shots").await.expect("the imported article");
    assert_eq!(article.rendered, Some(render_markdown("About Flu shots.")));
    let (pages, _) = store
        .public_pages(&PageQuery::all(Utc::now(), 10, 0))
        .await
        .expect("pages");
    assert_eq!(pages.len(), 2);
    for page in pages {
        assert_eq!(
            page.rendered,
            Some(render_markdown(&page.content.body)),
            "{}",
            page.content.slug
        );
    }
    store.close().await;
}

/// Rows written before renders were stored have none, and rows of an
/// older renderer are not read: readers get a fresh render until the
/// backfill has stored this renderer's, which it does once.
async fn the_backfill_renders_old_rows_once(db: &TestDb) {
    let store = open(db).await;
    published(&*store, "Sleep", FIRST).await;
    published(&*store, "Diet", SECOND).await;
    published(&*store, "Walks", "Walk **daily**.").await;
    db.raw_sql(
        "UPDATE post_revisions SET rendered = NULL, render_version = NULL WHERE slug = 'sleep'; \
         UPDATE post_revisions SET rendered = '{\"html\": \"old\"}', render_version = 0 WHERE slug = 'diet'",
    )
    .await;
    for slug in ["sleep", "diet"] {
        let stale = live_text(&*store, slug).await.expect("live");
        assert_eq!(stale.rendered, None, "{slug}: no render of this version is read");
        assert_eq!(
            *stale.render(),
            render_markdown(&stale.content.body),
            "{slug}: readers get a fresh one"
        );
    }

    // One text per step: two steps render the two, the third finds none.
    let mut after = 0;
    let mut steps = Vec::new();
    while let Some((last, count)) = store.render_live_texts(after, 1).await.expect("backfill") {
        assert!(last > after, "the backfill moves on");
        after = last;
        steps.push(count);
    }
    assert_eq!(steps, [1, 1]);
    for (slug, body) in [("sleep", FIRST), ("diet", SECOND), ("walks", "Walk **daily**.")] {
        let live = live_text(&*store, slug).await.expect("live");
        assert_eq!(live.rendered, Some(render_markdown(body)), "{slug}");
    }
    let stored = db
        .count(&format!(
            "SELECT count(*) FROM post_revisions WHERE render_version = {RENDER_VERSION}"
        ))
        .await;
    assert_eq!(stored, 3, "only the live revisions carry a render");
    assert_eq!(
        store.render_live_texts(0, 100).await.expect("again"),
        None,
        "run again, it has nothing to do"
    );
    store.close().await;
}

crate::on_both_databases!(
    a_text_is_rendered_when_it_goes_live,
    an_import_stores_the_renders,
    the_backfill_renders_old_rows_once
);
