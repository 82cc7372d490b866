//! Markdown to safe HTML: pulldown-cmark (tables, footnotes, strikethrough,
//! heading ids) and then ammonia, which removes scripts, event-handler
//! attributes and `javascript:` URLs whatever the Markdown or raw HTML said.
//! Footnotes become the article's Sources list (`sources.rs`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

pub use super::sources::Source;
use super::sources::{reserved_ids, sources_html, take_sources};

/// Words per minute for reading time: a common figure for web articles.
const WORDS_PER_MINUTE: usize = 220;

/// Which renderer made a stored render (`Rendered`, kept beside a live
/// revision): bump it whenever a change here, in `sources.rs` or in the
/// sanitiser's rules changes what a text renders to. Stored renders of
/// another version are then not read (readers get a fresh render) and
/// the store's backfill redoes them (`Store::render_live_texts`).
pub const RENDER_VERSION: i64 = 1;

/// A heading of the body, for anchors and the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// A text as readers get it. Made once when a text goes live and stored
/// beside its revision (as JSON), so public pages, feeds and the API read
/// it instead of rendering per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// Sanitised HTML, safe to put in a page as it is.
    pub html: String,
    pub headings: Vec<Heading>,
    pub word_count: usize,
    /// At least one minute.
    pub reading_time_minutes: u32,
    /// The plain text of the first paragraph: the default excerpt.
    pub first_paragraph: String,
    /// The footnotes, read as the works the article cites, in the order
    /// of the Sources list that ends `html`.
    pub sources: Vec<Source>,
}

/// The ids the public pages' own markup uses around an article (`blog`:
/// the layout, the call to action, the table of contents, the author
/// boxes, related articles, the opening hours, the search form). An id
/// must be unique in its page: an article taking one would break the
/// skip link, a landmark's label or a form label.
pub const LAYOUT_IDS: [&str; 7] = [
    "main",
    "hours-heading",
    "toc-heading",
    "cta-heading",
    "about-authors",
    "related-heading",
    "search-q",
];

/// Prefixes of ids the site's menus use (`menu-header-…`).
const LAYOUT_ID_PREFIXES: [&str; 1] = ["menu-"];

/// Whether `id` is, or may be, one of the page layout's.
pub fn is_layout_id(id: &str) -> bool {
    LAYOUT_IDS.contains(&id) || LAYOUT_ID_PREFIXES.iter().any(|prefix| id.starts_with(prefix))
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, &["id"]);
    }
    builder
        .add_tag_attributes("div", &["id"])
        .add_allowed_classes("div", &["footnote-definition"])
        .add_allowed_classes("sup", &["footnote-reference"])
        .add_allowed_classes("span", &["footnote-definition-label"])
        .add_tags(&["figure", "figcaption"])
        // The Sources list (`sources::sources_html`): its section, the ids
        // its items and citations link between, and its back-links' names.
        .add_tags(&["section"])
        .add_tag_attributes("section", &["aria-labelledby"])
        .add_allowed_classes("section", &["sources"])
        .add_tag_attributes("li", &["id"])
        .add_tag_attributes("a", &["id", "aria-label"])
        // Headings are numbered away from the layout's ids; an element of
        // the author's own HTML that names one loses its id instead.
        .attribute_filter(|_, attribute, value| {
            (attribute != "id" || !is_layout_id(value)).then_some(Cow::Borrowed(value))
        })
        .link_rel(Some("noopener"))
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
    builder
});

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// What a list's card needs of a post: its length and first paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub reading_time_minutes: u32,
    /// The plain text of the first paragraph: the default excerpt.
    pub first_paragraph: String,
}

/// The same facts as `render_markdown` gives, from the parse alone: no
/// HTML is written or sanitised, which is most of a render's cost, so a
/// list of ten cards costs ten parses.
pub fn summarize(markdown: &str) -> Summary {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, OPTIONS).collect();
    let (word_count, first_paragraph) = text_facts(&events);
    Summary {
        reading_time_minutes: reading_time(word_count),
        first_paragraph,
    }
}

impl Rendered {
    /// What a list's card needs, from the stored render.
    pub fn summary(&self) -> Summary {
        Summary {
            reading_time_minutes: self.reading_time_minutes,
            first_paragraph: self.first_paragraph.clone(),
        }
    }
}

/// A stored render is a text column holding the JSON of a `Rendered`,
/// on either database.
impl<DB: sqlx::Database> sqlx::Type<DB> for Rendered
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Rendered
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let json = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
        Ok(serde_json::from_str(json)?)
    }
}

fn reading_time(word_count: usize) -> u32 {
    u32::try_from(word_count.div_ceil(WORDS_PER_MINUTE).max(1)).unwrap_or(u32::MAX)
}

pub fn render_markdown(markdown: &str) -> Rendered {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, OPTIONS).collect();
    captioned_figures(&mut events);
    // Counted with the footnotes still in, as `summarize` counts them.
    let (word_count, first_paragraph) = text_facts(&events);
    let sources = take_sources(&mut events);
    let headings = assign_heading_ids(&mut events, reserved_ids(&sources));
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, events.into_iter());
    unsafe_html.push_str(&sources_html(&sources));
    Rendered {
        html: scrollable_tables(&SANITIZER.clean(&unsafe_html).to_string()),
        headings,
        word_count,
        reading_time_minutes: reading_time(word_count),
        first_paragraph,
        sources,
    }
}

/// An image alone in its paragraph, with a title, is a figure whose
/// caption is that title: `![alt](/media/x.jpg "Caption")`, the form the
/// visual editor writes. An image inside text keeps its title as a title.
fn captioned_figures(events: &mut [Event<'_>]) {
    let mut index = 0;
    while index + 3 < events.len() {
        let caption = match (&events[index], &events[index + 1]) {
            (Event::Start(Tag::Paragraph), Event::Start(Tag::Image { title, .. })) if !title.trim().is_empty() => {
                title.to_string()
            }
            _ => {
                index += 1;
                continue;
            }
        };
        let image_end = events[index + 1..]
            .iter()
            .position(|event| matches!(event, Event::End(TagEnd::Image)))
            .map(|offset| index + 1 + offset);
        let Some(image_end) = image_end else { break };
        if matches!(events.get(image_end + 1), Some(Event::End(TagEnd::Paragraph))) {
            let mut figcaption = String::from("<figcaption>");
            let _ = pulldown_cmark_escape::escape_html(&mut figcaption, caption.trim());
            figcaption.push_str("</figcaption></figure>\n");
            events[index] = Event::Html(CowStr::from("<figure>"));
            events[image_end + 1] = Event::Html(CowStr::from(figcaption));
            index = image_end + 2;
        } else {
            index = image_end + 1;
        }
    }
}

/// Wraps each table in a region that scrolls sideways on narrow screens
/// and can take keyboard focus, so keyboard users can scroll it too
/// (WCAG 2.1.1). Runs on sanitised HTML, inserting fixed markup only.
fn scrollable_tables(html: &str) -> String {
    html.replace(
        "<table>",
        r#"<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>"#,
    )
    .replace("</table>", "</table></div>")
}

/// Gives every heading an id (its own `{#id}`, or a slug of its text made
/// unique with -2, -3, …, and never one of `reserved` or the layout's)
/// and returns the list of headings.
fn assign_heading_ids(events: &mut [Event<'_>], reserved: Vec<String>) -> Vec<Heading> {
    let mut headings = Vec::new();
    let mut taken: HashSet<String> = reserved
        .into_iter()
        .chain(LAYOUT_IDS.iter().map(|id| (*id).to_owned()))
        .collect();
    let mut next_number: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut index = 0;
    while index < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[index] {
            let level = heading_level(*level);
            let explicit = id.as_ref().map(|id| id.to_string());
            let end = events[index..]
                .iter()
                .position(|event| matches!(event, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |offset| index + offset);
            let text = plain_text(&events[index + 1..end]);
            let base = explicit.unwrap_or_else(|| slugify(&text));
            // No number takes an id out of a prefix the layout uses: a word
            // in front does ("## Menu ideas": `section-menu-ideas`).
            let base = if is_layout_id(&base) && !LAYOUT_IDS.contains(&base.as_str()) {
                format!("section-{base}")
            } else {
                base
            };
            // Each base remembers its next number, so a text of many equal
            // headings costs one try each, not one per earlier heading.
            let next = next_number.entry(base.clone()).or_insert(2_usize);
            let mut unique = base.clone();
            while !taken.insert(unique.clone()) {
                unique = format!("{base}-{next}");
                *next += 1;
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[index] {
                *id = Some(CowStr::from(unique.clone()));
            }
            headings.push(Heading {
                level,
                text,
                id: unique,
            });
            index = end;
        }
        index += 1;
    }
    headings
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Word count of all text, and the text of the first top-level paragraph.
fn text_facts(events: &[Event<'_>]) -> (usize, String) {
    let mut words = 0;
    let mut first_paragraph = None;
    let mut depth = 0usize;
    let mut paragraph_start = None;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Text(text) | Event::Code(text) => words += text.split_whitespace().count(),
            Event::Start(Tag::Paragraph) if depth == 0 && first_paragraph.is_none() => {
                paragraph_start = Some(index);
            }
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                if let (Some(start), None) = (paragraph_start.take(), &first_paragraph) {
                    first_paragraph = Some(plain_text(&events[start + 1..index]));
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) | Tag::Table(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition | TagEnd::Table) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    (words, first_paragraph.unwrap_or_default())
}

/// "Living with Type 2 Diabetes?" → "living-with-type-2-diabetes".
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() { "section".to_owned() } else { slug }
}

/// Cuts `text` to at most `max_chars` at a word boundary, adding "…".
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_image_alone_with_a_title_is_a_figure_with_its_caption() {
        let html = render_markdown("![A nurse](/media/bp.png \"Checking <blood> pressure\")\n").html;
        assert!(
            html.contains("<figure><img src=\"/media/bp.png\" alt=\"A nurse\""),
            "{html}"
        );
        assert!(
            html.contains("<figcaption>Checking &lt;blood&gt; pressure</figcaption></figure>"),
            "{html}"
        );
        assert!(!html.contains("<p><img"), "{html}");
        let inline = render_markdown("See ![icon](/media/i.png \"An icon\") here.").html;
        assert!(
            inline.contains("<p>See <img") && !inline.contains("<figure>"),
            "{inline}"
        );
        let untitled = render_markdown("![A chart](/media/c.png)").html;
        assert!(
            untitled.contains("<p><img") && !untitled.contains("<figure>"),
            "{untitled}"
        );
    }

    use super::*;

    #[test]
    fn markdown_features_render() {
        let rendered = render_markdown(
            "# Sleep and mood\n\nGood sleep ~~never~~ always helps.[^1]\n\n\
             | Hours | Effect |\n|---|---|\n| 7 | good |\n\n- one\n- two\n\n> a quote\n\n[^1]: A footnote.\n",
        );
        let html = &rendered.html;
        assert!(
            html.contains(r#"<h1 id="sleep-and-mood">Sleep and mood</h1>"#),
            "{html}"
        );
        assert!(html.contains("<del>never</del>"), "{html}");
        assert!(html.contains("<table>") && html.contains("<td>7</td>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(
            html.contains(r#"<section class="sources" aria-labelledby="sources">"#)
                && html.contains(r#"<li id="source-1">A footnote."#),
            "the footnote is listed under Sources: {html}"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_never_survive() {
        let rendered = render_markdown(
            "<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) <a href=\"javascript:alert(4)\" onclick=\"alert(5)\">raw</a>\n\n\
             <iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>",
        );
        let html = rendered.html.to_lowercase();
        for forbidden in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "<style",
            "alert(1)",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
        assert!(html.contains(r#"<img src="x.png">"#), "{html}");
    }

    #[test]
    fn links_get_noopener() {
        let html = render_markdown("[NHS](https://www.nhs.uk/) and [us](/about)").html;
        assert!(
            html.contains(r#"<a href="https://www.nhs.uk/" rel="noopener">NHS</a>"#),
            "{html}"
        );
    }

    #[test]
    fn heading_ids_are_unique_and_listed() {
        let rendered = render_markdown("## Symptoms\n\n## Symptoms\n\n### When to see a doctor? {#doctor}\n");
        let ids: Vec<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["symptoms", "symptoms-2", "doctor"]);
        assert_eq!(rendered.headings[2].text, "When to see a doctor?");
        assert_eq!(rendered.headings[2].level, 3);
        assert!(rendered.html.contains(r#"<h2 id="symptoms-2">"#));
    }

    #[test]
    fn headings_keep_off_the_layouts_ids() {
        let rendered = render_markdown(
            "## Hours heading\n\n## Main\n\n## About {#about-authors}\n\n## Menu ideas\n\n## Menu ideas\n",
        );
        let ids: Vec<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hours-heading-2",
                "main-2",
                "about-authors-2",
                "section-menu-ideas",
                "section-menu-ideas-2"
            ]
        );
        assert!(
            rendered.html.contains(r#"<h2 id="hours-heading-2">"#),
            "{}",
            rendered.html
        );
        // The author's own HTML loses such an id; others stay.
        let html = render_markdown(
            "<div id=\"main\">A</div>\n\n<div id=\"menu-header\">B</div>\n\n<div id=\"note\">C</div>\n",
        )
        .html;
        assert!(!html.contains("id=\"main\"") && !html.contains("menu-header"), "{html}");
        assert!(html.contains("<div id=\"note\">C</div>"), "{html}");
    }

    /// Every id literal in the public pages' markup is one the renderer
    /// keeps articles off: a new one must join `LAYOUT_IDS`.
    #[test]
    fn the_layout_ids_are_all_the_public_pages_use() {
        let sources = [
            include_str!("../blog/layout.rs"),
            include_str!("../blog/pages.rs"),
            include_str!("../blog/chrome.rs"),
            include_str!("../blog/site_pages.rs"),
            include_str!("../blog/error.rs"),
        ];
        let mut found = Vec::new();
        for source in sources {
            for (at, _) in source.match_indices(" id=\"") {
                let rest = &source[at + 5..];
                if let Some(end) = rest.find('"') {
                    found.push(&rest[..end]);
                }
            }
        }
        assert!(found.contains(&"main"), "{found:?}");
        let unlisted: Vec<&&str> = found.iter().filter(|id| !is_layout_id(id)).collect();
        assert!(
            unlisted.is_empty(),
            "ids the layout uses but articles may take: {unlisted:?}"
        );
    }

    #[test]
    fn word_count_reading_time_and_first_paragraph() {
        let body = format!("# Title\n\nFirst *paragraph* here.\n\n{}", "word ".repeat(440));
        let rendered = render_markdown(&body);
        assert_eq!(rendered.first_paragraph, "First paragraph here.");
        assert_eq!(rendered.word_count, 1 + 3 + 440);
        assert_eq!(rendered.reading_time_minutes, 3);
        assert_eq!(render_markdown("").reading_time_minutes, 1);
    }

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("Short text.", 50), "Short text.");
        assert_eq!(
            excerpt("Sleep matters more than most people think, doctors say.", 30),
            "Sleep matters more than most…"
        );
    }

    #[test]
    fn a_megabyte_of_markdown_renders() {
        let body = "A paragraph of ordinary length with **bold** text.\n\n".repeat(20_000);
        assert!(body.len() > 1_000_000);
        let rendered = render_markdown(&body);
        assert_eq!(rendered.html.matches("<p>").count(), 20_000);
    }

    #[test]
    fn only_real_tables_are_wrapped() {
        // The wrapping runs on sanitised HTML, where a `<table>` in an
        // attribute value is escaped, so it cannot be mistaken for one.
        let html = render_markdown(r#"<abbr title="<table>x</table>">BP</abbr> is blood pressure."#).html;
        assert!(!html.contains("table-scroll"), "{html}");
        assert!(
            html.contains("<abbr title=\"&lt;table&gt;x&lt;/table&gt;\">BP</abbr>"),
            "{html}"
        );
    }

    #[test]
    fn tables_scroll_in_a_region_keyboards_can_reach() {
        let html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n").html;
        assert!(
            html.starts_with(r#"<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>"#),
            "{html}"
        );
        assert!(html.trim_end().ends_with("</table></div>"), "{html}");
    }

    #[test]
    fn a_summary_agrees_with_a_full_render() {
        let markdown = "Intro with **bold** words.\n\n## Part\n\n".to_owned() + &"word ".repeat(700);
        let rendered = render_markdown(&markdown);
        let summary = summarize(&markdown);
        assert_eq!(summary.reading_time_minutes, rendered.reading_time_minutes);
        assert_eq!(summary.first_paragraph, rendered.first_paragraph);
        assert_eq!(summary.first_paragraph, "Intro with bold words.");
        assert_eq!(rendered.summary(), summary, "a stored render's summary is the parse's");
    }

    #[test]
    fn a_stored_render_reads_back_as_it_was_written() {
        let rendered = render_markdown(
            "Rest.[^a]\n\n## Why \"sleep\" <matters>\n\n| a |\n|---|\n| 1 |\n\n[^a]: Smith J. NEJM 2021. doi:10.1056/x\n",
        );
        assert!(!rendered.sources.is_empty() && !rendered.headings.is_empty());
        let stored = serde_json::to_string(&rendered).expect("JSON");
        assert_eq!(serde_json::from_str::<Rendered>(&stored).expect("read back"), rendered);
    }
}
