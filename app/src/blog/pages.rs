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
