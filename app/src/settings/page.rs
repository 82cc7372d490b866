//! The admins' settings page.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{SaveSiteSettings, get_site_settings};
use crate::components::{FormAlert, TextField, field_errors};

const FIELDS: &[&str] = &[
    "title",
    "description",
    "site_url",
    "time_zone",
    "date_format",
    "review_required",
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSiteSettings>::new();
    // Loaded once, so a save does not re-render the form under the cursor.
    let settings = Resource::new(|| (), |_| get_site_settings());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                settings.await.ok().map(|settings| view! {
                    <ActionForm action=save attr:class="card">
                        <TextField name="title" label="Site title" value=settings.title required=true
                            errors=field_errors(save.value(), "title") />
                        <TextField name="description" label="Description"
                            hint="One or two sentences, shown on the home page and to search engines."
                            value=settings.description errors=field_errors(save.value(), "description") />
                        <TextField name="site_url" label="Public address" kind="url" value=settings.site_url
                            required=true
                            hint="Used in links, feeds and e-mails. Secure cookies follow it after a restart."
                            errors=field_errors(save.value(), "site_url") />
                        <TextField name="time_zone" label="Time zone" value=settings.time_zone required=true
                            hint="An IANA name, e.g. America/Chicago or Europe/Berlin."
                            errors=field_errors(save.value(), "time_zone") />
                        <TextField name="date_format" label="Date format" value=settings.date_format required=true
                            hint="A strftime pattern: %B %-d, %Y shows July 9, 2025."
                            errors=field_errors(save.value(), "date_format") />
                        <div class="field checkbox">
                            <input type="checkbox" id="field-review_required" name="review_required" value="true"
                                checked=settings.review_required />
                            <label for="field-review_required">"Review required"</label>
                            <p class="hint">
                                "On: authors submit posts and an editor approves them. Off: authors publish their own."
                            </p>
                        </div>
                        <FormAlert result=save.value() fields=FIELDS />
                        <p class="status" aria-live="polite">
                            {move || matches!(save.value().get(), Some(Ok(_))).then_some("Settings saved.")}
                        </p>
                        <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
    }
}
