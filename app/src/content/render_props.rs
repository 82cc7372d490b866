//! Property tests for the renderer: whatever Markdown and raw HTML an
//! author types, `render_markdown` never panics, and what it returns holds
//! only elements and attributes the sanitiser allows: no script or style
//! element, no event handler (`on…=`) or `style` attribute, and no `href`
//! or `src` whose scheme a browser would read as anything but http(s),
//! mailto or tel (relative addresses such as `/media/…` stay), so no
//! `javascript:`, `vbscript:` or `data:` however the input spelled it
//! (case, character references, tabs and line breaks inside). Its output
//! also grows linearly with its input, measured in bytes, not time.
//!
//! Short in `make test` (64 cases each), long in `make fuzz`; see `config`.

use proptest::prelude::*;

use super::html_tags::{scheme, start_tags};
use super::render::{render_markdown, summarize};

/// 64 cases unless `PROPTEST_CASES` says otherwise (`make fuzz` sets it):
/// the `proptest!` macro applies the `PROPTEST_*` variables on top of this
/// config. Failures are not persisted (no `proptest-regressions` files in
/// the source tree): proptest prints the smallest failing input instead.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// ammonia's default tags (the renderer's `SANITIZER` adds `figure` and
/// `figcaption`, which are among them, and the Sources list's `section`),
/// plus the `div` that wraps tables.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// ammonia's default attributes (generic and per tag), the renderer's
/// `id` on headings and footnotes, `class` for footnotes, the `rel` added
/// to links, what the table wrapper carries, and the Sources list's
/// `aria-labelledby` (its `id`s and back-links' `aria-label` are above).
const ALLOWED_ATTRIBUTES: &[&str] = &[
    "lang",
    "title",
    "href",
    "hreflang",
    "dir",
    "cite",
    "align",
    "char",
    "charoff",
    "span",
    "datetime",
    "size",
    "width",
    "alt",
    "height",
    "src",
    "start",
    "summary",
    "colspan",
    "headers",
    "rowspan",
    "scope",
    "id",
    "class",
    "rel",
    "role",
    "tabindex",
    "aria-label",
    "aria-labelledby",
];

/// The schemes the renderer's `SANITIZER` lets through in `href` and `src`.
const SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Fragments that have got past sanitisers before, or that stress the
/// Markdown and HTML parsers.
const FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x.png\" onerror=\"alert(1)\" style=\"width:1px\">",
    "<IMG SRC=\"jav&#x09;ascript:alert(1)\">",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<img src=data:text/html,<script>alert(1)</script>>",
    "<img src=\"/media/0123.png\" alt=\"ok\">",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1) \"t\")",
    "[x](<javascript:alert(1)>)",
    "![x](data:image/png;base64,AAAA)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](&#106;avascript:alert(1))",
    "[x](java\u{0}script:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)\n",
    "[ok](/media/abc.png) [ok](https://example.com/?a=1&b=2) [ok](mailto:a@example.com) [ok](tel:+123)",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"&#x6A;&#x61;vascript:alert(1)\">x</a>",
    "<a href=\"&#0000106;avascript:alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"java&NewLine;script:alert(1)\">x</a>",
    "<a href=\"\u{1}javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=/media/abc.png onclick=alert(1)>x</a>",
    "<a href='//evil.example' onmouseover='alert(1)'>x</a>",
    "<a href=\"x\" ping=\"javascript:alert(1)\">x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate attributeName=href values=javascript:alert(1) /></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html,x\">",
    "<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
    "<style>body{display:none}</style>",
    "<p style=\"color:red\">styled</p>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<abbr title=\"<table>\">BP</abbr>",
    "<abbr title=\"&quot; onmouseover=alert(1) x=&quot;\">t</abbr>",
    "<div class=\"footnote-definition x\" id=\"y\" onclick=\"alert(1)\">",
    "<table><tr><td><table><tr><td>nested</td></tr></table></td></tr></table>",
    "<table><td><table><td>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |\n",
    "| a |\n|:---:|\n| b | c | d |\n",
    "Text[^1].\n\n[^1]: A <img src=x onerror=alert(1)> note.\n",
    "Cited[^s][^S].\n\n[^s]: Smith J. doi:10.1000/a\"onclick=\"alert(1) PMID: 123 https://x.example/\"><script>\n",
    "[^u]: [x](javascript:alert(1)) doi:10.1/<img src=x onerror=alert(1)> https://doi.org/10.1/%22%3E\n",
    "<section class=\"sources x\" aria-labelledby=\"y\" onclick=\"alert(1)\"><li id=\"source-1\">",
    "[^x]: ",
    "<javascript:alert(1)>",
    "<data:text/html,x>",
    "<https://example.com/a?b=c&d=\"e\">",
    "<mailto:a@example.com>",
    "<!-- <script>alert(1)</script> -->",
    "<!-- unclosed comment",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!DOCTYPE html>",
    "<?php echo 1; ?>",
    "<script",
    "<a href=\"javascript:alert(1)",
    "<img src=x onerror=alert(1)",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<textarea><script>alert(1)</script></textarea>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>",
    "<template><script>alert(1)</script></template>",
    "```html\n<script>alert(1)</script>\n```\n",
    "    <script>indented code</script>\n",
    "`<script>`",
    "# Heading {#x .y onclick=alert(1) style=color:red}\n",
    "## <img src=x onerror=alert(1)>\n",
    "> <script>alert(1)</script>\n",
    "- [x](javascript:alert(1))\n- item\n",
    "1. one\n2. two\n",
    "*",
    "**",
    "_",
    "~~",
    "[",
    "](",
    "|",
    "---\n",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "\\",
    "<",
    ">",
    "\"",
    "'",
    "\u{0}",
    "\u{feff}",
    "\r\n",
];

/// What goes between two fragments: a blank line starts a new Markdown
/// block, so raw HTML is read as an HTML block rather than inline.
const SEPARATORS: &[&str] = &["", " ", "\n", "\n\n", "\n    "];

/// Addresses a browser would run, or load as a document.
const HOSTILE_URLS: &[&str] = &[
    "javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
];

/// A hostile address with each character written plainly, in upper case,
/// as a decimal or hexadecimal character reference (with leading zeros,
/// with or without the `;`), or after a tab or an encoded line break; in a
/// raw `<a href>` or `<img src>`, or a Markdown link, image, reference or
/// autolink.
fn obfuscated_link() -> impl Strategy<Value = String> {
    (
        prop::sample::select(HOSTILE_URLS),
        prop::collection::vec(0u8..8, 64),
        0u8..8,
    )
        .prop_map(|(url, spellings, wrapper)| {
            let mut spelled = String::new();
            for (index, c) in url.chars().enumerate() {
                let code = u32::from(c);
                match spellings.get(index).copied().unwrap_or(0) {
                    1 => spelled.push(c.to_ascii_uppercase()),
                    2 => spelled.push_str(&format!("&#{code};")),
                    3 => spelled.push_str(&format!("&#x{code:x};")),
                    4 => spelled.push_str(&format!("&#X{code:06X};")),
                    5 => spelled.push_str(&format!("&#{code:07}")),
                    6 => {
                        spelled.push('\t');
                        spelled.push(c);
                    }
                    7 => {
                        spelled.push_str("&NewLine;");
                        spelled.push(c);
                    }
                    _ => spelled.push(c),
                }
            }
            match wrapper {
                0 => format!("<a href=\"{spelled}\">x</a>"),
                1 => format!("<img src=\"{spelled}\">"),
                2 => format!("<a href='{spelled}'>x</a>"),
                3 => format!("[x]({spelled})"),
                4 => format!("![x]({spelled})"),
                5 => format!("[x][r]\n\n[r]: {spelled}\n"),
                6 => format!("<{spelled}>"),
                _ => format!("<a href={spelled}>x</a>"),
            }
        })
}

/// One piece of input: a known fragment, a hostile address, or arbitrary
/// text (printable, any line, any characters).
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        2 => obfuscated_link(),
        1 => any::<String>(),
        1 => ".*",
        1 => prop::collection::vec(any::<char>(), 0..24).prop_map(|chars| chars.into_iter().collect::<String>()),
    ]
}

/// Up to `max_parts` pieces in random order, with random separators.
fn markdown(max_parts: usize) -> impl Strategy<Value = String> {
    prop::collection::vec((fragment(), prop::sample::select(SEPARATORS)), 0..=max_parts).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(fragment, separator)| fragment + separator)
            .collect::<String>()
    })
}

/// Everything the sanitiser promises about `html`, rendered from `input`.
fn check_safe(html: &str, input: &str) -> Result<(), TestCaseError> {
    let lower = html.to_ascii_lowercase();
    for element in ["<script", "<style", "<iframe"] {
        prop_assert!(!lower.contains(element), "{element} in {html:?}\nfrom {input:?}");
    }
    // No comment, nothing Leptos's hydration marks could be confused
    // with: public pages remove those marks from around the article
    // (`blog::layout`), never from it.
    prop_assert!(!html.contains("<!"), "<! in {html:?}\nfrom {input:?}");
    for tag in start_tags(html) {
        prop_assert!(
            ALLOWED_TAGS.contains(&tag.name.as_str()),
            "<{}> is not a tag the sanitiser allows, in {html:?}\nfrom {input:?}",
            tag.name
        );
        for (name, value) in &tag.attributes {
            prop_assert!(
                !name.starts_with("on"),
                "an event handler {name}= on <{}>, in {html:?}\nfrom {input:?}",
                tag.name
            );
            prop_assert!(
                name.as_str() != "style",
                "a style attribute on <{}>, in {html:?}\nfrom {input:?}",
                tag.name
            );
            prop_assert!(
                ALLOWED_ATTRIBUTES.contains(&name.as_str()),
                "{name}= on <{}> is not an attribute the sanitiser allows, in {html:?}\nfrom {input:?}",
                tag.name
            );
            if matches!(name.as_str(), "href" | "src") {
                let found = scheme(value);
                prop_assert!(
                    found.as_deref().is_none_or(|found| SCHEMES.contains(&found)),
                    "{name}={value:?} on <{}> has the scheme {found:?}, in {html:?}\nfrom {input:?}",
                    tag.name
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rendered_html_is_safe(input in markdown(24)) {
        check_safe(&render_markdown(&input).html, &input)?;
    }

    #[test]
    fn obfuscated_addresses_never_survive(
        before in markdown(3),
        link in obfuscated_link(),
        after in markdown(3),
    ) {
        let input = format!("{before}{link}{after}");
        check_safe(&render_markdown(&input).html, &input)?;
    }

    #[test]
    fn any_bytes_render_safely(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let input = String::from_utf8_lossy(&bytes);
        check_safe(&render_markdown(&input).html, &input)?;
    }

    #[test]
    fn a_summary_agrees_with_the_render(input in markdown(12)) {
        let rendered = render_markdown(&input);
        let summary = summarize(&input);
        prop_assert_eq!(summary.first_paragraph, rendered.first_paragraph);
        prop_assert_eq!(summary.reading_time_minutes, rendered.reading_time_minutes);
        let mut ids: Vec<&str> = rendered.headings.iter().map(|heading| heading.id.as_str()).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), count, "heading ids repeat");
    }

    /// Output size, not time: `copies` copies of a chunk, then twice as
    /// many. Per copy the output is bounded by the chunk's length squared
    /// (not linearly: one `[a]` can print a whole link definition, and a
    /// one-cell table row is padded to the header's width), so the bound
    /// is `per_copy` for each copy, and doubling the copies may at most
    /// double the output, give or take one copy's worth where the copies
    /// meet.
    #[test]
    fn output_grows_linearly_with_the_input(chunk in markdown(6), copies in 1usize..=8) {
        let once = render_markdown(&chunk.repeat(copies)).html.len();
        let twice = render_markdown(&chunk.repeat(2 * copies)).html.len();
        let per_copy = 64 * (chunk.len() + 16).pow(2);
        prop_assert!(
            once <= copies * per_copy,
            "{copies} copies of {} bytes gave {once} bytes: {chunk:?}",
            chunk.len()
        );
        prop_assert!(
            twice <= 2 * once + per_copy,
            "{copies} copies gave {once} bytes, {} copies {twice}: {chunk:?}",
            2 * copies
        );
    }
}
