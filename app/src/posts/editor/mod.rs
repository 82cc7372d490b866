//! The editor page: text with a live preview, autosave that keeps typing
//! in the browser until the server has it, the conflict choice, and the
//! workflow panel.

mod autosave;
mod browser;
mod formatting;
mod image_queue;
mod images;
mod links;
mod panels;
mod paste;
mod readiness;
mod visual;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub use self::autosave::Saver;
use self::autosave::{AUTOSAVE_DELAY_MS, ConflictPanel, FIRST_RETRY_MS};
use self::browser::{install_leave_guards, keep_local_copy, recover_local_copy, set_unsaved_flag};
pub use self::formatting::{Format, formatted};
use self::formatting::{Shortcut, Toolbar, apply_format, shortcut};
use self::image_queue::ImageQueue;
use self::images::ImageInsert;
use self::links::{LinkDialog, LinkDialogBox};
use self::panels::SidePanel;
use self::readiness::ReadinessPanel;
use self::visual::{Hooks, Mode, Visual, VisualSlot, hand_over};
use super::api::{EditorData, PostView, Preview, Readiness, check_readiness, load_post, preview_markdown};
use super::review_panel::ReviewPanel;
use super::workflow::PostStatus;
use crate::domain::PostFields;
use crate::error::AppError;

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
    let server_fields = data.post.fields.clone();
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
    // An article or a page, for good: what the page says and offers.
    let kind = data.post.kind;
    let is_page = kind == crate::domain::PostKind::Page;
    // The page it sits under (set by an import), for the way there.
    let parent = data.post.parent.clone();
    let preview = RwSignal::new(None::<Preview>);
    let readiness = RwSignal::new(None::<Readiness>);
    // A check is on its way: what the panel shows may be for older text.
    let checking = RwSignal::new(true);
    let show_preview = RwSignal::new(false);
    // Until the scripts run, the page is read-only: typing into the
    // server's HTML would be lost when the editor takes over.
    let hydrated = RwSignal::new(false);
    // Visual or Markdown: the author's last choice, once the scripts run.
    let mode = RwSignal::new(Mode::Markdown);
    let visual_ref = NodeRef::<leptos::html::Div>::new();
    // Held only in the browser (never on the server, which renders this
    // page on any thread): a `SendWrapper` inside, not around, the value.
    let visual: VisualSlot = StoredValue::new(None);
    Effect::new(move |_| hydrated.set(true));
    let editable = Memo::new(move |_| hydrated.get() && meta.with(|m| m.can_edit));
    let people = data.people.clone();
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let images = ImageInsert::new(textarea, fields, editable);
    let links = LinkDialog::new(textarea, fields);
    let language = meta.with_untracked(|m| m.language.clone());
    let hooks = Hooks {
        images,
        links,
        lang: Signal::derive(move || language.clone()),
        notice,
    };
    let dragging = RwSignal::new(false);
    // Distraction-free writing: the text alone, at reading width.
    let focused = RwSignal::new(false);

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
    Effect::new(move |previous: Option<PostFields>| {
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
        let body = fields.with(|f| f.content.body.clone());
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
    // The readiness checks follow every field, a second after typing stops.
    let readiness_timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let current = fields.get();
        if let Some(handle) = readiness_timer.get_value() {
            handle.clear();
        }
        checking.set(true);
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let result = check_readiness(current.clone(), kind).await;
                    // Only the check of the text as it is now settles it
                    // (and nothing, once the page is gone).
                    if fields.try_with_untracked(|now| *now == current) == Some(true) {
                        if let Ok(checked) = result {
                            readiness.set(Some(checked));
                        }
                        checking.set(false);
                    }
                });
            },
            std::time::Duration::from_millis(800),
        )
        .ok();
        readiness_timer.set_value(handle);
    });
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            mode.set(Mode::remembered());
        }
    });
    // The visual editor is mounted while the mode is Visual; leaving it
    // takes its Markdown back into the text area.
    Effect::new(move |_| {
        let wanted = mode.get();
        let Some(element) = visual_ref.get() else { return };
        match wanted {
            Mode::Visual if visual.with_value(Option::is_none) => {
                let mounted = Visual::mount(&element, fields, editable.get_untracked(), hooks);
                if mounted.is_none() {
                    notice.set(Some(
                        "The visual editor did not load; the Markdown editor is open.".into(),
                    ));
                    mode.set(Mode::Markdown);
                }
                visual.set_value(mounted.map(send_wrapper::SendWrapper::new));
            }
            Mode::Markdown => {
                if let Some(editor) = visual.try_update_value(Option::take).flatten() {
                    let markdown = editor.markdown();
                    if fields.with_untracked(|f| f.content.body != markdown) {
                        fields.update(|f| f.content.body = markdown);
                    }
                }
            }
            Mode::Visual => {}
        }
    });
    // Where images will land in the text moves with the text.
    Effect::new(move |previous: Option<String>| {
        let body = fields.with(|f| f.content.body.clone());
        if let Some(previous) = previous {
            images.follow_text(&previous, &body);
        }
        body
    });
    // A body changed from elsewhere (a conflict's choice, a recovered copy)
    // is shown in the visual editor too.
    Effect::new(move |_| {
        let body = fields.with(|f| f.content.body.clone());
        visual.with_value(|editor| {
            if let Some(editor) = editor {
                editor.follow(&body);
            }
        });
    });
    Effect::new(move |_| {
        let can_edit = editable.get();
        visual.with_value(|editor| {
            if let Some(editor) = editor {
                editor.set_editable(can_edit);
            }
        });
    });
    Effect::new(move |_| install_leave_guards());
    on_cleanup(move || {
        // The visual editor's last keystrokes, not yet handed over.
        hand_over(visual, fields);
        if saver.unsaved() {
            saver.send_on_leave();
        }
        saver.stop_timer();
        for timer in [preview_timer, readiness_timer] {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
        }
        set_unsaved_flag(false);
    });

    let field = move |name: &'static str| Signal::derive(move || errors.with(|e| e.field_messages(name).to_vec()));
    let set = move |update: fn(&mut PostFields, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            fields.update(|f| update(f, value));
        }
    };
    // The server renders a text area's value as its content, so the
    // hydrated view has that content too; later changes go through
    // `prop:value`.
    let initial_body = fields.with_untracked(|f| f.content.body.clone());
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.code() == "KeyV" && ev.shift_key() && (ev.ctrl_key() || ev.meta_key()) {
            images.plain_paste.set_value(true);
        }
        if let Some(action) = shortcut(&ev) {
            ev.prevent_default();
            match action {
                Shortcut::Format(Format::Link) => links.open_for_text(),
                Shortcut::Format(format) => apply_format(textarea, fields, format),
                Shortcut::Save => saver.save(true),
            }
        }
    };

    view! {
        <div class="editor" data-testid="editor" data-ready=move || hydrated.get().to_string()
            class:writing-focus=move || focused.get()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && focused.get_untracked() && !ev.default_prevented() {
                    focused.set(false);
                }
            }>
            // Parts are type-erased: the page's whole type is too deep for
            // the compiler otherwise.
            {view! {
            <div class="editor-top">
                <p class="breadcrumbs">
                    <a href="/admin/posts">"Posts"</a>
                    {is_page.then(|| view! {
                        " · " <span class="kind-badge" data-testid="editing-page">"Page"</span>
                    })}
                    {parent.map(|(parent_id, title)| view! {
                        " under " <a href=format!("/admin/posts/{parent_id}")>{title}</a>
                    })}
                    " · "
                    <a href=format!("/admin/posts/{id}/history")>"History"</a>
                    {move || meta.with(|m| m.post.public_path.clone()).map(|path| view! {
                        " · " <a href=path rel="external" data-testid="public-link">
                            {if is_page { "View published page" } else { "View published post" }}
                        </a>
                    })}
                </p>
                <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
                    {move || status_text(&state.get())}
                </p>
                <button type="button" class="secondary" data-testid="focus-mode"
                    aria-pressed=move || focused.get().to_string() title="Only the text, nothing around it (Esc leaves)"
                    on:click=move |_| focused.update(|on| *on = !*on)>"Focus"</button>
                <button type="button" on:click=move |_| saver.save(true) disabled=move || !editable.get()
                    data-testid="save" title="Save now (Ctrl+S)">"Save"</button>
            </div>
            }.into_any()}
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
                    prop:value=move || fields.with(|f| f.content.title.clone())
                    on:input=set(|f, v| f.content.title = v) readonly=move || !editable.get()
                    aria-describedby="post-title-error" />
                <crate::components::FieldErrorText id="post-title-error".to_owned() errors=field("title") />
            </div>
            {view! {
            <div class="editor-columns" class:showing-preview=move || show_preview.get()>
                <div class="editor-text" class:visual-mode=move || mode.get() == Mode::Visual>
                    <div class="mode-switch" role="group" aria-label="Editing mode">
                        <button type="button" data-testid="mode-visual" disabled=move || !hydrated.get() || images.busy()
                            aria-pressed=move || (mode.get() == Mode::Visual).to_string()
                            on:click=move |_| { mode.set(Mode::Visual); Mode::Visual.remember(); }>"Visual"</button>
                        <button type="button" data-testid="mode-markdown" disabled=move || !hydrated.get() || images.busy()
                            aria-pressed=move || (mode.get() == Mode::Markdown).to_string()
                            on:click=move |_| { mode.set(Mode::Markdown); Mode::Markdown.remember(); }>"Markdown"</button>
                    </div>
                    <div class="visual-editor" node_ref=visual_ref data-testid="visual"
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if matches!(shortcut(&ev), Some(Shortcut::Save)) {
                                ev.prevent_default();
                                hand_over(visual, fields);
                                saver.save(true);
                            }
                        }></div>
                    <ImageQueue images />
                    <LinkDialogBox dialog=links />
                    <div class="markdown-editor">
                    <Toolbar textarea fields editable images links />
                    <label for="post-body" class="visually-hidden">"Text (Markdown)"</label>
                    <textarea id="post-body" node_ref=textarea class="markdown" name="body" spellcheck="true"
                        lang=hooks.lang
                        prop:value=move || fields.with(|f| f.content.body.clone())
                        on:input=set(|f, v| f.content.body = v) on:keydown=on_key readonly=move || !editable.get()
                        on:dragover=move |ev| dragging.set(images.accept_drag(&ev))
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=move |ev| { dragging.set(false); images.drop(&ev); }
                        on:paste=move |ev| paste::paste(images, notice, &ev)
                        // Ctrl+Shift+V's paste comes before its key goes up.
                        on:keyup=move |_| images.plain_paste.set_value(false)
                        class:dropping=move || dragging.get()
                        aria-describedby="post-body-hint post-body-error" data-testid="body">
                        {initial_body}
                    </textarea>
                    <p class="hint" id="post-body-hint">"Drop or paste an image into the text to upload it."</p>
                    </div>
                    <crate::components::FieldErrorText id="post-body-error".to_owned() errors=field("body") />
                </div>
                <div class="editor-preview" role="region" aria-label="Preview">
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
            }.into_any()}
            <button type="button" class="preview-toggle" on:click=move |_| show_preview.update(|s| *s = !*s)>
                {move || if show_preview.get() { "Show the text" } else { "Show the preview" }}
            </button>
            <ReadinessPanel readiness checking=checking.read_only() />
            <SidePanel fields errors editable people kind />
            <ReviewPanel meta saver ready=hydrated.read_only()
                open_items=Signal::derive(move || readiness.with(|r| r.as_ref().map_or(0, |r| r.items.len()))) />
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
