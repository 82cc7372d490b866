//! HTML bodies from other systems into Markdown (htmd). Images get their
//! new addresses; what Markdown cannot say stays as plain HTML tags that
//! Vellum's sanitiser keeps (`<sup>`, `<mark>`, …); what a reader would
//! miss (embedded players, forms, dynamic blocks) is named in a note, as a
//! link where there is one to give.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BulletListMarker, Options};
use htmd::{Element, HtmlToMarkdown};
use regex::Regex;

/// A body in Markdown, and what did not come across as it was.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Converted {
    pub markdown: String,
    pub notes: Vec<String>,
}

/// Inline tags Markdown has no syntax for, kept as bare tags.
const KEPT_INLINE: [&str; 9] = ["sup", "sub", "u", "mark", "small", "kbd", "abbr", "ins", "cite"];
/// Embedded players: each becomes a link to what it plays.
const EMBEDS: [&str; 5] = ["iframe", "video", "audio", "embed", "object"];
/// Interactive or invisible content a static page cannot carry.
const DROPPED: [&str; 8] = [
    "script", "style", "form", "noscript", "button", "input", "select", "textarea",
];

/// Converts `html`; `addresses` maps an image's or link's address in the
/// HTML to its address here.
pub fn to_markdown(html: &str, addresses: &Arc<HashMap<String, String>>) -> Converted {
    let notes = Arc::new(Mutex::new(Vec::new()));
    let note = {
        let notes = notes.clone();
        move |text: String| {
            if let Ok(mut notes) = notes.lock() {
                notes.push(text);
            }
        }
    };
    let markdown = match converter(addresses, note.clone()).convert(html) {
        Ok(markdown) => markdown,
        Err(error) => {
            note(format!(
                "the body could not be read as HTML ({error}); it was kept as text"
            ));
            html.to_owned()
        }
    };
    let notes = notes
        .lock()
        .map(|mut notes| std::mem::take(&mut *notes))
        .unwrap_or_default();
    Converted {
        markdown: markdown.trim().to_owned(),
        notes,
    }
}

/// The converter with Vellum's handlers; `note` is told what does not
/// come across as it was.
fn converter(
    addresses: &Arc<HashMap<String, String>>,
    note: impl Fn(String) + Clone + Send + Sync + 'static,
) -> HtmlToMarkdown {
    let images = addresses.clone();
    let links = addresses.clone();
    let embed_note = note.clone();
    let dropped_note = note;
    HtmlToMarkdown::builder()
        // The Markdown Vellum's own editor writes: `- item`, `1. item`.
        .options(Options {
            bullet_list_marker: BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Options::default()
        })
        .add_handler(vec!["img"], move |_: &dyn Handlers, element: Element| {
            let src = attribute(&element, "src")?;
            let src = images.get(&src).cloned().unwrap_or(src);
            let alt = attribute(&element, "alt").unwrap_or_default();
            Some(HandlerResult::from(image_markdown(&alt, &src)))
        })
        .add_handler(vec!["a"], move |handlers: &dyn Handlers, element: Element| {
            let href = attribute(&element, "href")?;
            match links.get(&href) {
                Some(moved) => {
                    let text = handlers.walk_children(element.node).content;
                    Some(HandlerResult::from(format!(
                        "[{}]({})",
                        text.trim(),
                        link_target(moved)
                    )))
                }
                None => handlers.fallback(element),
            }
        })
        .add_handler(EMBEDS.to_vec(), move |handlers: &dyn Handlers, element: Element| {
            let source = attribute(&element, "src").or_else(|| attribute(&element, "data"));
            let Some(source) = source.filter(|source| source.starts_with("http")) else {
                embed_note(format!("an embedded <{}> without an address was left out", element.tag));
                return Some(HandlerResult::from(handlers.walk_children(element.node).content));
            };
            embed_note(format!("the embedded <{}> from {source} became a link", element.tag));
            Some(HandlerResult::from(format!(
                "\n\n[{}]({})\n\n",
                embed_label(&source),
                link_target(&source)
            )))
        })
        .add_handler(DROPPED.to_vec(), move |_: &dyn Handlers, element: Element| {
            if !matches!(element.tag, "script" | "style") {
                dropped_note(format!(
                    "a <{}> was left out (a static page cannot carry it)",
                    element.tag
                ));
            }
            Some(HandlerResult::from(String::new()))
        })
        .add_handler(KEPT_INLINE.to_vec(), |handlers: &dyn Handlers, element: Element| {
            let inner = handlers.walk_children(element.node).content;
            Some(HandlerResult::from(format!("<{0}>{inner}</{0}>", element.tag)))
        })
        .add_handler(vec!["figure"], |handlers: &dyn Handlers, element: Element| {
            let inner = handlers.walk_children(element.node).content;
            Some(HandlerResult::from(format!("\n\n{}\n\n", captioned(inner.trim()))))
        })
        .add_handler(vec!["figcaption"], |handlers: &dyn Handlers, element: Element| {
            let inner = handlers.walk_children(element.node).content;
            let inner = inner.trim();
            Some(HandlerResult::from(if inner.is_empty() {
                String::new()
            } else {
                format!("\n\n*{inner}*\n\n")
            }))
        })
        .build()
}

/// An image and its caption, as the figure's converted parts (the image,
/// then the caption in italics), as one captioned image: the caption is
/// the image's title, which Vellum renders as the figure's caption and the
/// visual editor edits as one. Captions with links or code stay a line of
/// their own, since a title holds only text.
fn captioned(converted: &str) -> std::borrow::Cow<'_, str> {
    static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(!\[(?:[^\]\\\n]|\\.)*\]\((?:<[^>\n]+>|[^()\s]+))\)\s*\n\n\*([^*\n]+)\*$")
            .expect("a valid pattern")
    });
    let Some(parts) = FIGURE.captures(converted) else {
        return converted.into();
    };
    let caption = &parts[2];
    if caption.contains(['[', ']', '<', '`']) {
        return converted.into();
    }
    format!("{} \"{}\")", &parts[1], caption.trim().replace('"', "\\\"")).into()
}

fn attribute(element: &Element, name: &str) -> Option<String> {
    element
        .attrs
        .iter()
        .find(|attr| &*attr.name.local == name)
        .map(|attr| attr.value.to_string())
}

/// `![alt](src)`, with the characters that would end either escaped.
pub fn image_markdown(alt: &str, src: &str) -> String {
    let alt: String = alt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]");
    format!("![{alt}]({})", link_target(src))
}

fn link_target(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_owned()
    }
}

/// "Video on www.youtube.com" for a player's address.
fn embed_label(source: &str) -> String {
    match url::Url::parse(source)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
    {
        Some(host) => format!("Watch or listen on {host}"),
        None => "Open the embedded content".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(html: &str) -> Converted {
        to_markdown(html, &Arc::default())
    }

    #[test]
    fn structure_becomes_markdown() {
        let converted = convert(
            "<h2>Know your triggers</h2><p>Pollen is <strong>high</strong> in <em>March</em>.</p>\
             <ul><li>Keep windows shut</li><li>Shower after walks</li></ul>",
        );
        assert_eq!(
            converted.markdown,
            "## Know your triggers\n\nPollen is **high** in *March*.\n\n- Keep windows shut\n- Shower after walks"
        );
        assert!(converted.notes.is_empty());
    }

    #[test]
    fn images_take_their_new_address_and_keep_their_alt() {
        let images = Arc::new(HashMap::from([(
            "https://old.example/a-1024x768.png".to_owned(),
            "/media/abc.png".to_owned(),
        )]));
        let converted = to_markdown(
            "<figure><img src=\"https://old.example/a-1024x768.png\" alt=\"A [chart]\" class=\"wp-image-1\">\
             <figcaption>Pollen in March</figcaption></figure>",
            &images,
        );
        assert_eq!(
            converted.markdown,
            "![A \\[chart\\]](/media/abc.png \"Pollen in March\")"
        );
    }

    #[test]
    fn links_to_the_old_site_become_its_old_paths() {
        let addresses = Arc::new(HashMap::from([(
            "https://old.example/2024/a/".to_owned(),
            "/2024/a/".to_owned(),
        )]));
        let converted = to_markdown(
            "<p><a href=\"https://old.example/2024/a/\">A</a> and <a href=\"https://nhs.uk/\">NHS</a></p>",
            &addresses,
        );
        assert_eq!(converted.markdown, "[A](/2024/a/) and [NHS](https://nhs.uk/)");
    }

    #[test]
    fn players_become_links_and_are_noted() {
        let converted = convert("<p>Watch:</p><iframe src=\"https://www.youtube.com/embed/abc123\"></iframe>");
        assert!(
            converted
                .markdown
                .contains("[Watch or listen on www.youtube.com](https://www.youtube.com/embed/abc123)"),
            "{}",
            converted.markdown
        );
        assert_eq!(converted.notes.len(), 1, "{:?}", converted.notes);
    }

    #[test]
    fn forms_and_scripts_are_left_out_and_forms_noted() {
        let converted = convert("<p>Book:</p><form><input name=a><button>Go</button></form><script>x()</script>");
        assert_eq!(converted.markdown, "Book:");
        assert_eq!(
            converted.notes,
            vec!["a <form> was left out (a static page cannot carry it)"]
        );
    }

    #[test]
    fn tags_markdown_lacks_stay_as_bare_html() {
        let converted = convert("<p>H<sub>2</sub>O and <mark class=\"x\" onclick=\"y\">this</mark></p>");
        assert_eq!(converted.markdown, "H<sub>2</sub>O and <mark>this</mark>");
    }

    #[test]
    fn tables_become_pipe_tables() {
        let converted = convert(
            "<table><thead><tr><th>Month</th><th>Count</th></tr></thead><tbody><tr><td>March</td><td>40</td></tr></tbody></table>",
        );
        assert!(
            converted.markdown.contains("| Month | Count |"),
            "{}",
            converted.markdown
        );
        assert!(converted.markdown.contains("| March | 40"), "{}", converted.markdown);
    }
}
