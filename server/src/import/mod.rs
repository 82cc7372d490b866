//! `vellum import`: WordPress and Ghost exports in (created, or updated on
//! a second run), and Vellum's own export back into an empty database.
//!
//! A WordPress or Ghost import runs in four steps: the file is read (a
//! malformed one stops here, naming the position); the images are fetched
//! from the old site and stored in the library; the bodies become
//! Markdown; then one transaction writes everything, so a failure leaves
//! the database as it was. The report lists what was made and what did
//! not come across.

mod ghost;
mod html;
mod images;
#[cfg(test)]
mod props;
mod report;
mod shortcodes;
pub mod vellum;
mod wordpress;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::Context;
use app::accounts::server::Email;
use app::clock::Clock as _;
use app::posts::server::{PostTitle, Slug};
use app::store::Store;
use app::store::files::MediaStorage;
use app::store::imports::{ForeignSite, ForeignUser, ImportMode};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{DatabaseArgs, ForeignImportArgs, ImportCommand};

/// A site read from an export file, before its images are fetched.
pub struct Source {
    /// "WordPress" or "Ghost".
    name: String,
    /// The posts' Markdown, excerpt and cover are filled in after.
    site: ForeignSite,
    /// One per post, in the same order.
    bodies: Vec<Body>,
    /// WordPress's uploaded files, by id.
    attachments: Vec<Attachment>,
    /// The old site's address: images there are fetched.
    site_url: Option<String>,
    /// The address the file itself names, when `--site-url` says the site
    /// is now elsewhere: its files are fetched from `site_url` instead.
    moved_from: Option<String>,
    notes: Vec<Note>,
    /// Kinds of items not imported, with how many.
    skipped: BTreeMap<String, usize>,
}

/// A post's HTML, as the other system stored it.
pub struct Body {
    label: String,
    html: String,
    cover: Option<String>,
    excerpt_html: String,
}

/// A file uploaded to WordPress.
#[derive(Debug, Clone)]
pub struct Attachment {
    id: String,
    url: String,
    alt: String,
    /// The uploader's login.
    uploader: String,
    /// The post it was uploaded to.
    parent: String,
}

/// Something that did not come across as it was, and what it concerns.
#[derive(Debug, Clone)]
pub struct Note {
    item: String,
    message: String,
}

/// Whom posts with an unknown or missing author are given to.
const UNKNOWN_AUTHOR: &str = "unknown-author";

impl Source {
    /// Nothing read yet. `key` names the site for later runs (see
    /// `ForeignSite::source`).
    fn new(name: &str, key: String, site_url: Option<String>) -> Self {
        Self {
            name: name.into(),
            site: ForeignSite {
                source: key,
                ..Default::default()
            },
            bodies: Vec::new(),
            attachments: Vec::new(),
            site_url,
            moved_from: None,
            notes: Vec::new(),
            skipped: BTreeMap::new(),
        }
    }

    fn add_user(&mut self, key: &str, email: &str, name: &str, slug: &str) {
        if self.site.users.iter().any(|user| user.key == key) {
            return;
        }
        let email = match Email::parse(email) {
            Ok(email) => email.as_str().to_owned(),
            Err(_) => {
                let stand_in = format!("{slug}@imported.invalid");
                self.notes.push(Note {
                    item: format!("person \"{name}\""),
                    message: format!("has no usable email address (\"{email}\"); they were given {stand_in}"),
                });
                stand_in
            }
        };
        self.site.users.push(ForeignUser {
            key: key.to_owned(),
            email,
            display_name: name.trim().chars().take(80).collect(),
            slug: slug.to_owned(),
            bio: String::new(),
        });
    }

    /// The user key for a post's author, adding a stand-in author when the
    /// export does not name one it lists.
    fn author_key(&mut self, key: &str, notes: &mut Vec<String>) -> String {
        if !key.is_empty() && self.site.users.iter().any(|user| user.key == key) {
            return key.to_owned();
        }
        notes.push(format!(
            "its author \"{key}\" is not among the export's people; it was given to \"Unknown author\""
        ));
        self.add_user(UNKNOWN_AUTHOR, "", "Unknown author", UNKNOWN_AUTHOR);
        UNKNOWN_AUTHOR.to_owned()
    }
}

/// Draft, with the reason in `notes`: what would otherwise go public or
/// has no place here waits for an editor.
fn drafted(notes: &mut Vec<String>, why: impl Into<String>) -> app::posts::workflow::PostStatus {
    notes.push(why.into());
    app::posts::workflow::PostStatus::Draft
}

/// A title as Vellum takes it; the reason goes into `notes` when it had
/// to change.
fn post_title(raw: &str, notes: &mut Vec<String>) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned();
    if cleaned.is_empty() {
        notes.push("it had no title; it was called \"Untitled\"".into());
        return "Untitled".into();
    }
    match PostTitle::parse(&cleaned) {
        Ok(title) => title.as_str().to_owned(),
        Err(message) => {
            notes.push(format!("its title was shortened: {message}"));
            cleaned.chars().take(200).collect()
        }
    }
}

/// The slug a post had there when Vellum accepts it, else one made from
/// its title.
fn post_slug(raw: &str, title: &str) -> String {
    let decoded = percent_decoded(raw.trim());
    Slug::parse(&decoded)
        .unwrap_or_else(|_| Slug::from_text(if decoded.is_empty() { title } else { &decoded }))
        .as_str()
        .to_owned()
}

/// A page's slug: `post_slug`'s, kept off the site's own addresses
/// (a page lives at `/{slug}`).
fn page_slug(slug: String) -> String {
    Slug::parse(&slug).map_or(slug, |parsed| parsed.into_page().as_str().to_owned())
}

fn tag_slug(raw: &str) -> String {
    Slug::from_text(&percent_decoded(raw.trim())).as_str().to_owned()
}

fn user_slug(raw: &str) -> String {
    Slug::from_text(raw).as_str().to_owned()
}

/// WordPress stores non-ASCII slugs percent-encoded.
fn percent_decoded(raw: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", raw.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| raw.to_owned())
}

pub async fn run(command: &ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Wordpress(args) => foreign(args, wordpress::parse).await,
        ImportCommand::Ghost(args) => foreign(args, ghost::parse).await,
        ImportCommand::Vellum(args) => vellum::import(args).await,
    }
}

/// The database and media storage an import writes to. A dry run writes
/// nothing: it reads the site's database when there is one, or else an
/// empty one made in a scratch folder (removed when the import ends), and
/// its media storage is that folder, so no file or folder is made where
/// the site is.
async fn open_target(
    args: &ForeignImportArgs,
) -> anyhow::Result<(Arc<dyn Store>, MediaStorage, Option<tempfile::TempDir>)> {
    let media_setting = |error: String| anyhow::anyhow!("VELLUM_MEDIA_STORE: {error}");
    if args.dry_run {
        let scratch = tempfile::TempDir::new().context("cannot make a scratch folder for the dry run")?;
        let storage = MediaStorage::from_setting("", scratch.path()).map_err(media_setting)?;
        if crate::database::exists(&args.database).await? {
            return Ok((crate::open_existing(&args.database).await?, storage, Some(scratch)));
        }
        let scratch_database = DatabaseArgs {
            database_url: Some(format!("sqlite://{}", scratch.path().join("dry-run.db").display())),
            data_dir: scratch.path().to_owned(),
            create: true,
        };
        let (store, _) = crate::open_store(&scratch_database).await?;
        eprintln!("There is no database yet: this dry run shows an import into an empty site.");
        return Ok((store, storage, Some(scratch)));
    }
    let store = crate::open_existing(&args.database).await?;
    match MediaStorage::from_setting(&args.media.media_store, &args.database.data_dir) {
        Ok(storage) => Ok((store, storage, None)),
        Err(error) => {
            store.close().await;
            Err(media_setting(error))
        }
    }
}

async fn foreign(
    args: &ForeignImportArgs,
    parse: fn(&str, Option<&str>) -> anyhow::Result<Source>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut source = parse(&text, args.site_url.as_deref()).with_context(|| format!("{}", args.file.display()))?;
    let mode = if args.dry_run {
        ImportMode::DryRun
    } else {
        ImportMode::Write
    };
    let (store, storage, _scratch) = open_target(args).await?;
    let limits = images::Limits {
        max_bytes: args.media.media_max_mb.saturating_mul(1024 * 1024),
        max_pixels: args.media.media_max_megapixels.saturating_mul(1_000_000),
        allow_private: args.allow_private,
    };
    let known = match store.imported_media(&source.site.source).await {
        Ok(known) => known.into_iter().collect(),
        Err(error) => {
            store.close().await;
            return Err(anyhow::anyhow!("{error}"));
        }
    };
    let fetched = images::fetch_all(&source, mode, &storage, limits, &known).await;
    let mut fetched = match fetched {
        Ok(fetched) => fetched,
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };
    source.site.media = std::mem::take(&mut fetched.media);
    convert_bodies(&mut source, &fetched);
    let bar = progress_bar(source.site.posts.len(), "writing posts");
    let tick = || bar.inc(1);
    let written = store
        .import_foreign(&source.site, app::clock::SystemClock::default().now(), mode, &tick)
        .await;
    bar.finish_and_clear();
    // Files no row names (a failed or dry run, an image that failed half
    // way through storing) go again.
    app::media::server::remove_unreferenced_from(store.as_ref(), &storage, &fetched.stored_keys).await;
    store.close().await;
    let tally = written.map_err(|error| anyhow::anyhow!("nothing was imported: {error}"))?;
    add_store_notes(&mut source, &tally);
    print!("{}", report::text(&source, &fetched, &tally, mode));
    if let Some(path) = &args.report {
        let json = report::json(&source, &fetched, &tally, mode);
        std::fs::write(path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    Ok(())
}

/// What the store decided about posts (a kind that changed, an old
/// address left out) joins the report's notes, under each post's label.
fn add_store_notes(source: &mut Source, tally: &app::store::imports::ImportTally) {
    for note in &tally.notes {
        let label = source
            .site
            .posts
            .iter()
            .position(|post| post.key == note.key)
            .and_then(|at| source.bodies.get(at))
            .map_or_else(|| note.key.clone(), |body| body.label.clone());
        source.notes.push(Note {
            item: label,
            message: note.message.clone(),
        });
    }
}

/// Fills in each post's Markdown, excerpt and cover from its HTML, with
/// the images' new addresses, and notes what did not convert.
fn convert_bodies(source: &mut Source, fetched: &images::Fetched) {
    let mut addresses = old_links(source);
    addresses.extend(fetched.addresses.clone());
    let addresses = std::sync::Arc::new(addresses);
    for (post, body) in source.site.posts.iter_mut().zip(&source.bodies) {
        let mut notes: Vec<String> = shortcodes::unconverted(&body.html);
        let converted = html::to_markdown(&body.html, &addresses);
        post.content.body = converted.markdown;
        notes.extend(converted.notes);
        let excerpt = html::to_markdown(&body.excerpt_html, &std::sync::Arc::default()).markdown;
        post.content.excerpt = excerpt.chars().take(300).collect();
        if let Some(cover) = &body.cover {
            post.content.cover_url = fetched.addresses.get(cover).cloned().unwrap_or_else(|| cover.clone());
        }
        for src in images::sources(&body.html).iter().chain(&body.cover) {
            if let Some(reason) = fetched.kept.get(src) {
                notes.push(format!("the image {src} was kept at its old address: {reason}"));
            }
        }
        source.notes.extend(notes.into_iter().map(|message| Note {
            item: body.label.clone(),
            message,
        }));
    }
}

/// Links to the imported posts' old permalinks, made relative: they
/// answer 301 here, on whatever domain the site ends up on.
fn old_links(source: &Source) -> HashMap<String, String> {
    let Some(base) = source.site_url.as_deref() else {
        return HashMap::new();
    };
    source
        .site
        .posts
        .iter()
        .flat_map(|post| &post.old_paths)
        .flat_map(|path| {
            [
                (format!("{base}{path}"), path.clone()),
                (format!("{base}{path}/"), format!("{path}/")),
            ]
        })
        .collect()
}

fn progress_bar(length: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(u64::try_from(length).unwrap_or(u64::MAX));
    if let Ok(style) = ProgressStyle::with_template("{msg:>15} [{bar:40}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

#[cfg(test)]
mod tests {
    use app::store::imports::{ImportNote, ImportTally};

    /// What the store says about a post joins the report under the post's
    /// label, like the reader's own notes.
    #[test]
    fn the_stores_notes_go_under_their_posts() {
        let file = r#"{"db":[{"data":{"posts":[{"id":"a1","title":"Privacy","slug":"privacy","html":"<p>Hi</p>","status":"published","type":"page","created_at":"2024-01-01T00:00:00.000Z"}]}}]}"#;
        let mut source = super::ghost::parse(file, None).expect("parses");
        let tally = ImportTally {
            notes: vec![ImportNote {
                key: "a1".into(),
                message: "it was an article here and is a page now, at /privacy".into(),
            }],
            ..ImportTally::default()
        };
        super::add_store_notes(&mut source, &tally);
        let note = source.notes.last().expect("a note");
        assert_eq!(
            (note.item.as_str(), note.message.as_str()),
            (
                "page \"Privacy\"",
                "it was an article here and is a page now, at /privacy"
            )
        );
    }
}
