use leptos::prelude::*;

use super::layout::{PublicDocument, page_title};
use crate::settings::SiteSettings;

/// The home page: the newest posts (once there are posts) under the site's
/// title and description.
#[component]
pub fn HomePage(settings: SiteSettings) -> impl IntoView {
    view! {
        <PublicDocument
            title=page_title("", &settings)
            description=settings.description.clone()
            site_title=Some(settings.title.clone())
        >
            <section class="intro">
                <h1>{settings.title.clone()}</h1>
                <p class="lede">{settings.description.clone()}</p>
            </section>
            <p class="empty">"No articles have been published yet."</p>
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
            site_title=settings.map(|s| s.title)
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
            site_title=None
        >
            <h1>"Something went wrong"</h1>
            <p>{message}</p>
            <p class="muted">{format!("Error {status}")}</p>
        </PublicDocument>
    }
}

#[component]
fn SearchForm() -> impl IntoView {
    view! {
        <form class="search-form" action="/search" method="get" role="search">
            <label for="search-q">"Search the articles"</label>
            <input id="search-q" name="q" type="search" required=true />
            <button type="submit">"Search"</button>
        </form>
    }
}

/// What a post page shows: the live text, rendered, and the people.
pub struct PostPageData {
    pub title: String,
    pub description: String,
    pub html: String,
    pub cover: Option<(String, String)>,
    /// Display name and profile slug, primary author first.
    pub authors: Vec<(String, String)>,
    pub published: String,
    pub updated: Option<String>,
    /// "Dr. Ana Ruiz, MD" and the date, when the post shows its review.
    pub reviewed: Option<(String, String)>,
    pub reading_time_minutes: u32,
}

/// A published post. (The full public design comes with the blog's own
/// pages; this one already carries the attribution readers must see.)
#[component]
pub fn PostPage(settings: SiteSettings, post: PostPageData) -> impl IntoView {
    let author_count = post.authors.len();
    let byline = post
        .authors
        .into_iter()
        .enumerate()
        .map(|(index, (name, slug))| {
            let separator = match index {
                0 => "",
                i if i + 1 == author_count => " and ",
                _ => ", ",
            };
            view! { {separator}<a rel="author" href=format!("/authors/{slug}")>{name}</a> }
        })
        .collect_view();
    view! {
        <PublicDocument
            title=page_title(&post.title, &settings)
            description=post.description
            site_title=Some(settings.title.clone())
        >
            <article class="post">
                <header class="post-header">
                    <h1>{post.title}</h1>
                    <p class="byline" data-testid="byline">"By " {byline}</p>
                    <p class="post-dates">
                        <span>{format!("Published {}", post.published)}</span>
                        {post.updated.map(|updated| view! { <span>{format!(" · Updated {updated}")}</span> })}
                        <span>{format!(" · {} min read", post.reading_time_minutes)}</span>
                    </p>
                    {post.reviewed.map(|(reviewer, date)| view! {
                        <p class="reviewed-by" data-testid="reviewed-by">
                            {format!("Medically reviewed by {reviewer} on {date}")}
                        </p>
                    })}
                </header>
                {post.cover.map(|(src, alt)| view! { <img class="post-cover" src=src alt=alt /> })}
                <div class="post-body" inner_html=post.html></div>
            </article>
        </PublicDocument>
    }
}
