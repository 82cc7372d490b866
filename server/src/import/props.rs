//! Property tests for `vellum import wordpress` and `vellum import ghost`:
//! no file, however damaged, makes the importers panic, and what they make
//! of a file they accept is safe to write: slugs the store and a later
//! `vellum import vellum` accept, and bodies whose Markdown renders without
//! a script, an event handler, a `style` attribute or a `javascript:` or
//! `data:` address.
//!
//! A refused file writes nothing: `foreign` (mod.rs) parses the whole file
//! before it opens the database or fetches an image, and the HTTP test
//! `a_failed_import_leaves_the_database_and_the_media_folder_as_they_were`
//! checks the writing side. So here it is enough that `parse` returns `Ok`
//! or `Err` and never panics.
//!
//! Short in `make test` (64 cases each, 32 for the whole real exports),
//! long in `make fuzz`; see `config`.

#[path = "../../../app/src/content/html_tags.rs"]
mod html_tags;

use std::sync::Arc;

use app::content::render::render_markdown;
use app::posts::server::Slug;
use html_tags::{StartTag, scheme, start_tags};
use proptest::prelude::*;
use proptest::sample::Index;

use super::images::Fetched;
use super::{Attachment, Source, convert_bodies, ghost, html, shortcodes, wordpress};

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

#[derive(Debug, Clone, Copy)]
enum Format {
    WordPress,
    Ghost,
}

/// An export under tests/fixtures/import.
struct Fixture {
    name: &'static str,
    format: Format,
    /// What `--site-url` says when it is imported.
    site_url: Option<&'static str>,
    text: &'static str,
}

/// Where the real Ghost export's site ran; the file writes `__GHOST_URL__`.
const GHOST_SITE: &str = "http://127.0.0.1:2368";

/// The real exports (real/README.md says how they were made) and the
/// hand-written ones; `broken.xml` is refused as it is.
const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "real/wordpress-6.1.9.xml",
        format: Format::WordPress,
        site_url: None,
        text: include_str!("../../../tests/fixtures/import/real/wordpress-6.1.9.xml"),
    },
    Fixture {
        name: "real/wordpress-6.1.9-multisite-clinic.xml",
        format: Format::WordPress,
        site_url: None,
        text: include_str!("../../../tests/fixtures/import/real/wordpress-6.1.9-multisite-clinic.xml"),
    },
    Fixture {
        name: "real/ghost-5.130.6.json",
        format: Format::Ghost,
        site_url: Some(GHOST_SITE),
        text: include_str!("../../../tests/fixtures/import/real/ghost-5.130.6.json"),
    },
    Fixture {
        name: "wordpress.xml",
        format: Format::WordPress,
        site_url: None,
        text: include_str!("../../../tests/fixtures/import/wordpress.xml"),
    },
    Fixture {
        name: "ghost.json",
        format: Format::Ghost,
        site_url: Some(GHOST_SITE),
        text: include_str!("../../../tests/fixtures/import/ghost.json"),
    },
    Fixture {
        name: "broken.xml",
        format: Format::WordPress,
        site_url: None,
        text: include_str!("../../../tests/fixtures/import/broken.xml"),
    },
];

/// Reads `text` as `vellum import` does.
fn parse(format: Format, text: &str, site_url: Option<&str>) -> anyhow::Result<Source> {
    match format {
        Format::WordPress => wordpress::parse(text, site_url),
        Format::Ghost => ghost::parse(text, site_url),
    }
}

/// Reads `text` as both formats, with and without `--site-url`.
fn read_every_way(text: &str) -> Result<(), TestCaseError> {
    for format in [Format::WordPress, Format::Ghost] {
        for site_url in [None, Some(GHOST_SITE)] {
            if let Ok(source) = parse(format, text, site_url) {
                check_source(source)?;
            }
        }
    }
    Ok(())
}

/// What an import makes of a file it accepts: slugs that are safe path
/// segments and that the store and `vellum import vellum` accept, and
/// bodies (converted as `foreign` converts them, without fetching images)
/// that render safely.
fn check_source(mut source: Source) -> Result<(), TestCaseError> {
    for user in &source.site.users {
        prop_assert!(
            Slug::is_well_formed(&user.slug),
            "the person {:?} got the slug {:?}",
            user.display_name,
            user.slug
        );
    }
    for tag in &source.site.tags {
        prop_assert!(
            Slug::is_well_formed(&tag.slug),
            "the tag {:?} got the slug {:?}",
            tag.name,
            tag.slug
        );
    }
    for post in &source.site.posts {
        prop_assert!(
            Slug::parse(&post.content.slug).is_ok(),
            "the post {:?} got the slug {:?}",
            post.content.title,
            post.content.slug
        );
    }
    convert_bodies(&mut source, &Fetched::default());
    for post in &source.site.posts {
        check_rendered(&post.content.body)?;
        check_rendered(&post.content.excerpt)?;
    }
    Ok(())
}

/// What the renderer promises whatever the Markdown (its own property
/// tests, app/src/content/render_props.rs, check all of it): no script,
/// style or iframe element, no event handler or `style` attribute, and no
/// `href` or `src` with a scheme other than http(s), mailto or tel.
fn check_rendered(markdown: &str) -> Result<(), TestCaseError> {
    let html = render_markdown(markdown).html;
    let lower = html.to_ascii_lowercase();
    for element in ["<script", "<style", "<iframe"] {
        prop_assert!(!lower.contains(element), "{element} in {html:?}\nfrom {markdown:?}");
    }
    for StartTag { name: tag, attributes } in start_tags(&html) {
        for (name, value) in attributes {
            prop_assert!(
                !name.starts_with("on") && name != "style",
                "{name}= on <{tag}>, in {html:?}\nfrom {markdown:?}"
            );
            if matches!(name.as_str(), "href" | "src") {
                let found = scheme(&value);
                prop_assert!(
                    found
                        .as_deref()
                        .is_none_or(|found| matches!(found, "http" | "https" | "mailto" | "tel")),
                    "{name}={value:?} on <{tag}> has the scheme {found:?}, in {html:?}\nfrom {markdown:?}"
                );
            }
        }
    }
    Ok(())
}

/// One change to an export's bytes. Positions are taken modulo the
/// length, so every mutation applies to a file of any length.
#[derive(Debug, Clone)]
enum Mutation {
    /// Removes up to 255 bytes from a point.
    Delete(Index, usize),
    /// Repeats up to 255 bytes from a point right after themselves.
    Duplicate(Index, usize),
    /// Inserts text at a point.
    Insert(Index, String),
    /// Swaps two ranges.
    Swap(Index, Index, Index, Index),
    /// Cuts the file at a point.
    Truncate(Index),
    /// Replaces one byte with one that means something in XML or JSON.
    Replace(Index, u8),
}

/// Bytes that end or start something in XML or JSON.
const SPECIAL_BYTES: &[u8] = b"<>&\"'\0[]{}:,\\";

/// Text that means something in XML, WXR or a Ghost export.
const INSERTED: &[&str] = &[
    "<",
    ">",
    "&",
    "\"",
    "'",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&unknown;",
    "<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
    "&b;",
    "<item>",
    "</item>",
    "<wp:post_type>attachment</wp:post_type>",
    "<wp:post_type>page</wp:post_type>",
    "<wp:post_id>x</wp:post_id>",
    "<wp:status>publish</wp:status>",
    "<wp:post_password>secret</wp:post_password>",
    "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>",
    "<content:encoded><![CDATA[<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>]]></content:encoded>",
    "<dc:creator>nobody</dc:creator>",
    "<category domain=\"post_tag\" nicename=\"\"><![CDATA[]]></category>",
    "[caption id=\"attachment_11\" width=\"300\"]",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "0",
    "-1",
    "1e999",
    "\"\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"posts\":[]",
    "\"status\":\"published\"",
    "\"published_at\":\"0000-00-00 00:00:00\"",
    "\"created_at\":\"2026-13-45 99:99:99\"",
    "\"html\":\"<script>alert(1)</script><a href=\\\"javascript:alert(1)\\\">x</a>\"",
    "__GHOST_URL__",
    "\0",
    "\u{feff}",
    "é",
    "ß",
    "🙂",
    "\u{202e}",
];

fn inserted() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(INSERTED).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => ".*",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0usize..256).prop_map(|(at, length)| Mutation::Delete(at, length)),
        (any::<Index>(), 0usize..256).prop_map(|(at, length)| Mutation::Duplicate(at, length)),
        (any::<Index>(), inserted()).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (any::<Index>(), any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c, d)| Mutation::Swap(a, b, c, d)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), prop::sample::select(SPECIAL_BYTES)).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
    ]
}

/// `bytes` after `mutation`.
fn mutated(bytes: &[u8], mutation: &Mutation) -> Vec<u8> {
    let len = bytes.len();
    let point = |index: &Index| index.index(len + 1);
    match mutation {
        Mutation::Delete(at, length) => {
            let start = point(at);
            let end = start.saturating_add(*length).min(len);
            [&bytes[..start], &bytes[end..]].concat()
        }
        Mutation::Duplicate(at, length) => {
            let start = point(at);
            let end = start.saturating_add(*length).min(len);
            [&bytes[..end], &bytes[start..]].concat()
        }
        Mutation::Insert(at, text) => {
            let at = point(at);
            [&bytes[..at], text.as_bytes(), &bytes[at..]].concat()
        }
        Mutation::Swap(a, b, c, d) => {
            let mut points = [point(a), point(b), point(c), point(d)];
            points.sort_unstable();
            let [p0, p1, p2, p3] = points;
            [
                &bytes[..p0],
                &bytes[p2..p3],
                &bytes[p1..p2],
                &bytes[p0..p1],
                &bytes[p3..],
            ]
            .concat()
        }
        Mutation::Truncate(at) => bytes[..point(at)].to_vec(),
        Mutation::Replace(at, byte) => {
            let mut bytes = bytes.to_vec();
            if let Some(slot) = bytes.get_mut(point(at)) {
                *slot = *byte;
            }
            bytes
        }
    }
}

/// Pieces of the HTML other systems store: WordPress's blocks, comments
/// and shortcodes, embeds, and what a hostile post could hold.
const HTML_BITS: &[&str] = &[
    "<p>",
    "</p>",
    "<h2>",
    "</h2>",
    "<ul><li>",
    "</li></ul>",
    "<ol start=\"3\"><li>",
    "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>",
    "</td></tr></tbody></table>",
    "<pre><code>",
    "</code></pre>",
    "<blockquote>",
    "<figure><img src=\"https://old.example/wp-content/uploads/a-300x200.jpg\" alt=\"A ] chart\"><figcaption>",
    "</figcaption></figure>",
    "<a href=\"https://old.example/2024/01/post/\">",
    "</a>",
    "<strong>",
    "<em>",
    "<sup>",
    "<mark>",
    "<br>",
    "<hr>",
    "<!-- wp:paragraph -->",
    "<!-- /wp:paragraph -->",
    "<!--more-->",
    "[caption id=\"attachment_1\" align=\"alignnone\" width=\"300\"]",
    "[/caption]",
    "[gallery ids=\"1,2\"]",
    "[gallery]",
    "[embed]https://www.youtube.com/watch?v=x[/embed]",
    "[embed]javascript:alert(1)[/embed]",
    "[video src=\"javascript:alert(1)\"][/video]",
    "[audio mp3=\"data:audio/mp3,x\"]",
    "[contact-form-7 id=\"1\"]",
    "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<video src=\"data:video/mp4,x\"></video>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\" alt=\"](javascript:alert(1))\">",
    "<img src=\"https://old.example/a b(c)<d>.png\" alt=\"x\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\" onclick=\"alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"https://x.example/a b(c)<d>\">odd address</a>",
    "<p style=\"color:red\">",
    "<div onclick=\"alert(1)\">",
    "<svg><script>alert(1)</script></svg>",
    "<form action=\"javascript:alert(1)\"><input value=x><button>b</button></form>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    "<textarea><script>alert(1)</script></textarea>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>`",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "\\",
    "<",
    ">",
    "&",
    "\n",
    "\n\n",
    " ",
];

/// Uploads whose address and alt text try to break out of the HTML that
/// `[gallery]` makes of them.
fn hostile_attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            id: "1".into(),
            url: "javascript:alert(1)".into(),
            alt: "\"><script>alert(1)</script>".into(),
            uploader: String::new(),
            parent: "1".into(),
        },
        Attachment {
            id: "2".into(),
            url: "https://old.example/a.png\" onerror=\"alert(1)".into(),
            alt: "](javascript:alert(1))".into(),
            uploader: String::new(),
            parent: "1".into(),
        },
    ]
}

/// Up to 32 pieces of HTML and arbitrary text, in random order.
fn html_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(HTML_BITS).prop_map(str::to_owned),
            1 => any::<String>(),
            1 => ".*",
        ],
        0..32,
    )
    .prop_map(|parts| parts.concat())
}

/// The properties below start from files the importers read.
#[test]
fn the_fixtures_are_read_as_they_are() {
    for fixture in FIXTURES.iter().filter(|fixture| fixture.name != "broken.xml") {
        match parse(fixture.format, fixture.text, fixture.site_url) {
            Ok(source) => {
                if let Err(error) = check_source(source) {
                    panic!("{}: {error}", fixture.name);
                }
            }
            Err(error) => panic!("{}: {error:#}", fixture.name),
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_refused_or_read(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_every_way(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn the_start_of_an_export_then_noise_is_refused_or_read(
        which in 0..FIXTURES.len(),
        keep in any::<Index>(),
        noise in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let text = FIXTURES[which].text.as_bytes();
        let bytes = [&text[..keep.index(text.len() + 1)], &noise[..]].concat();
        read_every_way(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn converted_html_renders_safely(body in html_text()) {
        check_rendered(&html::to_markdown(&body, &Arc::default()).markdown)?;
        let expanded = shortcodes::expand(&body, "1", &hostile_attachments());
        check_rendered(&html::to_markdown(&expanded, &Arc::default()).markdown)?;
    }
}

proptest! {
    // Each case reads and converts a whole export: fewer of them.
    #![proptest_config(ProptestConfig { cases: 32, ..config() })]

    #[test]
    fn mutated_exports_are_refused_or_read(
        which in 0..FIXTURES.len(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let fixture = &FIXTURES[which];
        let mut bytes = fixture.text.as_bytes().to_vec();
        for mutation in &mutations {
            bytes = mutated(&bytes, mutation);
        }
        if let Ok(source) = parse(fixture.format, &String::from_utf8_lossy(&bytes), fixture.site_url) {
            check_source(source)?;
        }
    }
}
