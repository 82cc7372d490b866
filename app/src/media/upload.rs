//! Uploading from the browser: one file at a time, sent with
//! XMLHttpRequest because `fetch` cannot report an upload's progress; the
//! live status line; and the box that asks for an image's alt text before
//! it is used anywhere.
//!
//! Everything here runs in event handlers, which the server never calls;
//! the server build compiles it and leaves it alone.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{File, FileList, ProgressEvent, XmlHttpRequest};

use super::api::{MediaView, UPLOAD_PATH, set_media_alt};
use crate::components::FieldErrorText;
use crate::error::AppError;

/// What the server accepts; file pickers offer only these.
pub const ACCEPTED_TYPES: &str = "image/jpeg,image/png,image/webp,image/gif";

type Outcome = Result<MediaView, AppError>;

/// A hung request would hold up every file queued after it; fifteen
/// minutes is long enough for a large photo on a slow phone line.
const UPLOAD_TIMEOUT_MS: u32 = 900_000;

/// Sends `file` to the media library as the multipart part `file`, with
/// the session cookie like any same-origin request. `percent` follows the
/// bytes sent.
pub async fn upload(file: &File, percent: WriteSignal<u8>) -> Outcome {
    match start(file, percent) {
        Ok(request) => request.await,
        // The browser refused to even build the request.
        Err(_) => Err(unsent()),
    }
}

/// Every file of a drop or paste, images or not: the server explains
/// why it refuses one that is not an image it takes.
pub fn all_files(files: Option<FileList>) -> Vec<File> {
    files.map_or_else(Vec::new, |files| {
        (0..files.length()).filter_map(|index| files.get(index)).collect()
    })
}

/// The file chosen in a file input, which is emptied so that choosing the
/// same file again is noticed.
pub fn take_chosen_file(input: &web_sys::HtmlInputElement) -> Option<File> {
    take_chosen_files(input).into_iter().next()
}

/// The files chosen in a file input (emptied likewise).
pub fn take_chosen_files(input: &web_sys::HtmlInputElement) -> Vec<File> {
    let files = all_files(input.files());
    input.set_value("");
    files
}

/// What to tell the person about a failed upload or save.
pub fn error_message(error: &AppError) -> String {
    match error {
        AppError::Validation { fields } if !fields.is_empty() => {
            fields.values().flatten().cloned().collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

fn unsent() -> AppError {
    AppError::invalid(
        "file",
        "The upload did not reach the server. Check your connection and try again.",
    )
}

/// The answer of one upload, filled in by the request's event handlers.
#[derive(Default)]
struct Slot {
    outcome: Option<Outcome>,
    waker: Option<Waker>,
}

fn settle(slot: &RefCell<Slot>, outcome: Outcome) {
    let waker = {
        let mut slot = slot.borrow_mut();
        slot.outcome = Some(outcome);
        slot.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

type Handler = Closure<dyn FnMut(ProgressEvent)>;

/// An upload under way; resolves when it ends. Dropping it first aborts
/// the request, so its handlers are never called after they are gone.
struct Request {
    xhr: XmlHttpRequest,
    slot: Rc<RefCell<Slot>>,
    _handlers: [Handler; 3],
}

fn start(file: &File, percent: WriteSignal<u8>) -> Result<Request, wasm_bindgen::JsValue> {
    let form = web_sys::FormData::new()?;
    form.append_with_blob_and_filename("file", file, &file.name())?;
    let xhr = XmlHttpRequest::new()?;
    xhr.open("POST", UPLOAD_PATH)?;
    // A request that hangs would hold up every file queued after it.
    xhr.set_timeout(UPLOAD_TIMEOUT_MS);
    let slot = Rc::new(RefCell::new(Slot::default()));

    let on_progress = Handler::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            let share = (event.loaded() / event.total() * 100.0).clamp(0.0, 100.0);
            // Clamped to 0..=100 first, so the cast is exact but for the
            // fraction it drops.
            let _ = percent.try_set(share as u8);
        }
    });
    let on_load = {
        let (xhr, slot) = (xhr.clone(), Rc::clone(&slot));
        Handler::new(move |_: ProgressEvent| settle(&slot, answer(&xhr)))
    };
    let on_failure = {
        let slot = Rc::clone(&slot);
        Handler::new(move |_: ProgressEvent| settle(&slot, Err(unsent())))
    };
    xhr.upload()?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_failure.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_failure.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_failure.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form))?;
    Ok(Request {
        xhr,
        slot,
        _handlers: [on_progress, on_load, on_failure],
    })
}

/// 201 carries the image; anything else an `AppError` as server functions
/// send it. Answers that are neither (a proxy's page, a body-size limit)
/// are described by their status.
fn answer(xhr: &XmlHttpRequest) -> Outcome {
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str(&body).map_err(AppError::internal);
    }
    Err(
        serde_json::from_str::<AppError>(&body).unwrap_or_else(|_| match status {
            401 => AppError::Unauthenticated,
            403 => AppError::Forbidden,
            413 => AppError::invalid("file", "This file is too large to upload."),
            _ => AppError::Internal,
        }),
    )
}

impl Future for Request {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut slot = self.slot.borrow_mut();
        match slot.outcome.take() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.xhr.ready_state() != XmlHttpRequest::DONE {
            self.xhr.set_onload(None);
            self.xhr.set_onerror(None);
            self.xhr.set_onabort(None);
            self.xhr.set_ontimeout(None);
            if let Ok(upload) = self.xhr.upload() {
                upload.set_onprogress(None);
            }
            let _ = self.xhr.abort();
        }
    }
}

/// One upload at a time with its visible state; copied into handlers.
#[derive(Clone, Copy)]
pub struct Uploader {
    /// The name of the file being sent, while one is.
    sending: RwSignal<Option<String>>,
    percent: RwSignal<u8>,
    error: RwSignal<Option<String>>,
}

impl Default for Uploader {
    fn default() -> Self {
        Self {
            sending: RwSignal::new(None),
            percent: RwSignal::new(0),
            error: RwSignal::new(None),
        }
    }
}

impl Uploader {
    /// An upload is under way (tracked: buttons use it).
    pub fn busy(self) -> bool {
        self.sending.with(Option::is_some)
    }

    /// Uploads `file`, showing its progress and any error; the stored
    /// image if it worked. `None` as well when the page was left meanwhile.
    pub async fn send(self, file: File) -> Option<MediaView> {
        if self.sending.with_untracked(Option::is_some) {
            return None;
        }
        self.error.set(None);
        self.percent.set(0);
        self.sending.set(Some(file.name()));
        let outcome = upload(&file, self.percent.write_only()).await;
        if self.sending.try_set(None).is_some() {
            return None;
        }
        match outcome {
            Ok(media) => Some(media),
            Err(error) => {
                self.error.set(Some(format!(
                    "{} was not uploaded: {}",
                    file.name(),
                    error_message(&error)
                )));
                None
            }
        }
    }
}

/// "Uploading photo.jpg… 45%", announced politely; errors as alerts.
#[component]
pub fn UploadStatus(uploader: Uploader) -> impl IntoView {
    let Uploader {
        sending,
        percent,
        error,
    } = uploader;
    view! {
        <div class="upload-status">
            <p class="upload-progress" role="status" aria-live="polite" data-testid="upload-progress">
                {move || sending.get().map(|name| format!("Uploading {name}… {}%", percent.get()))}
            </p>
            {move || sending.with(Option::is_some).then(|| view! {
                // The text above says the same to screen readers.
                <progress max="100" value=move || percent.get().to_string() aria-hidden="true"></progress>
            })}
            {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </div>
    }
}

/// Asks for an uploaded or chosen image's alt text, saves it with the
/// image, and hands the described image on. Alt text is required: every
/// use of the image shows it to people who cannot see it.
#[component]
pub fn DescribeImage(
    media: MediaView,
    /// Prefix of this box's element ids, unique on the page.
    id: &'static str,
    /// The confirming button's text, e.g. "Insert image".
    confirm: &'static str,
    on_done: Callback<MediaView>,
    on_cancel: Callback<()>,
    /// Where to keep a caption, for uses that show one (an image in the
    /// text); the box then asks for it too.
    #[prop(optional)]
    caption: Option<RwSignal<String>>,
    /// The box's heading, e.g. naming the file when several wait.
    #[prop(optional, into)]
    heading: Option<String>,
) -> impl IntoView {
    let alt = RwSignal::new(media.alt.clone());
    let errors = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    // The field is what is needed next: keyboard and screen reader users
    // land in it instead of searching for the box.
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let media_id = media.id;
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = alt.get_untracked().trim().to_owned();
        if text.is_empty() {
            errors.set(vec!["Describe the image before using it.".into()]);
            return;
        }
        errors.set(Vec::new());
        problem.set(None);
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = set_media_alt(media_id, text).await;
            if saving.try_set(false).is_some() {
                return;
            }
            match result {
                Ok(described) => on_done.run(described),
                Err(error) => {
                    let messages = error.field_messages("alt").to_vec();
                    if messages.is_empty() {
                        problem.set(Some(error_message(&error)));
                    }
                    errors.set(messages);
                }
            }
        });
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            event.prevent_default();
            on_cancel.run(());
        }
    };
    let heading_id = format!("{id}-heading");
    let labelled_by = heading_id.clone();
    let input_id = format!("{id}-input");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    view! {
        <form class="describe-image" aria-labelledby=labelled_by on:submit=save on:keydown=on_key
            data-testid="describe-image">
            <h3 id=heading_id>{heading.unwrap_or_else(|| "Describe this image".to_owned())}</h3>
            <div class="describe-image-body">
                // Decorative: the box is about describing it.
                <img src=media.thumbnail_url alt="" width=media.width height=media.height />
                <div class="field">
                    <label for=input_id.clone()>"Alt text"</label>
                    <p class="field-hint" id=hint_id.clone()>
                        "Read aloud to people who cannot see the image. Say what it shows that matters here; \
                         leave out \u{201c}image of\u{201d}."
                    </p>
                    <input id=input_id node_ref=input aria-required="true" maxlength="500"
                        aria-describedby=format!("{hint_id} {error_id}")
                        aria-invalid=move || if errors.with(Vec::is_empty) { "false" } else { "true" }
                        prop:value=move || alt.get() on:input=move |event| alt.set(event_target_value(&event)) />
                    <FieldErrorText id=error_id errors=errors />
                </div>
                {caption.map(|caption| {
                    let caption_id = format!("{id}-caption");
                    view! {
                        <div class="field">
                            <label for=caption_id.clone()>"Caption (optional)"</label>
                            <input id=caption_id maxlength="500" prop:value=move || caption.get()
                                on:input=move |event| caption.set(event_target_value(&event)) />
                        </div>
                    }
                    .into_any()
                })}
            </div>
            {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <div class="actions">
                <button type="submit" disabled=move || saving.get()>{confirm}</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
    // Erased: the pages that hold this box nest it deep.
    .into_any()
}
