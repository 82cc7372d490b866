//! The site's pages (About, Services, Contact…) at `/{slug}`: the title,
//! the body (the articles' renderer and responsive images), a breadcrumb
//! to the parent page, `WebPage` data for search engines, and no byline,
//! date, tags or related articles. The blog's routes answer `/{slug}`
//! with `public_page`, or go on to the fallback.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

use super::chrome::{SiteChrome, site_chrome};
use super::layout::{PageMeta, PreviewBanner, PublicDocument, page_title, render_document};
use super::pages::CoverImage;
use crate::content::render::excerpt;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::input::post::Slug;
use crate::media::server::{media_index, responsive_images};
use crate::posts::server::PublicPost;
use crate::settings::SiteSettings;
use crate::state::AppState;
use crate::store::model::pages::{PageQuery, PublicPage};

/// The page, or a redirect from a slug it had before; `None` when no
/// public page is or was there.
pub(super) async fn public_page(state: &AppState, slug: &str) -> Result<Option<Response>, AppError> {
    let now = state.clock.now();
    let found = state.store.public_pages(&PageQuery::by_slug(now, slug)).await?.0.pop();
    if let Some(page) = found {
        return Ok(Some(Html(render_page(state, page, false).await?).into_response()));
    }
    Ok(state
        .store
        .slug_redirect(PostKind::Page, slug, now)
        .await?
        .map(|current| {
            (
                StatusCode::MOVED_PERMANENTLY,
                [(axum::http::header::LOCATION, PostKind::Page.path(&current))],
            )
                .into_response()
        }))
}

/// Where `/{slug}/` leads: to `/{slug}` while a public page is there (or
/// to its new address, when that was its slug before). Links and people
/// add the slash; Vellum's own addresses have none. `None` for any other
/// path. For the blog's fallback (`old_address`), which gets these.
pub(super) async fn page_with_slash(state: &AppState, path: &str) -> Result<Option<String>, AppError> {
    let Some(slug) = path
        .strip_prefix('/')
        .and_then(|rest| rest.strip_suffix('/'))
        .filter(|slug| Slug::is_well_formed(slug))
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    if !state
        .store
        .public_pages(&PageQuery::by_slug(now, slug))
        .await?
        .0
        .is_empty()
    {
        return Ok(Some(PostKind::Page.path(slug)));
    }
    Ok(state
        .store
        .slug_redirect(PostKind::Page, slug, now)
        .await?
        .map(|current| PostKind::Page.path(&current)))
}

/// A preview link's page, in the page's layout; `None` when the previewed
/// post is an article.
pub async fn previewed_page(state: &AppState, post: &PublicPost) -> Result<Option<String>, AppError> {
    let Some(row) = state
        .store
        .post(post.id)
        .await?
        .filter(|row| row.kind == PostKind::Page)
    else {
        return Ok(None);
    };
    let parent = match row.parent_id {
        Some(id) => state
            .store
            .public_pages(&PageQuery::by_id(state.clock.now(), id))
            .await?
            .0
            .pop()
            .map(|parent| (parent.content.title, parent.content.slug)),
        None => None,
    };
    let (parent_title, parent_slug) = parent.unzip();
    let page = PublicPage {
        id: post.id,
        content: post.content.clone(),
        published_at: post.published_at,
        updated_at: post.updated_at,
        parent_title,
        parent_slug,
        rendered: post.rendered.clone(),
    };
    Ok(Some(render_page(state, page, true).await?))
}

/// What `SitePage` shows.
#[derive(Debug, Clone)]
struct SitePageData {
    meta: PageMeta,
    json_ld: String,
    seo_title: String,
    title: String,
    description: String,
    html: String,
    cover: Option<CoverImage>,
    /// The parent's (title, address).
    parent: Option<(String, String)>,
    preview: bool,
}

async fn render_page(state: &AppState, page: PublicPage, preview: bool) -> Result<String, AppError> {
    let settings = state.store.site_settings().await?;
    let chrome = site_chrome(state).await?;
    let rendered = page.render().into_owned();
    let media = media_index(state, &[&page.content.body, &page.content.cover_url]).await?;
    let description = [&page.content.seo_description, &page.content.excerpt]
        .into_iter()
        .find(|text| !text.is_empty())
        .cloned()
        .unwrap_or_else(|| excerpt(&rendered.first_paragraph, 160));
    let canonical = if page.content.canonical_url.is_empty() {
        format!("{}{}", settings.site_url, PostKind::Page.path(&page.content.slug))
    } else {
        page.content.canonical_url.clone()
    };
    let parent = page.parent().map(|(title, slug)| (title, PostKind::Page.path(&slug)));
    let meta = PageMeta {
        canonical,
        kind: "website",
        image: (!page.content.cover_url.is_empty()).then(|| {
            (
                settings.absolute(&page.content.cover_url),
                page.content.cover_alt.clone(),
            )
        }),
        published: None,
        modified: None,
    };
    let json_ld = web_page(&WebPage {
        settings: &settings,
        chrome: &chrome,
        page: &page,
        description: &description,
        url: &meta.canonical,
        parent: parent.as_ref(),
    });
    let data = SitePageData {
        json_ld,
        seo_title: page.content.seo_title.clone(),
        title: page.content.title.clone(),
        description,
        html: responsive_images(&rendered.html, &media),
        cover: super::images::cover_image(&page.content.cover_url, &page.content.cover_alt, &media),
        parent,
        preview,
        meta,
    };
    Ok(render_document(chrome, || view! { <SitePage settings page=data /> }))
}

/// What search engines read about a page.
struct WebPage<'a> {
    settings: &'a SiteSettings,
    chrome: &'a SiteChrome,
    page: &'a PublicPage,
    description: &'a str,
    url: &'a str,
    /// (title, address)
    parent: Option<&'a (String, String)>,
}

/// The page as schema.org `WebPage` JSON-LD, with its breadcrumb when it
/// sits under another page; safe inside a `<script>` data block.
fn web_page(data: &WebPage<'_>) -> String {
    let site = &data.settings.site_url;
    let mut json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": data.page.content.title,
        "description": data.description,
        "url": data.url,
        "dateModified": data.page.updated_at.to_rfc3339(),
        "publisher": super::chrome::organization(data.settings, &data.chrome.clinic),
    });
    if !data.page.content.cover_url.is_empty() {
        json["image"] = data.settings.absolute(&data.page.content.cover_url).into();
    }
    if let Some((title, path)) = data.parent {
        let item = |position: u32, name: &str, url: String| serde_json::json!({ "@type": "ListItem", "position": position, "name": name, "item": url });
        json["breadcrumb"] = serde_json::json!({
            "@type": "BreadcrumbList",
            "itemListElement": [
                item(1, title, format!("{site}{path}")),
                item(2, &data.page.content.title, data.url.to_owned()),
            ],
        });
    }
    super::chrome::script_text(&json)
}

/// A page as readers see it: no byline, date, tags, related articles or
/// feed of its own.
#[component]
fn SitePage(settings: SiteSettings, page: SitePageData) -> impl IntoView {
    view! {
        <PublicDocument
            title=page_title(if page.seo_title.is_empty() { &page.title } else { &page.seo_title }, &settings)
            description=page.description
            site=Some(settings.clone())
            meta=page.meta
            noindex=page.preview
            json_ld=page.json_ld
        >
            {page.preview.then(|| view! { <PreviewBanner what="page" /> })}
            {page.parent.map(|(title, path)| view! {
                <nav class="page-breadcrumbs" aria-label="Breadcrumb">
                    <ol>
                        <li><a href=path>{title}</a></li>
                        <li aria-current="page">{page.title.clone()}</li>
                    </ol>
                </nav>
            })}
            <article class="post page">
                <header class="post-header">
                    <h1>{page.title}</h1>
                </header>
                {page.cover.map(|cover| super::pages::cover_img(cover, "post-cover", false))}
                <div class="post-body" inner_html=page.html></div>
            </article>
        </PublicDocument>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_web_page_with_its_breadcrumb() {
        let settings = SiteSettings {
            title: "Riverside".into(),
            site_url: "https://riverside.example".into(),
            ..SiteSettings::default()
        };
        let page = PublicPage {
            id: 3,
            content: crate::domain::PostContent {
                title: "Our team </script>".into(),
                slug: "our-team".into(),
                ..crate::domain::PostContent::default()
            },
            published_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            parent_title: Some("About".into()),
            parent_slug: Some("about".into()),
            rendered: None,
        };
        let parent = ("About".to_owned(), "/about".to_owned());
        let text = web_page(&WebPage {
            settings: &settings,
            chrome: &SiteChrome::default(),
            page: &page,
            description: "Who we are",
            url: "https://riverside.example/our-team",
            parent: Some(&parent),
        });
        assert!(!text.contains('<'), "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(json["@type"], "WebPage");
        assert!(json.get("author").is_none() && json.get("datePublished").is_none());
        let crumbs = &json["breadcrumb"]["itemListElement"];
        assert_eq!(crumbs[0]["item"], "https://riverside.example/about");
        assert_eq!(crumbs[1]["position"], 2);
    }
}
