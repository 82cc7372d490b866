use leptos::prelude::*;

use crate::settings::SiteSettings;

/// The document around every public page. It links the style sheet and
/// nothing else: public pages carry no script at all.
#[component]
pub fn PublicDocument(
    /// The text of the `<title>` element.
    title: String,
    /// The `<meta name="description">` text.
    description: String,
    /// The site's title, shown in the header; `None` when the settings
    /// could not be read (e.g. the database is down).
    site_title: Option<String>,
    /// This page's own feed, besides the site's (an author's or a tag's).
    #[prop(optional)]
    feed: Option<(String, String)>,
    children: Children,
) -> impl IntoView {
    let site_title = site_title.unwrap_or_else(|| "Vellum".to_owned());
    let feed_title = format!("{site_title} (RSS)");
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{title}</title>
                <meta name="description" content=description />
                <link rel="stylesheet" href="/pkg/vellum.css" />
                <link rel="alternate" type="application/rss+xml" title=feed_title href="/feed.xml" />
                <link rel="alternate" type="application/atom+xml" title=format!("{site_title} (Atom)") href="/atom.xml" />
                {feed.map(|(title, href)| view! {
                    <link rel="alternate" type="application/rss+xml" title=title href=href />
                })}
            </head>
            <body class="public">
                <a class="skip-link" href="#main">"Skip to content"</a>
                <header class="site-header">
                    <a class="site-title" href="/">{site_title}</a>
                </header>
                <main id="main" class="site-main">{children()}</main>
                <footer class="site-footer">
                    <p>"Published with Vellum."</p>
                </footer>
            </body>
        </html>
    }
}

/// Renders a public page to a complete HTML document.
pub fn render_document(view: impl IntoView + 'static) -> String {
    let owner = Owner::new();
    let html = owner.with(|| view.into_view().to_html());
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
