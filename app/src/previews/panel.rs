//! The editor's "Share a preview" box (editors and admins): make a link,
//! see the links made, revoke them.

use leptos::prelude::*;

use super::api::{CreatedPreviewLink, DEFAULT_DAYS, create_preview_link, list_preview_links, revoke_preview_link};
use crate::error::AppError;

#[component]
pub fn PreviewLinksPanel(
    post_id: i64,
    /// False until the page's scripts run; the buttons wait for them.
    ready: ReadSignal<bool>,
) -> impl IntoView {
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let pin = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedPreviewLink>);
    let problem = RwSignal::new(None::<AppError>);
    let changed = RwSignal::new(0_u32);
    let links = Resource::new(move || changed.get(), move |_| list_preview_links(post_id));

    let create = move |_| {
        leptos::task::spawn_local(async move {
            let days = days.get_untracked().parse().unwrap_or(DEFAULT_DAYS);
            match create_preview_link(post_id, days, pin.get_untracked()).await {
                Ok(link) => {
                    created.set(Some(link));
                    problem.set(None);
                    changed.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let revoke = move |id: i64| {
        leptos::task::spawn_local(async move {
            match revoke_preview_link(post_id, id).await {
                Ok(()) => changed.update(|n| *n += 1),
                Err(error) => problem.set(Some(error)),
            }
        });
    };

    view! {
        <section class="card preview-links" aria-labelledby="preview-links-heading" data-testid="preview-links">
            <h2 id="preview-links-heading">"Share a preview"</h2>
            <p class="hint">"Anyone with the link can read this post as it will look, until the link expires or you revoke it."</p>
            <div class="field">
                <label for="preview-days">"Expires after"</label>
                <select id="preview-days" on:change=move |event| days.set(event_target_value(&event))
                    prop:value=move || days.get()>
                    <option value="1">"1 day"</option>
                    <option value="7">"7 days"</option>
                    <option value="30">"30 days"</option>
                    <option value="90">"90 days"</option>
                </select>
            </div>
            <div class="field checkbox">
                <input type="checkbox" id="preview-pin" prop:checked=move || pin.get()
                    on:change=move |event| pin.set(event_target_checked(&event)) />
                <label for="preview-pin">"Always show this version (later edits stay out of the preview)"</label>
            </div>
            <button type="button" on:click=create disabled=move || !ready.get()>"Create preview link"</button>
            {move || problem.get().map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
            {move || created.get().map(|link| view! {
                <div class="notice" role="status" data-testid="preview-created">
                    <p>"Copy the link now; it is shown only once."</p>
                    <label for="preview-page-url">"Page"</label>
                    <input id="preview-page-url" readonly=true value=link.page_url />
                    <label for="preview-api-url">"For front ends (JSON)"</label>
                    <input id="preview-api-url" readonly=true value=link.api_url />
                </div>
            })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    links.await.ok().filter(|links| !links.is_empty()).map(|links| view! {
                        <ul class="preview-link-list">
                            {links.into_iter().map(|link| {
                                let id = link.id;
                                let active = link.state == "active";
                                let pinned = link
                                    .pinned_version
                                    .map(|version| format!(", version {version}"))
                                    .unwrap_or_default();
                                view! {
                                    <li>
                                        {format!(
                                            "By {}, {} — {} until {}{pinned}",
                                            link.created_by, link.created, link.state, link.expires
                                        )}
                                        {active.then(|| view! {
                                            <button type="button" class="link" on:click=move |_| revoke(id)>"Revoke"</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
        </section>
    }
}
