//! The readiness checks beside the editor: what in a post would let a
//! patient or a search engine down, found in its Markdown and fields, and
//! the text's reading level (Flesch–Kincaid grade, by `textstat`).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::domain::{PostFields, PostKind};
use crate::error::AppError;
use crate::posts::api::{Readiness, ReadinessItem};
use crate::state::AppState;

/// Longer than this many words, a paragraph is a wall of text on a phone.
const LONG_PARAGRAPH_WORDS: usize = 150;
/// Longer than this many words, a sentence is hard to follow.
const LONG_SENTENCE_WORDS: usize = 25;
/// Fewer words than this and a grade says little.
const MIN_WORDS_FOR_GRADE: usize = 30;
/// The hardest sentences shown, at most.
const HARDEST_SHOWN: usize = 3;
/// Links to other posts looked up per check, at most: the check runs
/// after every pause in typing, and each lookup is a query.
const POST_LINKS_CHECKED: usize = 50;
/// Health articles are trusted for what they cite; the renderer lists
/// footnotes as the article's Sources (`content::sources`). Pages (About,
/// Contact) make no claims to cite and are not asked.
pub const NO_SOURCES: &str = "This article cites no sources. Add footnotes with a link, DOI or PubMed ID, \
                              e.g. \u{201c}[^1]\u{201d} after a claim and, at the end, \
                              \u{201c}[^1]: Author. Title. Journal, year. doi:10.\u{2026}\u{201d}";

/// The checks for `fields` of a post of `kind`, with links to other posts
/// looked up.
pub async fn check(state: &AppState, fields: &PostFields, kind: PostKind) -> Result<Readiness, AppError> {
    crate::input::post::check_body(&fields.content.body).map_err(|message| AppError::invalid("body", message))?;
    let settings = state.store.site_settings().await?;
    let (mut readiness, post_links) = analyse(fields, kind, settings.reading_grade_target);
    if !is_english(&settings.language) {
        readiness.grade = None;
        readiness.hardest.clear();
        readiness.ungraded_language = Some(settings.language);
    }
    let now = state.clock.now();
    for slug in post_links.into_iter().take(POST_LINKS_CHECKED) {
        let query = crate::store::model::posts::PublicQuery {
            slug: slug.clone(),
            ..crate::store::model::posts::PublicQuery::newest(now, 1, 0)
        };
        // A post's old slug and an imported site's old path both answer
        // with a redirect to a public post: such links keep working.
        let public = !state.store.public_posts(&query).await?.0.is_empty()
            || state
                .store
                .slug_redirect(crate::domain::PostKind::Post, &slug, now)
                .await?
                .is_some()
            || state
                .store
                .path_redirect(&crate::content::public_path(&slug), now)
                .await?
                .is_some();
        if !public {
            readiness.items.push(ReadinessItem {
                field: "body".into(),
                message: format!("The link to /posts/{slug} leads to a post readers cannot see (yet)."),
            });
        }
    }
    Ok(readiness)
}

/// Flesch–Kincaid counts English syllables: other languages get no grade.
fn is_english(language: &str) -> bool {
    language.eq_ignore_ascii_case("en")
        || language
            .get(..3)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("en-"))
}

/// Everything that needs only the text (and whether it is an article or a
/// page); the slugs of the links to other posts on this site, for the
/// caller to look up.
pub fn analyse(fields: &PostFields, kind: PostKind, target: i64) -> (Readiness, Vec<String>) {
    let content = &fields.content;
    let mut items = Vec::new();
    let mut item = |field: &str, message: String| {
        items.push(ReadinessItem {
            field: field.to_owned(),
            message,
        })
    };
    if content.excerpt.trim().is_empty() {
        item(
            "excerpt",
            "No excerpt: lists and search results will show the first paragraph.".into(),
        );
    }
    if content.seo_description.trim().is_empty() {
        item(
            "seo_description",
            "No meta description: search engines will pick a snippet themselves.".into(),
        );
    }
    let text = read(&content.body);
    for message in text.problems {
        item("body", message);
    }
    if text.sources == 0 && kind == PostKind::Post {
        item("body", NO_SOURCES.into());
    }
    let prose = text.blocks.join("\n");
    let words = textstat::lexicon_count(&prose);
    let grade = (words >= MIN_WORDS_FOR_GRADE).then(|| round(textstat::flesch_kincaid_grade(&prose)));
    let mut sentences: Vec<(f64, String)> = text
        .blocks
        .iter()
        .flat_map(|block| sentences_of(block))
        .filter(|sentence| textstat::lexicon_count(sentence) >= 8)
        .map(|sentence| (round(textstat::flesch_kincaid_grade(&sentence)), sentence))
        .collect();
    for (_, sentence) in &sentences {
        let count = textstat::lexicon_count(sentence);
        if count > LONG_SENTENCE_WORDS {
            item(
                "body",
                format!("A sentence of {count} words: \u{201c}{}\u{201d}", shortened(sentence)),
            );
        }
    }
    sentences.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hardest = sentences
        .into_iter()
        .filter(|(grade, _)| *grade > target as f64)
        .take(HARDEST_SHOWN)
        .map(|(_, sentence)| sentence)
        .collect();
    (
        Readiness {
            items,
            grade,
            target,
            hardest,
            ungraded_language: None,
        },
        text.post_links,
    )
}

fn round(grade: f64) -> f64 {
    (grade * 10.0).round() / 10.0
}

/// The first words of a long sentence, for a message.
fn shortened(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= 12 {
        sentence.to_owned()
    } else {
        format!("{} …", words[..12].join(" "))
    }
}

/// Sentences of a block: split after `.`, `!` or `?` and a space.
fn sentences_of(block: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    let mut chars = block.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|next| next.is_whitespace()) {
            sentences.push(current.trim().to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current.trim().to_owned());
    }
    sentences
}

/// What the Markdown holds for the checks.
#[derive(Default)]
struct Text {
    /// Paragraphs and list items as plain text, each ending a sentence.
    blocks: Vec<String>,
    problems: Vec<String>,
    post_links: Vec<String>,
    /// The slugs in `post_links`, for finding repeats at once.
    linked: std::collections::HashSet<String>,
    /// The `http://` addresses already named.
    insecure: std::collections::HashSet<String>,
    /// Footnote definitions: the sources the article cites.
    sources: usize,
}

fn level(level: HeadingLevel) -> usize {
    level as usize
}

fn read(markdown: &str) -> Text {
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut text = Text::default();
    let mut block: Option<String> = None;
    // An image's address and its alt text, while inside it.
    let mut image: Option<(String, String)> = None;
    let mut heading: Option<(usize, String)> = None;
    let mut last_level = 1;
    let mut in_code = false;
    // An HTML block arrives a line at a time; a tag may span lines.
    let mut html_block: Option<String> = None;
    // Inside a footnote: a citation, not prose, so neither graded nor
    // measured as paragraphs and sentences.
    let mut in_source = false;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => {
                finish_block(&mut text, block.take());
                text.sources += 1;
                in_source = true;
            }
            Event::End(TagEnd::FootnoteDefinition) => in_source = false,
            Event::Start(Tag::Paragraph | Tag::Item) => {
                finish_block(&mut text, block.take());
                block = (!in_source).then(String::new);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => finish_block(&mut text, block.take()),
            Event::Start(Tag::Heading { level: new, .. }) => heading = Some((level(new), String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((new, title)) = heading.take() {
                    if new > last_level + 1 {
                        text.problems.push(format!(
                            "The heading \u{201c}{}\u{201d} jumps from level {last_level} to {new}; \
                             screen reader users navigate by levels.",
                            title.trim()
                        ));
                    }
                    last_level = new;
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Image { dest_url, .. }) => image = Some((dest_url.to_string(), String::new())),
            Event::End(TagEnd::Image) => {
                if let Some((url, alt)) = image.take()
                    && alt.trim().is_empty()
                {
                    text.problems.push(format!(
                        "The image {url} has no alt text: describe it for people who cannot see it."
                    ));
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => link(&mut text, &dest_url),
            Event::Text(words) | Event::Code(words) if !in_code => {
                if let Some((_, alt)) = image.as_mut() {
                    // Alt text is not prose: it is not read for the grade.
                    alt.push_str(&words);
                } else if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&words);
                } else if let Some(block) = block.as_mut() {
                    block.push_str(&words);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = block.as_mut() {
                    block.push(' ');
                }
            }
            Event::Start(Tag::HtmlBlock) => html_block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => html_images(&mut text, &html_block.take().unwrap_or_default()),
            Event::Html(html) if html_block.is_some() => {
                if let Some(lines) = html_block.as_mut() {
                    lines.push_str(&html);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => html_images(&mut text, &html),
            _ => {}
        }
    }
    finish_block(&mut text, block);
    text
}

fn finish_block(text: &mut Text, block: Option<String>) {
    let Some(block) = block else { return };
    let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
    if block.is_empty() {
        return;
    }
    let words = textstat::lexicon_count(&block);
    if words > LONG_PARAGRAPH_WORDS {
        text.problems.push(format!(
            "A paragraph of {words} words (\u{201c}{}\u{201d}): break it up for reading on a phone.",
            shortened(&block)
        ));
    }
    // A block that ends without a full stop still ends its sentence.
    let ended = if block.ends_with(['.', '!', '?']) {
        block
    } else {
        format!("{block}.")
    };
    text.blocks.push(ended);
}

fn link(text: &mut Text, url: &str) {
    if url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
        && text.insecure.insert(url.to_owned())
    {
        text.problems.push(format!(
            "The link to {url} is not secure (http://): use https:// if the site has it."
        ));
    }
    if let Some(slug) = url.strip_prefix("/posts/") {
        let slug = slug.split(['#', '?', '/']).next().unwrap_or_default();
        if !slug.is_empty() && text.linked.insert(slug.to_owned()) {
            text.post_links.push(slug.to_owned());
        }
    }
}

/// `<img>` tags written as HTML: each needs an `alt`.
fn html_images(text: &mut Text, html: &str) {
    let lower = html.to_ascii_lowercase();
    for tag in lower.split("<img").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if !tag.contains("alt=") || tag.contains("alt=\"\"") || tag.contains("alt=''") {
            text.problems
                .push("An image (HTML) has no alt text: describe it for people who cannot see it.".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PostContent;

    fn fields(body: &str) -> PostFields {
        PostFields {
            content: PostContent {
                title: "Sleep".into(),
                body: body.into(),
                excerpt: "Why sleep matters.".into(),
                seo_description: "Why sleep matters.".into(),
                ..PostContent::default()
            },
            ..PostFields::default()
        }
    }

    fn messages(readiness: &Readiness) -> Vec<&str> {
        readiness.items.iter().map(|item| item.message.as_str()).collect()
    }

    #[test]
    fn plain_words_read_at_a_low_grade_and_long_words_at_a_high_one() {
        let plain = "Sleep helps you feel good. Go to bed at the same time each night. \
                     Keep your room dark and cool. Put your phone away an hour before bed. \
                     If you still can't sleep, get up and read for a while.";
        let (easy, _) = analyse(&fields(plain), PostKind::Post, 8);
        let hard_text = "Insufficient nocturnal restoration substantially exacerbates cardiometabolic \
                         vulnerability, predisposing individuals to hypertension, dyslipidaemia and \
                         compromised immunological functionality. Consequently, practitioners recommend \
                         consistent circadian alignment, environmental optimisation and pharmacological \
                         intervention exclusively following comprehensive evaluation.";
        let (hard, _) = analyse(&fields(hard_text), PostKind::Post, 8);
        let (easy_grade, hard_grade) = (easy.grade.expect("a grade"), hard.grade.expect("a grade"));
        assert!(easy_grade <= 6.0, "{easy_grade}");
        assert!(hard_grade >= 14.0, "{hard_grade}");
        assert!(easy.hardest.is_empty(), "{:?}", easy.hardest);
        assert!(
            hard.hardest[0].starts_with("Insufficient nocturnal"),
            "{:?}",
            hard.hardest
        );
        assert_eq!(hard.target, 8);
    }

    #[test]
    fn what_lets_readers_down_is_listed() {
        let body = "## Causes\n\n#### Too deep\n\n![](/media/chart.png) ![A chart](/media/ok.png)\n\n\
                    <img src=\"/media/x.png\">\n\nSee [the study](http://example.org/study) and \
                    [our guide](/posts/sleep-guide).\n";
        let mut fields = fields(body);
        fields.content.excerpt.clear();
        fields.content.seo_description.clear();
        let (readiness, links) = analyse(&fields, PostKind::Post, 8);
        let messages = messages(&readiness);
        let has = |needle: &str| messages.iter().any(|message| message.contains(needle));
        assert!(has("No excerpt"), "{messages:?}");
        assert!(has("No meta description"), "{messages:?}");
        assert!(has("jumps from level 2 to 4"), "{messages:?}");
        assert!(has("The image /media/chart.png has no alt text"), "{messages:?}");
        assert!(!has("/media/ok.png"), "{messages:?}");
        assert!(has("An image (HTML) has no alt text"), "{messages:?}");
        assert!(has("http://example.org/study"), "{messages:?}");
        assert_eq!(links, ["sleep-guide"]);
        assert!(readiness.grade.is_none(), "too short for a grade");
    }

    #[test]
    fn long_paragraphs_and_sentences_are_named() {
        let sentence = "word ".repeat(30).trim().to_owned() + ".";
        let paragraph = format!("{sentence} ").repeat(6);
        let (readiness, _) = analyse(&fields(&paragraph), PostKind::Post, 8);
        let messages = messages(&readiness);
        assert!(
            messages.iter().any(|m| m.starts_with("A paragraph of 180 words")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("A sentence of 30 words")),
            "{messages:?}"
        );
    }

    #[test]
    fn an_html_image_over_several_lines_is_read_whole() {
        let described = "Sleep helps.[^1]\n\n<img\n  src=\"/media/a.png\"\n  alt=\"A dark bedroom\">\n\nGo to bed early.\n\n[^1]: A source.";
        let (readiness, _) = analyse(&fields(described), PostKind::Post, 8);
        assert!(readiness.items.is_empty(), "{:?}", readiness.items);
        let undescribed = described.replace("alt=\"A dark bedroom\"", "title=\"x\"");
        let (readiness, _) = analyse(&fields(&undescribed), PostKind::Post, 8);
        assert!(
            messages(&readiness)
                .iter()
                .any(|m| m.starts_with("An image (HTML) has no alt text"))
        );
    }

    #[test]
    fn a_tidy_post_has_nothing_to_fix() {
        let tidy = "## Why\n\nSleep helps.[^1]\n\n### How\n\nGo to bed early.\n\n\
                    [^1]: NHS. Insomnia. https://www.nhs.uk/conditions/insomnia/";
        let (readiness, links) = analyse(&fields(tidy), PostKind::Post, 8);
        assert!(readiness.items.is_empty(), "{:?}", readiness.items);
        assert!(links.is_empty());
    }

    #[test]
    fn an_article_without_sources_is_asked_for_them() {
        let (uncited, _) = analyse(
            &fields("## Why\n\nSleep helps.\n\n### How\n\nGo to bed early."),
            PostKind::Post,
            8,
        );
        assert_eq!(messages(&uncited), [NO_SOURCES]);
        assert_eq!(uncited.items[0].field, "body");
        assert!(NO_SOURCES.contains("[^1]: Author. Title."), "{NO_SOURCES}");
        // A footnote of words alone is a source too: the renderer lists it.
        let (cited, _) = analyse(
            &fields("Sleep helps.[^who]\n\n[^who]: WHO. Sleep guidelines, 2020."),
            PostKind::Post,
            8,
        );
        assert!(cited.items.is_empty(), "{:?}", cited.items);
    }

    #[test]
    fn a_page_is_not_asked_for_sources() {
        let (about, _) = analyse(
            &fields("## Our team\n\nThree nurses and a doctor.\n\n## Visiting\n\nCall first."),
            PostKind::Page,
            8,
        );
        assert!(about.items.is_empty(), "{:?}", about.items);
    }

    #[test]
    fn citations_are_not_graded_as_prose() {
        let plain = "Sleep helps you feel good. Go to bed at the same time each night. \
                     Keep your room dark and cool. Put your phone away an hour before bed. \
                     If you still can't sleep, get up and read for a while.";
        let (alone, _) = analyse(&fields(plain), PostKind::Post, 8);
        let long_citation = "Smithson-Worthington JA, Abernathy-Kowalczyk PQ, Venkataraman-Oyelaran RT, et al. \
                             Comparative cardiometabolic consequences of experimentally induced chronic sleep \
                             restriction among normotensive and hypertensive adults: a multicentre randomised \
                             crossover investigation. N Engl J Med. 2021;384(12):1101-1114. doi:10.1056/NEJMoa2034577";
        let (cited, _) = analyse(
            &fields(&format!("{plain}[^1]\n\n[^1]: {long_citation}")),
            PostKind::Post,
            8,
        );
        assert_eq!(cited.grade, alone.grade, "the citation leaves the grade alone");
        assert!(cited.items.is_empty(), "no long sentence: {:?}", cited.items);
        assert!(cited.hardest.is_empty(), "{:?}", cited.hardest);
    }
}
