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
                <link rel="stylesheet" href="/pkg/vellum.css" />
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
    // Leptos marks where an empty part of a view sits with `<!>`, which
    // hydration uses; public pages are never hydrated, and the mark is a
    // bogus comment to HTML checkers. Text and attributes are escaped, so
    // the mark can be nothing else.
    let html = html.replace("<!>", "");
    format!("<!DOCTYPE html>{html}")
}

/// A pairing used by pages that show the site's identity.
pub fn page_title(page: &str, settings: &SiteSettings) -> String {
    if page.is_empty() {
        settings.title.clone()
    } else {
        format!("{page} · {}", settings.title)
    }
}
