//! WordPress's export (WXR 1.2, Tools → Export → All content): an RSS
//! file whose items are posts, pages, attachments and everything else
//! WordPress stores, with their authors, categories and tags.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail};
use app::domain::{PostContent, PostKind};
use app::posts::workflow::PostStatus;
use app::store::imports::{ForeignPost, ForeignTag};
use chrono::{DateTime, NaiveDateTime, Utc};
use roxmltree::{Document, Node};

use super::{Attachment, Body, Note, Source, drafted, post_slug, post_title, tag_slug, user_slug};

const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const DC: &str = "http://purl.org/dc/elements/1.1/";

/// WordPress's default category, which every uncategorised post has: not
/// a topic, so not a tag here.
const DEFAULT_CATEGORY: &str = "uncategorized";

/// Reads a WXR file. `site_url` replaces the address the file names.
pub fn parse(text: &str, site_url: Option<&str>) -> anyhow::Result<Source> {
    let document = Document::parse(text).map_err(|error| anyhow!("this is not well-formed XML: {error}"))?;
    let wxr = Wxr::open(&document, site_url)?;
    let mut source = Source::new("WordPress", format!("wordpress:{}", wxr.named), Some(wxr.base.clone()));
    source.moved_from = (wxr.named != wxr.base).then(|| wxr.named.clone());
    wxr.read_authors(&mut source)?;
    let mut tags = wxr.read_terms();
    let items: Vec<Node> = wxr
        .channel
        .children()
        .filter(|node| node.has_tag_name("item"))
        .collect();
    wxr.read_attachments(&items, &mut source)?;
    for item in items {
        wxr.read_item(item, &mut source, &mut tags)?;
    }
    source.site.tags = tags.into_values().collect();
    Ok(source)
}

/// Categories and tags by slug, as they are gathered.
type Tags = BTreeMap<String, ForeignTag>;

/// The export's channel, and what every step reads from it.
struct Wxr<'a, 'input> {
    document: &'a Document<'input>,
    channel: Node<'a, 'input>,
    /// The `wp:` namespace, whose version changes with WordPress's.
    wp: String,
    /// The site's address as the file names it.
    named: String,
    /// Where images and links are looked for.
    base: String,
}

/// What decides whether and how an item is imported.
struct Head<'a> {
    /// "post" or "page".
    kind: &'a str,
    id: &'a str,
    raw_title: &'a str,
    /// The item as the notes and the report name it.
    label: String,
    /// WordPress's status: publish, future, draft, …
    status: &'a str,
}

impl<'a, 'input> Wxr<'a, 'input> {
    /// Finds the channel and the `wp:` namespace, which tell a WordPress
    /// export from any other RSS file.
    fn open(document: &'a Document<'input>, site_url: Option<&str>) -> anyhow::Result<Self> {
        let channel = document
            .root_element()
            .children()
            .find(|node| node.has_tag_name("channel"))
            .filter(|_| document.root_element().has_tag_name("rss"))
            .ok_or_else(|| anyhow!("this is not a WordPress export: it has no <rss><channel>"))?;
        // WordPress's importer reads whatever namespace the file binds to
        // `wp`: 1.0 to 1.2, over http or (WordPress.com) https.
        let Some(wp) = document
            .root_element()
            .lookup_namespace_uri(Some("wp"))
            .or_else(|| {
                channel
                    .children()
                    .filter_map(|node| node.tag_name().namespace())
                    .find(|namespace| is_wxr_namespace(namespace))
            })
            .filter(|namespace| {
                channel
                    .children()
                    .any(|node| node.tag_name().namespace() == Some(*namespace))
            })
            .map(str::to_owned)
        else {
            bail!("this is an RSS feed, not a WordPress export: it has no wp: elements (use Tools → Export)");
        };
        // A network's (multisite, WordPress.com) export names the network
        // in base_site_url and the blog itself in base_blog_url.
        let named = field(channel, &wp, "base_blog_url")
            .filter(|url| !url.trim().is_empty())
            .or_else(|| field(channel, &wp, "base_site_url"))
            .or_else(|| field(channel, "", "link"))
            .unwrap_or_default()
            .trim()
            .trim_end_matches('/')
            .to_owned();
        // Images and links are looked for at `--site-url` when given; the
        // posts are known by the address the file names, so that a later run
        // matches them whatever the flag says.
        let base = site_url.map_or_else(|| named.clone(), |url| url.trim_end_matches('/').to_owned());
        Ok(Self {
            document,
            channel,
            wp,
            named,
            base,
        })
    }

    fn position(&self, node: Node) -> String {
        let at = self.document.text_pos_at(node.range().start);
        format!("line {}, column {}", at.row, at.col)
    }

    fn read_authors(&self, source: &mut Source) -> anyhow::Result<()> {
        let wp = self.wp.as_str();
        for author in self.channel.children().filter(|node| node.has_tag_name((wp, "author"))) {
            let login = field(author, wp, "author_login").unwrap_or_default().trim();
            if login.is_empty() {
                bail!("the author at {} has no <wp:author_login>", self.position(author));
            }
            let name = field(author, wp, "author_display_name").unwrap_or(login).trim();
            source.add_user(
                login,
                field(author, wp, "author_email").unwrap_or_default(),
                if name.is_empty() { login } else { name },
                &user_slug(login),
            );
        }
        Ok(())
    }

    /// The channel's categories and tags, which become tags alike.
    fn read_terms(&self) -> Tags {
        let wp = self.wp.as_str();
        let mut tags = Tags::new();
        for category in self
            .channel
            .children()
            .filter(|node| node.has_tag_name((wp, "category")))
        {
            let slug = field(category, wp, "category_nicename").unwrap_or_default();
            let name = field(category, wp, "cat_name").unwrap_or(slug);
            add_tag(
                &mut tags,
                slug,
                name,
                field(category, wp, "category_description").unwrap_or_default(),
            );
        }
        for tag in self.channel.children().filter(|node| node.has_tag_name((wp, "tag"))) {
            let slug = field(tag, wp, "tag_slug").unwrap_or_default();
            let name = field(tag, wp, "tag_name").unwrap_or(slug);
            add_tag(
                &mut tags,
                slug,
                name,
                field(tag, wp, "tag_description").unwrap_or_default(),
            );
        }
        tags
    }

    /// The uploaded files, read before the posts that show them.
    fn read_attachments(&self, items: &[Node], source: &mut Source) -> anyhow::Result<()> {
        let wp = self.wp.as_str();
        for item in items {
            if field(*item, wp, "post_type") != Some("attachment") {
                continue;
            }
            let id = field(*item, wp, "post_id").unwrap_or_default().trim();
            let url = field(*item, wp, "attachment_url").unwrap_or_default().trim();
            if id.is_empty() || url.is_empty() {
                bail!(
                    "the attachment at {} has no <wp:post_id> or <wp:attachment_url>",
                    self.position(*item)
                );
            }
            source.attachments.push(Attachment {
                id: id.to_owned(),
                url: url.to_owned(),
                alt: meta(*item, wp, "_wp_attachment_image_alt")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                uploader: field(*item, DC, "creator").unwrap_or_default().trim().to_owned(),
                parent: field(*item, wp, "post_parent").unwrap_or_default().trim().to_owned(),
            });
        }
        Ok(())
    }

    /// The item's kind, id and status; `None` (counted as skipped) for
    /// what is not imported as a post.
    fn head(&self, item: Node<'a, 'input>, source: &mut Source) -> anyhow::Result<Option<Head<'a>>> {
        let wp = self.wp.as_str();
        let kind = field(item, wp, "post_type").unwrap_or("post");
        if !matches!(kind, "post" | "page") {
            if kind != "attachment" {
                *source.skipped.entry(kind.to_owned()).or_default() += 1;
            }
            return Ok(None);
        }
        let id = field(item, wp, "post_id").unwrap_or_default().trim();
        if id.parse::<u64>().is_err() {
            bail!("the item at {} has no numeric <wp:post_id>", self.position(item));
        }
        let raw_title = field(item, "", "title").unwrap_or_default();
        let label = format!("{kind} {id} \"{}\"", raw_title.trim());
        let status = field(item, wp, "status").unwrap_or("draft");
        if matches!(status, "auto-draft" | "inherit") {
            *source.skipped.entry(format!("{kind} ({status})")).or_default() += 1;
            return Ok(None);
        }
        Ok(Some(Head {
            kind,
            id,
            raw_title,
            label,
            status,
        }))
    }

    /// A post becomes an article and a page a page (under its parent
    /// page, when it had one), with its body and notes.
    fn read_item(&self, item: Node<'a, 'input>, source: &mut Source, tags: &mut Tags) -> anyhow::Result<()> {
        let Some(head) = self.head(item, source)? else {
            return Ok(());
        };
        let wp = self.wp.as_str();
        let mut notes = Vec::new();
        let title = post_title(head.raw_title, &mut notes);
        let Some((created, modified)) = dates(item, wp) else {
            bail!(
                "{} at {} has no readable <wp:post_date>",
                head.label,
                self.position(item)
            );
        };
        let status = imported_status(item, wp, &head, &mut notes);
        let slug = post_slug(post_name(item, wp, status), &title);
        let kind = if head.kind == "page" {
            PostKind::Page
        } else {
            PostKind::Post
        };
        let slug = match kind {
            PostKind::Post => slug,
            PostKind::Page => super::page_slug(slug),
        };
        // Pages have no tags here; their categories (a plugin's) stay out.
        let categories = match kind {
            PostKind::Post => item_tags(item, tags),
            PostKind::Page => Vec::new(),
        };
        let parent = field(item, wp, "post_parent")
            .map(str::trim)
            .filter(|parent| kind == PostKind::Page && !parent.is_empty() && *parent != "0")
            .map(str::to_owned);
        let link = field(item, "", "link").unwrap_or_default().trim();
        let old_paths = old_path(link, &self.base).into_iter().collect();
        notes.extend(comments_note(item, wp));
        let creator = field(item, DC, "creator").unwrap_or_default().trim();
        let author = source.author_key(creator, &mut notes);
        let cover = meta(item, wp, "_thumbnail_id")
            .and_then(|id| source.attachments.iter().find(|attachment| attachment.id == id.trim()))
            .map(|attachment| (attachment.url.clone(), attachment.alt.clone()));
        let published_at = (status == PostStatus::Published).then_some(created);
        let publish_at = (status == PostStatus::Scheduled).then_some(created);
        source.notes.extend(notes.into_iter().map(|message| Note {
            item: head.label.clone(),
            message,
        }));
        source.bodies.push(Body {
            label: head.label.clone(),
            html: super::shortcodes::expand(
                &autop(field(item, CONTENT, "encoded").unwrap_or_default()),
                head.id,
                &source.attachments,
            ),
            cover: cover.as_ref().map(|(url, _)| url.clone()),
            excerpt_html: excerpt(item).to_owned(),
        });
        source.site.posts.push(ForeignPost {
            key: head.id.to_owned(),
            content: PostContent {
                title,
                slug,
                body: String::new(),
                excerpt: String::new(),
                cover_url: String::new(),
                cover_alt: cover.map(|(_, alt)| alt).unwrap_or_default(),
                seo_title: meta(item, wp, "_yoast_wpseo_title")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                seo_description: meta(item, wp, "_yoast_wpseo_metadesc")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                canonical_url: String::new(),
            },
            status,
            created_at: created,
            updated_at: modified.max(created),
            published_at,
            publish_at,
            authors: vec![author],
            tags: categories,
            old_paths,
            kind,
            parent,
        });
        Ok(())
    }
}

/// When the item was written and last changed, in UTC where the file
/// gives it; `None` when it has no readable date.
fn dates(item: Node, wp: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let created_local = date(field(item, wp, "post_date"));
    let created = date(field(item, wp, "post_date_gmt")).or(created_local);
    let modified = date(field(item, wp, "post_modified_gmt"))
        .or_else(|| date(field(item, wp, "post_modified")))
        .or(created);
    created.zip(modified)
}

/// The status here for WordPress's; what would go public that was not
/// public there, or has no place here, becomes a draft with a note.
fn imported_status(item: Node, wp: &str, head: &Head, notes: &mut Vec<String>) -> PostStatus {
    let status = match head.status {
        "publish" => PostStatus::Published,
        "future" => PostStatus::Scheduled,
        "pending" => PostStatus::InReview,
        "trash" => PostStatus::Trashed,
        "private" => drafted(
            notes,
            "it was private there; it is a draft here, which only signed-in people see",
        ),
        "draft" => PostStatus::Draft,
        other => drafted(
            notes,
            format!("its status \"{other}\" is unknown here; it was imported as a draft"),
        ),
    };
    let protected = !field(item, wp, "post_password").unwrap_or_default().is_empty();
    if protected && status != PostStatus::Draft {
        drafted(
            notes,
            "it was password-protected there; it is a draft here, so that it does not become public",
        )
    } else {
        status
    }
}

/// The item's slug there; WordPress renames trashed posts, and keeps the
/// name they had.
fn post_name<'a>(item: Node<'a, '_>, wp: &str, status: PostStatus) -> &'a str {
    let mut name = field(item, wp, "post_name").unwrap_or_default().trim();
    if let Some(desired) = meta(item, wp, "_wp_desired_post_slug").filter(|_| status == PostStatus::Trashed) {
        name = desired.trim();
    }
    name.trim_end_matches("__trashed")
}

/// The item's categories and tags, added to `tags`; their slugs here.
fn item_tags(item: Node, tags: &mut Tags) -> Vec<String> {
    let mut slugs = Vec::new();
    for category in item.children().filter(|node| node.has_tag_name("category")) {
        let domain = category.attribute("domain").unwrap_or_default();
        if !matches!(domain, "category" | "post_tag") {
            continue;
        }
        let nicename = category.attribute("nicename").unwrap_or_default();
        let name = category.text().unwrap_or(nicename);
        if let Some(slug) = add_tag(tags, nicename, name, "")
            && !slugs.contains(&slug)
        {
            slugs.push(slug);
        }
    }
    slugs
}

/// Says how many reader comments were left behind, if any.
fn comments_note(item: Node, wp: &str) -> Option<String> {
    let comments = item
        .children()
        .filter(|node| node.has_tag_name((wp, "comment")))
        .count();
    (comments > 0).then(|| {
        format!(
            "{comments} reader comment{} not imported: Vellum has no reader comments",
            if comments == 1 { " was" } else { "s were" }
        )
    })
}

/// excerpt:encoded, whichever WXR version names its namespace.
fn excerpt<'a>(item: Node<'a, '_>) -> &'a str {
    item.children()
        .find(|node| {
            node.tag_name().name() == "encoded"
                && node
                    .tag_name()
                    .namespace()
                    .is_some_and(|namespace| namespace.ends_with("/excerpt/"))
        })
        .and_then(|node| node.text())
        .unwrap_or_default()
}

/// The text of `node`'s child `name` in `namespace` ("" for none).
fn field<'a>(node: Node<'a, '_>, namespace: &str, name: &str) -> Option<&'a str> {
    node.children()
        .find(|child| child.tag_name().name() == name && child.tag_name().namespace().unwrap_or_default() == namespace)
        .map(|child| child.text().unwrap_or_default())
}

/// The value of the item's `<wp:postmeta>` with this key.
fn meta<'a>(item: Node<'a, '_>, wp: &str, key: &str) -> Option<&'a str> {
    item.children()
        .filter(|node| node.has_tag_name((wp, "postmeta")))
        .find(|node| field(*node, wp, "meta_key").map(str::trim) == Some(key))
        .and_then(|node| field(node, wp, "meta_value"))
}

/// WordPress writes `0000-00-00 00:00:00` for "never".
fn date(raw: Option<&str>) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(raw?.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|naive| naive.and_utc())
}

/// Adds a category or tag (by its slug); returns the slug it has here,
/// or `None` for WordPress's default category.
fn add_tag(tags: &mut Tags, slug: &str, name: &str, description: &str) -> Option<String> {
    let slug = tag_slug(if slug.trim().is_empty() { name } else { slug });
    if slug == DEFAULT_CATEGORY || name.trim().is_empty() {
        return None;
    }
    let tag = tags.entry(slug.clone()).or_insert_with(|| ForeignTag {
        name: name.trim().chars().take(60).collect(),
        slug: slug.clone(),
        description: String::new(),
    });
    if tag.description.is_empty() {
        tag.description = description.trim().to_owned();
    }
    Some(slug)
}

/// `http(s)://wordpress.org/export/1.x/`, the namespaces WXR files use.
fn is_wxr_namespace(namespace: &str) -> bool {
    namespace
        .strip_prefix("https://")
        .or_else(|| namespace.strip_prefix("http://"))
        .is_some_and(|rest| rest.starts_with("wordpress.org/export/1."))
}

/// The path of a post's permalink on the old site, without the trailing
/// slash; `None` for `?p=123` links (not a pretty address) and other hosts.
fn old_path(link: &str, base: &str) -> Option<String> {
    let link = url::Url::parse(link).ok()?;
    if link.query().is_some() || link.path().contains("__trashed") {
        return None;
    }
    let base = url::Url::parse(base).ok()?;
    if link.host_str() != base.host_str() {
        return None;
    }
    let path = app::store::imports::redirect_key(link.path());
    (!path.is_empty()).then_some(path)
}

/// WordPress's classic editor stores paragraphs as blank-line-separated
/// text and adds `<p>` when it shows a post (wpautop); block content has
/// its own tags.
fn autop(html: &str) -> String {
    if html.contains("<!-- wp:") || html.contains("<p>") || html.contains("<p ") {
        return html.to_owned();
    }
    const BLOCKS: [&str; 14] = [
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<h5",
        "<h6",
        "<ul",
        "<ol",
        "<table",
        "<blockquote",
        "<figure",
        "<div",
        "<pre",
        "<iframe",
    ];
    html.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| {
            if BLOCKS.iter().any(|tag| chunk.starts_with(tag)) || chunk.starts_with('[') {
                chunk.to_owned()
            } else {
                format!("<p>{}</p>", chunk.replace('\n', "<br>\n"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_paragraphs_get_their_tags() {
        assert_eq!(
            autop("One\nline two\n\n<h2>Head</h2>\n\nThree"),
            "<p>One<br>\nline two</p>\n\n<h2>Head</h2>\n\n<p>Three</p>"
        );
        assert_eq!(
            autop("<!-- wp:paragraph -->\n<p>x</p>"),
            "<!-- wp:paragraph -->\n<p>x</p>"
        );
    }

    #[test]
    fn pretty_permalinks_are_old_paths_and_query_links_are_not() {
        let base = "https://clinic.example";
        assert_eq!(
            old_path("https://clinic.example/2024/03/15/hay-fever/", base).as_deref(),
            Some("/2024/03/15/hay-fever")
        );
        assert_eq!(old_path("https://clinic.example/?p=21", base), None);
        assert_eq!(old_path("https://elsewhere.example/a/", base), None);
    }

    #[test]
    fn never_is_no_date() {
        assert_eq!(date(Some("0000-00-00 00:00:00")), None);
        assert_eq!(
            date(Some("2024-03-15 08:30:00")).map(|at| at.to_rfc3339()).as_deref(),
            Some("2024-03-15T08:30:00+00:00")
        );
    }

    #[test]
    fn malformed_files_name_the_position() {
        let error = parse("<rss><channel><item><title>x</titel></item></channel></rss>", None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("1:"), "{error}");
    }

    #[test]
    fn password_protected_posts_stay_drafts() {
        let file = r#"<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
            <wp:base_site_url>https://clinic.example</wp:base_site_url>
            <wp:author><wp:author_login>ana</wp:author_login><wp:author_email>ana@clinic.example</wp:author_email></wp:author>
            <item><title>Staff only</title><link>https://clinic.example/2024/01/02/staff-only/</link>
            <dc:creator>ana</dc:creator><wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-01-02 10:00:00</wp:post_date_gmt>
            <wp:post_name>staff-only</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            <wp:post_password>secret</wp:post_password></item></channel></rss>"#;
        let source = parse(file, None).expect("parses");
        assert_eq!(source.site.posts[0].status, PostStatus::Draft);
        assert!(
            source.notes[0].message.contains("password-protected"),
            "{:?}",
            source.notes
        );
        assert_eq!(source.site.source, "wordpress:https://clinic.example");
        let moved = parse(file, Some("https://old.clinic.example")).expect("parses");
        assert_eq!(
            moved.site.source, source.site.source,
            "a later run with --site-url finds the same posts"
        );
    }

    #[test]
    fn https_namespaces_and_a_networks_blog_address_are_read() {
        let file = r#"<rss xmlns:wp="https://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
            <wp:base_site_url>http://wordpress.com/</wp:base_site_url>
            <wp:base_blog_url>https://clinic.wordpress.com</wp:base_blog_url>
            <wp:author><wp:author_login>ana</wp:author_login></wp:author>
            <item><title>Hay fever</title><link>https://clinic.wordpress.com/2024/03/15/hay-fever/</link>
            <dc:creator>ana</dc:creator><wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-03-15 10:00:00</wp:post_date_gmt>
            <wp:post_name>hay-fever</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            </item></channel></rss>"#;
        let source = parse(file, None).expect("an https namespace is WordPress's too");
        assert_eq!(source.site.source, "wordpress:https://clinic.wordpress.com");
        assert_eq!(source.site.posts[0].old_paths, ["/2024/03/15/hay-fever"]);
        assert!(is_wxr_namespace("http://wordpress.org/export/1.0/"));
        assert!(!is_wxr_namespace("http://example.org/export/1.2/"));
    }

    #[test]
    fn an_rss_feed_is_not_an_export() {
        let error = parse("<rss><channel><title>x</title></channel></rss>", None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("not a WordPress export"), "{error}");
    }
}
