//! The media library over HTTP: uploads sniffed from their bytes, limits,
//! files served for a year, who may change what, deletion of used images
//! refused, the public page's srcset and the API's images; on both
//! databases, with files in a folder and (when the test command started
//! its S3-compatible server) in a bucket.

use std::io::Cursor;
use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::media::api::{DeleteMedia, ListMedia, SetMediaAlt, UPLOAD_PATH};
use app::posts::workflow::PostStatus;
use image::{DynamicImage, ImageFormat, RgbImage};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::api::{api, spec};
use crate::blog::{TestPost, noon, post_with};
use crate::support::TestDb;
use crate::{call, create_user, serve_args, signed_in, url};

/// A picture with some detail, encoded as `format`.
pub(crate) fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(pixels)
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encode");
    bytes
}

/// Uploads `bytes` as `name` the way the editor does.
pub(crate) async fn upload(
    server: &RunningServer,
    client: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let response = client
        .post(url(server, UPLOAD_PATH))
        .header("origin", format!("http://{}", server.addr))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn library(server: &RunningServer, client: &reqwest::Client) -> Value {
    call(client, server, ListMedia::PATH, &[])
        .await
        .json()
        .await
        .expect("JSON")
}

/// Where the server keeps files: the S3 bucket the test command set up
/// (VELLUM_TEST_S3, with AWS_* settings), or the data folder.
fn media_store() -> String {
    match std::env::var("VELLUM_TEST_S3") {
        Ok(bucket) => bucket,
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must test the S3 store: run through `make unit`, which starts one"
            );
            String::new()
        }
    }
}

async fn start_with(db: &TestDb, store: String, clock: &Arc<ManualClock>) -> RunningServer {
    let args = server::cli::ServeArgs {
        media: server::cli::MediaArgs {
            media_store: store,
            media_max_mb: 2,
            media_max_megapixels: 30,
        },
        ..serve_args(db)
    };
    let clock: Arc<dyn app::clock::Clock> = clock.clone();
    server::start_with_clock(&args, Some(clock))
        .await
        .expect("server starts")
}

async fn uploads_are_sniffed_limited_stored_and_served(db: &TestDb, store: String) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_with(db, store, &clock).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;

    // A PNG named .jpg is a PNG; its variants are WebP and PNG.
    let (status, item) = upload(&server, &ana, "chart.jpg", picture(1000, 600, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let file_url = item["url"].as_str().expect("url").to_owned();
    assert!(
        file_url.starts_with("/media/") && file_url.ends_with(".png"),
        "{file_url}"
    );
    assert_eq!(item["file_name"], "chart.jpg");
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(1000), Some(600))
    );
    let served = reqwest::get(url(&server, &file_url)).await.expect("GET");
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.headers()["cache-control"], "public, max-age=31536000, immutable");
    let thumbnail = reqwest::get(url(&server, item["thumbnail_url"].as_str().expect("thumb")))
        .await
        .expect("GET");
    assert_eq!(thumbnail.headers()["content-type"], "image/webp");
    let thumbnail = image::load_from_memory(&thumbnail.bytes().await.expect("bytes")).expect("a WebP picture");
    assert_eq!(thumbnail.width(), 400);

    // Refused: HTML named .png, a file over the limit, no file at all.
    let before = library(&server, &ana).await.as_array().map(Vec::len);
    let (status, refusal) = upload(
        &server,
        &ana,
        "photo.png",
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refusal.to_string().contains("not a JPEG, PNG, WebP or GIF"),
        "{refusal}"
    );
    let mut big = picture(64, 64, ImageFormat::Png);
    big.resize(3 * 1024 * 1024, 0);
    let (status, refusal) = upload(&server, &ana, "big.png", big).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refusal.to_string().contains("larger than the 2 MB"), "{refusal}");
    assert_eq!(
        library(&server, &ana).await.as_array().map(Vec::len),
        before,
        "nothing left behind"
    );

    // The same picture again is the same library item.
    let (status, again) = upload(&server, &ana, "chart-copy.png", picture(1000, 600, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], item["id"]);

    // Signed out, or from another site with the cookie: refused.
    let (status, _) = upload(
        &server,
        &crate::client(),
        "chart.png",
        picture(10, 10, ImageFormat::Png),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let forged = ana
        .post(url(&server, UPLOAD_PATH))
        .header("origin", "https://elsewhere.example")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(picture(10, 10, ImageFormat::Png)).file_name("x.png"),
        ))
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of_missing(&server).await, StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

async fn status_of_missing(server: &RunningServer) -> StatusCode {
    let missing = format!("/media/{}.png", "0".repeat(64));
    reqwest::get(url(server, &missing)).await.expect("GET").status()
}

async fn uploads_work_with_files_in_a_folder(db: &TestDb) {
    uploads_are_sniffed_limited_stored_and_served(db, String::new()).await;
}

async fn uploads_work_with_files_in_object_storage(db: &TestDb) {
    let store = media_store();
    if store.is_empty() {
        eprintln!("SKIPPED: no S3-compatible server (run through `make unit`)");
        return;
    }
    uploads_are_sniffed_limited_stored_and_served(db, store).await;
}

async fn authors_change_their_own_media_and_used_images_stay(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_with(db, String::new(), &clock).await;
    let spec = spec(&server).await;
    let ana_user = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let ben = signed_in(&server, "ben@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let (_, chart) = upload(&server, &ana, "chart.jpg", picture(1200, 800, ImageFormat::Jpeg)).await;
    let (_, spare) = upload(&server, &ana, "spare.png", picture(300, 200, ImageFormat::Png)).await;
    let id = chart["id"].to_string();
    let spare_id = spare["id"].to_string();

    let alt = |who: &reqwest::Client, id: &str, text: &str| {
        let (who, id, text) = (who.clone(), id.to_owned(), text.to_owned());
        let server = &server;
        async move {
            call(&who, server, SetMediaAlt::PATH, &[("id", &id), ("alt", &text)])
                .await
                .status()
        }
    };
    assert_eq!(alt(&ana, &id, "  ").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alt(&ana, &id, "Blood pressure by age").await, StatusCode::OK);
    assert_eq!(
        alt(&ben, &id, "Not mine").await,
        StatusCode::FORBIDDEN,
        "only its uploader changes it"
    );
    assert_eq!(
        alt(&ben, &id, "Blood pressure by age").await,
        StatusCode::OK,
        "using it as described changes nothing"
    );
    assert_eq!(
        alt(&ben, &spare_id, "A spare picture").await,
        StatusCode::OK,
        "anyone may describe an image nobody has described"
    );
    assert_eq!(alt(&ben, &spare_id, "Ben's words").await, StatusCode::FORBIDDEN);
    assert_eq!(
        alt(&maya, &spare_id, "A spare picture, resized").await,
        StatusCode::OK,
        "editors manage all"
    );
    let delete = |who: &reqwest::Client, id: &str| {
        let (who, id) = (who.clone(), id.to_owned());
        let server = &server;
        async move { call(&who, server, DeleteMedia::PATH, &[("id", &id)]).await }
    };
    assert_eq!(delete(&ben, &spare_id).await.status(), StatusCode::FORBIDDEN);

    // Used in a published post: the page offers the variants, the API
    // lists them, and the image cannot be deleted.
    let url_of = chart["url"].as_str().expect("url").to_owned();
    let body = format!("Intro.\n\n![Blood pressure by age]({url_of})\n\nMore.");
    post_with(
        &server,
        &ana_user,
        TestPost {
            title: "Blood pressure",
            body: &body,
            tags: "Heart",
            to: PostStatus::Published,
            at: noon(),
            publish_at: None,
            reviewed: false,
        },
    )
    .await;
    let page = reqwest::get(url(&server, "/posts/blood-pressure"))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let img = page
        .split("<img ")
        .find(|tag| tag.contains(&url_of))
        .unwrap_or_else(|| panic!("no <img> of the chart in {page}"));
    assert!(
        img.contains("srcset=\"/media/") && img.contains(".webp 400w") && img.contains(".webp 800w"),
        "{img}"
    );
    assert!(
        img.contains("width=\"1200\" height=\"800\"") && img.contains("loading=\"lazy\""),
        "{img}"
    );
    assert!(img.contains("alt=\"Blood pressure by age\""), "{img}");
    let (_, _, post) = api(&server, &spec, "/api/v1/posts/blood-pressure").await;
    let image = &post["images"][0];
    assert_eq!(image["alt"], "Blood pressure by age");
    assert!(
        image["variants"].as_array().is_some_and(|variants| variants.len() == 5),
        "{image}"
    );
    assert!(
        post["html"].as_str().is_some_and(|html| html.contains("src=\"http://")),
        "absolute in the API"
    );

    let refused = delete(&ana, &id).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(
        refused.text().await.expect("body").contains("Blood pressure"),
        "names the post"
    );
    let listed = library(&server, &ana).await;
    let listed_chart = listed
        .as_array()
        .and_then(|items| items.iter().find(|item| item["id"] == chart["id"]).cloned());
    assert_eq!(
        listed_chart.map(|item| item["used_in"].clone()),
        Some(serde_json::json!(["Blood pressure"]))
    );

    // The same pixels as a WebP share a file with the PNG (its full-size
    // WebP copy): deleting the PNG item must leave that file.
    let (status, twin) = upload(&server, &ana, "spare.webp", picture(300, 200, ImageFormat::WebP)).await;
    assert_eq!(status, StatusCode::CREATED, "{twin}");
    assert_ne!(twin["id"], spare["id"]);
    let twin_url = twin["url"].as_str().expect("url").to_owned();

    // Unused: gone, files and all, and the audit log says who.
    let spare_url = spare["url"].as_str().expect("url").to_owned();
    let spare_copy = spare["thumbnail_url"].as_str().expect("thumbnail").to_owned();
    assert_eq!(delete(&ana, &spare_id).await.status(), StatusCode::OK);
    let status = |path: String| {
        let address = url(&server, &path);
        async move { reqwest::get(address).await.expect("GET").status() }
    };
    assert_eq!(status(spare_url).await, StatusCode::NOT_FOUND);
    assert_eq!(spare_copy, twin_url, "the PNG's WebP copy is the WebP's original");
    assert_eq!(status(twin_url).await, StatusCode::OK, "a file another item uses stays");
    let audit = server
        .state
        .store
        .list_audit(&app::accounts::server::AuditFilter {
            limit: 100,
            ..app::accounts::server::AuditFilter::default()
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|row| row.action.as_str()).collect();
    assert!(
        actions.contains(&"media_uploaded") && actions.contains(&"media_deleted"),
        "{actions:?}"
    );
    server.stop().await.expect("stop");
}

/// A 4000 × 3000 picture with a photo's fine grain, as a JPEG of about
/// 6 MB: what a phone camera hands over.
fn phone_photo() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let pixels = RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = i32::try_from(seed % 97).unwrap_or(0) - 48;
        let shade =
            |base: u32| u8::try_from((i32::try_from(base % 256).unwrap_or(0) + grain).clamp(0, 255)).unwrap_or(0);
        image::Rgb([shade(x / 16 + y / 24), shade(120 + x / 40), shade(200 - y / 20)])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
        .encode_image(&pixels)
        .expect("encode");
    bytes
}

async fn a_phone_photo_uploads_and_phones_get_a_small_file(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    // The default limit, whatever the other tests use.
    let args = serve_args(db);
    let clock_handle: Arc<dyn app::clock::Clock> = clock.clone();
    let server = server::start_with_clock(&args, Some(clock_handle))
        .await
        .expect("server starts");
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let photo = phone_photo();
    assert!(photo.len() > 5_500_000, "a phone-sized photo: {} bytes", photo.len());
    let (status, item) = upload(&server, &ana, "IMG_2041.jpg", photo).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(4000), Some(3000))
    );
    let original_key = item["url"]
        .as_str()
        .expect("url")
        .trim_start_matches("/media/")
        .to_owned();
    let rows = server.state.store.media_by_keys(&[original_key]).await.expect("query");
    let variants = server
        .state
        .store
        .media_variants(&[rows[0].id])
        .await
        .expect("variants");
    // A phone 390 CSS pixels wide at 2× picks the 800 px WebP.
    let phone = variants
        .iter()
        .find(|variant| variant.width == 800 && variant.content_type == "image/webp")
        .expect("an 800 px WebP");
    assert!(phone.bytes < 200 * 1024, "the phone's file is {} bytes", phone.bytes);
    let served = reqwest::get(url(&server, &format!("/media/{}", phone.key)))
        .await
        .expect("GET");
    assert_eq!(
        served.bytes().await.expect("bytes").len(),
        usize::try_from(phone.bytes).unwrap_or(0)
    );
    server.stop().await.expect("stop");
}

/// "Used in" and the delete refusal: an author sees the titles of her own
/// posts and of published ones, and only a count of colleagues' drafts;
/// an editor sees every title. The usage follows each save.
async fn usage_names_only_posts_the_caller_may_see(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_with(db, String::new(), &clock).await;
    let ana_user = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let ben = signed_in(&server, "ben@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let (_, chart) = upload(&server, &ana, "chart.jpg", picture(600, 400, ImageFormat::Jpeg)).await;
    let chart_url = chart["url"].as_str().expect("url").to_owned();
    let with_chart = format!("Numbers.\n\n![Blood pressure by age]({chart_url})\n");
    post_with(
        &server,
        &ana_user,
        TestPost {
            title: "Blood pressure",
            body: &with_chart,
            tags: "",
            to: PostStatus::Published,
            at: noon(),
            publish_at: None,
            reviewed: false,
        },
    )
    .await;
    let draft = crate::posts::create(&ben, &server, "Ben's unannounced draft").await;
    let draft = crate::posts::saved(&ben, &server, &draft, &[("body", &with_chart)]).await;
    // Scheduled: not public yet, so counted too.
    let ben_user = server
        .state
        .store
        .user_by_email(&app::accounts::server::Email::parse("ben@clinic.org").expect("email"))
        .await
        .expect("query")
        .expect("Ben");
    post_with(
        &server,
        &ben_user,
        TestPost {
            title: "Ben's embargoed study",
            body: &with_chart,
            tags: "",
            to: PostStatus::Scheduled,
            at: noon(),
            publish_at: Some(noon() + chrono::Duration::days(3)),
            reviewed: false,
        },
    )
    .await;

    let usage = |who: &reqwest::Client| {
        let (who, server, id) = (who.clone(), &server, chart["id"].clone());
        async move {
            let listed = library(server, &who).await;
            let item = listed
                .as_array()
                .and_then(|items| items.iter().find(|item| item["id"] == id).cloned())
                .expect("the chart is listed");
            (item["used_in"].clone(), item["used_elsewhere"].clone())
        }
    };
    assert_eq!(
        usage(&ana).await,
        (serde_json::json!(["Blood pressure"]), serde_json::json!(2)),
        "Ben's draft and scheduled post are counted, not named"
    );
    assert_eq!(
        usage(&maya).await,
        (
            serde_json::json!(["Ben's embargoed study", "Ben's unannounced draft", "Blood pressure"]),
            serde_json::json!(0)
        ),
        "editors see every post"
    );
    let refused = call(&maya, &server, DeleteMedia::PATH, &[("id", &chart["id"].to_string())]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let refused = call(&ana, &server, DeleteMedia::PATH, &[("id", &chart["id"].to_string())]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let message = refused.text().await.expect("body");
    assert!(
        message.contains("Blood pressure") && message.contains("2 posts by other authors"),
        "{message}"
    );
    assert!(
        !message.contains("unannounced") && !message.contains("embargoed"),
        "{message}"
    );

    // Ben takes the image out: it is no longer counted.
    crate::posts::saved(&ben, &server, &draft, &[("body", "Numbers to follow.")]).await;
    assert_eq!(
        usage(&ana).await,
        (serde_json::json!(["Blood pressure"]), serde_json::json!(1))
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    uploads_work_with_files_in_a_folder,
    uploads_work_with_files_in_object_storage,
    authors_change_their_own_media_and_used_images_stay,
    usage_names_only_posts_the_caller_may_see,
    a_phone_photo_uploads_and_phones_get_a_small_file
);
