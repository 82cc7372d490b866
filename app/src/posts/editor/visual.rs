//! The visual mode: the editing engine in `frontend/editor` (ProseMirror
//! over the same Markdown, loaded as `/pkg/vellum-editor.js`) mounted in
//! place of the text area. Markdown stays what is stored: the engine hands
//! back Markdown on every change, and the author's choice of mode is kept
//! in the browser.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::images::ImageInsert;
use super::links::LinkDialog;
use crate::domain::PostFields;

/// Where the browser remembers the author's last mode.
const MODE_KEY: &str = "vellum.editor.mode";

/// How the text is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Visual,
    Markdown,
}

impl Mode {
    /// The mode this browser used last (Markdown until one is chosen).
    pub fn remembered() -> Self {
        let stored = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(MODE_KEY).ok().flatten());
        if stored.as_deref() == Some("visual") {
            Self::Visual
        } else {
            Self::Markdown
        }
    }

    pub fn remember(self) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(MODE_KEY, if self == Self::Visual { "visual" } else { "markdown" });
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// What `VellumEditor.mount` returns.
    pub type EditorHandle;

    #[wasm_bindgen(js_namespace = VellumEditor, js_name = mount, catch)]
    fn mount(element: &web_sys::Element, options: &JsValue) -> Result<EditorHandle, JsValue>;

    #[wasm_bindgen(method, js_name = getMarkdown)]
    fn get_markdown(this: &EditorHandle) -> String;

    #[wasm_bindgen(method, js_name = setMarkdown)]
    fn set_markdown(this: &EditorHandle, markdown: &str);

    #[wasm_bindgen(method, js_name = setEditable)]
    fn set_editable(this: &EditorHandle, editable: bool);

    #[wasm_bindgen(method)]
    fn destroy(this: &EditorHandle);
}

/// Where the editor page keeps its visual editor: only ever set in the
/// browser, so the value may live on the server's threads too.
pub type VisualSlot = StoredValue<Option<send_wrapper::SendWrapper<Visual>>>;

/// Hands the visual editor's text, keystrokes not yet passed on included,
/// to the page's fields (before a save, or when the page is left).
pub fn hand_over(visual: VisualSlot, fields: RwSignal<PostFields>) {
    if let Some(Some(markdown)) = visual.try_with_value(|editor| editor.as_ref().map(|editor| editor.markdown())) {
        let _ = fields.try_update(|f| {
            if f.content.body != markdown {
                f.content.body = markdown;
            }
        });
    }
}

/// What the page lends the visual editor: its uploads and link dialog.
#[derive(Clone, Copy)]
pub struct Hooks {
    pub images: ImageInsert,
    pub links: LinkDialog,
    /// The site's language, for the browser's spellcheck.
    pub lang: Signal<String>,
    /// The page's notice line, for pasted images left behind.
    pub notice: RwSignal<Option<String>>,
}

/// A mounted visual editor; the callbacks live as long as it does.
pub struct Visual {
    handle: EditorHandle,
    _on_change: Closure<dyn FnMut(String)>,
    _on_upload: Closure<dyn FnMut(js_sys::Array) -> js_sys::Array>,
    _on_link: Closure<dyn FnMut(JsValue) -> js_sys::Promise>,
    _on_paste_skipped: Closure<dyn FnMut(f64)>,
    /// The text last exchanged with the engine: a body that differs came
    /// from elsewhere (a conflict's "take theirs", a recovered copy).
    last: std::rc::Rc<std::cell::RefCell<String>>,
}

impl Visual {
    /// Mounts the engine in `element` over the body of `fields`, writing
    /// each change back to it. `None` when the engine is not loaded.
    pub fn mount(
        element: &web_sys::Element,
        fields: RwSignal<PostFields>,
        editable: bool,
        hooks: Hooks,
    ) -> Option<Self> {
        let body = fields.with_untracked(|fields| fields.content.body.clone());
        let last = std::rc::Rc::new(std::cell::RefCell::new(body.clone()));
        let seen = last.clone();
        let on_change = Closure::<dyn FnMut(String)>::new(move |markdown: String| {
            seen.replace(markdown.clone());
            // After the page is gone, the last flush has nowhere to go.
            let _ = fields.try_update(|fields| fields.content.body = markdown);
        });
        let on_upload = Closure::<dyn FnMut(js_sys::Array) -> js_sys::Array>::new(move |files: js_sys::Array| {
            hooks.images.start_in_visual(&files)
        });
        let on_link = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |current: JsValue| {
            hooks.links.open_for_visual(&current)
        });
        let on_paste_skipped = Closure::<dyn FnMut(f64)>::new(move |count: f64| {
            // A count of images in one paste: small, whole and not negative.
            let count = count.clamp(0.0, f64::from(u32::MAX)) as u32;
            if count > 0 {
                let _ = hooks.notice.try_set(Some(super::paste::skipped_message(count)));
            }
        });
        let options = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&options, &JsValue::from_str(key), value).is_ok();
        let ready = set("markdown", &JsValue::from_str(&body))
            && set("onChange", on_change.as_ref())
            && set("onUploadRequest", on_upload.as_ref())
            && set("onLinkRequest", on_link.as_ref())
            && set("onPasteSkipped", on_paste_skipped.as_ref())
            && set("lang", &JsValue::from_str(&hooks.lang.get_untracked()))
            && set("label", &JsValue::from_str("Text"))
            && set("editable", &JsValue::from_bool(editable));
        if !ready {
            return None;
        }
        let handle = mount(element, &options).ok()?;
        Some(Self {
            handle,
            _on_change: on_change,
            _on_upload: on_upload,
            _on_link: on_link,
            _on_paste_skipped: on_paste_skipped,
            last,
        })
    }

    /// The text now, taken over by the page: it counts as exchanged, so it
    /// is not pushed back into the engine (which would clear its undo).
    pub fn markdown(&self) -> String {
        let markdown = self.handle.get_markdown();
        self.last.replace(markdown.clone());
        markdown
    }

    /// Shows `body` when it came from elsewhere than this editor; its own
    /// changes (which may lag the document by the engine's debounce) are
    /// left alone, so typing is never rolled back.
    pub fn follow(&self, body: &str) {
        if *self.last.borrow() != body {
            self.last.replace(body.to_owned());
            self.handle.set_markdown(body);
        }
    }

    pub fn set_editable(&self, editable: bool) {
        self.handle.set_editable(editable);
    }
}

impl Drop for Visual {
    fn drop(&mut self) {
        self.handle.destroy();
    }
}
