//! Ghost's export (Settings → Advanced → Import/Export): one JSON file
//! with the database's tables. Posts are read from their rendered `html`,
//! whichever editor (Lexical or mobiledoc) wrote them.

use std::collections::HashMap;

use anyhow::{anyhow, bail};
use app::domain::{PostContent, PostKind};
use app::posts::workflow::PostStatus;
use app::store::imports::{ForeignPost, ForeignTag};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Body, Note, Source, drafted, post_slug, post_title, tag_slug, user_slug};

/// What Ghost writes in place of the site's address.
const GHOST_URL: &str = "__GHOST_URL__";

#[derive(Deserialize)]
struct Export {
    db: Vec<Database>,
}

#[derive(Deserialize)]
struct Database {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    posts: Vec<Post>,
    #[serde(default)]
    posts_meta: Vec<PostMeta>,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    posts_tags: Vec<Link>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    posts_authors: Vec<Link>,
}

#[derive(Deserialize)]
struct Post {
    id: String,
    title: Option<String>,
    slug: Option<String>,
    html: Option<String>,
    plaintext: Option<String>,
    feature_image: Option<String>,
    #[serde(rename = "type", default = "post_type")]
    kind: String,
    /// Ghost before 3.0 marked pages with `"page": true` (or `1`, from a
    /// Ghost that kept its data in SQLite) instead of `type`.
    #[serde(default)]
    page: Option<serde_json::Value>,
    status: String,
    created_at: GhostTime,
    updated_at: Option<GhostTime>,
    published_at: Option<GhostTime>,
    custom_excerpt: Option<String>,
    /// public, members, paid or tiers.
    visibility: Option<String>,
    canonical_url: Option<String>,
    /// Ghost before 1.0 named one author on the post.
    author_id: Option<String>,
}

fn post_type() -> String {
    "post".into()
}

impl Post {
    /// A page by either Ghost's word: `type` since 3.0, `page` before.
    fn kind(&self) -> PostKind {
        let old_flag = match &self.page {
            Some(serde_json::Value::Bool(page)) => *page,
            Some(serde_json::Value::Number(page)) => page.as_i64() == Some(1),
            Some(serde_json::Value::String(page)) => matches!(page.as_str(), "1" | "true"),
            _ => false,
        };
        if self.kind == "page" || old_flag {
            PostKind::Page
        } else {
            PostKind::Post
        }
    }
}

#[derive(Deserialize)]
struct PostMeta {
    post_id: String,
    meta_title: Option<String>,
    meta_description: Option<String>,
    feature_image_alt: Option<String>,
}

#[derive(Deserialize)]
struct Tag {
    id: String,
    name: String,
    slug: String,
    description: Option<String>,
    visibility: Option<String>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    name: String,
    slug: String,
    email: String,
    bio: Option<String>,
}

/// A row of posts_tags or posts_authors.
#[derive(Deserialize)]
struct Link {
    post_id: String,
    #[serde(alias = "tag_id", alias = "author_id")]
    other_id: String,
    #[serde(default)]
    sort_order: i64,
}

/// A time as Ghost writes it: ISO 8601 (`2026-12-06T23:29:58.000Z`), or,
/// from a Ghost that keeps its data in SQLite, `2026-12-06 23:29:58` (UTC,
/// without a zone).
#[derive(Debug, Clone, Copy)]
struct GhostTime(DateTime<Utc>);

impl<'de> Deserialize<'de> for GhostTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        parse_time(&raw).map(GhostTime).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "cannot read {raw:?} as a time (Ghost writes 2026-12-06T23:29:58.000Z or 2026-12-06 23:29:58)"
            ))
        })
    }
}

fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|at| at.and_utc())
}

/// The export's JSON, with errors that say where: a file that is not JSON
/// is not an export, but a value that cannot be read is named with its
/// place (`db[0].data.posts[3].created_at`) and the value.
fn read_export(text: &str) -> anyhow::Result<Export> {
    let mut json = serde_json::Deserializer::from_str(text);
    let export = serde_path_to_error::deserialize(&mut json).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            // A value deep inside an export; at the top, no export at all.
            serde_json::error::Category::Data if path != "." => {
                anyhow!("this Ghost export could not be read: {path}: {inner}")
            }
            _ => anyhow!("this is not a Ghost export: {inner}"),
        }
    })?;
    json.end()
        .map_err(|error| anyhow!("this is not a Ghost export: {error}"))?;
    Ok(export)
}

/// Reads a Ghost export; `site_url` is the Ghost site's address, which
/// the file writes as `__GHOST_URL__`.
pub fn parse(text: &str, site_url: Option<&str>) -> anyhow::Result<Source> {
    let export: Export = read_export(text)?;
    let data = export
        .db
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("this Ghost export has no \"db\" entry"))?
        .data;
    let site_url = site_url.map(|url| url.trim_end_matches('/').to_owned());
    if site_url.is_none() && text.contains(GHOST_URL) {
        bail!(
            "this export writes the Ghost site's address as {GHOST_URL}; give it with --site-url \
             https://your-ghost-site.example so that images can be fetched"
        );
    }
    let mut source = Source::new("Ghost", "ghost".into(), site_url.clone());
    read_users(&data.users, &mut source);
    let tags = read_tags(&data.tags, &mut source);
    let reading = Reading {
        data: &data,
        tags,
        site_url,
    };
    for post in &data.posts {
        reading.read_post(post, &mut source);
    }
    Ok(source)
}

fn read_users(users: &[User], source: &mut Source) {
    for user in users {
        source.add_user(&user.id, &user.email, &user.name, &user_slug(&user.slug));
        if let Some(added) = source.site.users.last_mut()
            && added.key == user.id
        {
            added.bio = user.bio.clone().unwrap_or_default();
        }
    }
}

/// Adds the public tags; their slugs here by Ghost's id.
fn read_tags<'a>(tags: &'a [Tag], source: &mut Source) -> HashMap<&'a str, String> {
    let mut slugs = HashMap::new();
    for tag in tags {
        if tag.visibility.as_deref() == Some("internal") {
            *source.skipped.entry("internal tag (#…)".into()).or_default() += 1;
            continue;
        }
        let slug = tag_slug(&tag.slug);
        slugs.insert(tag.id.as_str(), slug.clone());
        source.site.tags.push(ForeignTag {
            name: tag.name.trim().chars().take(60).collect(),
            slug,
            description: tag.description.clone().unwrap_or_default(),
        });
    }
    slugs
}

/// What reading each post needs from the rest of the export.
struct Reading<'a> {
    data: &'a Data,
    /// Tag slugs here by Ghost's tag id.
    tags: HashMap<&'a str, String>,
    site_url: Option<String>,
}

impl Reading<'_> {
    /// `text` with the site's address where Ghost wrote its placeholder.
    fn with_site(&self, text: &str) -> String {
        match &self.site_url {
            Some(url) => text.replace(GHOST_URL, url),
            None => text.to_owned(),
        }
    }

    fn read_post(&self, post: &Post, source: &mut Source) {
        let raw_title = post.title.clone().unwrap_or_default();
        let kind = post.kind();
        let label = format!("{} \"{}\"", kind.as_str(), raw_title.trim());
        let mut notes = Vec::new();
        let title = post_title(&raw_title, &mut notes);
        let status = imported_status(post, &mut notes);
        let authors = self.authors(post, source, &mut notes);
        // Pages have no tags here.
        let post_tags = linked(&self.data.posts_tags, &post.id)
            .into_iter()
            .filter_map(|id| self.tags.get(id.as_str()).cloned())
            .filter(|_| kind == PostKind::Post)
            .collect();
        let meta = self.data.posts_meta.iter().find(|meta| meta.post_id == post.id);
        let html = self.html(post, &mut notes);
        let old_paths = match status {
            PostStatus::Published => vec![format!("/{}", post.slug.as_deref().unwrap_or_default())],
            _ => Vec::new(),
        };
        source.notes.extend(notes.into_iter().map(|message| Note {
            item: label.clone(),
            message,
        }));
        source.bodies.push(Body {
            label,
            html,
            cover: post.feature_image.as_deref().map(|image| self.with_site(image)),
            excerpt_html: post.custom_excerpt.clone().unwrap_or_default(),
        });
        let created_at = post.created_at.0;
        let at = post.published_at.map_or(created_at, |at| at.0);
        source.site.posts.push(ForeignPost {
            key: post.id.clone(),
            content: PostContent {
                slug: match kind {
                    PostKind::Post => post_slug(post.slug.as_deref().unwrap_or_default(), &title),
                    PostKind::Page => super::page_slug(post_slug(post.slug.as_deref().unwrap_or_default(), &title)),
                },
                title,
                body: String::new(),
                excerpt: String::new(),
                cover_url: String::new(),
                cover_alt: meta.and_then(|meta| meta.feature_image_alt.clone()).unwrap_or_default(),
                seo_title: meta.and_then(|meta| meta.meta_title.clone()).unwrap_or_default(),
                seo_description: meta.and_then(|meta| meta.meta_description.clone()).unwrap_or_default(),
                canonical_url: post.canonical_url.clone().unwrap_or_default(),
            },
            status,
            created_at,
            updated_at: post.updated_at.map_or(created_at, |at| at.0),
            published_at: (status == PostStatus::Published).then_some(at),
            publish_at: (status == PostStatus::Scheduled).then_some(at),
            authors,
            tags: post_tags,
            old_paths: old_paths.into_iter().filter(|path| path.len() > 1).collect(),
            kind,
            // Ghost's pages stand side by side.
            parent: None,
        });
    }

    /// The post's author keys, in byline order; Ghost before 1.0 named one
    /// on the post, and a post with none gets the stand-in author.
    fn authors(&self, post: &Post, source: &mut Source, notes: &mut Vec<String>) -> Vec<String> {
        let mut authors = linked(&self.data.posts_authors, &post.id);
        if authors.is_empty() {
            authors.extend(post.author_id.clone());
        }
        match authors.is_empty() {
            true => vec![source.author_key("", notes)],
            false => authors.iter().map(|author| source.author_key(author, notes)).collect(),
        }
    }

    /// The rendered HTML, or paragraphs of the plain text when the export
    /// has none.
    fn html(&self, post: &Post, notes: &mut Vec<String>) -> String {
        match &post.html {
            Some(html) => self.with_site(html),
            None => {
                notes.push("it has no rendered HTML in the export; its plain text was imported".into());
                post.plaintext
                    .as_deref()
                    .unwrap_or_default()
                    .split("\n\n")
                    .map(|paragraph| format!("<p>{}</p>", paragraph.replace('&', "&amp;").replace('<', "&lt;")))
                    .collect()
            }
        }
    }
}

/// The status here for Ghost's; what would go public that was not public
/// there, or has no place here, becomes a draft with a note.
fn imported_status(post: &Post, notes: &mut Vec<String>) -> PostStatus {
    let status = match post.status.as_str() {
        "published" => PostStatus::Published,
        "scheduled" => PostStatus::Scheduled,
        "sent" => drafted(notes, "it was sent as a newsletter only; it is a draft here"),
        "draft" => PostStatus::Draft,
        other => drafted(
            notes,
            format!("its status \"{other}\" is unknown here; it was imported as a draft"),
        ),
    };
    let members_only = post
        .visibility
        .as_deref()
        .is_some_and(|visibility| visibility != "public");
    if members_only && status != PostStatus::Draft {
        drafted(
            notes,
            "it was for members only there; it is a draft here, so that it does not become public",
        )
    } else {
        status
    }
}

/// The ids `links` (posts_tags or posts_authors) join to `post`, in their
/// sort order.
fn linked(links: &[Link], post: &str) -> Vec<String> {
    let mut found: Vec<(i64, String)> = links
        .iter()
        .filter(|link| link.post_id == post)
        .map(|link| (link.sort_order, link.other_id.clone()))
        .collect();
    found.sort();
    found.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_of_ghosts_time_forms_are_read() {
        let iso = super::parse_time("2026-12-06T23:29:58.000Z").expect("ISO");
        let sqlite = super::parse_time("2026-12-06 23:29:58").expect("SQLite's form");
        assert_eq!(iso, sqlite);
        assert!(super::parse_time("yesterday").is_none());
    }

    #[test]
    fn an_unreadable_value_is_named_with_its_place() {
        let file =
            r#"{"db":[{"data":{"posts":[{"id":"1","title":"T","slug":"t","status":"draft","created_at":"soon"}]}}]}"#;
        let error = super::parse(file, None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("posts[0].created_at"), "{error}");
        assert!(error.contains("\"soon\""), "{error}");
        assert!(!error.contains("not a Ghost export"), "{error}");
        for not_an_export in ["{}", "{\"db\": []} trailing"] {
            let error = super::parse(not_an_export, None)
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default();
            assert!(error.contains("not a Ghost export"), "{not_an_export}: {error}");
        }
        let error = super::parse("{\"db\": [", None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("not a Ghost export"), "{error}");
    }

    use super::*;

    #[test]
    fn broken_json_names_its_line_and_column() {
        let error = parse("{\"db\": [\n{\"data\": {\"posts\": [}]}", None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("line 2 column"), "{error}");
    }

    #[test]
    fn ghost_url_needs_the_site_address() {
        let file = r#"{"db":[{"data":{"posts":[{"id":"1","title":"T","slug":"t","html":"<img src=\"__GHOST_URL__/content/images/a.png\">","status":"draft","created_at":"2024-01-01T00:00:00.000Z"}]}}]}"#;
        let error = parse(file, None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("--site-url"), "{error}");
        let source = parse(file, Some("https://ghost.example/")).expect("parses");
        assert_eq!(
            source.bodies[0].html,
            "<img src=\"https://ghost.example/content/images/a.png\">"
        );
    }

    /// Exports of Ghost 1.x and 2.x say `"page": true` (or `1`, from a
    /// SQLite-backed Ghost) where later ones say `"type": "page"`.
    #[test]
    fn pages_of_older_ghosts_are_pages() {
        use PostKind::{Page, Post};
        let row = |id: &str, marker: &str| {
            format!(
                r#"{{"id":"{id}","title":"About {id}","slug":"about-{id}","html":"<p>Hi</p>","status":"published",{marker}"created_at":"2018-01-01 00:00:00"}}"#
            )
        };
        let rows = [
            row("1", r#""page":true,"#),
            row("2", r#""page":1,"#),
            row("3", r#""page":false,"#),
            row("4", r#""page":0,"#),
            row("5", r#""type":"page","#),
            row("6", ""),
        ];
        let file = format!(r#"{{"db":[{{"data":{{"posts":[{}]}}}}]}}"#, rows.join(","));
        let source = parse(&file, None).expect("parses");
        let kinds: Vec<PostKind> = source.site.posts.iter().map(|post| post.kind).collect();
        assert_eq!(kinds, [Page, Page, Post, Post, Page, Post]);
        assert_eq!(source.bodies[0].label, "page \"About 1\"");
    }
}
