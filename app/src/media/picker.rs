//! The editor's cover picker: an image from the library or a new upload,
//! never without its alt text.

use leptos::prelude::*;

use super::api::{MediaView, list_media};
use super::upload::{ACCEPTED_TYPES, DescribeImage, UploadStatus, Uploader, error_message, take_chosen_file};

#[component]
pub fn CoverPicker(
    /// False while the post cannot change (or the scripts have not run).
    #[prop(into)]
    enabled: Signal<bool>,
    /// Receives the chosen image, described.
    on_choose: Callback<MediaView>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let uploader = Uploader::default();
    let describing = RwSignal::new(None::<MediaView>);
    let chooser = NodeRef::<leptos::html::Input>::new();
    // The fields above change silently; this says so.
    let note = RwSignal::new(String::new());
    let use_cover = Callback::new(move |media: MediaView| {
        note.set(format!("Cover set to {}.", media.file_name));
        on_choose.run(media);
    });
    let choose = move |media: MediaView| {
        open.set(false);
        if media.alt.trim().is_empty() {
            describing.set(Some(media));
        } else {
            describing.set(None);
            use_cover.run(media);
        }
    };
    let chosen = move |_| {
        let Some(file) = chooser.get_untracked().and_then(|input| take_chosen_file(&input)) else {
            return;
        };
        open.set(false);
        describing.set(None);
        note.set(String::new());
        leptos::task::spawn_local(async move {
            if let Some(media) = uploader.send(file).await {
                let _ = describing.try_set(Some(media));
            }
        });
    };
    view! {
        <div class="cover-picker" data-testid="cover-picker">
            <div class="actions">
                <button type="button" class="secondary" aria-expanded=move || open.get().to_string()
                    disabled=move || !enabled.get() on:click=move |_| open.update(|open| *open = !*open)>
                    "Choose from library"
                </button>
                <button type="button" class="secondary" disabled=move || !enabled.get() || uploader.busy()
                    on:click=move |_| {
                        if let Some(input) = chooser.get_untracked() {
                            input.click();
                        }
                    }>
                    "Upload a cover"
                </button>
                <input type="file" hidden=true accept=ACCEPTED_TYPES node_ref=chooser aria-label="Cover image file"
                    on:change=chosen />
            </div>
            <UploadStatus uploader />
            <p class="status" role="status">{move || note.get()}</p>
            {move || describing.get().map(|media| view! {
                <DescribeImage media id="cover-image-alt" confirm="Use as cover"
                    on_done=Callback::new(move |media: MediaView| {
                        describing.set(None);
                        use_cover.run(media);
                    })
                    on_cancel=Callback::new(move |()| describing.set(None)) />
            })}
            {move || open.get().then(|| view! { <CoverLibrary on_pick=Callback::new(choose) /> })}
        </div>
    }
}

/// The library's images as buttons, each showing its alt text.
#[component]
fn CoverLibrary(on_pick: Callback<MediaView>) -> impl IntoView {
    let images = Resource::new(|| (), |()| list_media(String::new()));
    view! {
        <div class="cover-library">
            <Suspense fallback=|| view! { <p>"Loading the library…"</p> }>
                {move || Suspend::new(async move {
                    match images.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"The library has no images yet. Upload a cover instead."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="media-choices" aria-label="Images in the library">
                                {list.into_iter().map(|media| view! { <li><Choice media on_pick /></li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error_message(&error)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Choice(media: MediaView, on_pick: Callback<MediaView>) -> impl IntoView {
    // The button's text is the alt text, so the thumbnail adds nothing
    // for screen readers.
    let label = if media.alt.trim().is_empty() {
        format!("{} (no alt text yet)", media.file_name)
    } else {
        media.alt.clone()
    };
    let (src, width, height) = (media.thumbnail_url.clone(), media.width, media.height);
    view! {
        <button type="button" class="media-choice" on:click=move |_| on_pick.run(media.clone())>
            <img src=src alt="" width=width height=height loading="lazy" />
            <span>{label}</span>
        </button>
    }
}
