//! What the page shows of the images on their way: the button that
//! chooses them, the list of files with each one's stage, and the box that
//! asks for the first uploaded image's description.

use leptos::prelude::*;

use super::images::{ImageInsert, Pending, Stage};
use crate::media::api::MediaView;
use crate::media::upload::{ACCEPTED_TYPES, take_chosen_files};

/// Opens the file chooser; the chosen images are uploaded and inserted.
#[component]
pub(super) fn ImageButton(images: ImageInsert) -> impl IntoView {
    let chooser = NodeRef::<leptos::html::Input>::new();
    let chosen = move |_| {
        if let Some(input) = chooser.get_untracked() {
            images.start_in_text(take_chosen_files(&input));
        }
    };
    view! {
        <button type="button" title="Insert images (choose one or several)" aria-label="Insert images"
            disabled=move || !images.editable.get()
            on:mousedown=|ev| ev.prevent_default()
            on:click=move |_| {
                if let Some(input) = chooser.get_untracked() {
                    input.click();
                }
            }>
            "Images"
        </button>
        <input type="file" hidden=true multiple=true accept=ACCEPTED_TYPES node_ref=chooser aria-label="Images to insert"
            on:change=chosen />
    }
}

/// Each file on its way, with its progress or what went wrong; then the
/// box that asks for the first uploaded image's description.
#[component]
pub(super) fn ImageQueue(images: ImageInsert) -> impl IntoView {
    // One line per file, rebuilt only when that file's stage changes, so
    // an alert is said once and a focused button keeps its focus. The
    // list is not a live region (percentages would be read out without
    // end); the stage changes are announced on their own line.
    let stage_kind = |stage: &Stage| match stage {
        Stage::Waiting => 0u8,
        Stage::Sending => 1,
        Stage::Describing(_) => 2,
        Stage::Failed(_) => 3,
    };
    let item = move |pending: Pending| {
        let Pending {
            id,
            name,
            percent,
            stage,
            ..
        } = pending;
        let state = match stage {
            Stage::Waiting => view! {
                <span>" · waiting"</span>
                <button type="button" class="secondary" aria-label=format!("Do not upload {name}")
                    on:click=move |_| images.remove_waiting(id)>"Remove"</button>
            }
            .into_any(),
            Stage::Sending => view! {
                <span>{move || format!(" · uploading, {}%", percent.get())}</span>
                // The text says the same.
                <progress max="100" value=move || percent.get().to_string() aria-hidden="true"></progress>
            }
            .into_any(),
            Stage::Describing(_) => view! { <span>" · uploaded, waiting for its description"</span> }.into_any(),
            Stage::Failed(message) => view! {
                <span class="error" role="alert">" · "{message}</span>
                <button type="button" class="secondary" on:click=move |_| images.forget(id)>"Dismiss"</button>
            }
            .into_any(),
        };
        view! { <li data-testid="upload-item">{name.clone()}{state}</li> }
    };
    let announcement = move || {
        images.queue.with(|queue| {
            let sending = queue
                .iter()
                .filter(|p| matches!(p.stage, Stage::Waiting | Stage::Sending))
                .count();
            let describing = queue.iter().filter(|p| matches!(p.stage, Stage::Describing(_))).count();
            match (sending, describing) {
                (0, 0) => String::new(),
                (sending, 0) => format!("Uploading {sending} image(s)."),
                (sending, describing) => format!("{describing} image(s) to describe, {sending} still uploading."),
            }
        })
    };
    let heading = move |id: u32, file_name: &str| {
        // Counted within the files dropped together.
        let of = images
            .queue
            .with_untracked(|queue| queue.iter().find(|p| p.id == id).map(|p| p.of));
        match of {
            Some((position, count)) if count > 1 => format!("Describe {file_name} ({position} of {count})"),
            _ => format!("Describe {file_name}"),
        }
    };
    view! {
        <div class="upload-queue">
            <p class="visually-hidden" role="status" aria-live="polite">{announcement}</p>
            <Show when=move || images.queue.with(|queue| !queue.is_empty())>
                <ul aria-label="Images being added" data-testid="upload-queue">
                    <For each=move || images.queue.get()
                        key=move |pending| (pending.id, stage_kind(&pending.stage))
                        children=item />
                </ul>
            </Show>
        </div>
        {move || images.describing.get().map(|(id, media)| {
            let title = heading(id, &media.file_name);
            view! {
                <crate::media::upload::DescribeImage media id="body-image-alt" confirm="Insert image"
                    caption=images.caption heading=title
                    on_done=Callback::new(move |media: MediaView| images.described(id, &media))
                    on_cancel=Callback::new(move |()| images.cancel(id)) />
            }
        })}
    }
    .into_any()
}
