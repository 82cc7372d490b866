//! An article's public page (`/posts/{slug}` and previews): its text,
//! people and neighbours, and what it tells search engines as JSON-LD.

use leptos::prelude::*;

use super::chrome::site_chrome;
use super::images::cover_image;
use super::layout::render_document;
use super::pages::{AuthorBox, PostPage, PostPageData};
use crate::content::render::excerpt;
use crate::error::AppError;
use crate::media::server::{media_index, responsive_images};
use crate::posts::server::{PublicAuthor, PublicPost, public_path};
use crate::state::AppState;
use crate::time::local_date;

/// "Name, credentials", or the name alone.
fn name_with_credentials(name: String, credentials: &str) -> String {
    if credentials.is_empty() {
        name
    } else {
        format!("{name}, {credentials}")
    }
}

fn author_box(author: &PublicAuthor) -> AuthorBox {
    AuthorBox {
        name: author.name.clone(),
        slug: author.slug.clone(),
        credentials: author.credentials.clone(),
        bio: author.bio.clone(),
        avatar_url: author.avatar_url.clone(),
    }
}

/// How many related articles a post page suggests.
const RELATED_POSTS: i64 = 3;

/// A post's page: its text and people, then where readers go next.
pub(super) async fn render_post(state: &AppState, post: PublicPost, preview: bool) -> Result<String, AppError> {
    let now = state.clock.now();
    let settings = state.store.site_settings().await?;
    let chrome = site_chrome(state).await?;
    let date = |at: chrono::DateTime<chrono::Utc>| local_date(at, &settings);
    let rendered = post.render().into_owned();
    let media = media_index(state, &[&post.content.body, &post.content.cover_url]).await?;
    let (related, (older, newer)) = if preview {
        (Vec::new(), (None, None))
    } else {
        (
            state.store.related_posts(post.id, now, RELATED_POSTS).await?,
            state.store.neighbours(post.id, now).await?,
        )
    };
    let link = |(title, slug): (String, String)| (title, public_path(&slug));
    let review = post.shown_review();
    let published = post.published_at;
    let updated = (post.updated_at - published > chrono::Duration::hours(1)).then(|| date(post.updated_at));
    let description = [&post.content.seo_description, &post.content.excerpt]
        .into_iter()
        .find(|text| !text.is_empty())
        .cloned()
        .unwrap_or_else(|| excerpt(&rendered.first_paragraph, 160));
    let canonical = if post.content.canonical_url.is_empty() {
        format!("{}{}", settings.site_url, public_path(&post.content.slug))
    } else {
        post.content.canonical_url.clone()
    };
    let meta = super::layout::PageMeta {
        canonical,
        kind: "article",
        image: (!post.content.cover_url.is_empty()).then(|| {
            (
                settings.absolute(&post.content.cover_url),
                post.content.cover_alt.clone(),
            )
        }),
        published: Some(published.to_rfc3339()),
        modified: Some(post.updated_at.to_rfc3339()),
    };
    let json_ld = blog_posting(&BlogPosting {
        settings: &settings,
        headline: &post.content.title,
        description: &description,
        url: &meta.canonical,
        image: meta.image.as_ref().map(|(src, _)| src.as_str()),
        published,
        modified: post.updated_at,
        authors: &post.authors,
        sources: &rendered.sources,
        reviewer: review.as_ref(),
        publisher: super::chrome::organization(&settings, &chrome.clinic),
    });
    let data = PostPageData {
        meta,
        json_ld,
        seo_title: post.content.seo_title.clone(),
        title: post.content.title.clone(),
        description,
        html: responsive_images(&rendered.html, &media),
        contents: rendered
            .headings
            .into_iter()
            .filter(|heading| matches!(heading.level, 2 | 3))
            .collect(),
        cover: cover_image(&post.content.cover_url, &post.content.cover_alt, &media),
        author_boxes: post.authors.iter().map(author_box).collect(),
        authors: post.byline(),
        tags: post.tags.clone(),
        related: related.into_iter().map(link).collect(),
        older: older.map(link),
        newer: newer.map(link),
        published_iso: published.format("%Y-%m-%d").to_string(),
        published: date(published),
        updated,
        reviewed: review.map(|(name, credentials, at)| (name_with_credentials(name, &credentials), date(at))),
        review_lapsed: post.shown_review_due().is_some_and(|due| due <= now),
        reading_time_minutes: rendered.reading_time_minutes,
        preview,
    };
    Ok(render_document(chrome, || view! { <PostPage settings post=data /> }))
}

/// What search engines read about a post (schema.org `BlogPosting`).
struct BlogPosting<'a> {
    settings: &'a crate::settings::SiteSettings,
    headline: &'a str,
    description: &'a str,
    url: &'a str,
    image: Option<&'a str>,
    published: chrono::DateTime<chrono::Utc>,
    modified: chrono::DateTime<chrono::Utc>,
    authors: &'a [PublicAuthor],
    /// The works the article cites, from its footnotes.
    sources: &'a [crate::content::Source],
    /// Name, credentials, when.
    reviewer: Option<&'a (String, String, chrono::DateTime<chrono::Utc>)>,
    /// The clinic (or the site's organisation), the same node every page
    /// carries.
    publisher: serde_json::Value,
}

/// The post as JSON-LD, safe to place inside a `<script>` data block:
/// `<` is escaped, so no text of the post can close the element.
fn blog_posting(posting: &BlogPosting<'_>) -> String {
    let site = &posting.settings.site_url;
    let person = |name: &str, credentials: &str, slug: Option<&str>| {
        let mut person = serde_json::json!({ "@type": "Person", "name": name });
        if let Some(slug) = slug {
            person["url"] = format!("{site}/authors/{slug}").into();
        }
        if !credentials.is_empty() {
            person["honorificSuffix"] = credentials.into();
        }
        person
    };
    let mut data = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": posting.headline,
        "description": posting.description,
        "url": posting.url,
        "mainEntityOfPage": { "@type": "WebPage", "@id": posting.url, "url": posting.url },
        "datePublished": posting.published.to_rfc3339(),
        "dateModified": posting.modified.to_rfc3339(),
        "author": posting
            .authors
            .iter()
            .map(|author| person(&author.name, &author.credentials, Some(&author.slug)))
            .collect::<Vec<_>>(),
        "publisher": posting.publisher,
    });
    if let Some(image) = posting.image {
        data["image"] = image.into();
    }
    // schema.org puts the review on the page, not the article: a
    // reviewed article's page is a `MedicalWebPage` that says who last
    // reviewed it and when.
    if let Some((name, credentials, at)) = posting.reviewer {
        let page = &mut data["mainEntityOfPage"];
        page["@type"] = "MedicalWebPage".into();
        page["reviewedBy"] = person(name, credentials, None);
        page["lastReviewed"] = at.to_rfc3339().into();
    }
    if !posting.sources.is_empty() {
        data["citation"] = citations(posting.sources);
    }
    data.to_string().replace('<', "\\u003c")
}

/// The works a post cites as schema.org `CreativeWork`s: each named,
/// with the address readers can follow when it has one.
fn citations(sources: &[crate::content::Source]) -> serde_json::Value {
    sources
        .iter()
        .map(|source| {
            let mut work = serde_json::json!({ "@type": "CreativeWork", "name": source.name });
            if let Some(link) = source.link() {
                work["url"] = link.into();
            }
            work
        })
        .collect()
}
