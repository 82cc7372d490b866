//! What one footnote cites: its words, and the web address, DOI and
//! PubMed ID written in it. Authors write these many ways (`doi:10.…`,
//! `DOI 10.…`, `https://doi.org/10.…`, `PMID: 123`, a bare address, a
//! Markdown link), so each is recognised in the footnote's plain text and
//! in its links' destinations, and what is kept is only what makes a
//! working, harmless address: http(s) URLs as the `url` crate writes them,
//! DOIs of the characters Crossref's pattern allows, PMIDs of digits.

use url::Url;

/// Where a DOI resolves.
pub fn doi_url(doi: &str) -> String {
    format!("https://doi.org/{doi}")
}

/// Where a PubMed ID resolves.
pub fn pubmed_url(pmid: &str) -> String {
    format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
}

/// A footnote read as a citation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The footnote's words without the markers below.
    pub name: String,
    /// An http(s) address that is neither a DOI's nor a PubMed page.
    pub url: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
}

/// What a marker in a footnote points at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Url(String),
    Doi(String),
    Pmid(String),
}

impl Target {
    fn kind(&self) -> usize {
        match self {
            Self::Url(_) => 0,
            Self::Doi(_) => 1,
            Self::Pmid(_) => 2,
        }
    }
}

/// A marker found in the footnote's text: where it is and what it says.
struct Marker {
    start: usize,
    end: usize,
    target: Target,
}

/// Reads a footnote from its plain `text` and the destinations of its
/// links (each with the offset in `text` where the link's words begin).
/// The first address, DOI and PMID in reading order are kept, and their
/// markers are cut from the name; later ones of the same kind stay words.
pub fn read_citation(text: &str, links: &[(usize, String)]) -> Citation {
    let markers = markers_in(text);
    let mut found: Vec<(usize, Option<usize>, Target)> = links
        .iter()
        .filter_map(|(at, destination)| classify_url(destination).map(|target| (*at, None, target)))
        .chain(
            markers
                .iter()
                .enumerate()
                .map(|(index, marker)| (marker.start, Some(index), marker.target.clone())),
        )
        .collect();
    found.sort_by_key(|(at, _, _)| *at);
    let mut kept: [Option<Target>; 3] = [None, None, None];
    let mut cut = vec![false; markers.len()];
    for (_, marker, target) in found {
        let slot = &mut kept[target.kind()];
        // A link's words that repeat its own address are cut too.
        let first_or_same = slot.as_ref().is_none_or(|kept| *kept == target);
        if let Some(index) = marker.filter(|_| first_or_same) {
            cut[index] = true;
        }
        slot.get_or_insert(target);
    }
    let mut citation = Citation::default();
    for target in kept.into_iter().flatten() {
        match target {
            Target::Url(url) => citation.url = Some(url),
            Target::Doi(doi) => citation.doi = Some(doi),
            Target::Pmid(pmid) => citation.pmid = Some(pmid),
        }
    }
    let mut words = String::with_capacity(text.len());
    let mut from = 0;
    for (marker, _) in markers.iter().zip(&cut).filter(|(_, cut)| **cut) {
        words.push_str(&text[from..marker.start]);
        words.push(' ');
        from = marker.end;
    }
    words.push_str(&text[from..]);
    citation.name = tidy(&words);
    if citation.name.is_empty() {
        // A footnote of an address alone is named by it.
        citation.name = citation
            .url
            .clone()
            .or_else(|| citation.doi.as_ref().map(|doi| format!("doi:{doi}")))
            .or_else(|| citation.pmid.as_ref().map(|pmid| format!("PMID: {pmid}")))
            .unwrap_or_default();
    }
    citation
}

/// The words left once markers are cut: spaces collapsed, and without
/// the punctuation the markers left alone ("2021. ." or "( )").
fn tidy(words: &str) -> String {
    let kept: Vec<&str> = words
        .split_whitespace()
        .filter(|word| !word.chars().all(|c| ".,;:()[]-–—|".contains(c)))
        .collect();
    kept.join(" ").trim_end_matches([',', ';', ':', ' ']).to_owned()
}

/// Every address, DOI and PMID written in `text`, in order.
fn markers_in(text: &str) -> Vec<Marker> {
    let mut markers = Vec::new();
    let mut previous: Option<char> = None;
    let mut index = 0;
    while let Some(c) = text[index..].chars().next() {
        let word_start = previous.is_none_or(|previous| !previous.is_alphanumeric());
        if let Some((length, target)) = marker_at(&text[index..], word_start) {
            if let Some(target) = target {
                markers.push(Marker {
                    start: index,
                    end: index + length,
                    target,
                });
            }
            index += length;
            previous = text[..index].chars().next_back();
        } else {
            index += c.len_utf8();
            previous = Some(c);
        }
    }
    markers
}

/// A marker at the start of `text`: its length in bytes and its target.
/// An address that does not parse has no target, and is passed over
/// whole, so that no address inside it is read again: each character of
/// a footnote is read once.
fn marker_at(text: &str, word_start: bool) -> Option<(usize, Option<Target>)> {
    if starts_with_ignoring_case(text, "https://") || starts_with_ignoring_case(text, "http://") {
        let length = address_length(text).max(1);
        return Some((length, classify_url(&text[..length])));
    }
    if !word_start {
        return None;
    }
    if starts_with_ignoring_case(text, "doi") {
        let after = label_end(text, 3)?;
        let (length, doi) = doi_at(&text[after..])?;
        return Some((after + length, Some(Target::Doi(doi))));
    }
    if starts_with_ignoring_case(text, "pmid") {
        let after = label_end(text, 4)?;
        let digits = text[after..].bytes().take_while(u8::is_ascii_digit).count();
        let ends_word = text[after + digits..]
            .chars()
            .next()
            .is_none_or(|next| !next.is_alphanumeric());
        return ((1..=9).contains(&digits) && ends_word).then(|| {
            (
                after + digits,
                Some(Target::Pmid(text[after..after + digits].to_owned())),
            )
        });
    }
    None
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// After a `DOI` or `PMID` label of `length` bytes: an optional colon,
/// then spaces. `None` when the label runs on into a word ("doing").
fn label_end(text: &str, length: usize) -> Option<usize> {
    let rest = &text[length..];
    let after_colon = rest.strip_prefix(':').unwrap_or(rest);
    let spaced = after_colon.trim_start_matches([' ', '\u{a0}']);
    let end = text.len() - spaced.len();
    (end > length).then_some(end)
}

/// A DOI at the start of `text` (`10.<registrant>/<suffix>`), without the
/// sentence's punctuation after it: its length and the DOI.
fn doi_at(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    if !text.starts_with("10.") {
        return None;
    }
    let registrant = bytes[3..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit() || **byte == b'.')
        .count();
    if registrant == 0 || bytes.get(3 + registrant) != Some(&b'/') {
        return None;
    }
    let suffix_start = 3 + registrant + 1;
    // Crossref's pattern for DOIs: letters, digits and -._;()/:
    let suffix = bytes[suffix_start..]
        .iter()
        .take_while(|byte| byte.is_ascii_alphanumeric() || b"-._;()/:".contains(byte))
        .count();
    let doi = without_trailing_punctuation(&text[..suffix_start + suffix]);
    (doi.len() > suffix_start).then(|| (doi.len(), doi.to_owned()))
}

/// How long the address at the start of `text` is: up to a space or a
/// character that cannot be in one, less the sentence's punctuation.
fn address_length(text: &str) -> usize {
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
        .unwrap_or(text.len());
    without_trailing_punctuation(&text[..end]).len()
}

/// `text` without the full stops, commas and unmatched closing
/// parentheses or brackets that end the sentence around it. The brackets
/// are counted once, so a long run of them costs no more than its length.
fn without_trailing_punctuation(text: &str) -> &str {
    let count = |c: char| text.matches(c).count();
    let (mut parentheses, mut brackets) = ((count('('), count(')')), (count('['), count(']')));
    let mut end = text.len();
    loop {
        let unmatched = |(open, close): &mut (usize, usize)| {
            let unmatched = *open < *close;
            *close -= usize::from(unmatched);
            unmatched
        };
        let strip = match text.as_bytes()[..end].last() {
            Some(b'.' | b',' | b';' | b':' | b'!' | b'?') => true,
            Some(b')') => unmatched(&mut parentheses),
            Some(b']') => unmatched(&mut brackets),
            _ => false,
        };
        if !strip {
            return &text[..end];
        }
        end -= 1;
    }
}

/// What an http(s) address points at: a DOI (doi.org), a PubMed ID
/// (pubmed.ncbi.nlm.nih.gov, ncbi.nlm.nih.gov/pubmed) or itself. `None`
/// for any other scheme and for what does not parse.
fn classify_url(address: &str) -> Option<Target> {
    let url = Url::parse(address.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    let mut segments = url.path_segments().into_iter().flatten();
    let found = match host {
        "doi.org" | "dx.doi.org" | "www.doi.org" => {
            let path = percent_encoding::percent_decode_str(url.path().trim_start_matches('/'))
                .decode_utf8()
                .ok()?;
            doi_at(&path)
                .filter(|(length, _)| *length == path.len())
                .map(|(_, doi)| Target::Doi(doi))
        }
        "pubmed.ncbi.nlm.nih.gov" => segments.next().and_then(pmid_of),
        "www.ncbi.nlm.nih.gov" | "ncbi.nlm.nih.gov" if segments.next() == Some("pubmed") => {
            segments.next().and_then(pmid_of)
        }
        _ => None,
    };
    Some(found.unwrap_or_else(|| Target::Url(url.into())))
}

fn pmid_of(segment: &str) -> Option<Target> {
    ((1..=9).contains(&segment.len()) && segment.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| Target::Pmid(segment.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Citation {
        read_citation(text, &[])
    }

    #[test]
    fn dois_are_read_in_every_usual_form() {
        for text in [
            "Smith J et al. Sleep and blood pressure. NEJM 2021. doi:10.1056/NEJMoa2034577",
            "Smith J et al. Sleep and blood pressure. NEJM 2021. DOI 10.1056/NEJMoa2034577.",
            "Smith J et al. Sleep and blood pressure. NEJM 2021. DOI: 10.1056/NEJMoa2034577",
            "Smith J et al. Sleep and blood pressure. NEJM 2021. https://doi.org/10.1056/NEJMoa2034577",
            "Smith J et al. Sleep and blood pressure. NEJM 2021. http://dx.doi.org/10.1056/NEJMoa2034577.",
        ] {
            let citation = read(text);
            assert_eq!(citation.doi.as_deref(), Some("10.1056/NEJMoa2034577"), "{text}");
            assert_eq!(
                citation.name, "Smith J et al. Sleep and blood pressure. NEJM 2021.",
                "{text}"
            );
            assert_eq!((citation.url, citation.pmid), (None, None), "{text}");
        }
    }

    #[test]
    fn pmids_are_read_with_or_without_a_colon_and_from_pubmed_addresses() {
        for text in [
            "Lee K. Naps and memory. Sleep 2019. PMID: 31234567",
            "Lee K. Naps and memory. Sleep 2019. PMID 31234567.",
            "Lee K. Naps and memory. Sleep 2019. pmid:31234567",
            "Lee K. Naps and memory. Sleep 2019. https://pubmed.ncbi.nlm.nih.gov/31234567/",
            "Lee K. Naps and memory. Sleep 2019. https://www.ncbi.nlm.nih.gov/pubmed/31234567",
        ] {
            let citation = read(text);
            assert_eq!(citation.pmid.as_deref(), Some("31234567"), "{text}");
            assert_eq!(citation.name, "Lee K. Naps and memory. Sleep 2019.", "{text}");
            assert_eq!((citation.url, citation.doi), (None, None), "{text}");
        }
    }

    #[test]
    fn a_doi_and_a_pmid_together_leave_the_words_tidy() {
        let citation = read("Smith J. Sleep. NEJM 2021 (doi: 10.1056/NEJMoa2034577; PMID: 33567185).");
        assert_eq!(citation.doi.as_deref(), Some("10.1056/NEJMoa2034577"));
        assert_eq!(citation.pmid.as_deref(), Some("33567185"));
        assert_eq!(citation.name, "Smith J. Sleep. NEJM 2021");
    }

    #[test]
    fn plain_addresses_and_link_destinations_are_urls() {
        let bare = read("NHS. High blood pressure. https://www.nhs.uk/conditions/high-blood-pressure/.");
        assert_eq!(
            bare.url.as_deref(),
            Some("https://www.nhs.uk/conditions/high-blood-pressure/")
        );
        assert_eq!(bare.name, "NHS. High blood pressure.");
        let text = "NHS: High blood pressure (2023).";
        let linked = read_citation(
            text,
            &[(0, "https://www.nhs.uk/conditions/high-blood-pressure/".into())],
        );
        assert_eq!(linked.name, text);
        assert_eq!(linked.url, bare.url);
        let doi_link = read_citation("Smith 2021", &[(0, "https://doi.org/10.1056/NEJMoa2034577".into())]);
        assert_eq!(
            (doi_link.url, doi_link.doi.as_deref()),
            (None, Some("10.1056/NEJMoa2034577"))
        );
    }

    #[test]
    fn the_first_of_each_kind_is_kept_and_later_ones_stay_words() {
        let citation = read("See https://a.example/one and https://b.example/two");
        assert_eq!(citation.url.as_deref(), Some("https://a.example/one"));
        assert_eq!(citation.name, "See and https://b.example/two");
    }

    #[test]
    fn a_source_of_words_alone_has_no_address() {
        let citation = read("World Health Organization. Guidelines on physical activity, 2020.");
        assert_eq!(
            citation,
            Citation {
                name: "World Health Organization. Guidelines on physical activity, 2020.".into(),
                ..Citation::default()
            }
        );
    }

    #[test]
    fn an_address_alone_names_itself() {
        assert_eq!(read("https://www.cdc.gov/sleep/").name, "https://www.cdc.gov/sleep/");
        assert_eq!(read("doi:10.1000/xyz123").name, "doi:10.1000/xyz123");
        assert_eq!(read("PMID: 123").name, "PMID: 123");
    }

    #[test]
    fn words_that_only_look_like_labels_are_words() {
        let citation = read("Doing 10.5/x well; Sadoi 10.1/y; PMID 12ab; PMIDs 123; doi:11.1/x; doi:10.1/");
        assert_eq!((citation.doi, citation.pmid), (None, None));
    }

    #[test]
    fn hostile_markers_never_become_addresses() {
        let quoted = read("doi:10.1000/abc\"onmouseover=alert(1) x");
        assert_eq!(quoted.doi.as_deref(), Some("10.1000/abc"));
        let angled = read("doi:10.1000/a<script>alert(1)</script>");
        assert_eq!(angled.doi.as_deref(), Some("10.1000/a"));
        for text in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://",
            "https:// nothing",
        ] {
            assert_eq!(read(text).url, None, "{text}");
        }
        let linked = read_citation("x", &[(0, "javascript:alert(1)".into())]);
        assert_eq!(linked.url, None);
        // The url crate writes what it keeps percent-encoded.
        let encoded = read_citation("x", &[(0, "https://a.example/\"><b>".into())]);
        assert_eq!(encoded.url.as_deref(), Some("https://a.example/%22%3E%3Cb%3E"));
        let doi_path = read_citation("x", &[(0, "https://doi.org/10.1000/a%22%3E".into())]);
        assert_eq!(doi_path.doi, None, "not a DOI: an ordinary address");
        assert_eq!(doi_path.url.as_deref(), Some("https://doi.org/10.1000/a%22%3E"));
    }

    #[test]
    fn addresses_end_where_the_sentence_does() {
        let citation = read("(see https://en.wikipedia.org/wiki/Sleep_(disambiguation)).");
        assert_eq!(
            citation.url.as_deref(),
            Some("https://en.wikipedia.org/wiki/Sleep_(disambiguation)")
        );
    }

    #[test]
    fn long_runs_of_would_be_markers_are_read_in_one_pass() {
        // Each of these would cost its length squared if every position
        // read to the end of the run again: seconds for a megabyte.
        let brackets = read(&"http://[".repeat(100_000));
        assert_eq!(brackets.url, None, "not an address");
        let parentheses = read(&format!("https://a.example/{}", ")".repeat(500_000)));
        assert_eq!(parentheses.url.as_deref(), Some("https://a.example/"));
        let dois = read(&"doi:10.1".repeat(100_000));
        assert_eq!(dois.doi, None, "no DOI without a suffix");
    }

    #[test]
    fn a_link_whose_words_are_its_address_is_named_by_it_once() {
        let citation = read_citation(
            "https://www.cdc.gov/sleep/",
            &[(0, "https://www.cdc.gov/sleep/".into())],
        );
        assert_eq!(citation.name, "https://www.cdc.gov/sleep/");
        assert_eq!(citation.url.as_deref(), Some("https://www.cdc.gov/sleep/"));
    }
}
