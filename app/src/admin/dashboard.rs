use leptos::prelude::*;
use leptos_meta::Title;

use crate::settings::api::get_site_settings;

/// The admin's start page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_site_settings());
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
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
