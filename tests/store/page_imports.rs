//! Pages that an import changes: a post a later run makes a page (or an
//! article again) moves to its kind's address and leaves a redirect, and
//! an old address a page here answers first is left out. On SQLite and
//! on PostgreSQL.

use app::domain::{PostContent, PostKind};
use app::posts::server::PublicQuery;
use app::posts::workflow::PostStatus;
use app::store::Store;
use app::store::imports::{ForeignPost, ForeignSite, ForeignTag, ImportMode, ImportTally};
use app::store::model::pages::PageQuery;
use chrono::{DateTime, Utc};

use super::open;
use super::pages::imported;
use crate::support::TestDb;

/// A published article of the file, tagged Legal. Its time has whole
/// seconds, as exports do: both databases keep it exactly, so a later run
/// finds it unchanged.
fn article(key: &str, title: &str, slug: &str) -> ForeignPost {
    let at = DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    ForeignPost {
        key: key.to_owned(),
        content: PostContent {
            title: title.to_owned(),
            slug: slug.to_owned(),
            body: format!("About {title}."),
            ..PostContent::default()
        },
        status: PostStatus::Published,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
        publish_at: None,
        authors: vec!["ana".to_owned()],
        tags: vec!["legal".to_owned()],
        old_paths: Vec::new(),
        kind: PostKind::Post,
        parent: None,
    }
}

fn site(posts: Vec<ForeignPost>) -> ForeignSite {
    ForeignSite {
        tags: vec![ForeignTag {
            name: "Legal".to_owned(),
            slug: "legal".to_owned(),
            description: String::new(),
        }],
        posts,
        ..imported()
    }
}

async fn import(store: &dyn Store, site: &ForeignSite) -> ImportTally {
    store
        .import_foreign(site, Utc::now(), ImportMode::Write, &|| ())
        .await
        .expect("import")
}

/// The notes the import left about the post with `key`.
fn notes(tally: &ImportTally, key: &str) -> Vec<String> {
    tally
        .notes
        .iter()
        .filter(|note| note.key == key)
        .map(|note| note.message.clone())
        .collect()
}

/// Two articles the old site turned into pages: Privacy keeps its slug
/// (/privacy), Media takes a page's (/media is the site's own). Readers'
/// addresses for the articles lead to the pages, the tags go, and the
/// report says both; an article again goes back under /posts/.
async fn an_article_made_a_page_moves_to_a_page_address(db: &TestDb) {
    let store = open(db).await;
    let articles = vec![article("p", "Privacy", "privacy"), article("m", "Media", "media")];
    let first = import(&*store, &site(articles.clone())).await;
    assert_eq!((first.posts_created, first.notes.len()), (2, 0), "{first:?}");
    let now = Utc::now();
    let (posts, _) = store
        .public_posts(&PublicQuery::newest(now, 10, 0))
        .await
        .expect("posts");
    assert_eq!(posts.len(), 2);

    let as_pages: Vec<ForeignPost> = articles
        .iter()
        .map(|post| ForeignPost {
            kind: PostKind::Page,
            tags: Vec::new(),
            ..post.clone()
        })
        .collect();
    let second = import(&*store, &site(as_pages.clone())).await;
    assert_eq!(second.posts_updated, 2, "{second:?}");
    let now = Utc::now();
    let (pages, _) = store.public_pages(&PageQuery::all(now, 10, 0)).await.expect("pages");
    let slugs: Vec<&str> = pages.iter().map(|page| page.content.slug.as_str()).collect();
    assert_eq!(slugs, ["page-media", "privacy"]);
    let (posts, _) = store
        .public_posts(&PublicQuery::newest(now, 10, 0))
        .await
        .expect("posts");
    assert!(posts.is_empty(), "no article is left");
    for (old, new) in [("/posts/privacy", "/privacy"), ("/posts/media", "/page-media")] {
        assert_eq!(
            store.path_redirect(old, now).await.expect("query").as_deref(),
            Some(new),
            "{old}"
        );
    }
    for page in &pages {
        assert!(store.post_tags(page.id).await.expect("tags").is_empty());
    }
    let privacy = notes(&second, "p");
    assert!(
        privacy
            .iter()
            .any(|note| note.contains("is a page now, at /privacy; its old address /posts/privacy leads there")),
        "{privacy:?}"
    );
    assert!(
        privacy.iter().any(|note| note.contains("tags (Legal) were taken off")),
        "{privacy:?}"
    );
    assert!(
        notes(&second, "m").iter().any(|note| note.contains("at /page-media")),
        "{second:?}"
    );
    let again = import(&*store, &site(as_pages)).await;
    assert_eq!((again.posts_unchanged, again.notes.len()), (2, 0), "{again:?}");

    // An article again: under /posts/, and the page's address leads there.
    let third = import(&*store, &site(vec![article("p", "Privacy", "privacy")])).await;
    assert_eq!(third.posts_updated, 1, "{third:?}");
    let now = Utc::now();
    assert_eq!(
        store.path_redirect("/privacy", now).await.expect("query").as_deref(),
        Some("/posts/privacy")
    );
    let (posts, _) = store
        .public_posts(&PublicQuery::newest(now, 10, 0))
        .await
        .expect("posts");
    assert_eq!(posts.first().map(|post| post.content.slug.as_str()), Some("privacy"));
    store.close().await;
}

/// The page `news` answers /news first, so an import's old address /news
/// for an article would lead nowhere: it is left out, and said.
async fn an_old_address_a_page_answers_first_is_left_out(db: &TestDb) {
    let store = open(db).await;
    let title = app::posts::server::PostTitle::parse("News").expect("title");
    let ana = import(
        &*store,
        &ForeignSite {
            posts: Vec::new(),
            ..imported()
        },
    )
    .await;
    assert_eq!(ana.users_created, 1);
    let author = store.list_users().await.expect("users")[0].id;
    let page = store
        .create_page(
            &title,
            &app::posts::server::Slug::from_title(&title),
            author,
            Utc::now(),
        )
        .await
        .expect("page");
    assert_eq!(page.content.slug, "news");

    let tally = import(&*store, &imported()).await;
    assert_eq!(
        store.path_redirect("/news", Utc::now()).await.expect("query"),
        None,
        "no redirect hides behind the page"
    );
    assert_eq!(
        tally.redirects, 3,
        "/services, /services/vaccinations and /vaccines: {tally:?}"
    );
    assert_eq!(
        notes(&tally, "1"),
        ["its old address /news was left out: a page here answers at /news first"]
    );
    store.close().await;
}

crate::on_both_databases!(
    an_article_made_a_page_moves_to_a_page_address,
    an_old_address_a_page_answers_first_is_left_out
);
