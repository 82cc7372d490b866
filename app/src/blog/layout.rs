use leptos::prelude::*;

use super::chrome::{ClinicFooter, HeaderMenu, SiteChrome, chrome, organization, script_text};
use crate::settings::SiteSettings;

/// How a page describes itself to search engines and when shared: its
/// canonical address and the Open Graph and Twitter card tags.
#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    pub canonical: String,
    /// `website` or `article`.
    pub kind: &'static str,
    pub image: Option<(String, String)>,
    /// RFC 3339 times, for articles.
    pub published: Option<String>,
    pub modified: Option<String>,
}

/// An Open Graph `<meta property=… content=…>` (`property` is not an
/// attribute the view macro knows, so it is added by name).
fn og(property: &'static str, content: impl Into<String>) -> impl IntoView {
    use leptos::attr::custom::CustomAttribute;
    let content: String = content.into();
    view! { <meta content=content /> }.attr("property", property)
}

/// The document around every public page. It links the style sheet and
/// nothing else: public pages carry no script at all.
#[component]
pub fn PublicDocument(
    /// The text of the `<title>` element.
    title: String,
    /// The `<meta name="description">` text.
    description: String,
    /// The site's settings (title, logo, accent); `None` when they could
    /// not be read (e.g. the database is down).
    site: Option<SiteSettings>,
    /// This page's own feed, besides the site's (an author's or a tag's).
    #[prop(optional)]
    feed: Option<(String, String)>,
    #[prop(optional)] meta: Option<PageMeta>,
    /// This page's own JSON-LD (an article, a page), beside the site's
    /// organisation; like it, left out of pages kept from search engines.
    #[prop(optional)]
    json_ld: Option<String>,
    /// Keeps the page out of search engines (search results, previews).
    #[prop(optional)]
    noindex: bool,
    children: Children,
) -> impl IntoView {
    let site_title = site.as_ref().map(|site| site.title.clone());
    let language = site.as_ref().map_or_else(
        || crate::domain::DEFAULT_LANGUAGE.to_owned(),
        |site| site.language.clone(),
    );
    let logo = site
        .as_ref()
        .map(|site| site.logo_url.clone())
        .filter(|logo| !logo.is_empty());
    // The accent is in the style sheet's address, so the sheet can be
    // cached for good: a new colour is a new address.
    let theme = site
        .as_ref()
        .and_then(|site| site.accent_color.strip_prefix('#'))
        .map(|hex| format!("/theme.css?accent={hex}"));
    let sharing = meta.map(|meta| {
        let card = if meta.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        };
        view! {
            <link rel="canonical" href=meta.canonical.clone() />
            {og("og:type", meta.kind)}
            {og("og:site_name", site_title.clone().unwrap_or_default())}
            {og("og:title", title.clone())}
            {og("og:description", description.clone())}
            {og("og:url", meta.canonical)}
            {meta.image.map(|(src, alt)| view! {
                {og("og:image", src)}
                {og("og:image:alt", alt)}
            })}
            {meta.published.map(|at| view! { {og("article:published_time", at)} })}
            {meta.modified.map(|at| view! { {og("article:modified_time", at)} })}
            <meta name="twitter:card" content=card />
        }
    });
    let chrome = chrome();
    let stylesheet = if chrome.stylesheet.is_empty() {
        crate::state::Stylesheet::UNHASHED.to_owned()
    } else {
        chrome.stylesheet.clone()
    };
    // Data for search engines, not a script: browsers never run it.
    // Previews are for their link's holders, never for search engines.
    let organization = site.as_ref().filter(|_| !noindex).map(|site| {
        script_text(
            &serde_json::json!({ "@context": "https://schema.org", "@graph": [organization(site, &chrome.clinic)] }),
        )
    });
    let site_title = site_title.unwrap_or_else(|| "Vellum".to_owned());
    let feed_title = format!("{site_title} (RSS)");
    view! {
        <html lang=language>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{title}</title>
                <meta name="description" content=description />
                {noindex.then(|| view! { <meta name="robots" content="noindex" /> })}
                <link rel="stylesheet" href=stylesheet />
                // Without a logo, browsers ask for /favicon.ico: Vellum's icon.
                {logo.clone().map(|href| view! { <link rel="icon" href=href /> })}
                {theme.map(|href| view! { <link rel="stylesheet" href=href /> })}
                {sharing}
                <link rel="alternate" type="application/rss+xml" title=feed_title href="/feed.xml" />
                <link rel="alternate" type="application/atom+xml" title=format!("{site_title} (Atom)") href="/atom.xml" />
                {feed.map(|(title, href)| view! {
                    <link rel="alternate" type="application/rss+xml" title=title href=href />
                })}
                // Data for search engines, not scripts: browsers never run them.
                {organization.map(|data| view! { <script type="application/ld+json" inner_html=data></script> })}
                {json_ld.filter(|_| !noindex).map(|data| view! {
                    <script type="application/ld+json" inner_html=data></script>
                })}
            </head>
            <body class="public">
                <a class="skip-link" href="#main">"Skip to content"</a>
                <header class="site-header">
                    <a class="site-title" href="/">
                        {logo.map(|src| view! { <img class="site-logo" src=src alt="" height="40" /> })}
                        {site_title}
                    </a>
                    <HeaderMenu links=chrome.menus.header.clone() />
                    <a class="site-search" href="/search">"Search"</a>
                </header>
                <main id="main" class="site-main">{children()}</main>
                <ClinicFooter chrome />
            </body>
        </html>
    }
}

/// The banner over a preview of an unpublished article or page.
#[component]
pub fn PreviewBanner(
    /// "article" or "page".
    what: &'static str,
) -> impl IntoView {
    view! {
        <p class="preview-banner" role="note">
            {format!("Preview: this {what} is not published. Please do not share this link.")}
        </p>
    }
}

/// Renders a public page to a complete HTML document, inside the site's
/// chrome (menus, the clinic), which its components read as context.
pub fn render_document<V: IntoView + 'static>(chrome: SiteChrome, view: impl FnOnce() -> V) -> String {
    let owner = Owner::new();
    let html = owner.with(|| {
        provide_context(chrome);
        view().into_view().to_html()
    });
    let mut document = String::with_capacity(html.len() + 16);
    document.push_str("<!DOCTYPE html>");
    push_without_marks(&mut document, &html);
    document
}

/// What Leptos writes for hydration, which public pages never get: `<!>`
/// between two texts and where an empty part of a view sits (a bogus
/// comment to HTML checkers), and `<!--<() />-->` for an empty `AnyView`.
/// (No API of Leptos 0.8 leaves them out: `to_html` writes them whenever
/// it escapes text.)
const MARKS: [&str; 2] = ["<!>", "<!--<() />-->"];

/// Copies `html` to `out` without Leptos's marks, which sit only where
/// markup does. Text is escaped (Leptos's, and the sanitised article's,
/// which holds no comment), so a `<` in text position is a tag or a mark.
/// Tags are copied whole and so is the text of `<script>` and `<style>`:
/// an attribute value or a script that held `<!>` would keep it.
fn push_without_marks(out: &mut String, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(mark) = MARKS.iter().find(|mark| rest.starts_with(**mark)) {
            rest = &rest[mark.len()..];
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        out.push_str(tag);
        rest = &rest[end..];
        if let Some(name) = raw_text_element(tag) {
            let close = find_ignoring_case(rest, name).unwrap_or(rest.len());
            out.push_str(&rest[..close]);
            rest = &rest[close..];
        }
    }
    out.push_str(rest);
}

/// The length of the tag (or comment) that `html` starts with: up to the
/// first `>` outside quotes, or to the end.
fn tag_end(html: &str) -> usize {
    if let Some(comment) = html.strip_prefix("<!--") {
        return comment.find("-->").map_or(html.len(), |at| at + 7);
    }
    let mut quote = None;
    for (at, byte) in html.bytes().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if open == byte => quote = None,
            (None, b'>') => return at + 1,
            _ => {}
        }
    }
    html.len()
}

/// The closing tag to look for when `tag` opens an element whose text is
/// not markup.
fn raw_text_element(tag: &str) -> Option<&'static str> {
    let name = tag.as_bytes().get(1..).unwrap_or_default();
    let opens = |element: &str| {
        name.len() > element.len()
            && name[..element.len()].eq_ignore_ascii_case(element.as_bytes())
            && matches!(
                name[element.len()],
                b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
            )
    };
    if opens("script") {
        Some("</script")
    } else if opens("style") {
        Some("</style")
    } else {
        None
    }
}

/// Where `needle` (lowercase ASCII) first occurs in `haystack`, in any case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A pairing used by pages that show the site's identity.
pub fn page_title(page: &str, settings: &SiteSettings) -> String {
    if page.is_empty() {
        settings.title.clone()
    } else {
        format!("{page} · {}", settings.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_marks(html: &str) -> String {
        let mut out = String::new();
        push_without_marks(&mut out, html);
        out
    }

    #[test]
    fn leptos_marks_go_and_nothing_else() {
        assert_eq!(
            without_marks("<p>By <!><a href=\"/a\">Ana</a><!> and <!>Ben</p><!--<() />--><!>"),
            "<p>By <a href=\"/a\">Ana</a> and Ben</p>"
        );
        // Inside a tag, a script or a style, `<!>` is someone's text.
        let kept = "<abbr title=\"a<!>b\">x</abbr><img alt='<!>' src=\"/x.png\">\
                    <script type=\"application/ld+json\">{\"a\":\"<!>\"}</script><STYLE>p::after{content:\"<!>\"}</STYLE>";
        assert_eq!(without_marks(kept), kept);
        assert_eq!(without_marks("<!-- a <!> comment -->x"), "<!-- a <!> comment -->x");
        assert_eq!(without_marks("<p title=\"unclosed"), "<p title=\"unclosed");
        assert_eq!(
            without_marks("<style-guide><!>x</style-guide><scripts><!>y</scripts>"),
            "<style-guide>x</style-guide><scripts>y</scripts>"
        );
    }

    /// What Leptos writes between two texts and for an absent part, as
    /// the pages write them, is gone from the document.
    #[test]
    fn a_rendered_page_has_no_marks() {
        let raw = Owner::new().with(|| {
            let missing: Option<&str> = None;
            view! { <p>"By " {"Ana"} " and " {"Ben"} {missing}</p> }.to_html()
        });
        assert!(raw.contains("<!>"), "Leptos marks it: {raw}");
        let page = render_document(SiteChrome::default(), || {
            let missing: Option<&str> = None;
            view! { <p>"By " {"Ana"} " and " {"Ben"} {missing}</p> }
        });
        assert_eq!(page, "<!DOCTYPE html><p>By Ana and Ben</p>");
    }

    /// Nothing an author writes can pass for a mark: the article's HTML
    /// holds no comment and no `<!` at all (the renderer escapes `<` in
    /// text and attribute values, the sanitiser drops comments), so the
    /// page keeps every character of it.
    #[test]
    fn an_articles_own_text_survives() {
        let article = crate::content::render::render_markdown(
            "Compare `<!>` with \\<!> and <abbr title=\"x<!>y\">this</abbr>. <!-- a note --> <!>Done.\n\n\
             <div><!><p>Raw <!---> HTML</p><!--<() />--></div>",
        )
        .html;
        assert!(!article.contains("<!"), "{article}");
        let page = render_document(
            SiteChrome::default(),
            || view! { <div inner_html=article.clone()></div> },
        );
        assert_eq!(page, format!("<!DOCTYPE html><div>{article}</div>"));
        assert!(page.contains("<code>&lt;!&gt;</code> with &lt;!&gt; and"), "{page}");
        assert!(page.contains("<abbr title=\"x&lt;!&gt;y\">this</abbr>"), "{page}");
    }
}
