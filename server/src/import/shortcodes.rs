//! WordPress shortcodes (`[caption]…[/caption]`, `[gallery ids="1,2"]`,
//! `[embed]url[/embed]`) turned into the HTML they stand for, before the
//! body becomes Markdown. Others (a plugin's `[contact-form-7 …]`) mean
//! nothing outside WordPress: they stay in the text, where an editor
//! sees them, and the report lists them.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::Attachment;

static CAPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\[caption([^\]]*)\](.*?)\[/caption\]").expect("a valid pattern"));
static GALLERY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[gallery([^\]]*)\]").expect("a valid pattern"));
static EMBED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\[embed[^\]]*\](.*?)\[/embed\]").expect("a valid pattern"));
static MEDIA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[(video|audio)([^\]]*)\](?:\[/(?:video|audio)\])?").expect("a valid pattern"));
static ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([\w-]+)\s*=\s*"([^"]*)""#).expect("a valid pattern"));
/// The opening of any shortcode left over: `[name` followed by a space,
/// `]` or `/`.
static ANY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[([a-zA-Z][\w-]*)[\s\]/]").expect("a valid pattern"));
/// The opening tag of an image inside a caption.
static IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)^\s*(<a [^>]*>\s*)?<img [^>]*>(\s*</a>)?").expect("a valid pattern"));
/// A dynamic block, which has no HTML in the export: `<!-- wp:name {…} /-->`.
static DYNAMIC_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*wp:([a-z0-9/-]+)[^>]*?/-->").expect("a valid pattern"));

/// The body with the shortcodes WordPress itself defines expanded.
/// `post_id` finds the images of a `[gallery]` that names none.
pub fn expand(html: &str, post_id: &str, attachments: &[Attachment]) -> String {
    let html = CAPTION.replace_all(html, |found: &Captures| {
        let inner = &found[2];
        match IMAGE.find(inner) {
            Some(image) => format!(
                "<figure>{}<figcaption>{}</figcaption></figure>",
                image.as_str().trim(),
                inner[image.end()..].trim()
            ),
            None => inner.to_owned(),
        }
    });
    let html = GALLERY.replace_all(&html, |found: &Captures| {
        let ids = attributes(&found[1])
            .into_iter()
            .find(|(name, _)| name == "ids")
            .map(|(_, ids)| ids);
        let images: Vec<&Attachment> = match ids {
            Some(ids) => ids
                .split(',')
                .filter_map(|id| attachments.iter().find(|attachment| attachment.id == id.trim()))
                .collect(),
            None => attachments
                .iter()
                .filter(|attachment| attachment.parent == post_id)
                .collect(),
        };
        images
            .iter()
            .map(|image| {
                format!(
                    "<figure><img src=\"{}\" alt=\"{}\"></figure>",
                    escape(&image.url),
                    escape(&image.alt)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let html = EMBED.replace_all(&html, |found: &Captures| {
        let url = found[1].trim();
        format!("<p><a href=\"{0}\">{0}</a></p>", escape(url))
    });
    let html = MEDIA.replace_all(&html, |found: &Captures| {
        let source = attributes(&found[2])
            .into_iter()
            .find(|(name, value)| {
                !value.is_empty() && matches!(name.as_str(), "src" | "mp4" | "mp3" | "webm" | "ogg" | "m4a")
            })
            .map(|(_, value)| value);
        match source {
            Some(source) => format!("<{0} src=\"{1}\"></{0}>", &found[1], escape(&source)),
            None => found[0].to_owned(),
        }
    });
    html.into_owned()
}

/// The shortcodes left in a body after `expand`, and the dynamic blocks
/// that have no content in the export, each named once.
pub fn unconverted(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for capture in ANY.captures_iter(html) {
        let name = format!(
            "the shortcode [{}] was not converted; it is still in the text",
            &capture[1]
        );
        if !found.contains(&name) {
            found.push(name);
        }
    }
    for capture in DYNAMIC_BLOCK.captures_iter(html) {
        let name = format!(
            "the block wp:{} is made by WordPress when a page is shown, so the export has no content for it; \
             it was left out",
            &capture[1]
        );
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

fn attributes(raw: &str) -> Vec<(String, String)> {
    ATTRIBUTE
        .captures_iter(raw)
        .map(|capture| (capture[1].to_owned(), capture[2].to_owned()))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(id: &str, url: &str, parent: &str) -> Attachment {
        Attachment {
            id: id.into(),
            url: url.into(),
            alt: format!("alt {id}"),
            uploader: "ana".into(),
            parent: parent.into(),
        }
    }

    #[test]
    fn captions_become_figures() {
        let html = expand(
            "[caption id=\"attachment_4\" width=\"600\"]<img src=\"/a.png\" alt=\"A\" /> The schedule[/caption]",
            "1",
            &[],
        );
        assert_eq!(
            html,
            "<figure><img src=\"/a.png\" alt=\"A\" /><figcaption>The schedule</figcaption></figure>"
        );
    }

    #[test]
    fn galleries_show_their_images() {
        let attachments = [
            attachment("7", "https://x/a.png", "1"),
            attachment("8", "https://x/b.png", "2"),
        ];
        assert_eq!(
            expand("[gallery ids=\"8,7\"]", "1", &attachments),
            "<figure><img src=\"https://x/b.png\" alt=\"alt 8\"></figure>\n<figure><img src=\"https://x/a.png\" alt=\"alt 7\"></figure>"
        );
        assert_eq!(
            expand("[gallery]", "1", &attachments),
            "<figure><img src=\"https://x/a.png\" alt=\"alt 7\"></figure>"
        );
    }

    #[test]
    fn embeds_become_links() {
        assert_eq!(
            expand("[embed]https://youtu.be/x[/embed]", "1", &[]),
            "<p><a href=\"https://youtu.be/x\">https://youtu.be/x</a></p>"
        );
    }

    #[test]
    fn plugin_shortcodes_and_dynamic_blocks_are_reported_once() {
        let left = unconverted(
            "[contact-form-7 id=\"42\"] text [contact-form-7 id=\"43\"] <!-- wp:latest-posts {\"postsToShow\":3} /-->",
        );
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left[0].contains("[contact-form-7]"));
        assert!(left[1].contains("wp:latest-posts"));
    }
}
