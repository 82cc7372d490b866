//! An article's sources: its Markdown footnotes, read as the works it
//! cites. They are numbered in the order the text first cites them (as
//! Wikipedia and pulldown-cmark number footnotes); a footnote the text
//! never cites is still a source the author wrote down, so it is listed
//! after the cited ones, in the order written. The page's Sources list,
//! the JSON-LD `citation` and the API's `sources` are all built from
//! `Source`, so they always agree.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use pulldown_cmark_escape::escape_html;

use super::citation::{doi_url, pubmed_url, read_citation};

/// The id of the Sources heading, which also labels its section.
pub const SOURCES_ID: &str = "sources";

/// A work the article cites: one footnote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// 1, 2, …: its place in the Sources list.
    pub number: usize,
    /// The footnote's label as written: `smith` for `[^smith]`.
    pub label: String,
    /// The footnote's words without its address, DOI and PMID, e.g.
    /// "Smith J et al. Sleep and blood pressure. NEJM 2021.".
    pub name: String,
    /// The http(s) address written in it, unless that is a DOI's or a
    /// PubMed page (those are `doi` and `pmid`).
    pub url: Option<String>,
    /// e.g. "10.1056/NEJMoa2034577".
    pub doi: Option<String>,
    /// PubMed ID, digits only.
    pub pmid: Option<String>,
    /// How many times the text cites it: 0 for a footnote never cited.
    pub citations: usize,
}

impl Source {
    /// Where readers can read it: its own address, else its DOI's, else
    /// its PubMed page.
    pub fn link(&self) -> Option<String> {
        self.links().into_iter().next().map(|(href, _)| href)
    }

    /// Each address with the words that show it, in the order above.
    fn links(&self) -> Vec<(String, String)> {
        let mut links = Vec::new();
        if let Some(url) = &self.url {
            links.push((url.clone(), url.clone()));
        }
        if let Some(doi) = &self.doi {
            links.push((doi_url(doi), format!("doi:{doi}")));
        }
        if let Some(pmid) = &self.pmid {
            links.push((pubmed_url(pmid), format!("PMID: {pmid}")));
        }
        links
    }
}

/// The id of a source's item in the list.
fn item_id(number: usize) -> String {
    format!("source-{number}")
}

/// The id of the text's `nth` citation (from 1) of source `number`.
fn citation_id(number: usize, nth: usize) -> String {
    if nth == 1 {
        format!("source-ref-{number}")
    } else {
        format!("source-ref-{number}-{nth}")
    }
}

/// Every id the Sources list and its citations use, so that no heading
/// takes one of them.
pub(crate) fn reserved_ids(sources: &[Source]) -> Vec<String> {
    let mut ids = Vec::new();
    if !sources.is_empty() {
        ids.push(SOURCES_ID.to_owned());
    }
    for source in sources {
        ids.push(item_id(source.number));
        ids.extend((1..=source.citations).map(|nth| citation_id(source.number, nth)));
    }
    ids
}

/// A footnote definition, read and taken out of the text.
struct Definition {
    label: String,
    /// Its number, once the text cites it or the cited ones are counted.
    number: Option<usize>,
    citations: usize,
    citation: super::citation::Citation,
}

/// Labels match as pulldown-cmark matches them, whatever their case.
fn label_key(label: &str) -> String {
    label.to_lowercase()
}

/// Takes the footnote definitions out of `events`, turns each footnote
/// reference into a numbered link to its source, and returns the sources
/// in their order. Where a label is defined twice, the first counts (as
/// on GitHub).
pub(crate) fn take_sources(events: &mut Vec<Event<'_>>) -> Vec<Source> {
    let mut definitions = take_definitions(events);
    if definitions.is_empty() {
        return Vec::new();
    }
    let mut by_label = HashMap::new();
    for (index, definition) in definitions.iter().enumerate() {
        by_label.entry(label_key(&definition.label)).or_insert(index);
    }
    let mut next_number = 1;
    for event in events.iter_mut() {
        let Event::FootnoteReference(label) = event else {
            continue;
        };
        let Some(definition) = by_label
            .get(&label_key(label))
            .and_then(|index| definitions.get_mut(*index))
        else {
            continue;
        };
        let number = *definition.number.get_or_insert_with(|| {
            next_number += 1;
            next_number - 1
        });
        definition.citations += 1;
        *event = Event::InlineHtml(CowStr::from(reference_html(number, definition.citations)));
    }
    let mut sources: Vec<Source> = definitions
        .into_iter()
        .enumerate()
        .filter(|(index, definition)| by_label.get(&label_key(&definition.label)) == Some(index))
        .map(|(_, definition)| {
            let number = definition.number.unwrap_or_else(|| {
                next_number += 1;
                next_number - 1
            });
            Source {
                number,
                label: definition.label,
                name: definition.citation.name,
                url: definition.citation.url,
                doi: definition.citation.doi,
                pmid: definition.citation.pmid,
                citations: definition.citations,
            }
        })
        .collect();
    sources.sort_by_key(|source| source.number);
    sources
}

/// Removes every footnote definition from `events` and reads each.
fn take_definitions(events: &mut Vec<Event<'_>>) -> Vec<Definition> {
    let mut definitions = Vec::new();
    let mut kept = Vec::with_capacity(events.len());
    let mut inside: Option<(String, Vec<Event<'_>>)> = None;
    let mut depth = 0_usize;
    for event in std::mem::take(events) {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                depth += 1;
                if depth == 1 {
                    inside = Some((label.to_string(), Vec::new()));
                }
            }
            Event::End(TagEnd::FootnoteDefinition) if depth > 0 => {
                depth -= 1;
                if let Some((label, body)) = inside.take_if(|_| depth == 0) {
                    let (text, links) = footnote_text(&body);
                    definitions.push(Definition {
                        label,
                        number: None,
                        citations: 0,
                        citation: read_citation(&text, &links),
                    });
                }
            }
            event => match inside.as_mut() {
                Some((_, body)) => body.push(event),
                None => kept.push(event),
            },
        }
    }
    *events = kept;
    definitions
}

/// A footnote's words as plain text, and its links' destinations with
/// the offset in that text where each link's words begin. An autolink's
/// words are its address, so it is read from the text.
fn footnote_text(events: &[Event<'_>]) -> (String, Vec<(usize, String)>) {
    let mut text = String::new();
    let mut links = Vec::new();
    for event in events {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(words),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::TableCell,
            ) => text.push(' '),
            Event::Start(Tag::Link {
                link_type, dest_url, ..
            }) if !matches!(link_type, LinkType::Autolink | LinkType::Email) => {
                links.push((text.len(), dest_url.to_string()));
            }
            _ => {}
        }
    }
    (text, links)
}

/// The text's `nth` citation of source `number`: a superscript number
/// linking to the source.
fn reference_html(number: usize, nth: usize) -> String {
    format!(
        "<sup class=\"footnote-reference\"><a href=\"#{}\" id=\"{}\">{number}</a></sup>",
        item_id(number),
        citation_id(number, nth)
    )
}

/// The Sources section that ends the article: each source's words, its
/// links, and links back to where the text cites it. Empty without
/// sources. Its text is escaped here and sanitised with the rest.
pub(crate) fn sources_html(sources: &[Source]) -> String {
    if sources.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "\n<section class=\"sources\" aria-labelledby=\"{SOURCES_ID}\"><h2 id=\"{SOURCES_ID}\">Sources</h2>\n<ol>\n"
    );
    for source in sources {
        html.push_str(&format!("<li id=\"{}\">", item_id(source.number)));
        let links = source.links();
        // A source named by its address alone shows it once, as a link.
        if !links.iter().any(|(_, shown)| *shown == source.name) {
            let _ = escape_html(&mut html, &source.name);
            html.push(' ');
        }
        for (href, shown) in &links {
            html.push_str("<a href=\"");
            let _ = escape_html(&mut html, href);
            html.push_str("\">");
            let _ = escape_html(&mut html, shown);
            html.push_str("</a> ");
        }
        for nth in 1..=source.citations {
            let (label, mark) = if nth == 1 {
                (format!("Back to citation {}", source.number), String::new())
            } else {
                (
                    format!("Back to citation {} ({nth})", source.number),
                    format!("<sup>{nth}</sup>"),
                )
            };
            html.push_str(&format!(
                "<a href=\"#{}\" aria-label=\"{label}\">\u{21a9}\u{fe0e}{mark}</a> ",
                citation_id(source.number, nth)
            ));
        }
        html.truncate(html.trim_end().len());
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n</section>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::html_tags::{scheme, start_tags};
    use crate::content::render::render_markdown;

    const THREE: &str = "Short sleep raises blood pressure.[^bp] Naps help memory.[^nap] \
                         The NHS has advice.[^nhs]\n\n\
                         [^nhs]: NHS. Insomnia. https://www.nhs.uk/conditions/insomnia/\n\
                         [^nap]: Lee K. Naps and memory. Sleep 2019. PMID: 31234567\n\
                         [^bp]: Smith J et al. Sleep and blood pressure. NEJM 2021. doi:10.1056/NEJMoa2034577\n";

    /// The Sources section of rendered HTML.
    fn section(html: &str) -> &str {
        html.split_once("<section")
            .map(|(_, section)| section)
            .unwrap_or_else(|| panic!("no Sources section in {html}"))
    }

    #[test]
    fn footnotes_become_a_numbered_sources_list_with_working_links() {
        let rendered = render_markdown(THREE);
        let numbers: Vec<(usize, &str)> = rendered
            .sources
            .iter()
            .map(|source| (source.number, source.label.as_str()))
            .collect();
        assert_eq!(numbers, [(1, "bp"), (2, "nap"), (3, "nhs")], "in the order of citation");
        assert_eq!(
            rendered.sources[0],
            Source {
                number: 1,
                label: "bp".into(),
                name: "Smith J et al. Sleep and blood pressure. NEJM 2021.".into(),
                url: None,
                doi: Some("10.1056/NEJMoa2034577".into()),
                pmid: None,
                citations: 1,
            }
        );
        let html = &rendered.html;
        assert!(
            html.contains(
                r##"<sup class="footnote-reference"><a href="#source-1" id="source-ref-1" rel="noopener">1</a></sup>"##
            ),
            "{html}"
        );
        let list = section(html);
        assert!(
            list.starts_with(r#" class="sources" aria-labelledby="sources"><h2 id="sources">Sources</h2>"#),
            "{list}"
        );
        let items: Vec<&str> = list.split("<li ").skip(1).collect();
        assert_eq!(items.len(), 3, "{list}");
        assert!(
            items[0].starts_with(r#"id="source-1">Smith J et al. Sleep and blood pressure. NEJM 2021. <a href="https://doi.org/10.1056/NEJMoa2034577""#),
            "{}",
            items[0]
        );
        assert!(items[0].contains(">doi:10.1056/NEJMoa2034577</a>"), "{}", items[0]);
        assert!(
            items[0].contains(r##"<a href="#source-ref-1" aria-label="Back to citation 1""##),
            "{}",
            items[0]
        );
        assert!(
            items[1].contains(r#"<a href="https://pubmed.ncbi.nlm.nih.gov/31234567/""#),
            "{}",
            items[1]
        );
        assert!(
            items[2].contains(r#"<a href="https://www.nhs.uk/conditions/insomnia/""#),
            "{}",
            items[2]
        );
        assert!(
            !html.contains("footnote-definition"),
            "no footnote is left where it was written: {html}"
        );
        assert!(
            html.trim_end().ends_with("</ol>\n</section>"),
            "the list ends the article: {html}"
        );
    }

    #[test]
    fn a_source_cited_twice_keeps_its_number_and_links_back_to_both() {
        let rendered = render_markdown("One.[^a] Two.[^b] Three.[^A]\n\n[^a]: First.\n[^b]: Second.\n");
        let cited: Vec<(usize, usize)> = rendered
            .sources
            .iter()
            .map(|source| (source.number, source.citations))
            .collect();
        assert_eq!(cited, [(1, 2), (2, 1)], "labels match whatever their case");
        let html = &rendered.html;
        assert!(
            html.contains(r##"Three.<sup class="footnote-reference"><a href="#source-1" id="source-ref-1-2""##),
            "{html}"
        );
        let first = section(html).split("<li ").nth(1).expect("first source");
        assert!(
            first.contains(r##"href="#source-ref-1" aria-label="Back to citation 1""##),
            "{first}"
        );
        assert!(
            first.contains(r##"href="#source-ref-1-2" aria-label="Back to citation 1 (2)""##),
            "{first}"
        );
    }

    #[test]
    fn a_footnote_never_cited_is_listed_last_without_a_link_back() {
        let rendered = render_markdown("Cited.[^b]\n\n[^a]: Never cited.\n[^b]: Cited one.\n");
        let listed: Vec<(usize, &str, usize)> = rendered
            .sources
            .iter()
            .map(|source| (source.number, source.name.as_str(), source.citations))
            .collect();
        assert_eq!(listed, [(1, "Cited one.", 1), (2, "Never cited.", 0)]);
        let second = section(&rendered.html).split("<li ").nth(2).expect("second source");
        assert_eq!(second, "id=\"source-2\">Never cited.</li>\n</ol>\n</section>\n");
    }

    #[test]
    fn a_label_defined_twice_counts_once() {
        let rendered = render_markdown("Text.[^x]\n\n[^x]: The first.\n\n[^x]: The second.\n");
        assert_eq!(rendered.sources.len(), 1);
        assert_eq!(rendered.sources[0].name, "The first.");
        assert!(!rendered.html.contains("The second"), "{}", rendered.html);
    }

    #[test]
    fn without_footnotes_there_is_no_sources_section() {
        let rendered = render_markdown("## Sources\n\nNo footnotes here, and [^x] is not one.\n");
        assert!(rendered.sources.is_empty());
        assert!(!rendered.html.contains("<section"), "{}", rendered.html);
        assert!(rendered.html.contains("[^x]"), "{}", rendered.html);
    }

    #[test]
    fn headings_never_take_the_lists_ids() {
        let rendered = render_markdown("## Sources\n\n## Source 1 {#source-1}\n\nText.[^1]\n\n[^1]: A.\n");
        let ids: Vec<&str> = rendered.headings.iter().map(|heading| heading.id.as_str()).collect();
        assert_eq!(ids, ["sources-2", "source-1-2"]);
        assert_eq!(rendered.html.matches("id=\"sources\"").count(), 1, "{}", rendered.html);
        assert_eq!(rendered.html.matches("id=\"source-1\"").count(), 1, "{}", rendered.html);
    }

    #[test]
    fn links_in_footnotes_become_the_sources_links_and_their_words_its_name() {
        let rendered = render_markdown(
            "Text.[^1][^2]\n\n[^1]: [NHS: *High* blood pressure](https://www.nhs.uk/conditions/high-blood-pressure/)\n\
             [^2]: <https://www.cdc.gov/sleep/>\n",
        );
        assert_eq!(rendered.sources[0].name, "NHS: High blood pressure");
        assert_eq!(
            rendered.sources[0].url.as_deref(),
            Some("https://www.nhs.uk/conditions/high-blood-pressure/")
        );
        assert_eq!(rendered.sources[1].name, "https://www.cdc.gov/sleep/");
        let second = section(&rendered.html).split("<li ").nth(2).expect("second source");
        assert!(
            second.starts_with(
                r#"id="source-2"><a href="https://www.cdc.gov/sleep/" rel="noopener">https://www.cdc.gov/sleep/</a>"#
            ),
            "named by its address, shown once: {second}"
        );
    }

    #[test]
    fn a_source_of_words_alone_is_listed_without_a_link() {
        let rendered = render_markdown("Move more.[^who]\n\n[^who]: WHO. Guidelines on physical activity, 2020.\n");
        assert_eq!(rendered.sources[0].link(), None);
        let item = section(&rendered.html).split("<li ").nth(1).expect("the source");
        assert!(
            item.starts_with("id=\"source-1\">WHO. Guidelines on physical activity, 2020. <a href=\"#source-ref-1\""),
            "{item}"
        );
    }

    #[test]
    fn the_best_link_is_the_address_then_the_doi_then_pubmed() {
        let source = |url: Option<&str>, doi: Option<&str>, pmid: Option<&str>| Source {
            number: 1,
            label: "1".into(),
            name: "A".into(),
            url: url.map(Into::into),
            doi: doi.map(Into::into),
            pmid: pmid.map(Into::into),
            citations: 1,
        };
        assert_eq!(
            source(Some("https://a.example/"), Some("10.1/x"), Some("1"))
                .link()
                .as_deref(),
            Some("https://a.example/")
        );
        assert_eq!(
            source(None, Some("10.1/x"), Some("1")).link().as_deref(),
            Some("https://doi.org/10.1/x")
        );
        assert_eq!(
            source(None, None, Some("1")).link().as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/1/")
        );
        assert_eq!(source(None, None, None).link(), None);
    }

    #[test]
    fn hostile_footnotes_make_no_bad_link_and_pass_the_sanitiser() {
        let rendered = render_markdown(
            "Text.[^1][^2][^3][^4]\n\n\
             [^1]: [Click](javascript:alert(1)) javascript:alert(2)\n\
             [^2]: Evil. doi:10.1000/abc\"onmouseover=\"alert(3)\n\
             [^3]: Evil <script>alert(4)</script> <img src=x onerror=alert(5)> PMID: 1\n\
             [^4]: https://a.example/\"onmouseover=\"alert(6)\n",
        );
        let html = &rendered.html;
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        for tag in start_tags(html) {
            for (name, value) in &tag.attributes {
                assert!(!name.starts_with("on"), "{name}= on <{}> in {html}", tag.name);
                if name == "href" {
                    let found = scheme(value);
                    assert!(
                        found.is_none() || found.as_deref() == Some("https"),
                        "href={value:?} in {html}"
                    );
                }
            }
        }
        assert_eq!(rendered.sources[0].link(), None, "no javascript: address");
        assert_eq!(rendered.sources[1].doi.as_deref(), Some("10.1000/abc"));
        assert!(
            html.contains(r#"<a href="https://doi.org/10.1000/abc" rel="noopener">"#),
            "{html}"
        );
        assert_eq!(rendered.sources[2].pmid.as_deref(), Some("1"));
        assert_eq!(rendered.sources[3].url.as_deref(), Some("https://a.example/"));
        // What the renderer writes is exactly what the sanitiser keeps.
        let unsanitised = sources_html(&rendered.sources);
        let list = section(html);
        assert_eq!(
            list.split("<li ").count(),
            unsanitised.split("<li ").count(),
            "{unsanitised}\n{list}"
        );
        for source in &rendered.sources {
            let id = format!("id=\"source-{}\"", source.number);
            assert!(list.contains(&id), "{id} kept: {list}");
        }
    }
}
