//! The media library page: upload, search, describe and delete images,
//! and see where each is used.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{MediaView, delete_media, list_media, set_media_alt};
use super::upload::{ACCEPTED_TYPES, UploadStatus, Uploader, error_message, take_chosen_file};
use crate::components::FieldErrorText;
use crate::error::AppError;

#[component]
pub fn MediaPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let changed = RwSignal::new(0_u32);
    let images = Resource::new(
        move || (query.get(), changed.get()),
        |(q, _)| async move {
            let found = list_media(q.clone()).await;
            (q, found)
        },
    );
    // The buttons work once the page's scripts run.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Title text="Media" />
        <h1>"Media"</h1>
        <p class="hint">
            "Images for posts and covers. Every upload is checked, turned upright and stripped of its \
             metadata (the place it was taken included); readers get sizes that fit their screens."
        </p>
        <UploadCard ready=hydrated.read_only() changed />
        <form class="filters media-search" role="search" on:submit=|event| event.prevent_default()>
            <div class="field">
                <label for="media-search">"Search images"</label>
                <input id="media-search" type="search" aria-describedby="media-search-hint"
                    prop:value=move || query.get() on:input=move |event| query.set(event_target_value(&event)) />
                <p class="field-hint" id="media-search-hint">"By file name or alt text."</p>
            </div>
        </form>
        <h2>"Library"</h2>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match images.await {
                    (q, Ok(list)) if list.is_empty() => view! { <p class="empty">{empty_text(&q)}</p> }.into_any(),
                    (_, Ok(list)) => view! {
                        <ul class="media-list" aria-label="Images" data-testid="media-list">
                            {list.into_iter().map(|media| view! { <MediaItem media changed /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    (_, Err(error)) => view! { <p class="error" role="alert">{error_message(&error)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn empty_text(q: &str) -> String {
    if q.trim().is_empty() {
        "No images yet. Upload one here, or drop or paste one into a post's text.".into()
    } else {
        format!("No image's file name or alt text matches \u{201c}{}\u{201d}.", q.trim())
    }
}

#[component]
fn UploadCard(ready: ReadSignal<bool>, changed: RwSignal<u32>) -> impl IntoView {
    let uploader = Uploader::default();
    let uploaded = RwSignal::new(String::new());
    let chooser = NodeRef::<leptos::html::Input>::new();
    let chosen = move |_| {
        let Some(file) = chooser.get_untracked().and_then(|input| take_chosen_file(&input)) else {
            return;
        };
        uploaded.set(String::new());
        leptos::task::spawn_local(async move {
            if let Some(media) = uploader.send(file).await {
                let _ = uploaded.try_set(format!("{} was uploaded. Add its alt text below.", media.file_name));
                let _ = changed.try_update(|n| *n += 1);
            }
        });
    };
    view! {
        <section class="card media-upload" aria-labelledby="media-upload-heading">
            <h2 id="media-upload-heading">"Upload an image"</h2>
            <p class="hint" id="media-upload-hint">"JPEG, PNG, WebP or GIF."</p>
            <button type="button" aria-describedby="media-upload-hint"
                disabled=move || !ready.get() || uploader.busy()
                on:click=move |_| {
                    if let Some(input) = chooser.get_untracked() {
                        input.click();
                    }
                }>
                "Choose an image…"
            </button>
            <input type="file" hidden=true accept=ACCEPTED_TYPES node_ref=chooser aria-label="Image to upload"
                on:change=chosen />
            <UploadStatus uploader />
            <p class="status" role="status">{move || uploaded.get()}</p>
        </section>
    }
}

/// Sizes as people read them: "48 KB", "1.5 MB".
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    // Image sizes are far below the 2^53 bytes where f64 loses precision.
    let bytes = bytes.max(0) as f64;
    if bytes < KB * KB {
        format!("{} KB", (bytes / KB).ceil().max(1.0))
    } else {
        format!("{:.1} MB", bytes / (KB * KB))
    }
}

#[component]
fn MediaItem(media: MediaView, changed: RwSignal<u32>) -> impl IntoView {
    let id = media.id;
    let name = media.file_name.clone();
    let problem = RwSignal::new(None::<String>);
    let delete = {
        let name = name.clone();
        move |_| {
            let sure = window()
                .confirm_with_message(&format!("Delete {name}? This cannot be undone."))
                .unwrap_or(false);
            if !sure {
                return;
            }
            leptos::task::spawn_local(async move {
                match delete_media(id).await {
                    Ok(()) => {
                        let _ = changed.try_update(|n| *n += 1);
                    }
                    // Conflict names the posts that still use it.
                    Err(error) => {
                        let _ = problem.try_set(Some(error_message(&error)));
                    }
                }
            });
        }
    };
    let used_in = used_in_text(&media.used_in, media.used_elsewhere);
    view! {
        <li class="media-item" data-testid="media-item">
            <img class="media-thumb" src=media.thumbnail_url.clone() alt=media.alt.clone()
                width=media.width height=media.height loading="lazy" />
            <div class="media-facts">
                <h3 class="media-name">{name.clone()}</h3>
                <dl class="media-meta">
                    <dt>"Size"</dt>
                    <dd>{human_size(media.bytes)}</dd>
                    <dt>"Dimensions"</dt>
                    <dd>{format!("{} × {} pixels", media.width, media.height)}</dd>
                    <dt>"Uploaded"</dt>
                    <dd>{format!("{} by {}", media.created, media.uploaded_by)}</dd>
                    <dt>"Used in"</dt>
                    <dd data-testid="used-in">{used_in}</dd>
                </dl>
                {if media.can_edit {
                    view! { <AltTextForm id name=name.clone() alt=media.alt.clone() /> }.into_any()
                } else {
                    view! {
                        <p class="media-alt-text">
                            <strong>"Alt text: "</strong>
                            {if media.alt.is_empty() { "none yet".to_owned() } else { media.alt.clone() }}
                        </p>
                    }.into_any()
                }}
                {media.can_edit.then(|| view! {
                    <button type="button" class="danger" on:click=delete>
                        "Delete" <span class="visually-hidden">{format!(" {name}")}</span>
                    </button>
                })}
                {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            </div>
        </li>
    }
}

/// The alt text of one image, saved on request.
#[component]
fn AltTextForm(id: i64, name: String, alt: String) -> impl IntoView {
    let alt = RwSignal::new(alt);
    let result = RwSignal::new(None::<Result<MediaView, AppError>>);
    let errors = Signal::derive(move || match result.get() {
        Some(Err(error)) => error.field_messages("alt").to_vec(),
        _ => Vec::new(),
    });
    let input_id = format!("media-alt-{id}");
    let error_id = format!("{input_id}-error");
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = alt.get_untracked().trim().to_owned();
        if text.is_empty() {
            result.set(Some(Err(AppError::invalid("alt", "Write the alt text before saving."))));
            return;
        }
        leptos::task::spawn_local(async move {
            let outcome = set_media_alt(id, text).await;
            if let Ok(saved) = &outcome {
                let _ = alt.try_set(saved.alt.clone());
            }
            let _ = result.try_set(Some(outcome));
        });
    };
    let saved = move || matches!(result.get(), Some(Ok(_))).then_some("Saved.");
    let problem = move || match result.get() {
        Some(Err(error)) if error.field_messages("alt").is_empty() => Some(error_message(&error)),
        _ => None,
    };
    view! {
        <form class="media-alt" on:submit=save>
            <div class="field">
                <label for=input_id.clone()>
                    "Alt text" <span class="visually-hidden">{format!(" for {name}")}</span>
                </label>
                <input id=input_id maxlength="500" aria-describedby=error_id.clone()
                    aria-invalid=move || if errors.with(Vec::is_empty) { "false" } else { "true" }
                    prop:value=move || alt.get()
                    on:input=move |event| {
                        alt.set(event_target_value(&event));
                        result.set(None);
                    } />
                <FieldErrorText id=error_id errors />
            </div>
            <button type="submit" class="secondary">
                "Save" <span class="visually-hidden">{format!(" the alt text of {name}")}</span>
            </button>
            <p class="status" role="status">{saved}</p>
            {move || problem().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </form>
    }
}

/// "Used in": the titles the viewer may see, then a count of the rest.
fn used_in_text(titles: &[String], elsewhere: u32) -> String {
    let mut parts = titles.to_vec();
    match elsewhere {
        0 => {}
        1 => parts.push("1 post by another author".to_owned()),
        n => parts.push(format!("{n} posts by other authors")),
    }
    if parts.is_empty() {
        "Not used yet".to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_kilobytes_or_megabytes() {
        assert_eq!(human_size(500), "1 KB");
        assert_eq!(human_size(49_152), "48 KB");
        assert_eq!(human_size(1_572_864), "1.5 MB");
    }
}
