//! Markdown formats from the toolbar and the keyboard, applied to the
//! selection in the text area.

use leptos::prelude::*;

use super::image_queue::ImageButton;
use super::images::ImageInsert;
use super::links::LinkDialog;
use crate::domain::PostFields;

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

pub(super) enum Shortcut {
    Format(Format),
    Save,
}

/// Ctrl (⌘ on a Mac) with B, I, K or S; Ctrl+Alt+2 for a heading;
/// Ctrl+Shift+8 for a list and Ctrl+Shift+9 for a quote.
pub(super) fn shortcut(ev: &leptos::ev::KeyboardEvent) -> Option<Shortcut> {
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

pub(super) fn apply_format(textarea: NodeRef<leptos::html::Textarea>, fields: RwSignal<PostFields>, format: Format) {
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
    fields.update(|f| f.content.body = new_text.clone());
}

/// The byte offset in `text` of the browser's offset `utf16`: text areas
/// count UTF-16 units, Rust slices bytes.
pub(super) fn utf16_to_byte(text: &str, utf16: u32) -> usize {
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
pub(super) fn utf16_len(text: &str) -> u32 {
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

#[component]
pub(super) fn Toolbar(
    textarea: NodeRef<leptos::html::Textarea>,
    fields: RwSignal<PostFields>,
    editable: Memo<bool>,
    images: ImageInsert,
    links: LinkDialog,
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
            <button type="button" title="Link (Ctrl+K)" aria-label="Link (Ctrl+K)" disabled=move || !editable.get()
                on:mousedown=|ev| ev.prevent_default() on:click=move |_| links.open_for_text()>"Link"</button>
            {button(Format::List, "List", "Bulleted list (Ctrl+Shift+8)")}
            {button(Format::Quote, "Quote", "Quote (Ctrl+Shift+9)")}
            <ImageButton images />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, formatted, utf16_to_byte};

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
}
