//! Moving sites in the store: a Vellum export restored into an empty
//! database with every id kept (and refused into one that holds content),
//! another site's content imported as a dry run (counted, nothing kept) or
//! for real (and again, updating instead of duplicating), and old
//! addresses that lead to the imported posts. On SQLite and on PostgreSQL.

use std::sync::atomic::{AtomicUsize, Ordering};

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, Email, NewAuditEntry};
use app::domain::{PostContent, PostKind};
use app::error::AppError;
use app::media::server::{FileRecord, NewMedia};
use app::posts::server::{PostFilter, PostTitle, RevisionKind, Slug};
use app::posts::workflow::PostStatus;
use app::store::Store;
use app::store::imports::{ForeignMedia, ForeignPost, ForeignSite, ForeignTag, ForeignUser, ImportMode, ImportTally};
use app::store::transfer::{
    ExportComment, ExportMedia, ExportPost, ExportRevision, ExportSource, ExportTag, ExportUser, ExportVariant, FORMAT,
    SiteExport,
};
use chrono::{DateTime, Utc};

use super::open;
use super::posts::{edit, live_text, save, user};
use crate::support::TestDb;

/// Whole seconds, which both databases keep exactly.
fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).expect("time").with_timezone(&Utc)
}

fn key(n: u8, extension: &str) -> String {
    format!("{}.{extension}", format!("{n:02x}").repeat(32))
}

fn export_user(id: i64, email: &str, name: &str, slug: &str, role: &str) -> ExportUser {
    ExportUser {
        id,
        email: email.to_owned(),
        display_name: name.to_owned(),
        slug: slug.to_owned(),
        bio: String::new(),
        avatar_url: String::new(),
        credentials: "RN".to_owned(),
        role: role.to_owned(),
        active: true,
        created_at: at("2025-01-10T09:00:00Z"),
    }
}

/// A post's text with only a title, an address and a body.
fn text(title: &str, slug: &str, body: &str) -> PostContent {
    PostContent {
        title: title.to_owned(),
        slug: slug.to_owned(),
        body: body.to_owned(),
        ..PostContent::default()
    }
}

fn revision(id: i64, version: i64, kind: &str, status: &str, slug: &str, markdown: &str) -> ExportRevision {
    ExportRevision {
        id,
        version,
        saved_by: "Maya Patel".to_owned(),
        saved_by_id: 7,
        kind: kind.to_owned(),
        status: status.to_owned(),
        content: text("Sleep and screens", slug, markdown),
        created_at: at("2025-02-01T10:00:00Z"),
        updated_at: at("2025-02-01T10:00:00Z"),
    }
}

fn export_post(id: i64, title: &str, slug: &str, status: &str) -> ExportPost {
    ExportPost {
        id,
        content: text(title, slug, "Screens keep us up."),
        status: status.to_owned(),
        show_review: true,
        version: 1,
        created_at: at("2025-02-01T10:00:00Z"),
        updated_at: at("2025-02-01T10:00:00Z"),
        published_at: None,
        publish_at: None,
        trashed_at: None,
        reviewed_by: None,
        reviewed_at: None,
        reviewed_version: None,
        review_due_at: None,
        live_revision_id: None,
        kind: PostKind::Post,
        parent_id: None,
        authors: vec![3],
        tags: Vec::new(),
        tag_ids: Vec::new(),
        old_slugs: Vec::new(),
        old_paths: Vec::new(),
        revisions: Vec::new(),
        comments: Vec::new(),
    }
}

/// A small site as `vellum export` writes it: two people, a tag, a
/// published post with its history, a draft, an image, and where one post
/// came from. Ids are not 1, 2, 3: a restore must keep them.
fn exported_site(settings: app::settings::SiteSettings) -> SiteExport {
    let published = ExportPost {
        version: 3,
        published_at: Some(at("2025-02-02T08:00:00Z")),
        reviewed_by: Some(7),
        reviewed_at: Some(at("2025-02-01T12:00:00Z")),
        reviewed_version: Some(2),
        live_revision_id: Some(21),
        tags: vec!["Sleep".to_owned()],
        tag_ids: vec![4],
        old_slugs: vec!["screens-and-sleep".to_owned()],
        old_paths: vec!["/2019/05/screens".to_owned()],
        revisions: vec![
            revision(
                21,
                3,
                "publish",
                "published",
                "sleep-and-screens",
                "Screens keep us up.",
            ),
            revision(20, 1, "save", "draft", "screens-and-sleep", "A first try."),
        ],
        comments: vec![ExportComment {
            id: 30,
            author: "Maya Patel".to_owned(),
            author_id: 7,
            kind: "comment".to_owned(),
            body: "Ready to go.".to_owned(),
            created_at: at("2025-02-01T11:00:00Z"),
        }],
        ..export_post(12, "Sleep and screens", "sleep-and-screens", "published")
    };
    let draft = ExportPost {
        revisions: vec![ExportRevision {
            content: text("Naps", "naps", "Short ones."),
            ..revision(22, 1, "save", "draft", "naps", "Short ones.")
        }],
        ..export_post(13, "Naps", "naps", "draft")
    };
    SiteExport {
        format: FORMAT.to_owned(),
        exported_at: at("2025-03-01T00:00:00Z"),
        settings: app::settings::SiteSettings {
            title: "Riverside Clinic Journal".to_owned(),
            ..settings
        },
        clinic: app::domain::ClinicDetails {
            name: "Riverside Family Clinic".to_owned(),
            phone: "+1 555 010 2030".to_owned(),
            disclaimer: "General information, not advice.".to_owned(),
            hours: vec![app::domain::DayHours {
                opens: "08:00".to_owned(),
                closes: "17:00".to_owned(),
            }],
            ..Default::default()
        },
        menus: app::domain::Menus {
            header: vec![app::domain::MenuItem {
                label: "Sleep".to_owned(),
                kind: app::domain::MenuTarget::Tag,
                target: "sleep".to_owned(),
            }],
            footer: Vec::new(),
        },
        users: vec![
            export_user(3, "ana@clinic.org", "Ana Ruiz", "ana-ruiz", "author"),
            export_user(7, "maya@clinic.org", "Maya Patel", "maya-patel", "editor"),
        ],
        tags: vec![ExportTag {
            id: 4,
            name: "Sleep".to_owned(),
            slug: "sleep".to_owned(),
            description: "Rest and recovery".to_owned(),
        }],
        posts: vec![published, draft],
        media: vec![ExportMedia {
            id: 5,
            original_key: key(1, "jpg"),
            file_name: "chart.jpg".to_owned(),
            content_type: "image/jpeg".to_owned(),
            width: 1600,
            height: 1200,
            bytes: 250_000,
            alt: "Hours of sleep".to_owned(),
            uploaded_by: Some(3),
            created_at: at("2025-02-01T09:30:00Z"),
            variants: vec![ExportVariant {
                key: key(11, "webp"),
                content_type: "image/webp".to_owned(),
                width: 400,
                height: 300,
                bytes: 10_000,
            }],
        }],
        import_sources: vec![ExportSource {
            source: "wordpress:https://old.example".to_owned(),
            kind: "post".to_owned(),
            external_id: "77".to_owned(),
            local_id: 12,
        }],
    }
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("email")
}

async fn post_titles(store: &dyn Store) -> Vec<String> {
    let filter = PostFilter {
        limit: 100,
        ..PostFilter::default()
    };
    let mut titles: Vec<String> = store
        .list_posts(&filter)
        .await
        .expect("posts")
        .into_iter()
        .map(|row| row.title)
        .collect();
    titles.sort();
    titles
}

async fn an_export_restores_into_an_empty_database_with_its_ids(db: &TestDb) {
    let store = open(db).await;
    let site = exported_site(store.site_settings().await.expect("settings"));
    site.check().expect("a consistent export");
    store.restore_site(&site).await.expect("restore");

    assert_eq!(
        store.site_settings().await.expect("settings").title,
        "Riverside Clinic Journal"
    );
    let ana = store
        .user_by_email(&email("ana@clinic.org"))
        .await
        .expect("query")
        .expect("ana");
    assert_eq!((ana.id, ana.role, ana.active), (3, Role::Author, true));
    assert_eq!(ana.password_hash, None, "people set a new password after a restore");
    let maya = store.user_by_id(7).await.expect("query").expect("maya");
    assert_eq!((maya.display_name.as_str(), maya.role), ("Maya Patel", Role::Editor));

    let post = store.post(12).await.expect("query").expect("post 12");
    assert_eq!(post.content.title, "Sleep and screens");
    assert_eq!(post.status, PostStatus::Published);
    assert_eq!(post.version, 3);
    assert_eq!(post.live_revision_id, Some(21));
    assert_eq!(post.reviewed_by, Some(7));
    assert_eq!(post.published_at, Some(at("2025-02-02T08:00:00Z")));
    let authors: Vec<i64> = store
        .post_authors(12)
        .await
        .expect("authors")
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(authors, [3]);
    let tags = store.post_tags(12).await.expect("tags");
    assert_eq!(
        tags.iter().map(|tag| (tag.id, tag.slug.as_str())).collect::<Vec<_>>(),
        [(4, "sleep")]
    );
    let revisions: Vec<i64> = store
        .revisions(12)
        .await
        .expect("revisions")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(revisions, [21, 20], "newest first");
    let comments = store.comments(12).await.expect("comments");
    assert_eq!(comments.len(), 1);
    assert_eq!(
        (comments[0].id, comments[0].author_id, comments[0].body.as_str()),
        (30, 7, "Ready to go.")
    );
    let draft = store.post(13).await.expect("query").expect("post 13");
    assert_eq!((draft.status, draft.live_revision_id), (PostStatus::Draft, None));

    // Readers find the post, and its old addresses lead to it.
    let live = live_text(&*store, "sleep-and-screens").await.expect("public");
    assert_eq!(live.content.body, "Screens keep us up.");
    assert!(live_text(&*store, "naps").await.is_none(), "a draft is not public");
    let now = Utc::now();
    assert_eq!(
        store
            .slug_redirect(PostKind::Post, "screens-and-sleep", now)
            .await
            .expect("query")
            .as_deref(),
        Some("sleep-and-screens")
    );
    assert_eq!(
        store
            .path_redirect("/2019/05/screens", now)
            .await
            .expect("query")
            .as_deref(),
        Some("/posts/sleep-and-screens")
    );
    let old = store.post_old_addresses(12).await.expect("old addresses");
    assert_eq!(
        (old.slugs, old.paths),
        (
            vec!["screens-and-sleep".to_owned()],
            vec!["/2019/05/screens".to_owned()]
        )
    );

    let image = store.media_by_id(5).await.expect("query").expect("media 5");
    assert_eq!(
        (image.original_key, image.alt, image.uploaded_by),
        (key(1, "jpg"), "Hours of sleep".to_owned(), Some(3))
    );
    let variants = store.media_variants(&[5]).await.expect("variants");
    assert_eq!(
        variants.iter().map(|v| v.key.clone()).collect::<Vec<_>>(),
        [key(11, "webp")]
    );
    assert_eq!(store.import_sources().await.expect("sources"), site.import_sources);
    let clinic = store.clinic_details().await.expect("clinic");
    assert_eq!(clinic.name, "Riverside Family Clinic");
    assert_eq!(clinic.hours.len(), 7, "the week, Monday's hours kept");
    assert_eq!(clinic.hours[0].closes, "17:00");
    assert_eq!(store.menus().await.expect("menus"), site.menus);

    // What comes next gets new ids past the restored ones.
    let zoe = user(&*store, "zoe@clinic.org", "Zoe Park", Role::Author).await;
    assert!(zoe.id > 7, "user {}", zoe.id);
    let title = PostTitle::parse("After the move").expect("title");
    let next = store
        .create_draft(&title, &Slug::from_title(&title), zoe.id, Utc::now())
        .await
        .expect("a new post");
    assert!(next.id > 13, "post {}", next.id);
    save(
        &*store,
        &next,
        &edit(&next, "Text", &[zoe.id]),
        &zoe,
        RevisionKind::Save,
    )
    .await
    .expect("a new revision");
    let revision_ids: Vec<i64> = store
        .revisions(next.id)
        .await
        .expect("revisions")
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(
        !revision_ids.is_empty() && revision_ids.iter().all(|id| *id > 22),
        "{revision_ids:?}"
    );
    let comment = store
        .add_comment(12, zoe.id, "Moved safely.", Utc::now())
        .await
        .expect("a new comment");
    assert!(comment.id > 30, "comment {}", comment.id);
    let upload = NewMedia {
        original: FileRecord {
            key: key(2, "jpg"),
            content_type: "image/jpeg",
            width: 800,
            height: 600,
            size: 90_000,
        },
        variants: Vec::new(),
        file_name: "new.jpg".to_owned(),
        uploaded_by: zoe.id,
        created_at: Utc::now(),
    };
    let audit = NewAuditEntry::new(AuditAction::MediaUploaded, Some(zoe.id), None);
    let uploaded = store.create_media(&upload, &audit).await.expect("a new image");
    assert!(uploaded.id > 5, "media {}", uploaded.id);

    // A second restore finds content and changes nothing.
    let mut other = exported_site(store.site_settings().await.expect("settings"));
    other.settings.title = "Someone else's site".to_owned();
    let refused = store.restore_site(&other).await;
    assert!(matches!(refused, Err(AppError::Conflict { .. })), "{refused:?}");
    assert_eq!(
        store.site_settings().await.expect("settings").title,
        "Riverside Clinic Journal"
    );
    assert_eq!(
        post_titles(&*store).await,
        ["After the move", "Naps", "Sleep and screens"]
    );
    store.close().await;
}

/// An export from before due dates: its reviews fall due as the app dates
/// them, by the restored site's interval and on its calendar.
async fn an_older_exports_reviews_fall_due_by_the_sites_interval_and_zone(db: &TestDb) {
    let store = open(db).await;
    let mut site = exported_site(app::settings::SiteSettings {
        time_zone: "America/Chicago".to_owned(),
        review_interval_months: 1,
        ..store.site_settings().await.expect("settings")
    });
    // Reviewed Jan 30, 2025 at 21:00 in Chicago (Jan 31 in UTC).
    site.posts[0].reviewed_at = Some(at("2025-01-31T03:00:00Z"));
    assert!(site.posts.iter().all(|post| post.review_due_at.is_none()));
    store.restore_site(&site).await.expect("restore");

    let post = store.post(12).await.expect("query").expect("post 12");
    assert_eq!(
        post.review_due_at,
        Some(at("2025-03-01T03:00:00Z")),
        "Feb 28, 21:00 in Chicago: a month on the site's calendar, not Feb 28 in UTC or a year on"
    );
    let draft = store.post(13).await.expect("query").expect("post 13");
    assert_eq!(draft.review_due_at, None, "no review, no due date");
    store.close().await;
}

async fn a_restore_is_refused_into_a_database_with_people(db: &TestDb) {
    let store = open(db).await;
    user(&*store, "admin@clinic.org", "Admin", Role::Admin).await;
    let site = exported_site(store.site_settings().await.expect("settings"));
    let refused = store.restore_site(&site).await;
    let Err(AppError::Conflict { message }) = refused else {
        panic!("expected a conflict, got {refused:?}");
    };
    assert!(message.contains("empty"), "{message}");
    assert_eq!(
        store.site_settings().await.expect("settings").title,
        "Vellum",
        "settings untouched"
    );
    assert!(
        store
            .user_by_email(&email("ana@clinic.org"))
            .await
            .expect("query")
            .is_none()
    );
    assert!(store.post(12).await.expect("query").is_none());
    assert!(store.media_by_id(5).await.expect("query").is_none());
    assert!(store.import_sources().await.expect("sources").is_empty());
    store.close().await;
}

const SOURCE: &str = "wordpress:https://old.example";

fn foreign_post(key: &str, title: &str, slug: &str, status: PostStatus) -> ForeignPost {
    ForeignPost {
        key: key.to_owned(),
        content: text(title, slug, &format!("About {title}.")),
        status,
        created_at: at("2019-05-01T10:00:00Z"),
        updated_at: at("2019-05-02T10:00:00Z"),
        published_at: (status == PostStatus::Published).then(|| at("2019-05-03T10:00:00Z")),
        publish_at: None,
        authors: vec!["guest".to_owned(), "ana".to_owned()],
        tags: vec!["sleep".to_owned(), "sleep".to_owned()],
        old_paths: Vec::new(),
        kind: PostKind::Post,
        parent: None,
    }
}

/// Another site: Ana (who is here already) and a guest writer (who is
/// not), a tag, an image, a published post with an old address and a
/// draft with one.
fn foreign_site() -> ForeignSite {
    ForeignSite {
        source: SOURCE.to_owned(),
        users: vec![
            ForeignUser {
                key: "ana".to_owned(),
                email: "ana@clinic.org".to_owned(),
                display_name: "Ana R.".to_owned(),
                slug: "ana".to_owned(),
                bio: String::new(),
            },
            ForeignUser {
                key: "guest".to_owned(),
                email: "guest@elsewhere.org".to_owned(),
                display_name: "Guest Writer".to_owned(),
                slug: "guest-writer".to_owned(),
                bio: "Writes about sleep.".to_owned(),
            },
        ],
        tags: vec![ForeignTag {
            name: "Sleep".to_owned(),
            slug: "sleep".to_owned(),
            description: String::new(),
        }],
        media: vec![ForeignMedia {
            source_url: "https://old.example/wp-content/uploads/chart.jpg".to_owned(),
            original: FileRecord {
                key: key(1, "jpg"),
                content_type: "image/jpeg",
                width: 1600,
                height: 1200,
                size: 250_000,
            },
            variants: Vec::new(),
            file_name: "chart.jpg".to_owned(),
            uploader: "guest".to_owned(),
            alt: "Hours of sleep".to_owned(),
        }],
        posts: vec![
            ForeignPost {
                old_paths: vec!["/2019/05/sleep-and-screens".to_owned()],
                ..foreign_post("101", "Sleep and screens", "sleep-and-screens", PostStatus::Published)
            },
            ForeignPost {
                old_paths: vec!["/2019/06/naps".to_owned()],
                ..foreign_post("102", "Naps", "naps", PostStatus::Draft)
            },
        ],
    }
}

async fn import(store: &dyn Store, site: &ForeignSite, mode: ImportMode) -> (ImportTally, usize) {
    let progress = AtomicUsize::new(0);
    let tally = store
        .import_foreign(site, at("2026-03-02T12:00:00Z"), mode, &|| {
            progress.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .expect("import");
    (tally, progress.load(Ordering::SeqCst))
}

async fn imports_audited(store: &dyn Store) -> usize {
    store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::ContentImported),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
        .len()
}

async fn a_dry_run_counts_what_an_import_would_do_and_keeps_nothing(db: &TestDb) {
    let store = open(db).await;
    user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let site = foreign_site();
    let first_run = ImportTally {
        users_created: 1,
        users_matched: 1,
        tags_created: 1,
        media_created: 1,
        posts_created: 2,
        redirects: 2,
        ..ImportTally::default()
    };

    let (tally, progress) = import(&*store, &site, ImportMode::DryRun).await;
    assert_eq!(tally, first_run);
    assert_eq!(progress, 2, "once per post");
    assert_eq!(store.list_users().await.expect("users").len(), 1, "no one added");
    assert!(post_titles(&*store).await.is_empty());
    assert!(store.list_tags().await.expect("tags").is_empty());
    assert!(store.media_list("", 10).await.expect("media").is_empty());
    assert!(store.imported_media(SOURCE).await.expect("media").is_empty());
    assert!(store.import_sources().await.expect("sources").is_empty());
    assert_eq!(
        store
            .path_redirect("/2019/05/sleep-and-screens", Utc::now())
            .await
            .expect("query"),
        None
    );
    assert_eq!(imports_audited(&*store).await, 0);

    // The real run does what the dry run said.
    let (tally, _) = import(&*store, &site, ImportMode::Write).await;
    assert_eq!(tally, first_run, "the dry run's counts were the real ones");
    assert_eq!(post_titles(&*store).await, ["Naps", "Sleep and screens"]);
    assert_eq!(imports_audited(&*store).await, 1);
    store.close().await;
}

async fn an_import_writes_people_posts_images_and_old_addresses_once(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let site = foreign_site();
    import(&*store, &site, ImportMode::Write).await;

    // The guest is new: an author who cannot sign in until an admin acts.
    let guest = store
        .user_by_email(&email("guest@elsewhere.org"))
        .await
        .expect("query")
        .expect("guest");
    assert_eq!(
        (guest.role, guest.active, guest.password_hash.clone()),
        (Role::Author, false, None)
    );
    assert_eq!(guest.display_name, "Guest Writer");
    let ana_now = store.user_by_id(ana.id).await.expect("query").expect("ana");
    assert_eq!(ana_now.display_name, "Ana Ruiz", "a matched person is not renamed");

    // The published post is public with its authors and one tag; the
    // draft is not. Their old addresses lead to public posts only.
    let live = live_text(&*store, "sleep-and-screens").await.expect("public");
    assert_eq!(live.content.body, "About Sleep and screens.");
    assert_eq!(live.published_at, at("2019-05-03T10:00:00Z"), "its date there");
    let authors: Vec<i64> = store
        .post_authors(live.id)
        .await
        .expect("authors")
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(authors, [guest.id, ana.id], "in their order there");
    assert_eq!(
        store.post_tags(live.id).await.expect("tags").len(),
        1,
        "a tag named twice is one tag"
    );
    assert!(live_text(&*store, "naps").await.is_none());
    let now = Utc::now();
    assert_eq!(
        store
            .path_redirect("/2019/05/sleep-and-screens", now)
            .await
            .expect("query")
            .as_deref(),
        Some("/posts/sleep-and-screens")
    );
    assert_eq!(
        store.path_redirect("/2019/06/naps", now).await.expect("query"),
        None,
        "a draft"
    );
    assert_eq!(store.path_redirect("/2019/07/nothing", now).await.expect("query"), None);
    assert_eq!(store.path_redirect("/2019/05/sleep\0", now).await.expect("query"), None);
    assert_eq!(
        store.post_old_addresses(live.id).await.expect("old").paths,
        ["/2019/05/sleep-and-screens"]
    );
    assert_eq!(
        store.imported_media(SOURCE).await.expect("media"),
        [(
            "https://old.example/wp-content/uploads/chart.jpg".to_owned(),
            key(1, "jpg")
        )]
    );
    let image = &store.media_list("", 10).await.expect("media")[0];
    assert_eq!(
        (image.alt.as_str(), image.uploaded_by),
        ("Hours of sleep", Some(guest.id))
    );

    // Again, unchanged: everything is found, nothing added.
    let (tally, _) = import(&*store, &site, ImportMode::Write).await;
    assert_eq!(
        tally,
        ImportTally {
            users_matched: 2,
            tags_matched: 1,
            media_matched: 1,
            posts_unchanged: 2,
            redirects: 2,
            ..ImportTally::default()
        }
    );
    assert_eq!(store.list_users().await.expect("users").len(), 2);
    assert_eq!(post_titles(&*store).await, ["Naps", "Sleep and screens"]);
    assert_eq!(store.media_list("", 10).await.expect("media").len(), 1);

    // A post changed there is updated here, at the address it has here.
    let mut changed = foreign_site();
    changed.posts[0].content.title = "Sleep and screens, revisited".to_owned();
    changed.posts[0].content.slug = "sleep-and-screens-revisited".to_owned();
    changed.posts[0].content.body = "Screens, again.".to_owned();
    let (tally, _) = import(&*store, &changed, ImportMode::Write).await;
    assert_eq!(
        (tally.posts_updated, tally.posts_unchanged, tally.posts_created),
        (1, 1, 0)
    );
    let updated = live_text(&*store, "sleep-and-screens").await.expect("same address");
    assert_eq!(
        (updated.id, updated.content.title.as_str()),
        (live.id, "Sleep and screens, revisited")
    );
    assert_eq!(updated.content.body, "Screens, again.");
    assert_eq!(post_titles(&*store).await, ["Naps", "Sleep and screens, revisited"]);
    store.close().await;
}

crate::on_both_databases!(
    an_export_restores_into_an_empty_database_with_its_ids,
    an_older_exports_reviews_fall_due_by_the_sites_interval_and_zone,
    a_restore_is_refused_into_a_database_with_people,
    a_dry_run_counts_what_an_import_would_do_and_keeps_nothing,
    an_import_writes_people_posts_images_and_old_addresses_once,
);
