//! The post settings beside the text.

use leptos::prelude::*;

use crate::domain::{PostFields, PostKind};
use crate::error::AppError;
use crate::media::api::MediaView;
use crate::posts::api::Person;

/// Slug, excerpt, tags and the review switch (articles only: pages have
/// neither), authors, cover and SEO.
#[component]
pub(super) fn SidePanel(
    fields: RwSignal<PostFields>,
    errors: RwSignal<AppError>,
    editable: Memo<bool>,
    people: Vec<Person>,
    kind: PostKind,
) -> impl IntoView {
    let field = move |name: &'static str| Signal::derive(move || errors.with(|e| e.field_messages(name).to_vec()));
    // Each field is type-erased: the panel's full type is too deep for
    // the compiler otherwise.
    let text = move |id: &'static str,
                     label: &'static str,
                     hint: Option<String>,
                     get: fn(&PostFields) -> String,
                     put: fn(&mut PostFields, String)| {
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id prop:value=move || fields.with(get) readonly=move || !editable.get()
                    on:input=move |ev| { let value = event_target_value(&ev); fields.update(|f| put(f, value)); }
                    aria-describedby=error_id.clone() />
                {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
                <crate::components::FieldErrorText id=error_id errors=field(id.trim_start_matches("post-")) />
            </div>
        }
        .into_any()
    };
    let counter = move |get: fn(&PostFields) -> String, limit: usize| {
        move || {
            let count = fields.with(|f| get(f).chars().count());
            let advice = if count > limit {
                " (search engines will cut it)"
            } else {
                ""
            };
            format!("{count} of about {limit} characters{advice}")
        }
    };
    let names = people.clone();
    let name_of = move |id: i64| {
        names
            .iter()
            .find(|person| person.id == id)
            .map_or_else(|| format!("User {id}"), |person| person.name.clone())
    };
    // Type-erased before it is wrapped: the whole panel's type is too deep
    // for the compiler otherwise.
    let body = view! {
        <div class="side-panel-fields">
            {match kind {
                PostKind::Post => text("post-slug", "Address (slug)", Some("The last part of the post's address.".into()),
                    |f| f.content.slug.clone(), |f, v| f.content.slug = v),
                PostKind::Page => text("post-slug", "Address (slug)",
                    Some("The page's address on the site: /about for \"about\".".into()),
                    |f| f.content.slug.clone(), |f, v| f.content.slug = v),
            }}
            <div class="field">
                <label for="post-excerpt">"Excerpt"</label>
                <textarea id="post-excerpt" rows="3" prop:value=move || fields.with(|f| f.content.excerpt.clone())
                    readonly=move || !editable.get() aria-describedby="post-excerpt-error"
                    on:input=move |ev| { let value = event_target_value(&ev); fields.update(|f| f.content.excerpt = value); }>
                    {fields.with_untracked(|f| f.content.excerpt.clone())}
                </textarea>
                <p class="hint">"Left empty, the first paragraph is used."</p>
                <crate::components::FieldErrorText id="post-excerpt-error".to_owned() errors=field("excerpt") />
            </div>
            {(kind == PostKind::Post).then(|| text("post-tags", "Tags",
                Some("Separated by commas; new tags are created.".into()), |f| f.tags.clone(), |f, v| f.tags = v))}
            <fieldset class="field authors">
                <legend>"Authors"</legend>
                <ol data-testid="authors">
                    {move || {
                        let ids = fields.with(|f| f.author_ids.clone());
                        let count = ids.len();
                        ids.into_iter().enumerate().map(|(index, author)| {
                            let name = name_of(author);
                            view! {
                                <li>
                                    {name.clone()} {(index == 0).then_some(" (primary)")}
                                    <button type="button" class="link" disabled=move || !editable.get() || index == 0
                                        aria-label=format!("Move {name} up")
                                        on:click=move |_| fields.update(|f| f.author_ids.swap(index, index - 1))>
                                        "Up"
                                    </button>
                                    <button type="button" class="link" disabled=move || !editable.get() || count == 1
                                        aria-label=format!("Remove {name}")
                                        on:click=move |_| fields.update(|f| { f.author_ids.remove(index); })>
                                        "Remove"
                                    </button>
                                </li>
                            }
                        }).collect_view()
                    }}
                </ol>
                <label for="add-author">"Add an author"</label>
                <select id="add-author" disabled=move || !editable.get()
                    on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                            fields.update(|f| if !f.author_ids.contains(&id) { f.author_ids.push(id) });
                        }
                    }>
                    <option value="">"Choose…"</option>
                    {people.into_iter().map(|person| view! {
                        <option value=person.id.to_string()>{person.name}</option>
                    }).collect_view()}
                </select>
                <crate::components::FieldErrorText id="post-authors-error".to_owned() errors=field("authors") />
            </fieldset>
            {text("post-cover_url", "Cover image address", None, |f| f.content.cover_url.clone(), |f, v| f.content.cover_url = v)}
            {text("post-cover_alt", "Cover image description (alt text)",
                Some("Required with a cover: what the image shows.".into()),
                |f| f.content.cover_alt.clone(), |f, v| f.content.cover_alt = v)}
            {view! {
                <crate::media::picker::CoverPicker enabled=editable
                    on_choose=Callback::new(move |media: MediaView| fields.update(|f| {
                        f.content.cover_url = media.url;
                        f.content.cover_alt = media.alt;
                    })) />
            }.into_any()}
            {text("post-seo_title", "SEO title", None, |f| f.content.seo_title.clone(), |f, v| f.content.seo_title = v)}
            <p class="hint">{counter(|f| f.content.seo_title.clone(), crate::posts::SEO_TITLE_HINT)}</p>
            {text("post-seo_description", "Meta description", None,
                |f| f.content.seo_description.clone(), |f, v| f.content.seo_description = v)}
            <p class="hint">{counter(|f| f.content.seo_description.clone(), crate::posts::SEO_DESCRIPTION_HINT)}</p>
            {text("post-canonical_url", "Canonical URL", Some("Only if this post first appeared elsewhere.".into()),
                |f| f.content.canonical_url.clone(), |f, v| f.content.canonical_url = v)}
            // Readers see a review line on articles only.
            {(kind == PostKind::Post).then(|| view! {
                <div class="field checkbox">
                    <input type="checkbox" id="post-show_review" prop:checked=move || fields.with(|f| f.show_review)
                        disabled=move || !editable.get()
                        on:change=move |ev| { let on = event_target_checked(&ev); fields.update(|f| f.show_review = on); } />
                    <label for="post-show_review">"Show the medical review on the post"</label>
                </div>
            })}
        </div>
    }
    .into_any();
    view! {
        <aside class="side-panel card" aria-label="Post settings">
            // Open at first; closed, it leaves the text the room.
            <details class="side-panel-details" open=true>
                <summary data-testid="settings-toggle"><h2>"Post settings"</h2></summary>
                {body}
            </details>
        </aside>
    }
    .into_any()
}
