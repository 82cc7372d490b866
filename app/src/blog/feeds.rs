//! What machines read: the RSS feed, the sitemap and robots.txt. Like the
//! pages, they list only what is public at this moment.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::server::PageError;
use crate::content::render::{excerpt, render_markdown};
use crate::posts::server::{PublicPost, PublicQuery, public_path};
use crate::state::AppState;

/// How many posts the feed carries.
const FEED_SIZE: i64 = 20;
/// The most URLs one sitemap file may hold.
const SITEMAP_LIMIT: i64 = 50_000;

async fn public(state: &AppState, limit: i64) -> Result<Vec<PublicPost>, PageError> {
    let query = PublicQuery {
        now: state.clock.now(),
        author_slug: String::new(),
        tag_slug: String::new(),
        limit,
        offset: 0,
    };
    Ok(state.store.public_posts(&query).await?.0)
}

/// RSS 2.0: the newest posts with their full text.
pub async fn rss(State(state): State<AppState>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let posts = public(&state, FEED_SIZE).await?;
    let items: Vec<rss::Item> = posts
        .iter()
        .map(|post| {
            let url = format!("{}{}", settings.site_url, public_path(&post.slug));
            let rendered = render_markdown(&post.body);
            let summary = if post.excerpt.is_empty() {
                excerpt(&rendered.first_paragraph, 300)
            } else {
                post.excerpt.clone()
            };
            let byline = post
                .authors
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            rss::ItemBuilder::default()
                .title(Some(post.title.clone()))
                .link(Some(url.clone()))
                .guid(Some(rss::GuidBuilder::default().value(url).permalink(true).build()))
                .pub_date(Some(post.published_at.to_rfc2822()))
                .description(Some(format!("<p>{}</p>{}", html_escape(&summary), rendered.html)))
                .dublin_core_ext(Some(
                    rss::extension::dublincore::DublinCoreExtensionBuilder::default()
                        .creators(vec![byline])
                        .build(),
                ))
                .categories(
                    post.tags
                        .iter()
                        .map(|(name, _)| rss::CategoryBuilder::default().name(name.clone()).build())
                        .collect::<Vec<_>>(),
                )
                .build()
        })
        .collect();
    let channel = rss::ChannelBuilder::default()
        .title(settings.title.clone())
        .link(format!("{}/", settings.site_url))
        .description(settings.description.clone())
        .language(Some("en".to_owned()))
        .last_build_date(posts.first().map(|post| post.updated_at.to_rfc2822()))
        .namespaces(std::collections::BTreeMap::from([(
            "dc".to_owned(),
            rss::extension::dublincore::NAMESPACE.to_owned(),
        )]))
        .items(items)
        .build();
    Ok((
        [(CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        channel.to_string(),
    )
        .into_response())
}

/// Every public post, author and tag, with when it last changed.
pub async fn sitemap(State(state): State<AppState>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let posts = public(&state, SITEMAP_LIMIT).await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut add = |path: &str, lastmod: Option<chrono::DateTime<chrono::Utc>>| {
        xml.push_str("  <url><loc>");
        xml.push_str(&html_escape(&format!("{}{path}", settings.site_url)));
        xml.push_str("</loc>");
        if let Some(at) = lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", at.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        xml.push_str("</url>\n");
    };
    add("/", posts.iter().map(|post| post.updated_at).max());
    let mut seen: Vec<String> = Vec::new();
    for post in &posts {
        add(&public_path(&post.slug), Some(post.updated_at));
        let pages = post
            .authors
            .iter()
            .map(|(_, slug)| format!("/authors/{slug}"))
            .chain(post.tags.iter().map(|(_, slug)| format!("/tags/{slug}")));
        for page in pages {
            if !seen.contains(&page) {
                add(&page, None);
                seen.push(page);
            }
        }
    }
    xml.push_str("</urlset>\n");
    Ok(([(CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response())
}

/// Everything may be crawled but the admin; the sitemap is named.
pub async fn robots(State(state): State<AppState>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let text = format!(
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n",
        settings.site_url
    );
    Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// Escapes text for XML content and attributes.
fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}
