//! The admin: a Leptos app rendered on the server and hydrated in the
//! browser. Only pages under `/admin` load the wasm bundle.

mod dashboard;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use dashboard::Dashboard;

/// The HTML document of admin pages, with the hydration scripts.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="robots" content="noindex, nofollow" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="admin">
                <AdminApp />
            </body>
        </html>
    }
}

/// The admin's routes. Public pages are not part of it: they are plain
/// server-rendered documents (see `crate::blog`).
#[component]
pub fn AdminApp() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/vellum.css" />
        <Title formatter=|page: String| format!("{page} · Vellum admin") />
        <Router>
            <header class="admin-header">
                <a class="admin-brand" href="/admin" rel="external">"Vellum"</a>
                <a class="admin-view-site" href="/" rel="external">"View site"</a>
            </header>
            <main class="admin-main">
                <Routes fallback=|| view! { <p>"This admin page does not exist."</p> }>
                    <Route path=path!("/admin") view=Dashboard />
                </Routes>
            </main>
        </Router>
    }
}
