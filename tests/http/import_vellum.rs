//! `vellum import vellum` reads `site.json` as input from outside: a file
//! edited by hand or by a script is checked with the app's own parsers
//! before anything is written, and a refused file leaves the database
//! empty.

use std::path::Path;

use app::accounts::Role;
use app::store::imports::ImportMode;
use serde_json::Value;

use crate::import::{stdout, vellum};
use crate::posts::{create, saved};
use crate::support::TestDb;
use crate::{create_user, page_html, signed_in, start, status_of};

/// Each change makes one part of a good export unacceptable, with the
/// words the refusal must contain.
type Tamper = (&'static str, fn(&mut Value), &'static str);

const TAMPERED: [Tamper; 16] = [
    (
        "a cover that runs a script",
        |site| site["posts"][0]["cover_url"] = "javascript:alert(1)".into(),
        "cover_url",
    ),
    (
        "an email that is not stored as the app stores them",
        |site| site["users"][0]["email"] = "Ana@Clinic.org".into(),
        "in lower case",
    ),
    (
        "a post slug that climbs out of its folder",
        |site| site["posts"][0]["slug"] = "../../x".into(),
        "is not a slug",
    ),
    (
        "an old slug",
        |site| site["posts"][0]["old_slugs"] = serde_json::json!(["a/b"]),
        "\"a/b\" is not a slug",
    ),
    (
        "an old address",
        |site| site["posts"][0]["old_paths"] = serde_json::json!(["/../../etc/passwd"]),
        "not a path on this site",
    ),
    (
        "a revision's slug",
        |site| site["posts"][0]["revisions"][0]["slug"] = "admin".into(),
        "used by the site itself",
    ),
    (
        "a person's email",
        |site| site["users"][0]["email"] = "ana at clinic".into(),
        "not an address",
    ),
    (
        "a control character in a name",
        |site| site["users"][0]["display_name"] = "Ana\u{1}Ruiz".into(),
        "control characters",
    ),
    (
        "a person's slug",
        |site| site["users"][0]["slug"] = "../ana".into(),
        "is not a slug",
    ),
    (
        "a tag's slug",
        |site| site["tags"][0]["slug"] = "sleep/../..".into(),
        "is not a slug",
    ),
    (
        "the site's address",
        |site| site["settings"]["site_url"] = "javascript:alert(1)".into(),
        "the site settings: site_url",
    ),
    (
        "a page over one of the site's own addresses",
        |site| {
            site["posts"][0]["kind"] = "page".into();
            site["posts"][0]["slug"] = "media".into();
        },
        "would hide the site's own address",
    ),
    (
        "a page with tags (the article made a page has the tag Sleep)",
        |site| site["posts"][0]["kind"] = "page".into(),
        "a page has no tags",
    ),
    (
        "a page whose live text is at one of the site's own addresses",
        |site| {
            let post = &mut site["posts"][1];
            post["kind"] = "page".into();
            let live = post["live_revision_id"].clone();
            for revision in post["revisions"].as_array_mut().into_iter().flatten() {
                if revision["id"] == live {
                    revision["slug"] = "media".into();
                }
            }
        },
        "a page at /media would hide",
    ),
    (
        "a page under an article",
        |site| site["posts"][2]["parent_id"] = site["posts"][1]["id"].clone(),
        "is not another page of the file",
    ),
    (
        "a kind of post Vellum does not know",
        |site| site["posts"][0]["kind"] = "poster".into(),
        "poster",
    ),
];

fn edit(site: &Value, change: fn(&mut Value), dir: &Path) {
    let mut site = site.clone();
    change(&mut site);
    std::fs::create_dir_all(dir).expect("folder");
    std::fs::write(dir.join("site.json"), serde_json::to_vec(&site).expect("JSON")).expect("write");
}

async fn a_hand_edited_export_is_refused_before_anything_is_written(db: &TestDb) {
    let source = TestDb::sqlite().await;
    let server = start(&source).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let post = create(&ana, &server, "Sleep: the basics").await;
    saved(&ana, &server, &post, &[("body", "Rest."), ("tags", "Sleep")]).await;
    // An article and two pages, one under the other (posts 2, 3 and 4).
    server
        .state
        .store
        .import_foreign(
            &crate::site_pages::imported_site(),
            crate::blog::noon(),
            ImportMode::Write,
            &|| (),
        )
        .await
        .expect("import");
    server.stop().await.expect("stop");
    let exports = tempfile::TempDir::new().expect("folder");
    let good = exports.path().join("good");
    stdout(&vellum(&source, &["export", &good.display().to_string()]).await);
    let site: Value = serde_json::from_slice(&std::fs::read(good.join("site.json")).expect("read")).expect("JSON");
    let kinds: Vec<(&str, &Value)> = site["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|post| (post["kind"].as_str().unwrap_or_default(), &post["parent_id"]))
        .collect();
    assert_eq!(
        kinds,
        [
            ("post", &Value::Null),
            ("post", &Value::Null),
            ("page", &site["posts"][3]["id"]),
            ("page", &Value::Null)
        ],
        "the export says which posts are pages, and under which page"
    );

    for (number, (what, change, words)) in TAMPERED.iter().enumerate() {
        let dir = exports.path().join(format!("tampered-{number}"));
        edit(&site, *change, &dir);
        let refused = vellum(db, &["import", "vellum", &dir.display().to_string()]).await;
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{what} was accepted");
        assert!(said.contains(words), "{what}: {said}");
    }
    let server = start(db).await;
    assert_eq!(
        server.state.store.count_users().await.expect("count"),
        0,
        "nothing was written"
    );
    server.stop().await.expect("stop");

    // The untouched export goes in, its pages pages under their parents.
    let restored = stdout(&vellum(db, &["import", "vellum", &good.display().to_string()]).await);
    assert!(restored.contains("Imported 4 posts"), "{restored}");
    let server = start(db).await;
    let child = page_html(&server, "/vaccinations").await;
    assert!(
        child.contains("<h1>Vaccinations</h1>") && child.contains("href=\"/services\""),
        "{child}"
    );
    assert_eq!(
        status_of(&server, "/posts/vaccinations").await,
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(status_of(&server, "/posts/flu-shots").await, reqwest::StatusCode::OK);
    let (status, to) = crate::import::location("/services/vaccinations/", &server).await;
    assert_eq!(
        (status, to.as_str()),
        (reqwest::StatusCode::MOVED_PERMANENTLY, "/vaccinations")
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(a_hand_edited_export_is_refused_before_anything_is_written);
