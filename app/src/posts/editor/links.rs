//! The link dialog of both modes: an address typed or pasted, or another
//! article found by its title (`/posts/{slug}`; old addresses answer with
//! a redirect after a slug change, so such links keep working).

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use super::formatting::{utf16_len, utf16_to_byte};
use crate::domain::PostFields;
use crate::posts::api::{LinkTarget, find_link_targets};
use crate::posts::review_panel::status_label;
use crate::posts::workflow::PostStatus;

/// Who asked for the link, and where it goes.
enum Asker {
    /// The text area's selection (UTF-16 units) when the dialog opened.
    Text { start: u32, end: u32 },
    /// The visual editor's promise: resolved with `{href, title, text}`
    /// (an empty address removes the link; `text` labels a link made
    /// without a selection; `title` is the edited link's, kept), or
    /// `undefined` to change nothing.
    Visual {
        resolve: js_sys::Function,
        /// The edited link's address and title: the title is kept only
        /// while the address stays.
        href: String,
        title: Option<String>,
    },
}

/// The dialog's state; copied into handlers.
#[derive(Clone, Copy)]
pub(super) struct LinkDialog {
    textarea: NodeRef<leptos::html::Textarea>,
    fields: RwSignal<PostFields>,
    /// The address the dialog opened with, while it is open.
    pub(super) open: RwSignal<Option<String>>,
    asker: StoredValue<Option<SendWrapper<Asker>>>,
}

impl LinkDialog {
    pub(super) fn new(textarea: NodeRef<leptos::html::Textarea>, fields: RwSignal<PostFields>) -> Self {
        Self {
            textarea,
            fields,
            open: RwSignal::new(None),
            asker: StoredValue::new(None),
        }
    }

    /// Opens the dialog for the text area's selection.
    pub(super) fn open_for_text(self) {
        let Some(element) = self.textarea.get_untracked() else {
            return;
        };
        if element.read_only() {
            return;
        }
        let start = element.selection_start().ok().flatten().unwrap_or(0);
        let end = element.selection_end().ok().flatten().unwrap_or(start).max(start);
        self.replace_asker(Asker::Text { start, end });
        self.open.set(Some(String::new()));
    }

    /// Opens the dialog for the visual editor; `current` is the link at
    /// the selection (`{href, title}`) or null.
    pub(super) fn open_for_visual(self, current: &JsValue) -> js_sys::Promise {
        let text = |key: &str| {
            js_sys::Reflect::get(current, &JsValue::from_str(key))
                .ok()
                .and_then(|value| value.as_string())
        };
        let href = text("href").unwrap_or_default();
        let title = text("title");
        js_sys::Promise::new(&mut |resolve, _reject| {
            self.replace_asker(Asker::Visual {
                resolve,
                href: href.clone(),
                title: title.clone(),
            });
            self.open.set(Some(href.clone()));
        })
    }

    /// A dialog opened again before it was answered answers the first
    /// asker with "no change".
    fn replace_asker(self, asker: Asker) {
        let earlier = self
            .asker
            .try_update_value(|slot| slot.replace(SendWrapper::new(asker)))
            .flatten();
        if let Some(earlier) = earlier
            && let Asker::Visual { resolve, .. } = &*earlier
        {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        }
    }

    /// Closes the dialog with `choice` (`None`: cancelled); `label` is the
    /// link text to use when nothing was selected.
    pub(super) fn finish(self, choice: Option<(String, String)>) {
        self.open.set(None);
        let Some(Some(asker)) = self.asker.try_update_value(Option::take) else {
            return;
        };
        match (&*asker, choice) {
            (
                Asker::Visual {
                    resolve,
                    href: before,
                    title,
                },
                choice,
            ) => {
                let value = choice.map_or(JsValue::UNDEFINED, |(href, label)| {
                    let object = js_sys::Object::new();
                    let put = |key: &str, value: &str| {
                        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
                    };
                    put("href", href.trim());
                    if !label.is_empty() {
                        put("text", &label);
                    }
                    if let Some(title) = title.as_ref().filter(|_| href.trim() == before.trim()) {
                        put("title", title);
                    }
                    object.into()
                });
                let _ = resolve.call1(&JsValue::NULL, &value);
            }
            (Asker::Text { start, end }, Some((href, label))) if !href.trim().is_empty() => {
                self.link_text(*start, *end, href.trim(), &label);
            }
            (Asker::Text { .. }, _) => {
                if let Some(element) = self.textarea.get_untracked() {
                    let _ = element.focus();
                }
            }
        }
    }

    fn link_text(self, start: u32, end: u32, href: &str, label: &str) {
        let Some(element) = self.textarea.get_untracked() else {
            return;
        };
        if element.read_only() {
            return;
        }
        let text = element.value();
        let (start, end) = (utf16_to_byte(&text, start), utf16_to_byte(&text, end));
        let (new_text, after) = linked(&text, start..end.max(start), href, label);
        element.set_value(&new_text);
        let cursor = utf16_len(&new_text[..after]);
        let _ = element.set_selection_range(cursor, cursor);
        let _ = element.focus();
        self.fields.update(|f| f.content.body = new_text);
    }
}

/// `text` with `range` made a Markdown link to `href`, labelled by the
/// selection or else by `label` (or the address); the offset after it.
fn linked(text: &str, range: std::ops::Range<usize>, href: &str, label: &str) -> (String, usize) {
    let selected = &text[range.clone()];
    let shown = if !selected.trim().is_empty() {
        selected.to_owned()
    } else if !label.trim().is_empty() {
        escape_label(label.trim())
    } else {
        escape_label(href)
    };
    let target = if href.contains(|c: char| c.is_whitespace() || "()<>".contains(c)) {
        format!("<{}>", href.replace(['<', '>'], ""))
    } else {
        href.to_owned()
    };
    let link = format!("[{shown}]({target})");
    let after = range.start + link.len();
    (format!("{}{link}{}", &text[..range.start], &text[range.end..]), after)
}

fn escape_label(label: &str) -> String {
    let mut escaped = String::with_capacity(label.len());
    for c in label.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`') {
            escaped.push('\\');
        }
        escaped.push(if c == '\n' { ' ' } else { c });
    }
    escaped
}

/// The dialog: an address field, and a search of the site's articles.
#[component]
pub(super) fn LinkDialogBox(dialog: LinkDialog) -> impl IntoView {
    (move || dialog.open.get().map(|href| view! { <LinkForm dialog href /> })).into_any()
}

#[component]
fn LinkForm(dialog: LinkDialog, href: String) -> impl IntoView {
    let address = RwSignal::new(href);
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Result<Vec<LinkTarget>, String>>);
    let search_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = search_input.get() {
            let _ = input.focus();
        }
    });
    // Searches a moment after typing stops; only the latest answer shows.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let search = move |text: String| {
        query.set(text.clone());
        // What was found is for the last query, not this one.
        found.set(None);
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let answer = find_link_targets(text.clone()).await.map_err(|error| error.to_string());
                    if query.try_with_untracked(|now| *now == text) == Some(true) {
                        found.set(Some(answer));
                    }
                });
            },
            std::time::Duration::from_millis(250),
        )
        .ok();
        timer.set_value(handle);
    };
    on_cleanup(move || {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
    });
    // Enter in the search field takes the first article found; Apply with
    // an empty address removes the link.
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = address.get_untracked();
        let from_search = search_input
            .get_untracked()
            .zip(document().active_element())
            .is_some_and(|(input, active)| {
                let input: &web_sys::Element = &input;
                *input == active
            });
        let first = found.with_untracked(|found| match found {
            Some(Ok(targets)) if from_search => targets
                .first()
                .map(|target| (target.path.clone(), target.title.clone())),
            _ => None,
        });
        dialog.finish(Some(first.unwrap_or((typed, String::new()))));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            dialog.finish(None);
        }
    };
    let result = move |target: LinkTarget| {
        let LinkTarget { title, path, status } = target;
        let note = (status != PostStatus::Published).then(|| {
            view! { <span class="link-target-note">" · "{status_label(status)}", not public yet"</span> }
        });
        let label = title.clone();
        view! {
            <li>
                <button type="button" class="link-target" data-testid="link-target"
                    on:click=move |_| dialog.finish(Some((path.clone(), label.clone())))>
                    {title}
                </button>
                {note}
            </li>
        }
    };
    view! {
        <form class="link-dialog card" aria-labelledby="link-dialog-heading" on:submit=submit on:keydown=on_key
            data-testid="link-dialog">
            <h3 id="link-dialog-heading">"Link"</h3>
            <div class="field">
                <label for="link-search">"Find an article on this site"</label>
                <input id="link-search" type="search" node_ref=search_input autocomplete="off"
                    prop:value=move || query.get() on:input=move |ev| search(event_target_value(&ev)) />
            </div>
            {move || found.get().map(|answer| match answer {
                Ok(targets) if targets.is_empty() => view! { <p class="hint">"No article has that in its title."</p> }.into_any(),
                Ok(targets) => view! {
                    <ul class="link-targets" aria-label="Articles">{targets.into_iter().map(result).collect_view()}</ul>
                }.into_any(),
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            })}
            <div class="field">
                <label for="link-address">"Or an address"</label>
                <input id="link-address" type="text" inputmode="url" autocomplete="off"
                    aria-describedby="link-address-hint"
                    prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
                <p class="hint" id="link-address-hint">"For example https://www.cdc.gov/… Leave it empty to remove a link."</p>
            </div>
            <div class="actions">
                <button type="submit">"Apply"</button>
                <button type="button" class="secondary" on:click=move |_| dialog.finish(None)>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::linked;

    #[test]
    fn the_selection_becomes_the_link_text() {
        assert_eq!(
            linked("See the guide here", 8..13, "/posts/guide", "Guide"),
            ("See the [guide](/posts/guide) here".into(), 29)
        );
    }

    #[test]
    fn without_a_selection_the_title_or_address_is_shown() {
        assert_eq!(
            linked("See ", 4..4, "/posts/a", "Sleep [and] rest").0,
            "See [Sleep \\[and\\] rest](/posts/a)"
        );
        assert_eq!(
            linked("", 0..0, "https://x.org/a b", "").0,
            "[https://x.org/a b](<https://x.org/a b>)"
        );
    }
}
