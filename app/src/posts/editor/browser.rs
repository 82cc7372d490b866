//! What the browser keeps of unsaved work, and what happens when the page
//! is left: a copy in localStorage, the `beforeunload` and link guards,
//! and a last save by `sendBeacon`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::autosave::AUTOSAVE_DELAY_MS;
use super::{SaveState, Saver};
use crate::domain::PostFields;

/// A copy of unsaved work in the browser's storage, with the version it
/// was based on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LocalCopy {
    version: i64,
    fields: PostFields,
}

impl Saver {
    /// Sends the text with `navigator.sendBeacon`, which outlives the page:
    /// the same arguments an autosave sends, in the server function's form
    /// encoding.
    pub(super) fn send_on_leave(self) {
        use leptos::server_fn::ServerFn;
        let save = crate::posts::api::SavePost {
            id: self.id,
            version: self.version.get_untracked(),
            fields: self.fields.get_untracked(),
            manual: false,
        };
        let Ok(form) = serde_qs::to_string(&save) else {
            return;
        };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&form) else {
            return;
        };
        let _ = window()
            .navigator()
            .send_beacon_with_opt_url_search_params(crate::posts::api::SavePost::PATH, Some(&params));
    }
}

fn storage_key(id: i64) -> String {
    format!("vellum.post.{id}")
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub(super) fn keep_local_copy(id: i64, version: i64, fields: &PostFields) {
    let copy = LocalCopy {
        version,
        fields: fields.clone(),
    };
    if let (Some(storage), Ok(json)) = (local_storage(), serde_json::to_string(&copy)) {
        let _ = storage.set_item(&storage_key(id), &json);
    }
}

pub(super) fn forget_local_copy(id: i64) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&storage_key(id));
    }
}

/// Brings back text this browser kept but the server never confirmed. If
/// the post changed on the server since, both texts are shown.
pub(super) fn recover_local_copy(saver: Saver, server: &PostFields, notice: RwSignal<Option<String>>) {
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

pub(super) fn set_unsaved_flag(unsaved: bool) {
    UNSAVED.with(|flag| flag.set(unsaved));
}

/// Asks before the page is left with unsaved changes: closing or
/// reloading the tab (`beforeunload`) and links inside the admin (a click
/// listener that runs before the router's).
pub(super) fn install_leave_guards() {
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
        // Links within the page (the readiness panel's) leave nothing.
        let in_page = link.get_attribute("href").is_some_and(|href| href.starts_with('#'));
        if link.get_attribute("target").is_some() || in_page {
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
