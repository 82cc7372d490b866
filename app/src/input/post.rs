//! Post input, parsed into types that cannot hold bad values before
//! anything reaches SQL.

use super::collect;
use crate::content::render::slugify;
use crate::domain::{PostContent, PostFields, PostKind};
use crate::error::{AppError, FieldErrors};

/// A title: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

impl PostTitle {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let title = raw.trim();
        if title.is_empty() {
            return Err("Enter a title.".into());
        }
        if title.chars().any(char::is_control) {
            return Err("The title cannot contain control characters.".into());
        }
        if title.chars().count() > 200 {
            return Err("Use at most 200 characters for the title.".into());
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's address: lower-case letters, digits and single hyphens, 1 to
/// 100 characters, and not a word the site uses for its own pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    const RESERVED: [&'static str; 12] = [
        "admin", "api", "pkg", "feed", "atom", "sitemap", "search", "authors", "tags", "posts", "preview", "healthz",
    ];

    /// Lower-case letters, digits and single hyphens: safe as a path
    /// segment and a file name. People's and tags' slugs have this shape;
    /// posts' slugs also avoid the site's own addresses (`parse`).
    pub fn is_well_formed(slug: &str) -> bool {
        !slug.is_empty()
            && slug.len() <= 100
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--")
    }

    /// Every first segment of an address Vellum answers itself (its
    /// routes, the admin's, the server's, the API's and the static files'),
    /// or redirects from an imported site (`/feed`, `/rss`, `/tag/…`,
    /// `/category/…`, `/author/…`). A page lives at `/{slug}`, so it may
    /// not take one: it would hide the route, or the route would hide it.
    /// `tests/http/site_pages.rs` checks the routers against this list.
    pub const ROUTES: [&'static str; 26] = [
        "admin", "api", "pkg", "feed", "atom", "sitemap", "search", "authors", "tags", "posts", "preview", "healthz",
        "readyz", "media", "theme", "robots", "feeds", "demo", "rss", "tag", "category", "author", "mail", "favicon",
        "assets", "metrics",
    ];

    /// Addresses the site itself uses at `/{slug}`.
    pub fn is_reserved(slug: &str) -> bool {
        Self::RESERVED.contains(&slug)
    }

    /// A first path segment Vellum answers or redirects itself.
    pub fn is_route(slug: &str) -> bool {
        Self::ROUTES.contains(&slug)
    }

    /// A page's address (`/{slug}`): a slug that is none of the site's own
    /// routes.
    pub fn parse_page(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        if Self::is_route(slug) {
            return Err(format!(
                "/{slug} is an address Vellum uses itself; choose another address for this page."
            ));
        }
        Self::parse(slug)
    }

    /// A page's slug made from its title, never one of the site's routes
    /// ("Search" → "page-search").
    pub fn page_from_title(title: &PostTitle) -> Self {
        Self::from_title(title).into_page()
    }

    /// This slug as a page's address: one of the site's routes gets
    /// "page-" in front ("media" → "page-media"; `from_text`'s
    /// "post-search" → "page-search"), any other stays.
    pub fn into_page(self) -> Self {
        let word = self
            .0
            .strip_prefix("post-")
            .filter(|word| Self::is_reserved(word))
            .unwrap_or(&self.0);
        if Self::is_route(word) {
            Self(format!("page-{word}"))
        } else {
            self
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        if !Self::is_well_formed(slug) {
            return Err("Use lower-case letters, digits and single hyphens, like managing-blood-pressure.".into());
        }
        if Self::is_reserved(slug) {
            return Err(format!("\"{slug}\" is used by the site itself; choose another."));
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug made from any text ("Managing Blood Pressure" →
    /// "managing-blood-pressure"), always valid.
    pub fn from_text(text: &str) -> Self {
        let ascii: String = slugify(text)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        // Dropped letters leave runs of hyphens ("a é é b" → "a---b"):
        // words are joined again by one.
        let words: Vec<&str> = ascii.split('-').filter(|word| !word.is_empty()).collect();
        let joined: String = words.join("-").chars().take(80).collect();
        let candidate = joined.trim_end_matches('-');
        Self::parse(candidate).unwrap_or_else(|_| Self(format!("post-{candidate}").trim_end_matches('-').to_owned()))
    }

    pub fn from_title(title: &PostTitle) -> Self {
        Self::from_text(title.as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag as typed in the editor: its name, and the slug made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    pub name: String,
    pub slug: Slug,
}

impl TagName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > 50 {
            return Err(format!("Use at most 50 characters for a tag (\"{name}\")."));
        }
        if name.chars().any(char::is_control) {
            return Err("Tags cannot contain control characters.".into());
        }
        if name.contains(',') {
            return Err("Tag names cannot contain commas: commas separate tags.".into());
        }
        // Names without a Latin letter or digit ("Сон") get a slug of their
        // own rather than all sharing the fallback one.
        let slug = if name.chars().any(|c| c.is_ascii_alphanumeric()) {
            Slug::from_text(&name)
        } else {
            use sha2::Digest;
            let digest = hex::encode(sha2::Sha256::digest(name.to_lowercase().as_bytes()));
            Slug(format!("tag-{}", &digest[..10]))
        };
        Ok(Self { name, slug })
    }

    /// "Sleep, mental health, sleep" → two tags: names are separated by
    /// commas, blanks are skipped and repeats dropped.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, String> {
        let mut tags: Vec<Self> = Vec::new();
        for part in raw.split(',').filter(|part| !part.trim().is_empty()) {
            let tag = Self::parse(part)?;
            if !tags.iter().any(|known| known.slug == tag.slug) {
                tags.push(tag);
            }
        }
        if tags.len() > 20 {
            return Err("Use at most 20 tags.".into());
        }
        Ok(tags)
    }
}

/// The longest body accepted: far above any article, below abuse.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A valid edit of a post: its text checked field by field (the title and
/// slug through `PostTitle` and `Slug`), its tags parsed, its authors named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEdit {
    pub content: PostContent,
    pub show_review: bool,
    pub tags: Vec<TagName>,
    /// One or more, primary first; the store checks they are active users.
    pub author_ids: Vec<i64>,
}

impl PostEdit {
    /// Checks every field of an article and reports every problem at once.
    pub fn parse(fields: &PostFields) -> Result<Self, AppError> {
        Self::parse_as(PostKind::Post, fields)
    }

    /// Checks every field of a post of `kind`: a page's address must also
    /// keep off the site's routes, and a page has no tags.
    pub fn parse_as(kind: PostKind, fields: &PostFields) -> Result<Self, AppError> {
        let mut problems = FieldErrors::new();
        let content = parse_content(&fields.content, &mut problems);
        if kind == PostKind::Page {
            if let Err(message) = Slug::parse_page(&fields.content.slug)
                && !problems.contains_key("slug")
            {
                problems.entry("slug".into()).or_default().push(message);
            }
            if !fields.tags.trim().is_empty() {
                problems
                    .entry("tags".into())
                    .or_default()
                    .push("Pages have no tags; tags group articles.".into());
            }
        }
        let tags = collect(&mut problems, "tags", TagName::parse_list(&fields.tags));
        let author_ids = collect(&mut problems, "authors", check_authors(&fields.author_ids));
        if let Some(content) = &content
            && !content.cover_url.is_empty()
            && content.cover_alt.is_empty()
        {
            problems
                .entry("cover_alt".into())
                .or_default()
                .push("Describe the cover image for readers who cannot see it.".into());
        }
        match (content, tags, author_ids) {
            (Some(content), Some(tags), Some(author_ids)) if problems.is_empty() => Ok(Self {
                content,
                show_review: fields.show_review,
                tags,
                author_ids,
            }),
            _ => Err(AppError::Validation { fields: problems }),
        }
    }
}

/// A post's text checked field by field, the title and slug through
/// `PostTitle` and `Slug`; the editor, the API and `vellum import vellum`
/// share it. Problems are added to `problems`, by field.
pub fn parse_content(raw: &PostContent, problems: &mut FieldErrors) -> Option<PostContent> {
    let title = collect(problems, "title", PostTitle::parse(&raw.title));
    let slug = collect(problems, "slug", Slug::parse(&raw.slug));
    let body = collect(problems, "body", check_body(&raw.body));
    let excerpt = collect(problems, "excerpt", plain_text(&raw.excerpt, 500, "the excerpt"));
    let cover_url = collect(problems, "cover_url", address(&raw.cover_url, true));
    let cover_alt = collect(problems, "cover_alt", plain_text(&raw.cover_alt, 300, "the alt text"));
    let seo_title = collect(problems, "seo_title", plain_text(&raw.seo_title, 200, "the SEO title"));
    let seo_description = collect(
        problems,
        "seo_description",
        plain_text(&raw.seo_description, 500, "the meta description"),
    );
    let canonical_url = collect(problems, "canonical_url", address(&raw.canonical_url, false));
    Some(PostContent {
        title: title?.as_str().to_owned(),
        slug: slug?.as_str().to_owned(),
        body: body?,
        excerpt: excerpt?,
        cover_url: cover_url?,
        cover_alt: cover_alt?,
        seo_title: seo_title?,
        seo_description: seo_description?,
        canonical_url: canonical_url?,
    })
}

pub fn check_body(body: &str) -> Result<String, String> {
    if body.len() > MAX_BODY_BYTES {
        return Err("The text is longer than 2 MB; split it into several posts.".into());
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("The text contains control characters; paste it as plain text.".into());
    }
    Ok(body.to_owned())
}

/// One line of plain text: trimmed, at most `max_chars`.
fn plain_text(raw: &str, max_chars: usize, what: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > max_chars {
        return Err(format!("Use at most {max_chars} characters for {what}."));
    }
    super::refuse_control(text, false, what)?;
    Ok(text.to_owned())
}

/// Empty, or an absolute http(s) address; image addresses may also be a
/// path on this site (`/media/…`).
pub(crate) fn address(raw: &str, site_path_allowed: bool) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    if site_path_allowed && text.starts_with('/') && !text.starts_with("//") && !text.contains(char::is_whitespace) {
        return Ok(text.to_owned());
    }
    let parsed = url::Url::parse(text).ok();
    let ok = text.len() <= 2000
        && parsed.is_some_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!("Enter a full address starting with https:// (got \"{text}\")."))
    }
}

fn check_authors(ids: &[i64]) -> Result<Vec<i64>, String> {
    let mut unique: Vec<i64> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.is_empty() {
        return Err("A post needs at least one author.".into());
    }
    if unique.len() > 10 {
        return Err("Use at most 10 authors.".into());
    }
    Ok(unique)
}

/// A review comment: 1 to 5,000 characters.
pub fn comment_text(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("Write a comment.".into());
    }
    if text.chars().count() > 5000 {
        return Err("Use at most 5,000 characters for a comment.".into());
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("The comment contains control characters.".into());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid edit, with `change` applied to its fields.
    fn edit(change: impl FnOnce(&mut PostFields)) -> PostFields {
        let mut fields = PostFields {
            content: PostContent {
                title: "Sleep and mood".into(),
                slug: "sleep-and-mood".into(),
                body: "Text".into(),
                ..PostContent::default()
            },
            author_ids: vec![1],
            ..PostFields::default()
        };
        change(&mut fields);
        fields
    }

    #[test]
    fn slugs_are_checked_and_made_from_titles() {
        assert!(Slug::parse("managing-blood-pressure").is_ok());
        for bad in [
            "",
            "Has Caps",
            "-lead",
            "trail-",
            "double--hyphen",
            "admin",
            "ünï",
            &"a".repeat(101),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        let title = PostTitle::parse("Managing Blood Pressure: 5 Tips!").expect("valid");
        assert_eq!(Slug::from_title(&title).as_str(), "managing-blood-pressure-5-tips");
        let reserved = PostTitle::parse("Admin").expect("valid");
        assert_eq!(Slug::from_title(&reserved).as_str(), "post-admin");
        let symbols = PostTitle::parse("???").expect("valid");
        assert!(Slug::parse(Slug::from_title(&symbols).as_str()).is_ok());
    }

    #[test]
    fn pages_keep_off_the_sites_own_addresses() {
        for route in ["search", "admin", "api", "media", "feeds", "readyz"] {
            let error = Slug::parse_page(route).expect_err(route);
            assert!(error.contains(&format!("/{route}")), "{error}");
        }
        assert_eq!(
            Slug::parse_page("about").map(|slug| slug.as_str().to_owned()),
            Ok("about".into())
        );
        assert!(
            Slug::parse("media").is_ok(),
            "an article may be called media: it lives under /posts/"
        );
        let search = PostTitle::parse("Search").expect("valid");
        assert_eq!(Slug::page_from_title(&search).as_str(), "page-search");
        let media = PostTitle::parse("Media").expect("valid");
        assert_eq!(Slug::page_from_title(&media).as_str(), "page-media");
        for route in Slug::RESERVED {
            assert!(Slug::is_route(route), "{route} is a route too");
        }
        let page = edit(|f| {
            f.content.slug = "search".into();
            f.tags = "Sleep".into();
        });
        let error = PostEdit::parse_as(PostKind::Page, &page).expect_err("a route, and tags");
        assert_eq!(error.field_messages("slug").len(), 1);
        assert_eq!(error.field_messages("tags").len(), 1);
        assert!(PostEdit::parse_as(PostKind::Page, &edit(|f| f.content.slug = "about".into())).is_ok());
    }

    #[test]
    fn edits_report_every_bad_field() {
        let bad = edit(|f| {
            f.content.title = " ".into();
            f.content.slug = "Bad Slug".into();
            f.content.body = "text\u{0}".into();
            f.content.excerpt = "x".repeat(501);
            f.content.cover_url = "javascript:alert(1)".into();
            f.content.canonical_url = "not a url".into();
            f.tags = "long tag ".repeat(10);
            f.author_ids.clear();
        });
        let error = PostEdit::parse(&bad).expect_err("invalid");
        for field in [
            "title",
            "slug",
            "body",
            "excerpt",
            "cover_url",
            "canonical_url",
            "tags",
            "authors",
        ] {
            assert_eq!(error.field_messages(field).len(), 1, "{field}");
        }
        let big = "word ".repeat(200_000);
        assert!(
            PostEdit::parse(&edit(|f| f.content.body = big)).is_ok(),
            "a 1 MB body is fine"
        );
    }

    #[test]
    fn a_cover_needs_alt_text() {
        let error = PostEdit::parse(&edit(|f| f.content.cover_url = "https://images.example/x.jpg".into()))
            .expect_err("no alt");
        assert_eq!(error.field_messages("cover_alt").len(), 1);
        let ok = PostEdit::parse(&edit(|f| {
            f.content.cover_url = "/media/x.jpg".into();
            f.content.cover_alt = "A nurse taking a blood pressure reading".into();
        }));
        assert!(ok.is_ok());
    }

    #[test]
    fn tags_are_split_deduplicated_and_slugged() {
        let cyrillic = TagName::parse_list("Сон, Сердце").expect("valid");
        assert_ne!(cyrillic[0].slug, cyrillic[1].slug, "each name has its own slug");
        assert!(TagName::parse("Sleep, rest").is_err(), "a single name has no comma");
        let tags = TagName::parse_list("Sleep, Mental health ,, sleep").expect("valid");
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Sleep", "Mental health"]);
        assert_eq!(tags[1].slug.as_str(), "mental-health");
        let many: String = (0..21).map(|n| format!("tag {n},")).collect();
        assert!(TagName::parse_list(&many).is_err());
    }
}
