use leptos::prelude::*;
use leptos_meta::Title;

use crate::posts::api::{DashboardView, PostSummary, dashboard};
use crate::posts::pages::{NewPostForm, PostTable};
use crate::settings::api::get_site_settings;

/// The admin's start page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_site_settings());
    let posts = Resource::new(|| (), |_| dashboard());
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
        <NewPostForm />
        <Suspense fallback=|| view! { <p>"Loading posts…"</p> }>
            {move || Suspend::new(async move {
                match posts.await {
                    Ok(posts) => view! { <DashboardSections posts /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading site settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! {
                        <dl class="facts">
                            <dt>"Site"</dt>
                            <dd data-testid="site-title">{settings.title}</dd>
                            <dt>"Address"</dt>
                            <dd>{settings.site_url}</dd>
                            <dt>"Time zone"</dt>
                            <dd>{settings.time_zone}</dd>
                        </dl>
                    }
                    .into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <InteractivityCheck />
    }
}

#[component]
fn DashboardSections(posts: DashboardView) -> impl IntoView {
    let section = |heading: &'static str, id: &'static str, list: Vec<PostSummary>, empty: &'static str| {
        view! {
            <section class="dashboard-section" data-testid=id>
                <h2>{heading}</h2>
                <PostTable posts=list empty label=heading />
            </section>
        }
    };
    view! {
        <section class="dashboard-section" data-testid="due-for-review">
            <h2>"Due for review"</h2>
            <p class="muted">
                "Published articles whose medical review is due within 30 days, or overdue; the one due first, first. "
                <a href="/admin/posts?review=due">"All of them"</a>
            </p>
            <PostTable posts=posts.due_for_review empty="No review is due in the next 30 days." label="Due for review" />
        </section>
        {section("Changes requested", "changes-requested", posts.changes_requested, "Nothing was sent back.")}
        {section("My drafts", "my-drafts", posts.my_drafts, "No drafts.")}
        {section("Waiting for review", "waiting-for-review", posts.waiting_for_review, "Nothing is waiting.")}
        {section("Scheduled", "scheduled", posts.scheduled, "Nothing is scheduled.")}
        {section("Recently published", "recently-published", posts.recently_published, "Nothing published yet.")}
    }
}

/// Tells the user whether the admin's scripts are running. The button is
/// disabled in the server's HTML and only comes alive once the page has
/// hydrated, so it doubles as the end-to-end proof of hydration.
#[component]
fn InteractivityCheck() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let clicks = RwSignal::new(0u32);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <section class="interactivity" aria-live="polite">
            <p data-testid="hydration-status">
                {move || {
                    if hydrated.get() {
                        "The editor's scripts are running."
                    } else {
                        "Waiting for the editor's scripts…"
                    }
                }}
            </p>
            <button
                type="button"
                data-testid="hydration-probe"
                disabled=move || !hydrated.get()
                on:click=move |_| clicks.update(|n| *n += 1)
            >
                {move || format!("Test button: clicked {} times", clicks.get())}
            </button>
        </section>
    }
}
