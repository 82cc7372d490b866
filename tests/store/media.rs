//! The media library in the store: uploads with their variants, the
//! library's list and search, alt texts that only the uploader may change
//! when the caller says so, deletion refused while a post uses the image,
//! and files shared between items (content-addressed keys). On SQLite and
//! on PostgreSQL.

use app::accounts::Role;
use app::accounts::server::{AuditAction, AuditFilter, NewAuditEntry, User};
use app::domain::{PostContent, PostFields};
use app::error::AppError;
use app::media::server::{FileRecord, MediaRow, NewMedia, UsageViewer};
use app::posts::server::{LiveText, PostEdit, RevisionKind, SaveRequest};
use app::posts::workflow::PostStatus;
use app::store::Store;
use chrono::{DateTime, Duration, Utc};

use super::open;
use super::posts::{change, draft, edit, save, user};
use crate::support::TestDb;

/// A key as Vellum makes them (64 hex digits and an extension); a
/// different `n` gives a different file.
fn key(n: u8, extension: &str) -> String {
    format!("{}.{extension}", format!("{n:02x}").repeat(32))
}

fn file(key: String, content_type: &'static str, width: u32, height: u32, size: i64) -> FileRecord {
    FileRecord {
        key,
        content_type,
        width,
        height,
        size,
    }
}

/// An upload at `at`: a 1600×1200 JPEG original and, smallest first, its
/// variants with the given keys (400, 800, … pixels wide, WebP).
fn upload(file_name: &str, original: &str, variants: &[String], by: &User, at: DateTime<Utc>) -> NewMedia {
    NewMedia {
        original: file(original.to_owned(), "image/jpeg", 1600, 1200, 250_000),
        variants: (1_u32..)
            .zip(variants)
            .map(|(n, key)| file(key.clone(), "image/webp", 400 * n, 300 * n, 10_000 * i64::from(n)))
            .collect(),
        file_name: file_name.to_owned(),
        uploaded_by: by.id,
        created_at: at,
    }
}

async fn create(store: &dyn Store, media: &NewMedia) -> MediaRow {
    let audit = NewAuditEntry::new(AuditAction::MediaUploaded, Some(media.uploaded_by), None)
        .detail(format!("\"{}\" ({})", media.file_name, media.original.key));
    store.create_media(media, &audit).await.expect("upload")
}

async fn delete(store: &dyn Store, id: i64, only_uploader: Option<i64>) -> Result<Vec<String>, AppError> {
    let audit = NewAuditEntry::new(AuditAction::MediaDeleted, only_uploader, None).detail(format!("media {id}"));
    store.delete_media(id, only_uploader, EDITOR, &audit).await
}

/// Someone who sees every post's title.
const EDITOR: UsageViewer = UsageViewer {
    user_id: 0,
    sees_every_post: true,
};

/// The titles of the posts that use `key`, as `viewer` sees them (`?` for
/// a post they may not see).
async fn used_in(store: &dyn Store, key: &str, viewer: UsageViewer) -> Vec<String> {
    store
        .media_usage(&[key.to_owned()], viewer)
        .await
        .expect("usage")
        .into_iter()
        .map(|usage| usage.title.unwrap_or_else(|| "?".into()))
        .collect()
}

async fn audited(store: &dyn Store, action: AuditAction) -> Vec<String> {
    store
        .list_audit(&AuditFilter {
            action: Some(action),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit log")
        .into_iter()
        .map(|row| row.detail)
        .collect()
}

fn names(rows: &[MediaRow]) -> Vec<&str> {
    rows.iter().map(|row| row.file_name.as_str()).collect()
}

/// Whole seconds, which both databases keep exactly.
fn noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

async fn uploads_are_listed_newest_first_and_found_by_name_or_alt_text(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let chart = create(
        &*store,
        &upload(
            "Sleep chart.jpg",
            &key(1, "jpg"),
            &[key(11, "webp"), key(12, "webp")],
            &ana,
            noon(),
        ),
    )
    .await;
    let front = create(
        &*store,
        &upload(
            "clinic-front.jpg",
            &key(2, "jpg"),
            &[key(21, "webp")],
            &ana,
            noon() + Duration::minutes(1),
        ),
    )
    .await;
    let heart = create(
        &*store,
        &upload(
            "Heart 100%.jpg",
            &key(3, "jpg"),
            &[],
            &maya,
            noon() + Duration::minutes(2),
        ),
    )
    .await;

    // A row says what was uploaded, by whom and when.
    assert_eq!(chart.original_key, key(1, "jpg"));
    assert_eq!(chart.file_name, "Sleep chart.jpg");
    assert_eq!(chart.content_type, "image/jpeg");
    assert_eq!((chart.width, chart.height, chart.bytes), (1600, 1200, 250_000));
    assert_eq!(chart.alt, "", "no alt text until someone writes one");
    assert_eq!(chart.uploaded_by, Some(ana.id));
    assert_eq!(chart.uploader.as_deref(), Some("Ana Ruiz"));
    assert_eq!(chart.created_at, noon());

    let all = store.media_list("", 10).await.expect("list");
    assert_eq!(names(&all), ["Heart 100%.jpg", "clinic-front.jpg", "Sleep chart.jpg"]);
    assert_eq!(
        names(&store.media_list("", 2).await.expect("list")),
        ["Heart 100%.jpg", "clinic-front.jpg"]
    );

    // Search: file names and alt texts, whatever the case; `%` and `_`
    // are plain characters, not wildcards.
    assert_eq!(
        names(&store.media_list("SLEEP", 10).await.expect("search")),
        ["Sleep chart.jpg"]
    );
    assert!(store.media_list("door", 10).await.expect("search").is_empty());
    store
        .set_media_alt(front.id, "The clinic's front door", None)
        .await
        .expect("alt");
    assert_eq!(
        names(&store.media_list("Door", 10).await.expect("search")),
        ["clinic-front.jpg"]
    );
    assert_eq!(
        names(&store.media_list("100%", 10).await.expect("search")),
        ["Heart 100%.jpg"]
    );
    assert!(
        store.media_list("%", 10).await.expect("search").len() == 1,
        "only the name with a %"
    );
    assert!(
        store.media_list("_", 10).await.expect("search").is_empty(),
        "no name has an _"
    );

    // Look-ups by id and by key.
    let found = store.media_by_id(heart.id).await.expect("query").expect("found");
    assert_eq!(found.original_key, key(3, "jpg"));
    assert_eq!(found.uploader.as_deref(), Some("Maya Patel"));
    assert!(store.media_by_id(heart.id + 100).await.expect("query").is_none());
    let mut by_keys: Vec<i64> = store
        .media_by_keys(&[key(1, "jpg"), key(3, "jpg"), key(9, "jpg"), key(11, "webp")])
        .await
        .expect("query")
        .into_iter()
        .map(|row| row.id)
        .collect();
    by_keys.sort_unstable();
    assert_eq!(
        by_keys,
        [chart.id, heart.id],
        "originals only; unknown keys find nothing"
    );
    assert!(store.media_by_keys(&[]).await.expect("query").is_empty());

    // Variants, per item and smallest first.
    let variants = store
        .media_variants(&[heart.id, chart.id, front.id])
        .await
        .expect("variants");
    let listed: Vec<(i64, &str, i64, i64)> = variants
        .iter()
        .map(|v| (v.media_id, v.key.as_str(), v.width, v.bytes))
        .collect();
    assert_eq!(
        listed,
        [
            (chart.id, key(11, "webp").as_str(), 400, 10_000),
            (chart.id, key(12, "webp").as_str(), 800, 20_000),
            (front.id, key(21, "webp").as_str(), 400, 10_000),
        ]
    );
    assert!(variants.iter().all(|v| v.content_type == "image/webp"));
    assert!(store.media_variants(&[heart.id]).await.expect("variants").is_empty());
    assert!(store.media_variants(&[]).await.expect("variants").is_empty());

    assert_eq!(
        audited(&*store, AuditAction::MediaUploaded).await.len(),
        3,
        "each upload audited"
    );
    store.close().await;
}

async fn alt_texts_change_for_anyone_or_only_for_the_uploader_when_asked(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let omar = user(&*store, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    let item = create(&*store, &upload("chart.jpg", &key(1, "jpg"), &[], &ana, noon())).await;

    // Another author's upload is not theirs to describe.
    let refused = store.set_media_alt(item.id, "Omar's words", Some(omar.id)).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    let stored = store.media_by_id(item.id).await.expect("query").expect("item");
    assert_eq!(stored.alt, "", "nothing changed");

    let by_uploader = store
        .set_media_alt(item.id, "Hours of sleep by age", Some(ana.id))
        .await
        .expect("the uploader's own");
    assert_eq!(by_uploader.alt, "Hours of sleep by age");
    assert_eq!(by_uploader.id, item.id);

    // Without the restriction (an editor), anyone's upload.
    let by_editor = store
        .set_media_alt(item.id, "Hours of sleep by age group", None)
        .await
        .expect("any upload");
    assert_eq!(by_editor.alt, "Hours of sleep by age group");
    let stored = store.media_by_id(item.id).await.expect("query").expect("item");
    assert_eq!(stored.alt, "Hours of sleep by age group");
    store.close().await;
}

async fn an_image_stays_while_a_post_or_its_live_text_uses_it(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let chart_key = key(1, "jpg");
    let variants = [key(11, "webp"), key(12, "webp")];
    let chart = create(&*store, &upload("chart.jpg", &chart_key, &variants, &ana, noon())).await;
    let image = format!("/media/{chart_key}");

    // In one post's text and another's cover.
    let article = draft(&*store, "Sleep and age", &ana).await;
    let article = save(
        &*store,
        &article,
        &edit(&article, &format!("Look:\n\n![Hours of sleep]({image})"), &[ana.id]),
        &ana,
        RevisionKind::Save,
    )
    .await
    .expect("save");
    let covered = draft(&*store, "A chart on the cover", &ana).await;
    let cover_edit = PostEdit::parse(&PostFields {
        content: PostContent {
            title: covered.content.title.clone(),
            slug: covered.content.slug.clone(),
            body: "Text".into(),
            cover_url: image.clone(),
            cover_alt: "A chart".into(),
            ..PostContent::default()
        },
        author_ids: vec![ana.id],
        ..PostFields::default()
    })
    .expect("edit");
    let covered = save(&*store, &covered, &cover_edit, &ana, RevisionKind::Save)
        .await
        .expect("save");
    assert_eq!(
        used_in(&*store, &chart_key, EDITOR).await,
        ["A chart on the cover", "Sleep and age"]
    );
    let author = |user: &User| UsageViewer {
        user_id: user.id,
        sees_every_post: false,
    };
    assert_eq!(
        used_in(&*store, &chart_key, author(&ana)).await,
        ["A chart on the cover", "Sleep and age"],
        "her own drafts"
    );
    assert_eq!(
        used_in(&*store, &chart_key, author(&maya)).await,
        ["?", "?"],
        "another author's drafts are counted, not named"
    );
    let refused = delete(&*store, chart.id, None).await;
    let Err(AppError::Conflict { message }) = refused else {
        panic!("expected a conflict, got {refused:?}");
    };
    assert!(
        message.contains("\u{201c}Sleep and age\u{201d}") && message.contains("\u{201c}A chart on the cover\u{201d}"),
        "{message}"
    );
    assert!(
        store.media_by_id(chart.id).await.expect("query").is_some(),
        "still there"
    );

    // Out of the cover; the article is published, then its working copy
    // drops the image: the live text still shows it.
    save(
        &*store,
        &covered,
        &edit(&covered, "Text", &[ana.id]),
        &ana,
        RevisionKind::Save,
    )
    .await
    .expect("save");
    let approved = store
        .change_status(&change(&article, PostStatus::Approved, &maya, LiveText::Keep))
        .await
        .expect("approve");
    let published = store
        .change_status(&change(&approved, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish");
    let edited = store
        .save_post(&SaveRequest {
            id: published.id,
            expected_version: published.version,
            editable: &PostStatus::ALL,
            edit: &edit(&published, "No picture any more.", &[ana.id]),
            saved_by: maya.id,
            kind: RevisionKind::Save,
            at: Utc::now(),
        })
        .await
        .expect("save");
    assert_eq!(used_in(&*store, &chart_key, EDITOR).await, ["Sleep and age"]);
    assert_eq!(
        used_in(&*store, &chart_key, author(&maya)).await,
        ["Sleep and age"],
        "a published post's title is public"
    );
    assert!(
        matches!(delete(&*store, chart.id, None).await, Err(AppError::Conflict { .. })),
        "readers still see it"
    );

    // Once the update is published nothing uses it. Only its uploader may
    // delete it when the caller says so; then its rows go and its files
    // are named for removal.
    store
        .change_status(&change(&edited, PostStatus::Published, &maya, LiveText::FromCurrent))
        .await
        .expect("publish update");
    assert!(used_in(&*store, &chart_key, EDITOR).await.is_empty());
    let not_theirs = delete(&*store, chart.id, Some(maya.id)).await;
    assert!(matches!(not_theirs, Err(AppError::NotFound)), "{not_theirs:?}");
    assert!(
        audited(&*store, AuditAction::MediaDeleted).await.is_empty(),
        "nothing deleted yet"
    );
    let mut removed = delete(&*store, chart.id, Some(ana.id)).await.expect("delete");
    removed.sort();
    let mut expected = vec![chart_key.clone(), variants[0].clone(), variants[1].clone()];
    expected.sort();
    assert_eq!(removed, expected, "the original and every variant");
    assert!(store.media_by_id(chart.id).await.expect("query").is_none());
    assert!(store.media_variants(&[chart.id]).await.expect("variants").is_empty());
    assert_eq!(
        audited(&*store, AuditAction::MediaDeleted).await,
        [format!("media {}", chart.id)]
    );
    let again = delete(&*store, chart.id, None).await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
    store.close().await;
}

async fn one_picture_uploaded_twice_is_one_item_and_shared_files_stay_referenced(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let maya = user(&*store, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let first = create(
        &*store,
        &upload(
            "chart.jpg",
            &key(1, "jpg"),
            &[key(11, "webp"), key(12, "webp")],
            &ana,
            noon(),
        ),
    )
    .await;

    // The same bytes again (another name, another person): the same item.
    let again = create(
        &*store,
        &upload(
            "chart-copy.jpg",
            &key(1, "jpg"),
            &[key(11, "webp"), key(12, "webp")],
            &maya,
            noon() + Duration::hours(1),
        ),
    )
    .await;
    assert_eq!(again.id, first.id);
    assert_eq!(again.file_name, "chart.jpg", "the first upload's row");
    assert_eq!(again.uploaded_by, Some(ana.id));
    assert_eq!(store.media_list("", 10).await.expect("list").len(), 1);
    assert_eq!(
        store.media_variants(&[first.id]).await.expect("variants").len(),
        2,
        "no variant twice"
    );
    assert_eq!(
        audited(&*store, AuditAction::MediaUploaded).await.len(),
        1,
        "one upload"
    );

    // Another picture whose small copy came out byte for byte the same:
    // the file is shared.
    let other = create(
        &*store,
        &upload(
            "chart-cropped.jpg",
            &key(2, "jpg"),
            &[key(12, "webp"), key(22, "webp")],
            &ana,
            noon(),
        ),
    )
    .await;
    assert_ne!(other.id, first.id);
    for shared_or_own in [
        key(1, "jpg"),
        key(11, "webp"),
        key(12, "webp"),
        key(2, "jpg"),
        key(22, "webp"),
    ] {
        assert!(
            store.media_key_referenced(&shared_or_own).await.expect("query"),
            "{shared_or_own}"
        );
    }
    assert!(!store.media_key_referenced(&key(9, "jpg")).await.expect("query"));

    // Deleting the first names all its files; the shared one is still
    // referenced by the other item, so its file must stay.
    let mut removed = delete(&*store, first.id, None).await.expect("delete");
    removed.sort();
    assert_eq!(removed, [key(1, "jpg"), key(11, "webp"), key(12, "webp")]);
    assert!(!store.media_key_referenced(&key(1, "jpg")).await.expect("query"));
    assert!(!store.media_key_referenced(&key(11, "webp")).await.expect("query"));
    assert!(
        store.media_key_referenced(&key(12, "webp")).await.expect("query"),
        "still a variant of the other item"
    );
    let left = store.media_variants(&[other.id]).await.expect("variants");
    assert_eq!(
        left.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        [key(12, "webp"), key(22, "webp")]
    );
    store.close().await;
}

/// The usage table is filled for posts written before it existed (the
/// migration's own statement, run again), and a post deleted for good
/// takes its rows with it.
async fn usage_covers_earlier_posts_and_leaves_with_the_post(db: &TestDb) {
    let store = open(db).await;
    let ana = user(&*store, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let chart_key = key(3, "jpg");
    create(&*store, &upload("chart.jpg", &chart_key, &[], &ana, noon())).await;
    let article = draft(&*store, "Sleep and age", &ana).await;
    let body = format!("![Hours of sleep](/media/{chart_key})");
    save(
        &*store,
        &article,
        &edit(&article, &body, &[ana.id]),
        &ana,
        RevisionKind::Save,
    )
    .await
    .expect("save");
    assert_eq!(used_in(&*store, &chart_key, EDITOR).await, ["Sleep and age"]);

    let migration = if db.is_postgres() {
        include_str!("../../migrations/postgres/0013_media_usage.sql")
    } else {
        include_str!("../../migrations/sqlite/0013_media_usage.sql")
    };
    let backfill = migration
        .split_once("-- Existing posts")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .map(|(_, statement)| statement)
        .expect("the migration fills the table");
    db.raw_sql("DELETE FROM media_usage").await;
    assert!(used_in(&*store, &chart_key, EDITOR).await.is_empty());
    db.raw_sql(backfill).await;
    assert_eq!(used_in(&*store, &chart_key, EDITOR).await, ["Sleep and age"]);

    let id = article.id;
    db.raw_sql(&format!(
        "DELETE FROM post_authors WHERE post_id = {id}; DELETE FROM post_tags WHERE post_id = {id}; \
         DELETE FROM posts WHERE id = {id}"
    ))
    .await;
    // Counted in the table itself: the usage query alone would hide rows
    // left behind by a deleted post.
    let left = db
        .count(&format!("SELECT count(*) FROM media_usage WHERE post_id = {id}"))
        .await;
    assert_eq!(left, 0, "the post's usage rows went with it");
    assert!(used_in(&*store, &chart_key, EDITOR).await.is_empty());
    store.close().await;
}

crate::on_both_databases!(
    usage_covers_earlier_posts_and_leaves_with_the_post,
    uploads_are_listed_newest_first_and_found_by_name_or_alt_text,
    alt_texts_change_for_anyone_or_only_for_the_uploader_when_asked,
    an_image_stays_while_a_post_or_its_live_text_uses_it,
    one_picture_uploaded_twice_is_one_item_and_shared_files_stay_referenced,
);
