//! What machines read: the RSS feed, the sitemap and robots.txt. Like the
//! pages, they list only what is public at this moment.

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::error::PageError;
use crate::content::render::excerpt;
use crate::error::AppError;
use crate::posts::server::{PublicPost, PublicQuery, public_path};
use crate::state::AppState;

/// How many posts the feed carries.
const FEED_SIZE: i64 = 20;
/// The most URLs one sitemap file may hold.
const SITEMAP_LIMIT: i64 = 50_000;

async fn public(state: &AppState, author_slug: &str, tag_slug: &str, limit: i64) -> Result<Vec<PublicPost>, PageError> {
    let query = PublicQuery {
        author_slug: author_slug.to_owned(),
        tag_slug: tag_slug.to_owned(),
        ..PublicQuery::newest(state.clock.now(), limit, 0)
    };
    Ok(state.store.public_posts(&query).await?.0)
}

/// The site's RSS feed.
pub async fn rss(State(state): State<AppState>) -> Result<Response, PageError> {
    rss_of(&state, "", "", "").await
}

/// One author's posts as RSS; 404 for anyone without a public post, as
/// their page.
pub async fn author_rss(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let author = state
        .store
        .public_author(state.clock.now(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    rss_of(&state, &slug, "", &author.name).await
}

/// One tag's posts as RSS; 404 for an unknown tag.
pub async fn tag_rss(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, PageError> {
    let tag = state.store.tag_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    rss_of(&state, "", &slug, &tag.name).await
}

/// Atom 1.0: the same posts as the site's RSS feed.
pub async fn atom(State(state): State<AppState>) -> Result<Response, PageError> {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let settings = state.store.site_settings().await?;
    let posts = public(&state, "", "", FEED_SIZE).await?;
    let fixed = |at: chrono::DateTime<chrono::Utc>| at.fixed_offset();
    let entries: Vec<Entry> = posts
        .iter()
        .map(|post| {
            let url = format!("{}{}", settings.site_url, public_path(&post.content.slug));
            let rendered = post.render();
            Entry {
                title: Text::plain(post.content.title.clone()),
                id: url.clone(),
                updated: fixed(post.updated_at),
                published: Some(fixed(post.published_at)),
                authors: post
                    .authors
                    .iter()
                    .map(|author| Person {
                        name: author.name.clone(),
                        uri: Some(format!("{}/authors/{}", settings.site_url, author.slug)),
                        ..Person::default()
                    })
                    .collect(),
                links: vec![Link {
                    href: url,
                    rel: "alternate".into(),
                    ..Link::default()
                }],
                summary: (!post.content.excerpt.is_empty()).then(|| Text::plain(post.content.excerpt.clone())),
                content: Some(Content {
                    value: Some(rendered.html.clone()),
                    content_type: Some("html".into()),
                    ..Content::default()
                }),
                ..Entry::default()
            }
        })
        .collect();
    let feed = Feed {
        title: Text::plain(settings.title.clone()),
        subtitle: (!settings.description.is_empty()).then(|| Text::plain(settings.description.clone())),
        id: format!("{}/", settings.site_url),
        updated: fixed(
            posts
                .first()
                .map_or(chrono::DateTime::UNIX_EPOCH, |post| post.updated_at),
        ),
        links: vec![
            Link {
                href: format!("{}/", settings.site_url),
                rel: "alternate".into(),
                ..Link::default()
            },
            Link {
                href: format!("{}/atom.xml", settings.site_url),
                rel: "self".into(),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    Ok((
        [(CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response())
}

/// RSS 2.0: the newest posts (of an author or a tag, when given) with
/// their full text.
async fn rss_of(state: &AppState, author_slug: &str, tag_slug: &str, about: &str) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let posts = public(state, author_slug, tag_slug, FEED_SIZE).await?;
    let items: Vec<rss::Item> = posts
        .iter()
        .map(|post| {
            let url = format!("{}{}", settings.site_url, public_path(&post.content.slug));
            let rendered = post.render();
            let summary = if post.content.excerpt.is_empty() {
                excerpt(&rendered.first_paragraph, 300)
            } else {
                post.content.excerpt.clone()
            };
            let byline = post
                .authors
                .iter()
                .map(|author| author.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            rss::ItemBuilder::default()
                .title(Some(post.content.title.clone()))
                .link(Some(url.clone()))
                .guid(Some(rss::GuidBuilder::default().value(url).permalink(true).build()))
                .pub_date(Some(post.published_at.to_rfc2822()))
                .description(Some(format!("<p>{}</p>{}", xml_escape(&summary), rendered.html)))
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
    let title = if about.is_empty() {
        settings.title.clone()
    } else {
        format!("{about} · {}", settings.title)
    };
    // The feed's own address, which feed validators ask for.
    let feed_path = match (author_slug, tag_slug) {
        ("", "") => "/feed.xml".to_owned(),
        (author, "") => format!("/authors/{author}/feed.xml"),
        (_, tag) => format!("/tags/{tag}/feed.xml"),
    };
    let own_link = rss::extension::atom::Link {
        href: format!("{}{feed_path}", settings.site_url),
        rel: "self".to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..rss::extension::atom::Link::default()
    };
    let channel = rss::ChannelBuilder::default()
        .title(title)
        .link(format!("{}/", settings.site_url))
        .atom_ext(Some(rss::extension::atom::AtomExtension { links: vec![own_link] }))
        .description(settings.description.clone())
        .language(Some(settings.language.clone()))
        .last_build_date(posts.first().map(|post| post.updated_at.to_rfc2822()))
        .namespaces(std::collections::BTreeMap::from([
            ("dc".to_owned(), rss::extension::dublincore::NAMESPACE.to_owned()),
            ("atom".to_owned(), rss::extension::atom::NAMESPACE.to_owned()),
        ]))
        .items(items)
        .build();
    Ok((
        [(CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        channel.to_string(),
    )
        .into_response())
}

/// Every public post, page, author and tag, with when it last changed:
/// at most `SITEMAP_LIMIT` addresses, the newest posts first in line.
pub async fn sitemap(State(state): State<AppState>) -> Result<Response, PageError> {
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    // Slugs and dates only: the sitemap needs no post's text. The home
    // page takes one address; pages get the room the posts leave.
    let posts = state.store.public_slugs(now, SITEMAP_LIMIT - 1).await?;
    let room = SITEMAP_LIMIT - 1 - i64::try_from(posts.len()).unwrap_or(SITEMAP_LIMIT);
    let pages = state.store.public_page_slugs(now, room.max(0)).await?;
    let (tags, authors) = state.store.public_tag_and_author_slugs(now).await?;
    let home = ("/".to_owned(), posts.iter().map(|(_, updated_at)| *updated_at).max());
    let addresses = std::iter::once(home)
        .chain(posts.iter().map(|(slug, at)| (public_path(slug), Some(*at))))
        .chain(
            pages
                .iter()
                .map(|(slug, at)| (crate::domain::PostKind::Page.path(slug), Some(*at))),
        )
        .chain(authors.iter().map(|slug| (format!("/authors/{slug}"), None)))
        .chain(tags.iter().map(|slug| (format!("/tags/{slug}"), None)));
    let xml = urlset(&settings.site_url, addresses);
    Ok(([(CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response())
}

/// The sitemap of `addresses` (a path and its last change): the first
/// `SITEMAP_LIMIT`, the most one sitemap file may hold.
fn urlset(site_url: &str, addresses: impl IntoIterator<Item = (String, Option<DateTime<Utc>>)>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let limit = usize::try_from(SITEMAP_LIMIT).unwrap_or(usize::MAX);
    for (path, lastmod) in addresses.into_iter().take(limit) {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&format!("{site_url}{path}")));
        xml.push_str("</loc>");
        if let Some(at) = lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", at.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
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
fn xml_escape(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sitemap_lists_at_most_its_limit_of_addresses() {
        let one_too_many = (0..=SITEMAP_LIMIT).map(|n| (format!("/posts/p{n}"), None));
        let xml = urlset("https://clinic.example", one_too_many);
        assert_eq!(xml.matches("<url>").count(), 50_000);
        assert!(xml.contains("/posts/p49999<") && !xml.contains("/posts/p50000<"));
        assert!(xml.ends_with("</urlset>\n"));
    }
}
