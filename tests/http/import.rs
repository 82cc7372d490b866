//! `vellum import`: WordPress and Ghost exports (fixtures written to their
//! formats, under tests/fixtures/import) and Vellum's own export, through
//! the real binary, then read back as readers and the store see them.

use std::path::{Path, PathBuf};
use std::process::Output;

use app::posts::server::{ListOrder, PostFilter};
use app::posts::workflow::PostStatus;
use app::store::Store;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestDb;
use crate::{client, create_user, page_html, start, url};

/// Where the fixtures say the old WordPress site was.
const WORDPRESS_SITE: &str = "https://harbour-clinic.example";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import")
}

/// The old site, still online: the fixtures' files over HTTP, uploads
/// where WordPress keeps them and Ghost's images at /content/images.
pub(crate) async fn old_site() -> String {
    old_site_with_handle().await.0
}

async fn old_site_with_handle() -> (String, tokio::task::JoinHandle<()>) {
    use tower_http::services::ServeDir;
    let router = axum::Router::new()
        .nest_service("/wp-content/uploads", ServeDir::new(fixtures().join("uploads")))
        .fallback_service(ServeDir::new(fixtures()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{address}"), handle)
}

/// A fixture with the old site's address replaced by `site`, written
/// into `db`'s folder.
pub(crate) fn fixture(db: &TestDb, name: &str, site: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture");
    let path = db.dir().join(name);
    std::fs::write(&path, text.replace(WORDPRESS_SITE, site)).expect("write fixture");
    path
}

/// Runs `vellum <args>` against `db`. The old sites of these tests are
/// on this machine, so WordPress and Ghost imports get `--allow-private`;
/// `vellum_as_given` runs the arguments as they are.
pub(crate) async fn vellum(db: &TestDb, args: &[&str]) -> Output {
    let mut args = args.to_vec();
    if matches!(args.get(..2), Some(["import", "wordpress" | "ghost"])) {
        args.push("--allow-private");
    }
    vellum_as_given(db, &args).await
}

pub(crate) async fn vellum_as_given(db: &TestDb, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vellum"))
        .env_remove("VELLUM_MEDIA_STORE")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .args(args)
        .args([
            "--database-url",
            db.url(),
            "--data-dir",
            &db.dir().display().to_string(),
        ])
        .output()
        .await
        .expect("run vellum")
}

pub(crate) fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "vellum failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every post's title and status, trashed ones included.
async fn statuses(store: &dyn Store) -> Vec<(String, PostStatus)> {
    let mut all = Vec::new();
    for status in [None, Some(PostStatus::Trashed)] {
        let filter = PostFilter {
            status,
            order: ListOrder::RecentlyChanged,
            limit: 100,
            ..PostFilter::default()
        };
        for row in store.list_posts(&filter).await.expect("list") {
            if !all.iter().any(|(title, _)| *title == row.title) {
                all.push((row.title, row.status));
            }
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn media_files(db: &TestDb) -> usize {
    std::fs::read_dir(db.dir().join("media"))
        .map(|dir| dir.count())
        .unwrap_or(0)
}

pub(crate) async fn location(path: &str, server: &server::RunningServer) -> (StatusCode, String) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url(server, path))
        .send()
        .await
        .expect("GET");
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status(), location)
}

async fn a_wordpress_site_moves_in_with_its_authors_dates_images_and_addresses(db: &TestDb) {
    let (site, old_site) = old_site_with_handle().await;
    let server = start(db).await;
    create_user(
        &server,
        "editor@clinic.org",
        "Jamie Morgan",
        app::accounts::Role::Editor,
    )
    .await;
    let file = fixture(db, "wordpress.xml", &site);
    let file = file.display().to_string();

    // A dry run counts everything and writes nothing.
    let dry = stdout(&vellum(db, &["import", "wordpress", &file, "--dry-run"]).await);
    assert!(dry.contains("Dry run: nothing was written"), "{dry}");
    assert!(dry.contains("posts:     9 would be created"), "{dry}");
    // The vaccine schedule's attachment is on a CDN, not the old site's
    // host, so it is not asked for at all.
    assert!(dry.contains("3 to fetch"), "{dry}");
    assert!(statuses(server.state.store.as_ref()).await.is_empty());
    assert_eq!(media_files(db), 0, "a dry run stores no image");

    let report = stdout(&vellum(db, &["import", "wordpress", &file]).await);
    for expected in [
        "posts:     9 created, 0 updated, 0 unchanged",
        "people:    2 created (deactivated, without a password), 1 matched by email",
        "tags:      6 created",
        "images:    3 added to the library, 0 already there, 1 kept at their old address",
        "skipped:   1 nav_menu_item, 1 wp_global_styles",
        // What did not come across, each with its item.
        "post 12 \"Managing seasonal allergies\": the block wp:latest-posts",
        "post 12 \"Managing seasonal allergies\": 2 reader comments were not imported",
        "the shortcode [contact-form-7] was not converted; it is still in the text",
        "the embedded <iframe> from https://www.youtube.com/embed/abc123 became a link",
        "the image https://cdn.unreachable.invalid/images/vaccine-schedule.png was kept at its old address",
        "pages:     1 of these are pages, each at /{slug}",
        "post 30 \"Staff rota notes\": it was private there",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }

    let store = server.state.store.as_ref();
    assert_eq!(
        statuses(store).await,
        vec![
            ("About the clinic".to_owned(), PostStatus::Published),
            ("Flu season 2030".to_owned(), PostStatus::Scheduled),
            ("Healthy lunchboxes".to_owned(), PostStatus::Published),
            ("Managing seasonal allergies".to_owned(), PostStatus::Published),
            ("Old announcement".to_owned(), PostStatus::Trashed),
            ("Sleep and screens (draft)".to_owned(), PostStatus::Draft),
            ("Staff rota notes".to_owned(), PostStatus::Draft),
            ("Sun safety this summer".to_owned(), PostStatus::InReview),
            (
                "Vaccines for school-age children — what to expect".to_owned(),
                PostStatus::Published
            ),
        ]
    );
    // New people are authors who cannot sign in; a known email is matched.
    let priya = app::accounts::server::Email::parse("priya.patel@harbour-clinic.example").expect("email");
    let priya = store.user_by_email(&priya).await.expect("read").expect("created");
    assert_eq!((priya.display_name.as_str(), priya.active), ("Dr. Priya Patel", false));
    assert!(priya.password_hash.is_none());
    assert_eq!(store.list_users().await.expect("users").len(), 3);

    // A readable blog: byline, date, converted body, library images.
    let page = page_html(&server, "/posts/managing-seasonal-allergies").await;
    assert!(page.contains("Dr. Priya Patel"), "{page}");
    assert!(page.contains("March 15, 2024"), "{page}");
    assert!(
        page.contains("<h2 id=\"know-your-triggers\">Know your triggers</h2>"),
        "{page}"
    );
    assert!(page.contains("<table"), "a table stays a table");
    assert!(
        page.contains("srcset=\"/media/"),
        "the body image is a library image: {page}"
    );
    assert!(page.contains("Daily pollen counts recorded near the clinic in March"));
    assert!(
        !page.contains("harbour-clinic") && !page.contains(&site),
        "no address of the old site is left"
    );

    let api = api_post(&server, "/api/v1/posts/managing-seasonal-allergies").await;
    assert_eq!(api["published_at"], "2024-03-15T08:30:00Z");
    assert_eq!(api["cover"]["alt"], "Using a nasal spray");
    assert!(
        api["cover"]["url"]
            .as_str()
            .is_some_and(|cover| cover.contains("/media/")),
        "{api}"
    );
    assert_eq!(api["tags"][0]["name"], "Allergies");

    let lunch = page_html(&server, "/posts/healthy-lunchboxes").await;
    assert!(lunch.contains("Jamie Morgan"), "the existing editor is the author");
    assert_eq!(
        lunch.matches("srcset=\"/media/").count(),
        2,
        "the gallery's two images: {lunch}"
    );
    assert!(
        lunch.contains("href=\"/2024/03/15/managing-seasonal-allergies/\""),
        "a link to an old permalink points here: {lunch}"
    );

    let vaccines = page_html(&server, "/posts/vaccines-for-school-age-children-what-to-expect").await;
    assert!(vaccines.contains("src=\"https://cdn.unreachable.invalid/images/vaccine-schedule.png\""));
    assert!(vaccines.contains("The recommended schedule"), "the caption survives");
    assert!(vaccines.contains("href=\"https://www.youtube.com/embed/abc123\""));
    assert!(
        vaccines.contains("[contact-form-7"),
        "the shortcode is still in the text"
    );

    // Old addresses answer 301 to the new ones; unpublished ones do not.
    for (old, new) in [
        (
            "/2024/03/15/managing-seasonal-allergies/",
            "/posts/managing-seasonal-allergies",
        ),
        ("/2024/05/09/healthy-lunchboxes", "/posts/healthy-lunchboxes"),
        ("/tag/hay-fever/", "/tags/hay-fever"),
        ("/category/childrens-health/nutrition/", "/tags/nutrition"),
        ("/author/drpatel/", "/authors/drpatel"),
        ("/feed/", "/feed.xml"),
        // The page's permalink leads to the page, at its own address.
        ("/about/", "/about"),
    ] {
        assert_eq!(
            location(old, &server).await,
            (StatusCode::MOVED_PERMANENTLY, new.to_owned()),
            "{old}"
        );
    }
    let about = page_html(&server, "/about").await;
    assert!(about.contains("<h1>About the clinic</h1>"), "{about}");
    assert!(!about.contains("class=\"byline\""), "a page has no byline: {about}");
    assert_eq!(
        location("/2024/05/20/staff-rota-notes/", &server).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        location("/posts/flu-season-2030", &server).await.0,
        StatusCode::NOT_FOUND
    );

    // The same file again changes nothing, even with the old site gone
    // (its images are known by their addresses); an edited file updates
    // in place.
    old_site.abort();
    let dry_again = stdout(&vellum(db, &["import", "wordpress", &file, "--dry-run"]).await);
    assert!(
        dry_again.contains("0 would be created, 0 would be updated, 9 unchanged"),
        "{dry_again}"
    );
    let again = stdout(&vellum(db, &["import", "wordpress", &file]).await);
    assert!(
        again.contains("posts:     0 created, 0 updated, 9 unchanged"),
        "{again}"
    );
    assert!(again.contains("0 added to the library, 3 already there"), "{again}");
    let edited = std::fs::read_to_string(&file).expect("read").replace(
        "<title><![CDATA[Healthy lunchboxes]]></title>",
        "<title><![CDATA[Healthy lunchboxes for school]]></title>",
    );
    std::fs::write(&file, edited).expect("write");
    let updated = stdout(&vellum(db, &["import", "wordpress", &file]).await);
    assert!(
        updated.contains("posts:     0 created, 1 updated, 8 unchanged"),
        "{updated}"
    );
    // The running site hears of the change (SQLite: within a second).
    let mut fresh = false;
    for _ in 0..50 {
        if page_html(&server, "/posts/healthy-lunchboxes")
            .await
            .contains("Healthy lunchboxes for school")
        {
            fresh = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(fresh, "the running site shows the updated post");
    assert_eq!(statuses(store).await.len(), 9);

    server.stop().await.expect("stop");
}

async fn a_failed_import_leaves_the_database_and_the_media_folder_as_they_were(db: &TestDb) {
    let site = old_site().await;
    let server = start(db).await;
    let file = fixture(db, "wordpress.xml", &site).display().to_string();

    let broken = vellum(
        db,
        &[
            "import",
            "wordpress",
            &fixtures().join("broken.xml").display().to_string(),
        ],
    )
    .await;
    assert!(!broken.status.success());
    let message = String::from_utf8_lossy(&broken.stderr);
    assert!(
        message.contains("not well-formed XML") && message.contains("31:"),
        "{message}"
    );

    // The database refuses the fourth post's old address, after the
    // first posts and the images were written.
    let refuse = if db.is_postgres() {
        vec![
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.path LIKE '%healthy-lunchboxes%' THEN \
             RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse BEFORE INSERT ON post_redirects FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    } else {
        vec![
            "CREATE TRIGGER refuse BEFORE INSERT ON post_redirects WHEN NEW.path LIKE '%healthy-lunchboxes%' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ]
    };
    for statement in refuse {
        db.raw_sql(statement).await;
    }
    let failed = vellum(db, &["import", "wordpress", &file]).await;
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("nothing was imported"));
    let store = server.state.store.as_ref();
    assert!(statuses(store).await.is_empty(), "no post is left");
    assert!(store.list_users().await.expect("users").is_empty(), "nobody is left");
    assert!(store.list_tags().await.expect("tags").is_empty());
    assert!(store.media_list("", 10).await.expect("media").is_empty());
    assert_eq!(media_files(db), 0, "the fetched images went again");

    server.stop().await.expect("stop");
}

async fn a_ghost_site_moves_in_with_both_authors_its_tags_and_cover(db: &TestDb) {
    let site = old_site().await;
    let server = start(db).await;
    create_user(
        &server,
        "editor@clinic.org",
        "Jamie Morgan",
        app::accounts::Role::Editor,
    )
    .await;
    let file = fixtures().join("ghost.json").display().to_string();

    let without_address = vellum(db, &["import", "ghost", &file]).await;
    assert!(!without_address.status.success());
    assert!(String::from_utf8_lossy(&without_address.stderr).contains("--site-url"));

    let report = stdout(&vellum(db, &["import", "ghost", &file, "--site-url", &site]).await);
    for expected in [
        "posts:     4 created",
        "people:    1 created (deactivated, without a password), 1 matched by email",
        "tags:      2 created",
        "images:    1 added to the library",
        "skipped:   1 internal tag",
        "pages:     1 of these are pages",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }
    assert_eq!(
        statuses(server.state.store.as_ref()).await,
        vec![
            ("Contact us".to_owned(), PostStatus::Published),
            ("Five stretches for lower back pain".to_owned(), PostStatus::Published),
            (
                "New year, new routine: starting to exercise safely".to_owned(),
                PostStatus::Scheduled
            ),
            ("Posture tips for desk workers".to_owned(), PostStatus::Draft),
        ]
    );
    assert!(
        page_html(&server, "/contact-us").await.contains("Call reception"),
        "Ghost's page is a page"
    );
    let api = api_post(&server, "/api/v1/posts/five-stretches-for-lower-back-pain").await;
    let names: Vec<&str> = api["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["Sam Osei", "Jamie Morgan"]);
    let tags: Vec<&str> = api["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        tags,
        ["Back pain", "Exercise"],
        "the internal #newsletter tag stays behind"
    );
    assert_eq!(api["published_at"], "2024-02-12T09:30:00Z");
    assert_eq!(api["cover"]["alt"], "A person doing a knee-to-chest stretch on a mat");
    assert!(
        api["markdown"]
            .as_str()
            .is_some_and(|body| body.contains("![A person doing a knee-to-chest stretch on a mat](/media/")),
        "{api}"
    );
    assert_eq!(
        location("/five-stretches-for-lower-back-pain/", &server).await,
        (
            StatusCode::MOVED_PERMANENTLY,
            "/posts/five-stretches-for-lower-back-pain".to_owned()
        )
    );
    let again = stdout(&vellum(db, &["import", "ghost", &file, "--site-url", &site]).await);
    assert!(
        again.contains("posts:     0 created, 0 updated, 4 unchanged"),
        "{again}"
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_wordpress_site_moves_in_with_its_authors_dates_images_and_addresses,
    a_failed_import_leaves_the_database_and_the_media_folder_as_they_were,
    a_ghost_site_moves_in_with_both_authors_its_tags_and_cover,
);

async fn api_post(server: &server::RunningServer, path: &str) -> Value {
    let response = client().get(url(server, path)).send().await.expect("GET");
    response.json().await.expect("JSON")
}

/// What a reader and an API client get for a post, to compare two sites.
async fn public_view(server: &server::RunningServer, slug: &str) -> (String, Value) {
    let page = crate::without_json_ld(&page_html(server, &format!("/posts/{slug}")).await);
    let api = api_post(server, &format!("/api/v1/posts/{slug}")).await;
    // The API names the site's own address, which differs per server.
    let api = serde_json::from_str(&api.to_string().replace(&url(server, ""), "")).expect("JSON");
    (page, api)
}

fn same_files(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .collect();
    names.sort();
    let mut other: Vec<_> = std::fs::read_dir(b)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .collect();
    other.sort();
    assert_eq!(names, other, "{} and {}", a.display(), b.display());
    for name in names {
        assert!(
            std::fs::read(a.join(&name)).expect("file") == std::fs::read(b.join(&name)).expect("file"),
            "{name:?} differs"
        );
    }
}

/// SQLite → export → PostgreSQL → export: the same site, every revision,
/// comment, review, image and old address included; and the new site
/// keeps working (new posts get new ids).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_moves_from_sqlite_to_postgresql_and_exports_the_same() {
    use app::accounts::Role;
    use app::posts::api::AddComment;
    use leptos::server_fn::ServerFn;

    use crate::posts::{create, json, saved, step};
    let Some(target) = TestDb::postgres().await else { return };
    let source = TestDb::sqlite().await;
    let site = old_site().await;
    let server = start(&source).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let file = fixture(&source, "wordpress.xml", &site).display().to_string();
    stdout(&vellum(&source, &["import", "wordpress", &file]).await);

    let ana = crate::signed_in(&server, "ana@clinic.org").await;
    let maya = crate::signed_in(&server, "maya@clinic.org").await;
    let picture = crate::media::picture(900, 600, image::ImageFormat::Png);
    let (_, image) = crate::media::upload(&server, &ana, "chart.png", picture).await;
    let post = create(&ana, &server, "Sleep: the basics").await;
    let body = format!("## Why\n\nRest.\n\n![A chart]({})", image["url"].as_str().expect("url"));
    let post = saved(
        &ana,
        &server,
        &post,
        &[("body", "A first try."), ("tags", "Sleep, Rest")],
    )
    .await;
    let post = saved(&ana, &server, &post, &[("body", &body)]).await;
    let id = post["id"].to_string();
    let commented = crate::call(
        &ana,
        &server,
        AddComment::PATH,
        &[("id", &id), ("body", "Ready for a look.")],
    )
    .await;
    assert_eq!(commented.status(), StatusCode::OK);
    let submitted = json(step(&ana, &server, &post, "submit", &[]).await).await["post"].clone();
    let approved = json(step(&maya, &server, &submitted, "approve", &[]).await).await["post"].clone();
    let published = step(&maya, &server, &approved, "publish_now", &[]).await;
    assert_eq!(published.status(), StatusCode::OK);
    source
        .raw_sql(&format!(
            "INSERT INTO post_slug_history (slug, post_id) VALUES ('sleep-basics', {id})"
        ))
        .await;
    let before = public_view(&server, "sleep-the-basics").await;
    let imported_before = public_view(&server, "managing-seasonal-allergies").await;
    server.stop().await.expect("stop");

    let exports = tempfile::TempDir::new().expect("folder");
    let (first, second) = (exports.path().join("first"), exports.path().join("second"));
    stdout(&vellum(&source, &["export", &first.display().to_string()]).await);
    let restored = stdout(&vellum(&target, &["import", "vellum", &first.display().to_string(), "--create"]).await);
    assert!(restored.contains("vellum user password"), "{restored}");
    let again = vellum(&target, &["import", "vellum", &first.display().to_string()]).await;
    assert!(
        !again.status.success(),
        "a second restore into the same database is refused"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has"));
    stdout(&vellum(&target, &["export", &second.display().to_string()]).await);

    let read = |dir: &Path| {
        let mut site: Value =
            serde_json::from_slice(&std::fs::read(dir.join("site.json")).expect("site.json")).expect("JSON");
        site.as_object_mut().expect("object").remove("exported_at");
        site
    };
    let (exported, reexported) = (read(&first), read(&second));
    assert_eq!(exported, reexported);
    let sleep = exported["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .find(|post| post["title"] == "Sleep: the basics")
        .expect("the post");
    assert!(
        sleep["revisions"]
            .as_array()
            .is_some_and(|revisions| revisions.len() >= 3),
        "{sleep}"
    );
    assert_eq!(sleep["comments"][0]["body"], "Ready for a look.");
    assert_eq!(sleep["old_slugs"][0], "sleep-basics");
    assert!(sleep["reviewed_by"].is_i64());
    let trashed = exported["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .find(|post| post["title"] == "Old announcement");
    assert_eq!(
        trashed.map(|post| &post["status"]),
        Some(&Value::from("trashed")),
        "the trash moves too"
    );
    assert!(
        exported["import_sources"]
            .as_array()
            .is_some_and(|sources| sources.len() == 12),
        "9 posts and 3 images: {}",
        exported["import_sources"]
    );
    same_files(&first.join("posts"), &second.join("posts"));
    same_files(&first.join("media"), &second.join("media"));

    // The moved site serves what the old one did, and keeps working.
    let server = start(&target).await;
    assert_eq!(public_view(&server, "sleep-the-basics").await, before);
    assert_eq!(
        public_view(&server, "managing-seasonal-allergies").await,
        imported_before
    );
    assert_eq!(
        location("/posts/sleep-basics", &server).await,
        (StatusCode::MOVED_PERMANENTLY, "/posts/sleep-the-basics".to_owned())
    );
    assert_eq!(
        location("/2024/03/15/managing-seasonal-allergies/", &server).await.0,
        StatusCode::MOVED_PERMANENTLY
    );
    // Importing the old WordPress site again still knows its posts.
    let file = fixture(&target, "wordpress.xml", &site).display().to_string();
    let again = stdout(&vellum(&target, &["import", "wordpress", &file]).await);
    assert!(
        again.contains("posts:     0 created, 0 updated, 9 unchanged"),
        "{again}"
    );
    let mut password = tokio::process::Command::new(env!("CARGO_BIN_EXE_vellum"))
        .args([
            "user",
            "password",
            "--email",
            "maya@clinic.org",
            "--database-url",
            target.url(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run vellum");
    if let Some(mut stdin) = password.stdin.take() {
        use tokio::io::AsyncWriteExt;
        stdin
            .write_all(format!("{}\n", crate::PASSWORD).as_bytes())
            .await
            .expect("write");
    }
    assert!(password.wait().await.expect("wait").success());
    let maya = crate::signed_in(&server, "maya@clinic.org").await;
    let newer = create(&maya, &server, "After the move").await;
    let highest = exported["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .filter_map(|post| post["id"].as_i64())
        .max();
    assert!(newer["id"].as_i64() > highest, "new posts get new ids: {newer}");
    server.stop().await.expect("stop");
    source.cleanup().await;
    target.cleanup().await;
}
