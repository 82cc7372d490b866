//! The editor page: text with a live preview, autosave that keeps typing
//! in the browser until the server has it, the conflict choice, and the
//! workflow panel.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use super::api::{EditorData, Person, PostView, Preview, load_post, preview_markdown, save_post};
use super::review_panel::ReviewPanel;
use super::workflow::PostStatus;
use crate::error::AppError;
use crate::media::api::MediaView;
use crate::media::upload::{ACCEPTED_TYPES, DescribeImage, UploadStatus, Uploader, first_image, take_chosen_file};

/// How long typing must pause before an autosave.
const AUTOSAVE_DELAY_MS: u64 = 2000;
/// Retries after a failed save wait this long, doubling up to a minute.
const FIRST_RETRY_MS: u64 = 3000;

/// Everything the author can change, as it is in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Fields {
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    pub cover_url: String,
    pub cover_alt: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
    pub show_review: bool,
    pub tags: String,
    pub author_ids: Vec<i64>,
}

impl Fields {
    pub fn of(post: &PostView) -> Self {
        Self {
            title: post.title.clone(),
            slug: post.slug.clone(),
            body: post.body.clone(),
            excerpt: post.excerpt.clone(),
            cover_url: post.cover_url.clone(),
            cover_alt: post.cover_alt.clone(),
            seo_title: post.seo_title.clone(),
            seo_description: post.seo_description.clone(),
            canonical_url: post.canonical_url.clone(),
            show_review: post.show_review,
            tags: post.tags.clone(),
            author_ids: post.author_ids(),
        }
    }
}

/// A copy of unsaved work in the browser's storage, with the version it
/// was based on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LocalCopy {
    version: i64,
    fields: Fields,
}

/// What the status line says.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Saving,
    /// Not saved; kept in the browser and retried.
    Failed(String),
    /// Some fields are wrong; nothing is retried until they change.
    Invalid,
    /// Someone else saved first: the author chooses.
    Conflict(Box<PostView>),
}

#[component]
pub fn EditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, load_post);
    view! {
        <Title text="Edit post" />
        <Suspense fallback=|| view! { <p>"Loading the post…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <Editor data /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(data: EditorData) -> impl IntoView {
    let id = data.post.id;
    let server_fields = Fields::of(&data.post);
    let fields = RwSignal::new(server_fields.clone());
    // What the server has: unsaved = `fields` differs from it.
    let saved = RwSignal::new(server_fields.clone());
    let version = RwSignal::new(data.post.version);
    let state = RwSignal::new(SaveState::Saved);
    let errors = RwSignal::new(AppError::Validation {
        fields: Default::default(),
    });
    let notice = RwSignal::new(None::<String>);
    let meta = RwSignal::new(data.clone());
    let preview = RwSignal::new(None::<Preview>);
    let show_preview = RwSignal::new(false);
    // Until the scripts run, the page is read-only: typing into the
    // server's HTML would be lost when the editor takes over.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let editable = Memo::new(move |_| hydrated.get() && meta.with(|m| m.can_edit));
    let people = data.people.clone();
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let images = ImageInsert::new(textarea, fields, editable);
    let dragging = RwSignal::new(false);

    let saver = Saver {
        id,
        fields,
        saved,
        version,
        state,
        errors,
        meta,
        timer: StoredValue::new(None),
        retry_ms: StoredValue::new(FIRST_RETRY_MS),
    };

    // Work kept in this browser from an earlier visit comes back.
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            recover_local_copy(saver, &server_fields, notice);
        }
    });
    // Every change: mark unsaved, keep a copy in the browser, save soon.
    Effect::new(move |previous: Option<Fields>| {
        let current = fields.get();
        if previous.is_some_and(|previous| previous != current) && saved.with_untracked(|s| *s != current) {
            if !matches!(state.get_untracked(), SaveState::Conflict(_) | SaveState::Saving) {
                state.set(SaveState::Unsaved);
            }
            keep_local_copy(id, version.get_untracked(), &current);
            saver.schedule(AUTOSAVE_DELAY_MS);
        }
        set_unsaved_flag(saved.with_untracked(|s| *s != current));
        current
    });
    // The preview follows the text, a moment after typing stops.
    let preview_timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let body = fields.with(|f| f.body.clone());
        if let Some(handle) = preview_timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(rendered) = preview_markdown(body).await {
                        preview.set(Some(rendered));
                    }
                });
            },
            std::time::Duration::from_millis(300),
        )
        .ok();
        preview_timer.set_value(handle);
    });
    Effect::new(move |_| install_leave_guards());
    on_cleanup(move || {
        if saver.unsaved() {
            saver.send_on_leave();
        }
        saver.stop_timer();
        if let Some(handle) = preview_timer.get_value() {
            handle.clear();
        }
        set_unsaved_flag(false);
    });

    let field = move |name: &'static str| Signal::derive(move || errors.with(|e| e.field_messages(name).to_vec()));
    let set = move |update: fn(&mut Fields, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            fields.update(|f| update(f, value));
        }
    };
    // The server renders a text area's value as its content, so the
    // hydrated view has that content too; later changes go through
    // `prop:value`.
    let initial_body = fields.with_untracked(|f| f.body.clone());
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(action) = shortcut(&ev) {
            ev.prevent_default();
            match action {
                Shortcut::Format(format) => apply_format(textarea, fields, format),
                Shortcut::Save => saver.save(true),
            }
        }
    };

    view! {
        <div class="editor" data-testid="editor" data-ready=move || hydrated.get().to_string()>
            <div class="editor-top">
                <p class="breadcrumbs">
                    <a href="/admin/posts">"Posts"</a>
                    " · "
                    <a href=format!("/admin/posts/{id}/history")>"History"</a>
                    {move || meta.with(|m| m.post.public_path.clone()).map(|path| view! {
                        " · " <a href=path rel="external" data-testid="public-link">"View published post"</a>
                    })}
                </p>
                <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
                    {move || status_text(&state.get())}
                </p>
                <button type="button" on:click=move |_| saver.save(true) disabled=move || !editable.get()
                    data-testid="save" title="Save now (Ctrl+S)">"Save"</button>
            </div>
            {move || notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            {move || match state.get() {
                SaveState::Conflict(theirs) => Some(view! { <ConflictPanel theirs=*theirs saver /> }),
                _ => None,
            }}
            {move || (hydrated.get() && !editable.get()).then(|| view! {
                <p class="notice" data-testid="read-only">
                    {move || read_only_reason(meta.with(|m| m.post.status))}
                </p>
            })}
            {move || meta.with(|m| m.post.pending_update).then(|| view! {
                <p class="notice" data-testid="pending-update">
                    "Readers still see the published text. Your changes wait until an editor publishes the update."
                </p>
            })}
            <div class="field">
                <label for="post-title">"Title"</label>
                <input id="post-title" class="title-input" name="title" required=true maxlength="200"
                    prop:value=move || fields.with(|f| f.title.clone())
                    on:input=set(|f, v| f.title = v) readonly=move || !editable.get()
                    aria-describedby="post-title-error" />
                <crate::components::FieldErrorText id="post-title-error".to_owned() errors=field("title") />
            </div>
            <div class="editor-columns" class:showing-preview=move || show_preview.get()>
                <div class="editor-text">
                    <Toolbar textarea fields editable images />
                    <UploadStatus uploader=images.uploader />
                    {move || images.describing.get().map(|media| view! {
                        <DescribeImage media id="body-image-alt" confirm="Insert image"
                            on_done=Callback::new(move |media: MediaView| images.insert(&media))
                            on_cancel=Callback::new(move |()| images.cancel()) />
                    })}
                    <label for="post-body" class="visually-hidden">"Text (Markdown)"</label>
                    <textarea id="post-body" node_ref=textarea class="markdown" name="body" spellcheck="true"
                        prop:value=move || fields.with(|f| f.body.clone())
                        on:input=set(|f, v| f.body = v) on:keydown=on_key readonly=move || !editable.get()
                        on:dragover=move |ev| dragging.set(images.accept_drag(&ev))
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=move |ev| { dragging.set(false); images.drop(&ev); }
                        on:paste=move |ev| images.paste(&ev)
                        class:dropping=move || dragging.get()
                        aria-describedby="post-body-hint post-body-error" data-testid="body">
                        {initial_body}
                    </textarea>
                    <p class="hint" id="post-body-hint">"Drop or paste an image into the text to upload it."</p>
                    <crate::components::FieldErrorText id="post-body-error".to_owned() errors=field("body") />
                </div>
                <div class="editor-preview" aria-label="Preview">
                    <p class="counts" data-testid="counts">
                        {move || preview.with(|p| p.as_ref().map(|p| format!(
                            "{} words · {} min read", p.word_count, p.reading_time_minutes
                        )))}
                    </p>
                    <div class="post-body" data-testid="preview"
                        inner_html=move || preview.with(|p| p.as_ref().map(|p| p.html.clone()).unwrap_or_default())>
                    </div>
                </div>
            </div>
            <button type="button" class="preview-toggle" on:click=move |_| show_preview.update(|s| *s = !*s)>
                {move || if show_preview.get() { "Show the text" } else { "Show the preview" }}
            </button>
            <SidePanel fields errors editable people />
            <ReviewPanel meta saver ready=hydrated.read_only() />
            {(meta.get_untracked().viewer_role >= crate::accounts::Role::Editor).then(|| view! {
                <crate::previews::panel::PreviewLinksPanel post_id=saver.id ready=hydrated.read_only() />
            })}
        </div>
    }
    .into_any()
}

fn status_text(state: &SaveState) -> String {
    match state {
        SaveState::Saved => "Saved".into(),
        SaveState::Unsaved => "Unsaved changes".into(),
        SaveState::Saving => "Saving…".into(),
        SaveState::Failed(reason) => format!("Not saved: {reason} Your text is kept in this browser; retrying."),
        SaveState::Invalid => "Not saved: some fields need attention.".into(),
        SaveState::Conflict(_) => "Not saved: someone else saved this post meanwhile. Choose below.".into(),
    }
}

fn read_only_reason(status: PostStatus) -> &'static str {
    match status {
        PostStatus::InReview => "This post is waiting for review. Withdraw it to make changes.",
        PostStatus::Trashed => "This post is in the trash. Restore it to make changes.",
        _ => "You cannot change this post in its current state.",
    }
}

/// Saving, retrying and resolving conflicts; copied into every handler.
#[derive(Clone, Copy)]
pub struct Saver {
    pub id: i64,
    pub fields: RwSignal<Fields>,
    pub saved: RwSignal<Fields>,
    pub version: RwSignal<i64>,
    pub state: RwSignal<SaveState>,
    pub errors: RwSignal<AppError>,
    pub meta: RwSignal<EditorData>,
    timer: StoredValue<Option<TimeoutHandle>>,
    retry_ms: StoredValue<u64>,
}

impl Saver {
    pub fn unsaved(self) -> bool {
        self.fields.with_untracked(|f| self.saved.with_untracked(|s| f != s))
    }

    fn stop_timer(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
    }

    fn schedule(self, delay_ms: u64) {
        self.stop_timer();
        let handle = set_timeout_with_handle(move || self.save(false), std::time::Duration::from_millis(delay_ms));
        self.timer.set_value(handle.ok());
    }

    /// Saves what is in the page now. `manual` saves always make a
    /// revision of their own; autosaves are coalesced by the server.
    pub fn save(self, manual: bool) {
        leptos::task::spawn_local(async move {
            let _ = self.save_now(manual).await;
        });
    }

    /// Saves and reports whether the server has the page's text now.
    pub async fn save_now(self, manual: bool) -> bool {
        if matches!(self.state.get_untracked(), SaveState::Saving | SaveState::Conflict(_)) {
            return false;
        }
        if !self.unsaved() && !manual {
            return true;
        }
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let sent = self.fields.get_untracked();
        let based_on = self.version.get_untracked();
        self.state.set(SaveState::Saving);
        let result = save_post(
            self.id,
            based_on,
            sent.title.clone(),
            sent.slug.clone(),
            sent.body.clone(),
            sent.excerpt.clone(),
            sent.cover_url.clone(),
            sent.cover_alt.clone(),
            sent.seo_title.clone(),
            sent.seo_description.clone(),
            sent.canonical_url.clone(),
            sent.show_review,
            sent.tags.clone(),
            sent.author_ids.clone(),
            manual,
        )
        .await;
        // The editor may have been left while the request was out; its
        // signals are gone then, and the browser copy keeps the text.
        if self.state.try_get_untracked().is_none() {
            return false;
        }
        match result {
            Ok(post) => {
                self.version.set(post.version);
                self.saved.set(sent);
                self.retry_ms.set_value(FIRST_RETRY_MS);
                self.errors.set(AppError::Validation {
                    fields: Default::default(),
                });
                self.meta.update(|m| m.post = post);
                if self.unsaved() {
                    self.state.set(SaveState::Unsaved);
                    self.schedule(AUTOSAVE_DELAY_MS);
                } else {
                    forget_local_copy(self.id);
                    set_unsaved_flag(false);
                    self.state.set(SaveState::Saved);
                }
                true
            }
            Err(error @ AppError::Validation { .. }) => {
                self.errors.set(error);
                self.state.set(SaveState::Invalid);
                false
            }
            Err(AppError::Conflict { message }) => {
                // Either someone saved in between (show both texts), or
                // the post's status changed (say so).
                let current = load_post(self.id).await;
                if self.state.try_get_untracked().is_none() {
                    return false;
                }
                match current {
                    Ok(theirs) if theirs.post.version != based_on => {
                        self.state.set(SaveState::Conflict(Box::new(theirs.post)));
                    }
                    Ok(current) => {
                        self.meta.set(current);
                        self.state.set(SaveState::Failed(message));
                    }
                    Err(_) => self.failed(message),
                }
                false
            }
            Err(AppError::Unauthenticated) => {
                self.state.set(SaveState::Failed(
                    "you are signed out. Sign in in another tab, then save again.".into(),
                ));
                false
            }
            Err(error) => {
                self.failed(format!("the server could not be reached or failed ({error})."));
                false
            }
        }
    }

    fn failed(self, reason: String) {
        self.state.set(SaveState::Failed(reason));
        let delay = self.retry_ms.get_value();
        self.retry_ms.set_value((delay * 2).min(60_000));
        self.schedule_retry(delay);
    }

    fn schedule_retry(self, delay_ms: u64) {
        let handle = set_timeout_with_handle(
            move || {
                if matches!(self.state.get_untracked(), SaveState::Failed(_)) {
                    self.state.set(SaveState::Unsaved);
                    self.save(false);
                }
            },
            std::time::Duration::from_millis(delay_ms),
        );
        self.timer.set_value(handle.ok());
    }

    /// Keep mine: save the page's text on top of their version.
    pub fn keep_mine(self, theirs: &PostView) {
        self.version.set(theirs.version);
        self.state.set(SaveState::Unsaved);
        self.save(true);
    }

    /// Take theirs: the page shows their text; mine stays in the
    /// revision history only if it was ever saved, so the panel offers a
    /// copy first.
    pub fn take_theirs(self, theirs: &PostView) {
        let fields = Fields::of(theirs);
        self.version.set(theirs.version);
        self.saved.set(fields.clone());
        self.fields.set(fields);
        forget_local_copy(self.id);
        self.state.set(SaveState::Saved);
    }

    /// Sends the text with `navigator.sendBeacon`, which outlives the page.
    fn send_on_leave(self) {
        use leptos::server_fn::ServerFn;
        let fields = self.fields.get_untracked();
        let Ok(params) = web_sys::UrlSearchParams::new() else {
            return;
        };
        let pairs = [
            ("id", self.id.to_string()),
            ("version", self.version.get_untracked().to_string()),
            ("title", fields.title),
            ("slug", fields.slug),
            ("body", fields.body),
            ("excerpt", fields.excerpt),
            ("cover_url", fields.cover_url),
            ("cover_alt", fields.cover_alt),
            ("seo_title", fields.seo_title),
            ("seo_description", fields.seo_description),
            ("canonical_url", fields.canonical_url),
            ("show_review", fields.show_review.to_string()),
            ("tags", fields.tags),
            ("manual", "false".into()),
        ];
        for (key, value) in &pairs {
            params.append(key, value);
        }
        for (index, author) in fields.author_ids.iter().enumerate() {
            params.append(&format!("author_ids[{index}]"), &author.to_string());
        }
        let _ = window()
            .navigator()
            .send_beacon_with_opt_url_search_params(super::api::SavePost::PATH, Some(&params));
    }
}

fn storage_key(id: i64) -> String {
    format!("vellum.post.{id}")
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn keep_local_copy(id: i64, version: i64, fields: &Fields) {
    let copy = LocalCopy {
        version,
        fields: fields.clone(),
    };
    if let (Some(storage), Ok(json)) = (local_storage(), serde_json::to_string(&copy)) {
        let _ = storage.set_item(&storage_key(id), &json);
    }
}

fn forget_local_copy(id: i64) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&storage_key(id));
    }
}

/// Brings back text this browser kept but the server never confirmed. If
/// the post changed on the server since, both texts are shown.
fn recover_local_copy(saver: Saver, server: &Fields, notice: RwSignal<Option<String>>) {
    let Some(storage) = local_storage() else { return };
    let Some(copy) = storage
        .get_item(&storage_key(saver.id))
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str::<LocalCopy>(&json).ok())
    else {
        return;
    };
    if copy.fields == *server {
        forget_local_copy(saver.id);
        return;
    }
    let server_version = saver.version.get_untracked();
    saver.fields.set(copy.fields);
    if copy.version == server_version {
        notice.set(Some("Unsaved changes kept in this browser were brought back.".into()));
        saver.state.set(SaveState::Unsaved);
        saver.schedule(AUTOSAVE_DELAY_MS);
    } else {
        let theirs = saver.meta.with_untracked(|m| m.post.clone());
        notice.set(Some(
            "This browser kept changes made to an older version of this post.".into(),
        ));
        saver.state.set(SaveState::Conflict(Box::new(theirs)));
    }
}

thread_local! {
    static UNSAVED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static GUARDS_INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn set_unsaved_flag(unsaved: bool) {
    UNSAVED.with(|flag| flag.set(unsaved));
}

/// Asks before the page is left with unsaved changes: closing or
/// reloading the tab (`beforeunload`) and links inside the admin (a click
/// listener that runs before the router's).
fn install_leave_guards() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    if GUARDS_INSTALLED.with(|installed| installed.replace(true)) {
        return;
    }
    let before_unload = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(|ev: web_sys::BeforeUnloadEvent| {
        if UNSAVED.with(std::cell::Cell::get) {
            ev.prevent_default();
            ev.set_return_value("You have unsaved changes.");
        }
    });
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|ev: web_sys::MouseEvent| {
        if !UNSAVED.with(std::cell::Cell::get) {
            return;
        }
        let link = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        if link.get_attribute("target").is_some() {
            return;
        }
        let leave = window()
            .confirm_with_message("This post has unsaved changes. Leave anyway? They stay in this browser.")
            .unwrap_or(true);
        if !leave {
            ev.prevent_default();
            ev.stop_immediate_propagation();
        }
    });
    let window = window();
    let _ = window.add_event_listener_with_callback("beforeunload", before_unload.as_ref().unchecked_ref());
    let _ = document().add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
    // Both live as long as the page.
    before_unload.forget();
    on_click.forget();
}

/// A Markdown format the toolbar and the shortcuts apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Bold,
    Italic,
    Heading,
    Link,
    List,
    Quote,
}

enum Shortcut {
    Format(Format),
    Save,
}

/// Ctrl (⌘ on a Mac) with B, I, K or S; Ctrl+Alt+2 for a heading;
/// Ctrl+Shift+8 for a list and Ctrl+Shift+9 for a quote.
fn shortcut(ev: &leptos::ev::KeyboardEvent) -> Option<Shortcut> {
    if !(ev.ctrl_key() || ev.meta_key()) {
        return None;
    }
    match (ev.code().as_str(), ev.shift_key(), ev.alt_key()) {
        ("KeyB", false, false) => Some(Shortcut::Format(Format::Bold)),
        ("KeyI", false, false) => Some(Shortcut::Format(Format::Italic)),
        ("KeyK", false, false) => Some(Shortcut::Format(Format::Link)),
        ("KeyS", false, false) => Some(Shortcut::Save),
        ("Digit2", false, true) => Some(Shortcut::Format(Format::Heading)),
        ("Digit8", true, false) => Some(Shortcut::Format(Format::List)),
        ("Digit9", true, false) => Some(Shortcut::Format(Format::Quote)),
        _ => None,
    }
}

/// The text with `format` applied to the selection `start..end`, and the
/// new selection.
pub fn formatted(text: &str, start: usize, end: usize, format: Format) -> (String, usize, usize) {
    let (start, end) = (start.min(text.len()), end.min(text.len()));
    let selected = &text[start..end];
    let wrap = |before: &str, after: &str, placeholder: &str| {
        let inner = if selected.is_empty() { placeholder } else { selected };
        let replaced = format!("{}{before}{inner}{after}{}", &text[..start], &text[end..]);
        let inner_start = start + before.len();
        (replaced, inner_start, inner_start + inner.len())
    };
    match format {
        Format::Bold => wrap("**", "**", "bold text"),
        Format::Italic => wrap("_", "_", "italic text"),
        Format::Link => wrap("[", "](https://)", "link text"),
        Format::Heading | Format::List | Format::Quote => {
            let prefix = match format {
                Format::Heading => "## ",
                Format::List => "- ",
                _ => "> ",
            };
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let block = &text[line_start..end];
            let prefixed: Vec<String> = block.split('\n').map(|line| format!("{prefix}{line}")).collect();
            let prefixed = prefixed.join("\n");
            let replaced = format!("{}{prefixed}{}", &text[..line_start], &text[end..]);
            let new_end = line_start + prefixed.len();
            (replaced, new_end, new_end)
        }
    }
}

fn apply_format(textarea: NodeRef<leptos::html::Textarea>, fields: RwSignal<Fields>, format: Format) {
    let Some(element) = textarea.get_untracked() else {
        return;
    };
    if element.read_only() {
        return;
    }
    let text = element.value();
    let start = utf16_to_byte(&text, element.selection_start().ok().flatten().unwrap_or(0));
    let end = utf16_to_byte(&text, element.selection_end().ok().flatten().unwrap_or(0));
    let (new_text, sel_start, sel_end) = formatted(&text, start, end, format);
    element.set_value(&new_text);
    let _ = element.set_selection_range(utf16_len(&new_text[..sel_start]), utf16_len(&new_text[..sel_end]));
    let _ = element.focus();
    fields.update(|f| f.body = new_text.clone());
}

/// The byte offset in `text` of the browser's offset `utf16`: text areas
/// count UTF-16 units, Rust slices bytes.
fn utf16_to_byte(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    text.char_indices()
        .find(|(_, c)| {
            let found = units >= utf16;
            units += u32::try_from(c.len_utf16()).unwrap_or(2);
            found
        })
        .map_or(text.len(), |(i, _)| i)
}

/// The length of `text` as the browser counts it.
fn utf16_len(text: &str) -> u32 {
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// Markdown for an image; the alt text cannot end the brackets early and
/// an address with spaces or brackets is kept whole.
fn image_markdown(alt: &str, url: &str) -> String {
    let mut escaped = String::with_capacity(alt.len());
    for c in alt.chars() {
        match c {
            '\\' | '[' | ']' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    if url.contains(|c: char| c.is_whitespace() || "()<>".contains(c)) {
        format!("![{escaped}](<{}>)", url.replace(['<', '>'], ""))
    } else {
        format!("![{escaped}]({url})")
    }
}

/// `text` with `block` inserted at byte `at` as a paragraph of its own,
/// and the byte offset just after it.
fn with_block(text: &str, at: usize, block: &str) -> (String, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (before, after) = text.split_at(at);
    let lead = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let trail = if after.is_empty() || after.starts_with("\n\n") {
        ""
    } else if after.starts_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let end = before.len() + lead.len() + block.len();
    (format!("{before}{lead}{block}{trail}{after}"), end)
}

/// An image on its way into the text: uploaded, then described, then
/// inserted where the cursor was when it was chosen.
#[derive(Clone, Copy)]
struct ImageInsert {
    textarea: NodeRef<leptos::html::Textarea>,
    fields: RwSignal<Fields>,
    editable: Memo<bool>,
    uploader: Uploader,
    /// The cursor when the upload started, in UTF-16 units.
    at: StoredValue<u32>,
    /// The uploaded image, waiting for its alt text.
    describing: RwSignal<Option<MediaView>>,
}

impl ImageInsert {
    fn new(textarea: NodeRef<leptos::html::Textarea>, fields: RwSignal<Fields>, editable: Memo<bool>) -> Self {
        Self {
            textarea,
            fields,
            editable,
            uploader: Uploader::default(),
            at: StoredValue::new(0),
            describing: RwSignal::new(None),
        }
    }

    /// Uploads `file` unless the text cannot change now or another image
    /// is on its way.
    fn start(self, file: web_sys::File) {
        if !self.editable.get_untracked() || self.uploader.busy() || self.describing.with_untracked(Option::is_some) {
            return;
        }
        let cursor = self
            .textarea
            .get_untracked()
            .and_then(|element| element.selection_start().ok().flatten())
            .unwrap_or(0);
        self.at.set_value(cursor);
        leptos::task::spawn_local(async move {
            if let Some(media) = self.uploader.send(file).await {
                let _ = self.describing.try_set(Some(media));
            }
        });
    }

    /// Takes part in a drag over the text when it carries files; whether
    /// it does (for the drop highlight).
    fn accept_drag(self, ev: &web_sys::DragEvent) -> bool {
        let Some(transfer) = ev.data_transfer() else {
            return false;
        };
        // Only the types are readable before the drop.
        let files = transfer
            .types()
            .iter()
            .any(|kind| kind.as_string().as_deref() == Some("Files"));
        let accepted = files && self.editable.get_untracked();
        if accepted {
            ev.prevent_default();
            transfer.set_drop_effect("copy");
        }
        accepted
    }

    /// A dropped file is uploaded (the server explains when it is not an
    /// image it takes); left to the browser, it would replace the page.
    fn drop(self, ev: &web_sys::DragEvent) {
        if let Some(file) = first_image(ev.data_transfer().and_then(|transfer| transfer.files())) {
            ev.prevent_default();
            self.start(file);
        }
    }

    /// Pasted images are uploaded; text (which may come with a picture of
    /// itself, as from office programs) is pasted as usual.
    fn paste(self, ev: &web_sys::ClipboardEvent) {
        let Some(data) = ev.clipboard_data() else { return };
        if data.get_data("text/plain").is_ok_and(|text| !text.is_empty()) {
            return;
        }
        if let Some(file) = first_image(data.files()) {
            ev.prevent_default();
            self.start(file);
        }
    }

    fn insert(self, media: &MediaView) {
        self.describing.set(None);
        let Some(element) = self.textarea.get_untracked() else {
            return;
        };
        if element.read_only() {
            return;
        }
        let text = element.value();
        let at = utf16_to_byte(&text, self.at.get_value());
        let (new_text, end) = with_block(&text, at, &image_markdown(&media.alt, &media.url));
        element.set_value(&new_text);
        let cursor = utf16_len(&new_text[..end]);
        let _ = element.set_selection_range(cursor, cursor);
        let _ = element.focus();
        self.fields.update(|f| f.body = new_text);
    }

    fn cancel(self) {
        self.describing.set(None);
        if let Some(element) = self.textarea.get_untracked() {
            let _ = element.focus();
        }
    }
}

#[component]
fn Toolbar(
    textarea: NodeRef<leptos::html::Textarea>,
    fields: RwSignal<Fields>,
    editable: Memo<bool>,
    images: ImageInsert,
) -> impl IntoView {
    let button = move |format: Format, label: &'static str, title: &'static str| {
        view! {
            <button type="button" title=title aria-label=title disabled=move || !editable.get()
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| apply_format(textarea, fields, format)>{label}</button>
        }
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label="Formatting">
            {button(Format::Bold, "B", "Bold (Ctrl+B)")}
            {button(Format::Italic, "I", "Italic (Ctrl+I)")}
            {button(Format::Heading, "H", "Heading (Ctrl+Alt+2)")}
            {button(Format::Link, "Link", "Link (Ctrl+K)")}
            {button(Format::List, "List", "Bulleted list (Ctrl+Shift+8)")}
            {button(Format::Quote, "Quote", "Quote (Ctrl+Shift+9)")}
            <ImageButton images />
        </div>
    }
}

/// Opens the file chooser; the chosen image is uploaded and inserted.
#[component]
fn ImageButton(images: ImageInsert) -> impl IntoView {
    let chooser = NodeRef::<leptos::html::Input>::new();
    let chosen = move |_| {
        if let Some(file) = chooser.get_untracked().and_then(|input| take_chosen_file(&input)) {
            images.start(file);
        }
    };
    view! {
        <button type="button" title="Insert an image" aria-label="Insert an image"
            disabled=move || !images.editable.get() || images.uploader.busy()
            on:mousedown=|ev| ev.prevent_default()
            on:click=move |_| {
                if let Some(input) = chooser.get_untracked() {
                    input.click();
                }
            }>
            "Image"
        </button>
        <input type="file" hidden=true accept=ACCEPTED_TYPES node_ref=chooser aria-label="Image to insert"
            on:change=chosen />
    }
}

/// Slug, excerpt, tags, authors, cover and SEO.
#[component]
fn SidePanel(
    fields: RwSignal<Fields>,
    errors: RwSignal<AppError>,
    editable: Memo<bool>,
    people: Vec<Person>,
) -> impl IntoView {
    let field = move |name: &'static str| Signal::derive(move || errors.with(|e| e.field_messages(name).to_vec()));
    // Each field is type-erased: the panel's full type is too deep for
    // the compiler otherwise.
    let text = move |id: &'static str,
                     label: &'static str,
                     hint: Option<String>,
                     get: fn(&Fields) -> String,
                     put: fn(&mut Fields, String)| {
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
    let counter = move |get: fn(&Fields) -> String, limit: usize| {
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
    view! {
        <aside class="side-panel card" aria-label="Post settings">
            <h2>"Post settings"</h2>
            {text("post-slug", "Address (slug)", Some("The last part of the post's address.".into()),
                |f| f.slug.clone(), |f, v| f.slug = v)}
            <div class="field">
                <label for="post-excerpt">"Excerpt"</label>
                <textarea id="post-excerpt" rows="3" prop:value=move || fields.with(|f| f.excerpt.clone())
                    readonly=move || !editable.get() aria-describedby="post-excerpt-error"
                    on:input=move |ev| { let value = event_target_value(&ev); fields.update(|f| f.excerpt = value); }>
                    {fields.with_untracked(|f| f.excerpt.clone())}
                </textarea>
                <p class="hint">"Left empty, the first paragraph is used."</p>
                <crate::components::FieldErrorText id="post-excerpt-error".to_owned() errors=field("excerpt") />
            </div>
            {text("post-tags", "Tags", Some("Separated by commas; new tags are created.".into()),
                |f| f.tags.clone(), |f, v| f.tags = v)}
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
            {text("post-cover_url", "Cover image address", None, |f| f.cover_url.clone(), |f, v| f.cover_url = v)}
            {text("post-cover_alt", "Cover image description (alt text)",
                Some("Required with a cover: what the image shows.".into()),
                |f| f.cover_alt.clone(), |f, v| f.cover_alt = v)}
            {view! {
                <crate::media::picker::CoverPicker enabled=editable
                    on_choose=Callback::new(move |media: MediaView| fields.update(|f| {
                        f.cover_url = media.url;
                        f.cover_alt = media.alt;
                    })) />
            }.into_any()}
            {text("post-seo_title", "SEO title", None, |f| f.seo_title.clone(), |f, v| f.seo_title = v)}
            <p class="hint">{counter(|f| f.seo_title.clone(), super::SEO_TITLE_HINT)}</p>
            {text("post-seo_description", "Meta description", None,
                |f| f.seo_description.clone(), |f, v| f.seo_description = v)}
            <p class="hint">{counter(|f| f.seo_description.clone(), super::SEO_DESCRIPTION_HINT)}</p>
            {text("post-canonical_url", "Canonical URL", Some("Only if this post first appeared elsewhere.".into()),
                |f| f.canonical_url.clone(), |f, v| f.canonical_url = v)}
            <div class="field checkbox">
                <input type="checkbox" id="post-show_review" prop:checked=move || fields.with(|f| f.show_review)
                    disabled=move || !editable.get()
                    on:change=move |ev| { let on = event_target_checked(&ev); fields.update(|f| f.show_review = on); } />
                <label for="post-show_review">"Show the medical review on the post"</label>
            </div>
        </aside>
    }
    .into_any()
}

/// Someone else saved first: both texts side by side, and the choice.
#[component]
fn ConflictPanel(theirs: PostView, saver: Saver) -> impl IntoView {
    let mine = saver.fields.get_untracked();
    let copied = RwSignal::new(false);
    let keep = theirs.clone();
    let take = theirs.clone();
    let mine_body = mine.body.clone();
    view! {
        <section class="conflict card" role="alert" data-testid="conflict">
            <h2>"Someone else saved this post while you were editing"</h2>
            <p>{format!("Their version {} was saved at {}. Nothing has been overwritten.", theirs.version, theirs.updated_at)}</p>
            <div class="conflict-texts">
                <div>
                    <h3>"Your text"</h3>
                    <p class="conflict-title">{mine.title.clone()}</p>
                    <textarea readonly=true rows="12" data-testid="conflict-mine" prop:value=mine.body.clone()></textarea>
                </div>
                <div>
                    <h3>"Their text"</h3>
                    <p class="conflict-title">{theirs.title.clone()}</p>
                    <textarea readonly=true rows="12" data-testid="conflict-theirs" prop:value=theirs.body.clone()></textarea>
                </div>
            </div>
            <div class="actions">
                <button type="button" data-testid="keep-mine" on:click=move |_| saver.keep_mine(&keep)>
                    "Keep mine as the new version"
                </button>
                <button type="button" data-testid="take-theirs" on:click=move |_| saver.take_theirs(&take)>
                    "Take theirs"
                </button>
                <button type="button" data-testid="copy-mine" on:click=move |_| {
                    let _ = window().navigator().clipboard().write_text(&mine_body);
                    copied.set(true);
                }>"Copy mine"</button>
                {move || copied.get().then_some(" Your text is on the clipboard.")}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, formatted, image_markdown, utf16_to_byte, with_block};

    #[test]
    fn formats_wrap_the_selection_or_a_placeholder() {
        assert_eq!(
            formatted("take rest", 5, 9, Format::Bold),
            ("take **rest**".into(), 7, 11)
        );
        let (text, start, end) = formatted("", 0, 0, Format::Link);
        assert_eq!(text, "[link text](https://)");
        assert_eq!(&text[start..end], "link text");
    }

    #[test]
    fn block_formats_prefix_every_selected_line() {
        let (text, _, _) = formatted("intro\none\ntwo", 6, 13, Format::List);
        assert_eq!(text, "intro\n- one\n- two");
        let (text, _, _) = formatted("Sleep", 2, 2, Format::Heading);
        assert_eq!(text, "## Sleep");
        let (text, _, _) = formatted("said", 0, 4, Format::Quote);
        assert_eq!(text, "> said");
    }

    #[test]
    fn browser_offsets_become_byte_offsets() {
        // "é" is one UTF-16 unit and two bytes; "🫀" two units and four bytes.
        let text = "é🫀x";
        assert_eq!(utf16_to_byte(text, 1), 2);
        assert_eq!(utf16_to_byte(text, 3), 6);
        assert_eq!(utf16_to_byte(text, 99), text.len());
    }

    #[test]
    fn images_are_inserted_as_paragraphs_of_their_own() {
        let image = "![Chart](/media/a.png)";
        assert_eq!(with_block("", 0, image), (image.to_owned(), image.len()));
        let (text, end) = with_block("Intro", 5, image);
        assert_eq!(text, format!("Intro\n\n{image}"));
        assert_eq!(end, text.len());
        let (text, end) = with_block("one\ntwo", 4, image);
        assert_eq!(text, format!("one\n\n{image}\n\ntwo"));
        assert_eq!(&text[end..], "\n\ntwo");
        assert_eq!(with_block("a\n\nb", 3, image).0, format!("a\n\n{image}\n\nb"));
    }

    #[test]
    fn image_markdown_keeps_the_alt_text_and_address_whole() {
        assert_eq!(
            image_markdown("Blood pressure [2024]", "/media/a.png"),
            "![Blood pressure \\[2024\\]](/media/a.png)"
        );
        assert_eq!(
            image_markdown("two\nlines", "/media/a b.png"),
            "![two lines](</media/a b.png>)"
        );
    }
}
