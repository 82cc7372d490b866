//! The admins' settings page.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{SaveSiteSettings, get_site_settings};
use crate::components::{FieldErrorText, FormAlert, TextField, field_errors};

const FIELDS: &[&str] = &[
    "title",
    "description",
    "site_url",
    "time_zone",
    "date_format",
    "review_required",
    "logo_url",
    "accent_color",
    "cta_heading",
    "cta_text",
    "cta_label",
    "cta_url",
    "content_key",
    "reading_grade_target",
    "language",
    "review_interval_months",
    "lapsed_review_display",
];

/// How often articles are medically reviewed again, and what readers see
/// once a review is past due.
#[component]
fn ReviewCadenceFields(
    months: i64,
    display: crate::domain::LapsedReviewDisplay,
    save: ServerAction<SaveSiteSettings>,
) -> impl IntoView {
    use crate::domain::LapsedReviewDisplay;
    let option = move |choice: LapsedReviewDisplay, label: &'static str| {
        view! { <option value=choice.as_str() selected=display == choice>{label}</option> }
    };
    let display_errors = field_errors(save.value(), "lapsed_review_display");
    view! {
        <fieldset>
            <legend>"Medical review"</legend>
            <TextField name="review_interval_months" label="Next review due after (months)" kind="number"
                value=months.to_string() min=1 max=60
                hint="1 to 60. Every approval, re-review and published update sets the article's next review this \
                      long after it; a reviewer may choose another date for one article. 12 is usual."
                errors=field_errors(save.value(), "review_interval_months") />
            <div class="field">
                <label for="field-lapsed_review_display">"When a review is past due, readers see"</label>
                <select id="field-lapsed_review_display" name="lapsed_review_display"
                    aria-invalid=move || if display_errors.with(Vec::is_empty) { "false" } else { "true" }
                    aria-describedby="field-lapsed_review_display-error">
                    {option(LapsedReviewDisplay::Flag, "The review line, followed by \u{201c}Review due\u{201d}")}
                    {option(LapsedReviewDisplay::DateOnly, "Only \u{201c}Last reviewed\u{201d} and the date")}
                </select>
                <FieldErrorText id="field-lapsed_review_display-error".to_owned() errors=display_errors />
            </div>
        </fieldset>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSiteSettings>::new();
    // Loaded once, so a save does not re-render the form under the cursor.
    let settings = Resource::new(|| (), |_| get_site_settings());
    let email_on = Resource::new(|| (), |_| crate::mail::api::email_is_on());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <Suspense>
            {move || Suspend::new(async move {
                let on = email_on.await.unwrap_or(true);
                view! {
                    <section class="card" aria-labelledby="email-heading">
                        <h2 id="email-heading">"Email"</h2>
                        {if on {
                            view! { <p>"Email is on."</p> }.into_any()
                        } else {
                            view! { <crate::mail::pages::EmailOffNote /> }.into_any()
                        }}
                        <p><a href="/admin/email">"The delivery log"</a></p>
                    </section>
                }
            })}
        </Suspense>
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
                        <fieldset>
                            <legend>"Look of the blog"</legend>
                            <TextField name="logo_url" label="Logo address" value=settings.logo_url
                                hint="A path on this site or an https address; shown beside the site title."
                                errors=field_errors(save.value(), "logo_url") />
                            <TextField name="accent_color" label="Accent colour" value=settings.accent_color
                                hint="For links and buttons, as #rrggbb. It must be dark enough to read on white \
                                      (4.5:1); empty for Vellum's teal."
                                errors=field_errors(save.value(), "accent_color") />
                        </fieldset>
                        <fieldset>
                            <legend>"Call to action under every article"</legend>
                            <TextField name="cta_heading" label="Heading" value=settings.cta_heading
                                hint="e.g. Questions about your health? Leave all four empty for none."
                                errors=field_errors(save.value(), "cta_heading") />
                            <TextField name="cta_text" label="Text" value=settings.cta_text
                                errors=field_errors(save.value(), "cta_text") />
                            <TextField name="cta_label" label="Button label" value=settings.cta_label
                                hint="e.g. Book a visit" errors=field_errors(save.value(), "cta_label") />
                            <TextField name="cta_url" label="Button link" value=settings.cta_url
                                hint="A path on this site or an https address."
                                errors=field_errors(save.value(), "cta_url") />
                        </fieldset>
                        <fieldset>
                            <legend>"Writing for patients"</legend>
                            <TextField name="reading_grade_target" label="Reading level to aim for (school grade)"
                                kind="number" value=settings.reading_grade_target.to_string()
                                hint="The editor shows each article's reading level (Flesch–Kincaid) against this \
                                      grade. Health-literacy guidance asks for grade 6 to 8 in patient materials."
                                errors=field_errors(save.value(), "reading_grade_target") />
                            <TextField name="language" label="Language of the articles" value=settings.language
                                hint="A language code such as en, es or fr-CA. Public pages declare it, and the \
                                      editor's spellcheck uses it. The reading level is measured for English only."
                                errors=field_errors(save.value(), "language") />
                        </fieldset>
                        <ReviewCadenceFields months=settings.review_interval_months
                            display=settings.lapsed_review_display save />
                        <fieldset>
                            <legend>"Content API"</legend>
                            <TextField name="content_key" label="Content key" value=settings.content_key
                                hint="Leave empty for an open API (the default). When set, front ends must send it as \
                                      ?key=… or the X-Content-Key header; 16 to 128 letters, digits, - or _. \
                                      After a change the previous key keeps working for 7 days."
                                errors=field_errors(save.value(), "content_key") />
                        </fieldset>
                        <FormAlert result=save.value() fields=FIELDS />
                        <p class="status" aria-live="polite">
                            {move || matches!(save.value().get(), Some(Ok(_))).then_some("Settings saved.")}
                        </p>
                        <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
        <super::clinic_form::ClinicForm />
        <super::menus_form::MenusForm />
        <crate::two_factor::policy_form::TwoFactorPolicyForm />
        <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">"Export"</h2>
            <p class="hint">
                "Everything on this site in open formats: every post with its history and review comments, \
                 one Markdown file per post, the images, users (without passwords), tags and settings."
            </p>
            <form method="post" action=crate::export::EXPORT_PATH>
                <button type="submit" class="button">"Download the export (.tar.gz)"</button>
            </form>
        </section>
    }
}
