use leptos::prelude::*;

use super::layout::{PageMeta, PreviewBanner, PublicDocument, page_title};
use crate::settings::SiteSettings;

/// A cover picture. Library images carry their WebP variants and their
/// size, so the page reserves the space and the browser picks a file.
#[derive(Debug, Clone)]
pub struct CoverImage {
    pub src: String,
    pub alt: String,
    pub srcset: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// A card's cover is at most about 46rem wide; a post's, the column's.
pub(super) fn cover_img(cover: CoverImage, class: &'static str, lazy: bool) -> impl IntoView {
    let sizes = cover.srcset.is_some().then_some("(max-width: 46rem) 100vw, 46rem");
    view! {
        <img class=class src=cover.src alt=cover.alt srcset=cover.srcset sizes=sizes
            width=cover.width height=cover.height loading=lazy.then_some("lazy") decoding="async" />
    }
}

/// A post in a list, as readers see it.
#[derive(Debug, Clone)]
pub struct Card {
    pub title: String,
    pub path: String,
    pub excerpt: String,
    pub cover: Option<CoverImage>,
    /// (name, slug), primary first.
    pub authors: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub date: String,
    /// The date as `YYYY-MM-DD`, for `<time datetime>`.
    pub iso_date: String,
    pub reading_time_minutes: u32,
    /// For search results: the matching passage as HTML, matches in `<mark>`.
    pub snippet_html: Option<String>,
}

/// One page of a list and the addresses of its neighbours.
#[derive(Debug, Clone)]
pub struct Listing {
    pub cards: Vec<Card>,
    pub newer: Option<String>,
    pub older: Option<String>,
}

/// "By Ana Ruiz and Ben Okafor", every name linked to its author page.
#[component]
fn Byline(authors: Vec<(String, String)>) -> impl IntoView {
    let count = authors.len();
    let names = authors
        .into_iter()
        .enumerate()
        .map(|(index, (name, slug))| {
            let separator = match index {
                0 => "",
                i if i + 1 == count => " and ",
                _ => ", ",
            };
            view! { {separator}<a rel="author" href=format!("/authors/{slug}")>{name}</a> }
        })
        .collect_view();
    view! { <p class="byline" data-testid="byline">"By " {names}</p> }
}

#[component]
fn PostCards(listing: Listing, #[prop(optional)] empty: &'static str) -> impl IntoView {
    if listing.cards.is_empty() {
        let text = if empty.is_empty() {
            "No articles have been published yet."
        } else {
            empty
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    view! {
        <ol class="cards">
            {listing.cards.into_iter().map(|card| view! {
                <li class="card-item">
                    <article class="post-card">
                        {card.cover.map(|cover| cover_img(cover, "card-cover", true))}
                        <h2><a href=card.path>{card.title}</a></h2>
                        <Byline authors=card.authors />
                        <p class="card-meta">
                            <time datetime=card.iso_date>{card.date}</time>
                            {format!(" · {} min read", card.reading_time_minutes)}
                        </p>
                        {match card.snippet_html {
                            Some(html) => view! { <p class="card-excerpt snippet" inner_html=html></p> }.into_any(),
                            None => view! { <p class="card-excerpt">{card.excerpt}</p> }.into_any(),
                        }}
                        {(!card.tags.is_empty()).then(|| view! {
                            <ul class="tag-list" aria-label="Tags">
                                {card.tags.into_iter().map(|(name, slug)| view! {
                                    <li><a rel="tag" href=format!("/tags/{slug}")>{name}</a></li>
                                }).collect_view()}
                            </ul>
                        })}
                    </article>
                </li>
            }).collect_view()}
        </ol>
        <nav class="pagination" aria-label="More articles">
            {listing.newer.map(|href| view! { <a rel="prev" href=href>"Newer articles"</a> })}
            {listing.older.map(|href| view! { <a rel="next" href=href>"Older articles"</a> })}
        </nav>
    }
    .into_any()
}

/// The home page: the newest posts under the site's title and description.
#[component]
pub fn HomePage(settings: SiteSettings, listing: Listing) -> impl IntoView {
    let meta = PageMeta {
        canonical: format!("{}/", settings.site_url),
        kind: "website",
        ..PageMeta::default()
    };
    view! {
        <PublicDocument
            title=page_title("", &settings)
            description=settings.description.clone()
            site=Some(settings.clone())
            meta
        >
            <section class="intro">
                <h1>{settings.title.clone()}</h1>
                <p class="lede">{settings.description.clone()}</p>
            </section>
            <PostCards listing />
        </PublicDocument>
    }
}

/// An author: who they are, and their posts.
#[component]
pub fn AuthorPage(
    settings: SiteSettings,
    slug: String,
    name: String,
    credentials: String,
    bio: String,
    avatar_url: String,
    listing: Listing,
) -> impl IntoView {
    let heading = if credentials.is_empty() {
        name.clone()
    } else {
        format!("{name}, {credentials}")
    };
    let meta = PageMeta {
        canonical: format!("{}/authors/{slug}", settings.site_url),
        kind: "profile",
        image: (!avatar_url.is_empty()).then(|| (settings.absolute(&avatar_url), format!("Portrait of {name}"))),
        ..PageMeta::default()
    };
    view! {
        <PublicDocument
            meta
            title=page_title(&name, &settings)
            description=if bio.is_empty() { format!("Articles by {name}.") } else { bio.clone() }
            site=Some(settings.clone())
            feed=(format!("Articles by {name}"), format!("/authors/{slug}/feed.xml"))
        >
            <section class="author-profile">
                {(!avatar_url.is_empty()).then(|| view! {
                    <img class="avatar" src=avatar_url alt=format!("Portrait of {name}") width="96" height="96" />
                })}
                <h1>{heading}</h1>
                <p>{bio}</p>
            </section>
            <PostCards listing empty="No published articles yet." />
        </PublicDocument>
    }
}

/// A tag: its description and its posts.
#[component]
pub fn TagPage(
    settings: SiteSettings,
    slug: String,
    name: String,
    description: String,
    listing: Listing,
) -> impl IntoView {
    let meta = PageMeta {
        canonical: format!("{}/tags/{slug}", settings.site_url),
        kind: "website",
        ..PageMeta::default()
    };
    view! {
        <PublicDocument
            meta
            title=page_title(&name, &settings)
            description=if description.is_empty() { format!("Articles about {name}.") } else { description.clone() }
            site=Some(settings.clone())
            feed=(format!("Articles about {name}"), format!("/tags/{slug}/feed.xml"))
        >
            <section class="intro">
                <h1>{name}</h1>
                <p class="lede">{description}</p>
            </section>
            <PostCards listing empty="No published articles with this tag yet." />
        </PublicDocument>
    }
}

/// The page for an address that leads nowhere, with a way onwards.
#[component]
pub fn NotFoundPage(settings: Option<SiteSettings>) -> impl IntoView {
    let title = match &settings {
        Some(settings) => page_title("Page not found", settings),
        None => "Page not found".to_owned(),
    };
    view! {
        <PublicDocument
            title
            description="This page does not exist.".to_owned()
            site=settings
        >
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <SearchForm />
            <p>
                <a href="/">"Go to the home page"</a>
            </p>
        </PublicDocument>
    }
}

/// A page for a failure on our side, e.g. the database being unreachable.
#[component]
pub fn ErrorPage(status: u16, message: String) -> impl IntoView {
    view! {
        <PublicDocument
            title="Something went wrong".to_owned()
            description=message.clone()
            site=None
        >
            <h1>"Something went wrong"</h1>
            <p>{message}</p>
            <p class="muted">{format!("Error {status}")}</p>
        </PublicDocument>
    }
}

/// Search results: the best matches first, each with the passage that
/// matched. Kept out of search engines' indexes.
#[component]
pub fn SearchPage(settings: SiteSettings, query: String, total: i64, listing: Listing) -> impl IntoView {
    let summary = match (query.is_empty(), total) {
        (true, _) => String::new(),
        (false, 0) => format!("No articles match “{query}”. Try other or fewer words."),
        (false, 1) => format!("One article matches “{query}”."),
        (false, n) => format!("{n} articles match “{query}”."),
    };
    let has_query = !query.is_empty();
    view! {
        <PublicDocument
            title=page_title(if has_query { "Search results" } else { "Search" }, &settings)
            description=format!("Search the articles of {}.", settings.title)
            site=Some(settings.clone())
            noindex=true
        >
            <h1>"Search"</h1>
            <SearchForm value=query />
            <p class="search-summary" role="status" data-testid="search-summary">{summary}</p>
            {(total > 0).then(|| view! { <PostCards listing /> })}
        </PublicDocument>
    }
}

#[component]
fn SearchForm(#[prop(optional)] value: String) -> impl IntoView {
    view! {
        <form class="search-form" action="/search" method="get" role="search">
            <label for="search-q">"Search the articles"</label>
            <input id="search-q" name="q" type="search" required=true value=value />
            <button type="submit">"Search"</button>
        </form>
    }
}

/// An author as the box under an article presents them.
#[derive(Debug, Clone)]
pub struct AuthorBox {
    pub name: String,
    pub slug: String,
    pub credentials: String,
    pub bio: String,
    pub avatar_url: String,
}

/// A link to another article: (title, path).
pub type ArticleLink = (String, String);

/// What a post page shows: the live text, rendered, and the people.
pub struct PostPageData {
    pub title: String,
    pub description: String,
    pub html: String,
    /// The body's headings for the table of contents; empty for short posts.
    pub contents: Vec<crate::content::render::Heading>,
    pub cover: Option<CoverImage>,
    /// Display name and profile slug, primary author first.
    pub authors: Vec<(String, String)>,
    pub author_boxes: Vec<AuthorBox>,
    /// (name, slug)
    pub tags: Vec<(String, String)>,
    pub published: String,
    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub published_iso: String,
    pub updated: Option<String>,
    /// "Dr. Ana Ruiz, MD" and the date, when the post shows its review.
    pub reviewed: Option<(String, String)>,
    /// The review's next due date has passed: the settings say how the
    /// line shows it (`LapsedReviewDisplay`).
    pub review_lapsed: bool,
    pub reading_time_minutes: u32,
    pub related: Vec<ArticleLink>,
    pub older: Option<ArticleLink>,
    pub newer: Option<ArticleLink>,
    pub meta: PageMeta,
    /// The schema.org description of the post, as JSON.
    pub json_ld: String,
    /// The title for search results, when it differs from the headline.
    pub seo_title: String,
    /// Shown through a preview link: not published, not for search engines.
    pub preview: bool,
}

/// Long posts get a table of contents: at least this many sections.
pub const CONTENTS_MIN_HEADINGS: usize = 3;

/// The box under every article that invites readers to act, from the
/// settings; nothing when no call to action is set.
#[component]
fn CallToActionBox(settings: SiteSettings) -> impl IntoView {
    (!settings.cta_label.is_empty() && !settings.cta_url.is_empty()).then(|| {
        view! {
            <aside class="cta" aria-labelledby="cta-heading">
                <h2 id="cta-heading">{settings.cta_heading}</h2>
                {(!settings.cta_text.is_empty()).then(|| view! { <p>{settings.cta_text}</p> })}
                <a class="button" href=settings.cta_url>{settings.cta_label}</a>
            </aside>
        }
    })
}

/// Who reviewed the text and when. A review past its due date stays
/// (it happened), either flagged or reduced to its date, as the settings
/// say.
fn review_line(
    reviewer: &str,
    date: &str,
    lapsed: bool,
    display: crate::domain::LapsedReviewDisplay,
) -> impl IntoView + use<> {
    use crate::domain::LapsedReviewDisplay;
    let (line, flag) = match (lapsed, display) {
        (true, LapsedReviewDisplay::DateOnly) => (format!("Last reviewed {date}"), false),
        (lapsed, _) => (format!("Medically reviewed by {reviewer} on {date}"), lapsed),
    };
    view! {
        <p class="reviewed-by" class:review-lapsed=lapsed data-testid="reviewed-by">
            {line}
            {flag.then(|| view! { " · " <strong class="review-due" data-testid="review-due">"Review due"</strong> })}
        </p>
    }
}

/// A published post with everything readers check: who wrote it, who
/// reviewed it and when, then the text, the authors, and where to go next.
#[component]
pub fn PostPage(settings: SiteSettings, post: PostPageData) -> impl IntoView {
    let lapsed_display = settings.lapsed_review_display;
    let contents = (post.contents.len() >= CONTENTS_MIN_HEADINGS).then(|| {
        view! {
            <nav class="toc" aria-labelledby="toc-heading">
                <h2 id="toc-heading">"On this page"</h2>
                <ol>
                    {post.contents.into_iter().map(|heading| view! {
                        <li class=format!("toc-level-{}", heading.level)>
                            <a href=format!("#{}", heading.id)>{heading.text}</a>
                        </li>
                    }).collect_view()}
                </ol>
            </nav>
        }
    });
    let about = (!post.author_boxes.is_empty()).then(|| {
        let heading = if post.author_boxes.len() == 1 { "About the author" } else { "About the authors" };
        view! {
            <section class="author-boxes" aria-labelledby="about-authors">
                <h2 id="about-authors">{heading}</h2>
                {post.author_boxes.into_iter().map(|author| {
                    let heading = if author.credentials.is_empty() {
                        author.name.clone()
                    } else {
                        format!("{}, {}", author.name, author.credentials)
                    };
                    view! {
                        <div class="author-box">
                            {(!author.avatar_url.is_empty()).then(|| view! {
                                <img class="avatar" src=author.avatar_url alt="" width="64" height="64" loading="lazy" />
                            })}
                            <div>
                                <h3><a rel="author" href=format!("/authors/{}", author.slug)>{heading}</a></h3>
                                <p>{author.bio}</p>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </section>
        }
    });
    let related = (!post.related.is_empty()).then(|| view! {
        <section class="related" aria-labelledby="related-heading">
            <h2 id="related-heading">"Related articles"</h2>
            <ul>
                {post.related.into_iter().map(|(title, path)| view! { <li><a href=path>{title}</a></li> }).collect_view()}
            </ul>
        </section>
    });
    let neighbours = (post.older.is_some() || post.newer.is_some()).then(|| {
        view! {
            <nav class="post-nav" aria-label="More articles">
                {post.older.map(|(title, path)| view! {
                    <a class="older" rel="prev" href=path><span>"Previous article"</span>{title}</a>
                })}
                {post.newer.map(|(title, path)| view! {
                    <a class="newer" rel="next" href=path><span>"Next article"</span>{title}</a>
                })}
            </nav>
        }
    });
    view! {
        <PublicDocument
            title=page_title(if post.seo_title.is_empty() { &post.title } else { &post.seo_title }, &settings)
            description=post.description
            site=Some(settings.clone())
            meta=post.meta
            noindex=post.preview
            json_ld=post.json_ld
        >
            {post.preview.then(|| view! { <PreviewBanner what="article" /> })}
            <article class="post">
                <header class="post-header">
                    <h1>{post.title}</h1>
                    <Byline authors=post.authors />
                    <p class="post-dates">
                        <span>"Published " <time datetime=post.published_iso>{post.published}</time></span>
                        {post.updated.map(|updated| view! { <span>{format!(" · Updated {updated}")}</span> })}
                        <span>{format!(" · {} min read", post.reading_time_minutes)}</span>
                    </p>
                    {post.reviewed.map(|(reviewer, date)| review_line(&reviewer, &date, post.review_lapsed, lapsed_display))}
                </header>
                {post.cover.map(|cover| cover_img(cover, "post-cover", false))}
                {contents}
                <div class="post-body" inner_html=post.html></div>
                {(!post.tags.is_empty()).then(|| view! {
                    <ul class="tag-list" aria-label="Tags">
                        {post.tags.into_iter().map(|(name, slug)| view! {
                            <li><a rel="tag" href=format!("/tags/{slug}")>{name}</a></li>
                        }).collect_view()}
                    </ul>
                })}
            </article>
            <super::chrome::Disclaimer />
            <CallToActionBox settings />
            {about}
            {related}
            {neighbours}
        </PublicDocument>
    }
}
