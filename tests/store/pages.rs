//! Pages in the store: posts of another kind, public apart from the
//! articles, under their parent page while that one is public, announced
//! as `page.*` events, and kept off an imported site's old addresses. On
//! SQLite and on PostgreSQL.

use app::accounts::Role;
use app::domain::{PostContent, PostFields, PostKind};
use app::error::AppError;
use app::posts::server::{LiveText, PostEdit, PostTitle, PublicQuery, RevisionKind, SaveRequest, Slug};
use app::posts::workflow::PostStatus;
use app::store::imports::{ForeignPost, ForeignSite, ForeignUser, ImportMode};
use app::store::model::pages::PageQuery;
use chrono::{Duration, Utc};

use super::open;
use super::posts::{change, user};
use crate::support::TestDb;

/// An article that lived at /news, and the pages Services and, under it,
/// Vaccinations (listed first: parents are found whatever the order),
/// which also lived at /vaccines.
pub(super) fn imported() -> ForeignSite {
    let at = Utc::now() - Duration::days(30);
    let post = |key: &str, title: &str, kind: PostKind, old_path: &str| ForeignPost {
        key: key.to_owned(),
        content: PostContent {
            title: title.to_owned(),
            slug: Slug::from_text(title).as_str().to_owned(),
            body: format!("About {title}."),
            ..PostContent::default()
        },
        status: PostStatus::Published,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
        publish_at: None,
        authors: vec!["ana".to_owned()],
        tags: Vec::new(),
        old_paths: vec![old_path.to_owned()],
        kind,
        parent: None,
    };
    ForeignSite {
        source: "ghost".to_owned(),
        users: vec![ForeignUser {
            key: "ana".to_owned(),
            email: "ana@clinic.org".to_owned(),
            display_name: "Ana".to_owned(),
            slug: "ana".to_owned(),
            bio: String::new(),
        }],
        posts: vec![
            post("1", "Flu shots", PostKind::Post, "/news"),
            ForeignPost {
                parent: Some("2".to_owned()),
                old_paths: vec!["/services/vaccinations".to_owned(), "/vaccines".to_owned()],
                ..post("3", "Vaccinations", PostKind::Page, "/services/vaccinations")
            },
            post("2", "Services", PostKind::Page, "/services"),
        ],
        ..ForeignSite::default()
    }
}

fn page_edit(title: &str, slug: &str, author: i64) -> Result<PostEdit, AppError> {
    PostEdit::parse_as(
        PostKind::Page,
        &PostFields {
            content: PostContent {
                title: title.to_owned(),
                slug: slug.to_owned(),
                body: "Text.".to_owned(),
                ..PostContent::default()
            },
            author_ids: vec![author],
            ..PostFields::default()
        },
    )
}

async fn pages_are_public_apart_from_articles_under_their_parents(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    store
        .import_foreign(&imported(), Utc::now(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    let now = Utc::now();

    let (pages, total) = store.public_pages(&PageQuery::all(now, 10, 0)).await.expect("pages");
    let titles: Vec<&str> = pages.iter().map(|page| page.content.title.as_str()).collect();
    assert_eq!((titles, total), (vec!["Services", "Vaccinations"], 2));
    assert_eq!(pages[0].parent(), None);
    assert_eq!(pages[1].parent(), Some(("Services".to_owned(), "services".to_owned())));
    let counted = PublicQuery {
        count_all: true,
        ..PublicQuery::newest(now, 10, 0)
    };
    let (posts, total) = store.public_posts(&counted).await.expect("posts");
    assert_eq!((posts.len(), total), (1, Some(1)), "pages are no articles");
    let slugs = |rows: Vec<(String, chrono::DateTime<Utc>)>| rows.into_iter().map(|(slug, _)| slug).collect::<Vec<_>>();
    assert_eq!(slugs(store.public_slugs(now, 10).await.expect("slugs")), ["flu-shots"]);
    assert_eq!(
        slugs(store.public_page_slugs(now, 10).await.expect("slugs")),
        ["services", "vaccinations"]
    );
    let redirect = |path: &'static str| {
        let store = store.clone();
        async move { store.path_redirect(path, now).await.expect("query") }
    };
    assert_eq!(
        redirect("/services/vaccinations").await.as_deref(),
        Some("/vaccinations")
    );
    assert_eq!(redirect("/news").await.as_deref(), Some("/posts/flu-shots"));
    assert_eq!(redirect("/vaccines").await.as_deref(), Some("/vaccinations"));

    // A withdrawn parent is no parent readers see, and its change is a
    // page event.
    let services = store.post(pages[0].id).await.expect("query").expect("services");
    assert_eq!((services.kind, services.parent_id), (PostKind::Page, None));
    let child = store.post(pages[1].id).await.expect("query").expect("vaccinations");
    assert_eq!(child.parent_id, Some(services.id));
    store
        .change_status(&change(&services, PostStatus::Draft, &maya, LiveText::Withdraw))
        .await
        .expect("unpublish");
    let (found, _) = store
        .public_pages(&PageQuery::by_slug(now, "vaccinations"))
        .await
        .expect("page");
    assert_eq!(found.first().map(|page| page.parent()), Some(None));
    assert!(
        store
            .public_pages(&PageQuery::by_slug(now, "services"))
            .await
            .expect("page")
            .0
            .is_empty()
    );
    let kinds: Vec<String> = store
        .events(0, 100)
        .await
        .expect("events")
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert_eq!(kinds, ["page.unpublished"], "the import itself queues no event");

    // A new page keeps off an old address; an article need not.
    let news = PostTitle::parse("News").expect("title");
    let page = store
        .create_page(&news, &Slug::from_title(&news), ana.id, now)
        .await
        .expect("page");
    assert_eq!((page.kind, page.content.slug.as_str()), (PostKind::Page, "news-2"));
    let article = store
        .create_draft(&news, &Slug::from_title(&news), ana.id, now)
        .await
        .expect("article");
    assert_eq!((article.kind, article.content.slug.as_str()), (PostKind::Post, "news"));

    // A page may not take an old address that leads elsewhere, checked in
    // the save's transaction; its own old address is its own.
    let maya_id = maya.id;
    let save = |post: &app::posts::server::Post, edit: PostEdit, editable: &'static [PostStatus]| {
        let store = store.clone();
        let (id, version) = (post.id, post.version);
        async move {
            store
                .save_post(&SaveRequest {
                    id,
                    expected_version: version,
                    editable,
                    edit: &edit,
                    saved_by: maya_id,
                    kind: RevisionKind::Save,
                    at: Utc::now(),
                })
                .await
        }
    };
    let contact = PostTitle::parse("Contact").expect("title");
    let contact = store
        .create_page(&contact, &Slug::from_title(&contact), ana.id, now)
        .await
        .expect("page");
    // /vaccines is no post's slug: only the old address stands in the way.
    let taken = save(
        &contact,
        page_edit("Contact", "vaccines", ana.id).expect("edit"),
        &[PostStatus::Draft],
    )
    .await;
    let Err(AppError::Validation { fields }) = taken else {
        panic!("an old address was taken: {taken:?}");
    };
    assert!(fields["slug"][0].contains("old address"), "{fields:?}");
    let moved = save(
        &contact,
        page_edit("Contact", "services-vaccinations", ana.id).expect("edit"),
        &[PostStatus::Draft],
    )
    .await
    .expect("a free address");
    assert_eq!(moved.content.slug, "services-vaccinations");
    let services = store.post(services.id).await.expect("query").expect("services");
    let own = save(
        &services,
        page_edit("Services", "services", ana.id).expect("edit"),
        &[PostStatus::Draft],
    )
    .await
    .expect("its own old address, /services");
    assert_eq!(own.content.slug, "services");
    assert!(page_edit("Contact", "admin", ana.id).is_err() && page_edit("Contact", "feeds", ana.id).is_err());
    store.close().await;
}

/// Trying to give a page an article's imported old address (/news, which
/// still leads to the article Flu shots, and is no post's slug) is
/// refused with the message for old addresses.
async fn an_old_address_is_no_page_address(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    store
        .import_foreign(&imported(), Utc::now(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    let title = PostTitle::parse("Latest").expect("title");
    let page = store
        .create_page(&title, &Slug::from_title(&title), ana.id, Utc::now())
        .await
        .expect("page");
    let refused = store
        .save_post(&SaveRequest {
            id: page.id,
            expected_version: page.version,
            editable: &[PostStatus::Draft],
            edit: &page_edit("Latest", "news", ana.id).expect("edit"),
            saved_by: ana.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await;
    let Err(AppError::Validation { fields }) = refused else {
        panic!("/news was taken: {refused:?}");
    };
    assert!(
        fields["slug"][0].contains("old address of the imported site"),
        "{fields:?}"
    );
    store.close().await;
}

/// Both databases list pages in one order: by title, compared byte by
/// byte with only ASCII letters folded ("Über uns" after "Zoo", and
/// "ärztliche Leistungen" after it; a database's own collation or case
/// folding would put them elsewhere), then by address, and pages of it
/// cut alike.
async fn pages_are_listed_alike_on_both_databases(db: &TestDb) {
    let store = open(db).await;
    let template = imported().posts[2].clone();
    let page = |n: usize, title: &str, slug: &str| ForeignPost {
        key: format!("page-{n}"),
        content: PostContent {
            title: title.to_owned(),
            slug: slug.to_owned(),
            ..template.content.clone()
        },
        old_paths: Vec::new(),
        ..template.clone()
    };
    let site = ForeignSite {
        posts: vec![
            page(1, "Zoo", "zoo"),
            page(2, "ärztliche Leistungen", "leistungen"),
            page(3, "Über uns", "uber-uns"),
            page(4, "Our-team", "our-team"),
            page(5, "Our team", "team"),
            page(6, "Contact", "contact-us"),
            page(7, "about", "about"),
            page(8, "Contact", "contact"),
        ],
        ..imported()
    };
    store
        .import_foreign(&site, Utc::now(), ImportMode::Write, &|| ())
        .await
        .expect("import");
    let listed = |limit: i64, offset: i64| {
        let store = store.clone();
        async move {
            let (pages, _) = store
                .public_pages(&PageQuery::all(Utc::now(), limit, offset))
                .await
                .expect("pages");
            pages
                .into_iter()
                .map(|page| format!("{} /{}", page.content.title, page.content.slug))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(10, 0).await,
        [
            "about /about",
            "Contact /contact",
            "Contact /contact-us",
            "Our team /team",
            "Our-team /our-team",
            "Zoo /zoo",
            "Über uns /uber-uns",
            "ärztliche Leistungen /leistungen",
        ]
    );
    assert_eq!(listed(3, 3).await, ["Our team /team", "Our-team /our-team", "Zoo /zoo"]);
    store.close().await;
}

crate::on_both_databases!(
    pages_are_public_apart_from_articles_under_their_parents,
    an_old_address_is_no_page_address,
    pages_are_listed_alike_on_both_databases
);
